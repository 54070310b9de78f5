"""Run one of the app's modules with the wall clock set to a chosen instant, ticking on from there.

    python -m tests.browser.clocked 2026-12-02T10:30:00+09:00 center.cli demo
    python -m tests.browser.clocked 2026-12-02T10:30:00+09:00 uvicorn --factory center.app:create_app

The front desk's walk-in flow books "now", which needs the center to be open now; browser tests that
drive it run their server at a chosen opening hour instead of whatever hour CI happens to run at.
Only Python's clock moves (time-machine): the databases keep their own, which the app never reads."""

from __future__ import annotations

import runpy
import sys
from datetime import datetime

import time_machine


def main() -> None:
    if len(sys.argv) < 3:
        raise SystemExit("usage: python -m tests.browser.clocked INSTANT MODULE [ARGS...]")
    instant = datetime.fromisoformat(sys.argv[1])
    if instant.tzinfo is None:
        raise SystemExit("the instant needs a UTC offset, e.g. 2026-12-02T10:30:00+09:00")
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    with time_machine.travel(instant, tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
