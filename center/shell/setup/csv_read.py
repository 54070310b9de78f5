"""Reading a CSV file the way Excel saves it: UTF-8 with a byte-order mark (「CSV UTF-8」), plain
UTF-8, or Shift_JIS (Windows' CP932, Excel's 「CSV (コンマ区切り)」 on Japanese Windows), detected from
the bytes. The first row names the columns, in Japanese or in English (docs/setup.md lists them);
every data row keeps its line number for the report."""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from center.lib.i18n import N_, current_locale
from center.shell.setup.toml_text import Problem

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Column:
    """A column: its key in the code, its Japanese and English headers, and whether it is needed."""

    key: str
    ja: str
    en: str
    required: bool = False

    def label(self) -> str:
        return self.ja if current_locale.get() == "ja" else self.en


@dataclass(frozen=True)
class CsvRow:
    line: int  # the file's line where the row starts (the header is line 1)
    values: dict[str, str]  # column key -> the cell, trimmed


@dataclass(frozen=True)
class CsvTable:
    encoding: str  # "UTF-8 (BOM)", "UTF-8" or "Shift_JIS (CP932)"
    rows: list[CsvRow]


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of its encoding; ValueError if it is none of Excel's."""
    if data.startswith(BOM):
        return data[len(BOM) :].decode("utf-8"), "UTF-8 (BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "Shift_JIS (CP932)"
    except UnicodeDecodeError as exc:
        raise ValueError(str(exc)) from exc


def clean(text: str) -> str:
    """Full-width letters and digits to half-width, half-width kana to full-width, trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def _header_key(text: str) -> str:
    return clean(text).lower().replace(" ", "").replace("_", "")


def read_csv(path: Path, columns: tuple[Column, ...]) -> tuple[CsvTable | None, list[Problem]]:
    """The rows by column key, or None and the problems (unreadable file, unknown or missing
    columns). Blank rows are skipped."""
    try:
        text, encoding = decode(path.read_bytes())
    except OSError as exc:
        return None, [Problem(None, "", N_("The file cannot be read: %(error)s"), {"error": str(exc)})]
    except ValueError:
        return None, [Problem(None, "", N_("The file is neither UTF-8 nor Shift_JIS (CP932)."))]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None, [Problem(1, "", N_("The file is empty: the first row must name the columns."))]
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.key, column.ja, column.en):
            by_name[_header_key(name)] = column
    problems: list[Problem] = []
    positions: dict[str, int] = {}
    for position, name in enumerate(header):
        if not clean(name):
            continue
        column = by_name.get(_header_key(name))
        if column is None:
            problems.append(Problem(1, clean(name), N_("Unknown column: see docs/setup.md for the columns.")))
        elif column.key in positions:
            problems.append(Problem(1, clean(name), N_("This column appears twice.")))
        else:
            positions[column.key] = position
    for column in columns:
        if column.required and column.key not in positions:
            problems.append(
                Problem(1, f"{column.ja} ({column.en})", N_("This column is missing: it is required."))
            )
    if problems:
        return None, problems
    rows: list[CsvRow] = []
    line = 2
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                values = {
                    key: cells[position].strip() if position < len(cells) else ""
                    for key, position in positions.items()
                }
                rows.append(CsvRow(line, values))
            line = reader.line_num + 1
    except csv.Error as exc:
        return None, [Problem(line, "", N_("The CSV cannot be read here: %(error)s"), {"error": str(exc)})]
    return CsvTable(encoding, rows), []
