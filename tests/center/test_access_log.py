"""Secret tokens in paths (private feeds, the volunteer feed, flower-bed sign-ups) are redacted in
the access log, the way uvicorn writes it, once the app is built; other paths are left alone."""

from __future__ import annotations

import logging

import pytest

from center.web.access_log import REDACTED

TOKEN = "s3cr3t-T0ken_abcdefghijklmnop"
SECRET_PATHS = [
    f"/feeds/t/{TOKEN}.ics",
    f"/feeds/t/{TOKEN}.ics?x=1",
    f"/feeds/volunteer/{TOKEN}",
    f"/flowerbeds/signups/{TOKEN}",
    f"/flowerbeds/signups/{TOKEN}/cancel",
]


def access_line(path: str, caplog: pytest.LogCaptureFixture) -> str:
    """One line logged exactly as uvicorn's access logger logs a request."""
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="uvicorn.access"):
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d', "203.0.113.9:5000", "GET", path, "1.1", 200
        )
    (record,) = [r for r in caplog.records if r.name == "uvicorn.access"]
    return record.getMessage()


@pytest.mark.parametrize("path", SECRET_PATHS)
def test_a_token_in_the_path_never_reaches_the_access_log(app, caplog, path):
    line = access_line(path, caplog)
    assert TOKEN not in line
    assert REDACTED in line


def test_a_token_in_the_path_never_reaches_the_error_log_either(app, caplog):
    with caplog.at_level(logging.ERROR, logger="center"):
        logging.getLogger("center").error("unhandled error on %s %s", "GET", f"/feeds/t/{TOKEN}.ics")
    assert TOKEN not in caplog.text and REDACTED in caplog.text


def test_other_paths_are_logged_as_they_are(app, caplog):
    for path in ("/rooms/meeting1", "/feeds", "/availability?week=2026-12-07", "/account/feeds/3/rotate"):
        assert path in access_line(path, caplog)


def test_every_route_with_a_token_in_its_path_is_covered(app, caplog):
    routes = [r.path_format for r in app.routes if "{token}" in r.path_format or "{feed}" in r.path_format]
    assert len(routes) >= 4
    for path_format in routes:
        path = path_format.replace("{token}", TOKEN).replace("{feed}", TOKEN).replace("{day_id}", "1")
        assert TOKEN not in access_line(path, caplog), path_format
