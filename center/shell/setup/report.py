"""The row-by-row report of an import, in the user's language (Japanese by default): which rows are
new, which clash with what, and why a row is refused; then what was (or was not) written."""

from __future__ import annotations

from dataclasses import dataclass, field

from center.lib.i18n import current_locale, gettext, pgettext
from center.shell.setup.toml_text import Problem

NEW, CLASH, REFUSED = "new", "clash", "refused"


def labelled(label: str, text: str) -> str:
    """ "部屋：…" in Japanese, "Room: …" in English."""
    return f"{label}：{text}" if current_locale.get() == "ja" else f"{label}: {text}"


def status_label(status: str) -> str:
    if status == NEW:
        return pgettext("import row", "new")
    if status == CLASH:
        return pgettext("import row", "clash")
    return pgettext("import row", "refused")


@dataclass
class RowOutcome:
    """One data row: its line, what it is (e.g. the group's name, or room, day and slots), and
    for a clash or refusal the reasons, already in the user's language."""

    line: int
    status: str
    summary: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    file: str
    encoding: str
    outcomes: list[RowOutcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the file as a whole (columns, encoding)
    applied: bool = False

    @property
    def accepted(self) -> bool:
        return not self.problems and all(row.status == NEW for row in self.outcomes)

    def count(self, status: str) -> int:
        return sum(row.status == status for row in self.outcomes)

    def text(self, *, apply: bool) -> str:
        lines = [gettext("File: %(file)s (%(encoding)s)", file=self.file, encoding=self.encoding or "-")]
        lines += [problem.text() for problem in self.problems]
        for row in self.outcomes:
            line = gettext("line %(line)s", line=row.line)
            lines.append(labelled(line, f"[{status_label(row.status)}] {row.summary}"))
            lines += [f"    - {reason}" for reason in row.reasons]
        lines.append(
            gettext(
                "New: %(new)s, clashes: %(clash)s, refused: %(refused)s.",
                new=self.count(NEW),
                clash=self.count(CLASH),
                refused=self.count(REFUSED),
            )
        )
        if self.applied:
            lines.append(gettext("Rows written in one transaction: %(count)s.", count=self.count(NEW)))
        elif not self.accepted:
            lines.append(gettext("Nothing was written: correct the rows above and run the import again."))
        elif apply:
            lines.append(gettext("Nothing was written: the file has no rows."))
        else:
            lines.append(gettext("Dry run: nothing was written. Run again with --apply to write these rows."))
        return "\n".join(lines)
