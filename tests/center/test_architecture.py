"""The import contracts (docs/architecture.md) hold, and they would catch a break: lint-imports
passes on the code as it is, and fails, naming the import, on a copy of the code with one
deliberately upward import added (the library importing the shell), one domain importing
another, or a shell page reading a domain's tables instead of its functions."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_code_keeps_the_layer_contract_and_the_shell_reads_no_domain_table():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.fixture(scope="module")
def copy_of_the_code(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("layers")
    for package in ("center", "bookings", "maintenance"):
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


@pytest.mark.parametrize(
    ("module", "upward", "says"),
    [
        ("center/lib/months.py", "from center.shell import pages", "center.lib.months -> center.shell.pages"),
        ("bookings/fees.py", "import maintenance.tickets", "bookings.fees -> maintenance.tickets"),
        (
            "center/shell/reports/usage.py",
            "from bookings.tables import Booking",
            "center.shell.reports.usage -> bookings.tables",
        ),
        (
            "center/shell/feeds/ledger_sources.py",
            "from center.ledger.tables import Hold",
            "center.shell.feeds.ledger_sources -> center.ledger.tables",
        ),
    ],
    ids=[
        "lib-imports-shell",
        "domain-imports-domain",
        "report-reads-bookings-table",
        "feed-reads-ledger-table",
    ],
)
def test_an_upward_import_breaks_the_build(copy_of_the_code: Path, module: str, upward: str, says: str):
    path = copy_of_the_code / module
    original = path.read_text()
    try:
        # Inside a function, where it is easiest to slip in unnoticed.
        path.write_text(original + f"\n\ndef _sneaky():\n    {upward}\n")
        result = _lint(copy_of_the_code)
    finally:
        path.write_text(original)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout and says in result.stdout


def test_every_code_folder_is_a_package_lint_imports_sees():
    """A folder of modules without __init__.py is a namespace package, which lint-imports skips:
    its imports would escape every contract (center/shell/reports once did)."""
    missing = [
        str(folder.relative_to(ROOT))
        for package in ("center", "bookings", "maintenance")
        for folder in (ROOT / package).rglob("*")
        if folder.is_dir()
        and folder.name not in ("__pycache__", "piccolo_migrations")
        and any(folder.glob("*.py"))
        and not (folder / "__init__.py").exists()
    ]
    assert missing == []
