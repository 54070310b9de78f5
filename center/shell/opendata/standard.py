"""The two datasets' column lists as the 自治体標準オープンデータセット (Digital Agency, formerly
the 推奨データセット of the Cabinet Secretariat) defines them, in their order, and the CSV form
the standard asks for: UTF-8 with a byte order mark (so Excel reads it), a header row with exactly
these names, CRLF line ends, dates YYYY-MM-DD and times hh:mm.

The publisher is Tomakomai City (北海道苫小牧市): 全国地方公共団体コード 012131 (JIS X 0402 with
its check digit, see `local_government_code`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

PREFECTURE = "北海道"
MUNICIPALITY = "苫小牧市"
MUNICIPALITY_CODE5 = "01213"  # 都道府県 01 + 市区町村 213

LICENCE_URL_JA = "https://creativecommons.org/licenses/by/4.0/deed.ja"
LICENCE_URL_EN = "https://creativecommons.org/licenses/by/4.0/"

# イベント一覧 (event list): 32 columns.
EVENT_COLUMNS: tuple[str, ...] = (
    "都道府県コード又は市区町村コード",
    "NO",
    "都道府県名",
    "市区町村名",
    "イベント名",
    "イベント名_カナ",
    "イベント名_英語",
    "開始日",
    "終了日",
    "開始時間",
    "終了時間",
    "開始日時特記事項",
    "説明",
    "料金(基本)",
    "料金(詳細)",
    "連絡先名称",
    "連絡先電話番号",
    "連絡先内線番号",
    "主催者",
    "場所名称",
    "住所",
    "方書",
    "緯度",
    "経度",
    "アクセス方法",
    "駐車場情報",
    "定員",
    "参加申込終了日",
    "参加申込終了時間",
    "参加申込方法",
    "URL",
    "備考",
)

# 公共施設一覧 (public facility list): 24 columns.
FACILITY_COLUMNS: tuple[str, ...] = (
    "都道府県コード又は市区町村コード",
    "NO",
    "都道府県名",
    "市区町村名",
    "名称",
    "名称_カナ",
    "名称_通称",
    "POIコード",
    "住所",
    "方書",
    "緯度",
    "経度",
    "電話番号",
    "内線番号",
    "法人番号",
    "団体名",
    "利用可能曜日",
    "開始時間",
    "終了時間",
    "利用可能日時特記事項",
    "説明",
    "バリアフリー情報",
    "URL",
    "備考",
)

# The standard's file names: <code>_<dataset>.csv.
EVENT_FILENAME = "event.csv"
FACILITY_FILENAME = "public_facility.csv"


def local_government_code(code5: str = MUNICIPALITY_CODE5) -> str:
    """The six-digit 全国地方公共団体コード: five digits and the JIS X 0402 check digit
    (weights 6..2, 11 minus the remainder mod 11, last digit kept)."""
    total = sum(int(digit) * weight for digit, weight in zip(code5, (6, 5, 4, 3, 2), strict=True))
    return code5 + str((11 - total % 11) % 10)


def publisher_columns(number: str) -> dict[str, str]:
    """The four columns every row of both datasets starts with."""
    return {
        "都道府県コード又は市区町村コード": local_government_code(),
        "NO": number,
        "都道府県名": PREFECTURE,
        "市区町村名": MUNICIPALITY,
    }


def one_line(text: str | None) -> str:
    """A cell's text on one line (descriptions typed with line breaks), trimmed."""
    return " ".join((text or "").split())


def to_csv(columns: tuple[str, ...], rows: Iterable[Mapping[str, str]]) -> bytes:
    """The header and rows as UTF-8 with a BOM; a row may leave columns out (empty) but may not
    name one the standard does not have."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval="", extrasaction="raise", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return "\ufeff".encode() + out.getvalue().encode("utf-8")
