"""`center import groups FILE.csv`: the center's register of groups (団体名簿) as approved groups.
Each row is checked like a registration form (center.accounts.groups.clean_group); a name already
registered, or twice in the file, is a clash. Dry run by default; with `apply` every row is written
in one transaction, and only if every row is new."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from center.accounts import audit
from center.accounts.groups import APPROVED, clean_group, reference
from center.accounts.tables import Group
from center.lib.db import write_transaction
from center.lib.i18n import gettext
from center.shell.setup.csv_read import Column, CsvRow, clean, read_csv
from center.shell.setup.report import CLASH, NEW, REFUSED, ImportReport, RowOutcome, labelled

COLUMNS = (
    Column("name", "団体名", "Group name", required=True),
    Column("name_kana", "フリガナ", "Name in kana", required=True),
    Column("representative", "代表者", "Representative", required=True),
    Column("contact_phone", "電話番号", "Phone", required=True),
    Column("contact_email", "メールアドレス", "E-mail"),
    Column("address", "住所", "Address", required=True),
    Column("activity", "活動内容", "Activity", required=True),
    Column("member_count", "会員数", "Members", required=True),
    Column("reduction", "減免", "Fee reduction"),
    Column("in_city", "市内", "In the city"),
    Column("commercial", "営利", "Commercial"),
)
YES = {"はい", "○", "〇", "有", "あり", "yes", "y", "true", "1"}
NO = {"いいえ", "×", "無", "なし", "no", "n", "false", "0"}
REDUCTIONS = {
    "": "none",
    "なし": "none",
    "none": "none",
    "福祉": "welfare",
    "福祉団体": "welfare",
    "welfare": "welfare",
    "公益": "public_interest",
    "公益団体": "public_interest",
    "public_interest": "public_interest",
}


def _yes_no(text: str, default: bool) -> str:
    value = clean(text).lower()
    if not value:
        return "yes" if default else "no"
    if value in YES:
        return "yes"
    if value in NO:
        return "no"
    return "?"


def _form(row: CsvRow) -> dict[str, str]:
    """The row as the registration form's fields."""
    values = dict(row.values)
    values["reduction"] = REDUCTIONS.get(clean(values.get("reduction", "")).lower(), "?")
    values["in_city"] = _yes_no(values.get("in_city", ""), True)
    values["commercial"] = _yes_no(values.get("commercial", ""), False)
    return values


def _label(key: str) -> str:
    return next(column.label() for column in COLUMNS if column.key == key)


async def import_groups(path: Path, *, apply: bool) -> ImportReport:
    table, problems = read_csv(path, COLUMNS)
    report = ImportReport(path.name, table.encoding if table else "", problems=problems)
    if table is None:
        return report
    registered = {clean(row["name"]): row["id"] for row in await Group.select(Group.id, Group.name)}
    seen: dict[str, int] = {}
    fresh: list[dict] = []
    for row in table.rows:
        values, errors = clean_group(_form(row))
        outcome = RowOutcome(row.line, NEW, values["name"] or "-")
        if errors:
            outcome.status = REFUSED
            outcome.reasons = [labelled(_label(key), gettext(message)) for key, message in errors.items()]
        elif clean(values["name"]) in registered:
            outcome.status = CLASH
            outcome.reasons = [
                gettext(
                    "A group of this name is already registered (%(reference)s).",
                    reference=reference(registered[clean(values["name"])]),
                )
            ]
        elif clean(values["name"]) in seen:
            outcome.status = CLASH
            outcome.reasons = [
                gettext("The same group is on line %(line)s of this file.", line=seen[clean(values["name"])])
            ]
        else:
            fresh.append(values)
        seen.setdefault(clean(values["name"]), row.line)
        report.outcomes.append(outcome)
    if apply and report.accepted and fresh:
        await _write(fresh, path.name)
        report.applied = True
    return report


async def _write(groups: list[dict], file: str) -> None:
    now = datetime.now(UTC)
    async with write_transaction():
        for values in groups:
            rows = await Group.insert(
                Group(**values, status=APPROVED, decided_at=now, applied_at=now, updated_at=now)
            ).returning(Group.id)
            await audit.record(
                "import", "group", rows[0]["id"], after=values, note=f"center import groups {file}"
            )
