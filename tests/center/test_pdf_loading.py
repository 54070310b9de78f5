"""WeasyPrint (Pango through cffi, a few seconds of CPU) is loaded by the first PDF or by the
server's warm-up, not by building the app: the CLI, the jobs and a server that is told not to warm
up (CENTER_PDF_WARM_UP=0) start without it."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from center.lib.settings import BASE_DIR

pytestmark = pytest.mark.anyio


def test_building_the_app_does_not_load_weasyprint():
    probe = "import sys; from center.app import create_app; create_app(); print('weasyprint' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=BASE_DIR, capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "False"


async def test_the_warm_up_renders_when_asked_and_does_nothing_when_told_not_to(monkeypatch):
    from center.lib.settings import get_settings
    from center.web import pdf

    calls: list[int] = []

    class Counting:
        def warm_up(self) -> None:
            calls.append(1)

    monkeypatch.setattr(pdf, "renderer", lambda: Counting())
    monkeypatch.setattr(pdf, "get_settings", lambda: replace(get_settings(), pdf_warm_up=False))
    await pdf.warm_up()
    assert calls == []
    monkeypatch.setattr(pdf, "get_settings", lambda: replace(get_settings(), pdf_warm_up=True))
    await pdf.warm_up()
    assert calls == [1]
