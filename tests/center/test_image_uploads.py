"""Uploaded images cannot stall the server: a small PNG that decodes to 7000 x 7000 pixels is
refused from its header (more than about 12 megapixels), with a message on the field, while the
health check keeps answering within 100 ms; decoding happens in a worker thread, a few at a time."""

from __future__ import annotations

import asyncio
import io
import threading
import time

import anyio
import pytest
from PIL import Image

from center.lib import images
from center.lib.errors import ValidationFailed
from center.places import photos
from maintenance.tables import Report
from tests.maintenance_support import make_location

pytestmark = pytest.mark.anyio


def hostile_png(side: int = 7000) -> bytes:
    """A flat 7000 x 7000 PNG: about 150 KB on the wire, 49 megapixels (147 MB) when decoded."""
    out = io.BytesIO()
    Image.new("RGB", (side, side), (250, 250, 250)).save(out, "PNG", optimize=True)
    return out.getvalue()


HOSTILE = hostile_png()


async def test_a_hostile_png_to_the_public_report_is_refused_without_stalling_the_health_check(client):
    assert len(HOSTILE) < 400_000
    location = await make_location()
    await client.get("/report")
    token = client.cookies.get("csrftoken")
    stop = asyncio.Event()
    worst = 0.0

    async def watch_health() -> None:
        nonlocal worst
        while not stop.is_set():
            started = time.perf_counter()
            assert (await client.get("/livez")).status_code == 200
            worst = max(worst, time.perf_counter() - started)
            await asyncio.sleep(0.005)

    async def upload():
        try:
            return await client.post(
                "/report",
                data={"_csrf_token": token, "location": str(location), "description": "壁の写真"},
                files={"photo": ("wall.png", HOSTILE, "image/png")},
            )
        finally:
            stop.set()

    watcher = asyncio.create_task(watch_health())
    response = await upload()
    await watcher
    assert response.status_code == 400
    assert "1200万画素" in response.text
    assert await Report.count() == 0
    assert worst < 0.1, f"the health check stalled for {worst * 1000:.0f} ms"


def test_the_pixel_limit_is_read_from_the_header_before_any_decoding():
    started = time.perf_counter()
    with pytest.raises(images.TooManyPixels):
        images.probe(HOSTILE)
    assert time.perf_counter() - started < 0.05
    with pytest.raises(ValidationFailed) as refused:
        photos.process(HOSTILE)
    assert refused.value.errors == {"photo": photos.MSG_TOO_MANY_PIXELS}


def test_pillow_refuses_bombs_anywhere_in_the_process():
    assert Image.MAX_IMAGE_PIXELS == images.MAX_PIXELS


async def test_image_work_runs_off_the_event_loop_a_few_at_a_time():
    loop_thread = threading.get_ident()
    running = 0
    most = 0
    threads: set[int] = set()
    lock = threading.Lock()

    def work() -> None:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        time.sleep(0.05)
        with lock:
            running -= 1

    async with anyio.create_task_group() as group:
        for _ in range(6):
            group.start_soon(images.in_worker, work)
    assert loop_thread not in threads
    assert most == images.WORKERS
