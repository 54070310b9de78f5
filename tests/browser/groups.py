"""How `pytest -n N --dist loadgroup` shares the browser tests out: two groups of test files, each
run whole by one worker (its own servers and its own Chromium, started once), while every other
test goes to whichever worker is free.

xdist's own `xdist_group` mark does not work with pytest 9.2: xdist tags a grouped test by
rewriting `item._nodeid`, which pytest 9.2 no longer reads, so every browser test was scheduled on
its own and each worker started every server and a Chromium per module. The grouping is therefore
decided here, from the test's path, by a scheduler of our own (tests/conftest.py hands it to xdist).
"""

from __future__ import annotations

from pathlib import Path

from xdist.scheduler import LoadScopeScheduling

BROWSER_TESTS = "tests/browser/"

# Split by file, balanced by measured durations (the crawl alone is about a quarter of the time).
SECOND_GROUP = frozenset(
    {
        "test_browser_booking_flow",
        "test_browser_phone",
        "test_browser_programmes",
        "test_browser_maintenance",
        "test_browser_phone_flow",
        "test_browser_signage_pages",
        "test_browser_confirm",
        "test_browser_feeds",
        "test_browser_codes",
        "test_browser_closure_screenings",
        "test_browser_signage",
    }
)


def browser_group(path: Path) -> str:
    return "browser-2" if path.stem in SECOND_GROUP else "browser-1"


class BrowserGroupScheduling(LoadScopeScheduling):
    """Each browser group is one unit of work (one worker runs all of it, in collection order);
    every other test is a unit of its own."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        if path.startswith(BROWSER_TESTS):
            return browser_group(Path(path))
        return nodeid
