"""The yardstick for bench_http.py: bare Litestar with Jinja, no database, no middleware.

    .venv/bin/python -m uvicorn benchmarks.bare_app:app --port 8101

- GET /grid   a plain Jinja table of the week grid's size (12 rooms x 7 days x 3 slots, 21 cells a
              row), each cell a link and a word, as the real grid's free cells are
- GET /hello  the text "hello"
"""

from __future__ import annotations

from datetime import date, timedelta

from jinja2 import DictLoader, Environment, select_autoescape
from litestar import Litestar, MediaType, get
from litestar.response import Response

ROOMS = 12
DAYS = 7
SLOTS = ("morning", "afternoon", "evening")
TEMPLATE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1>
<table>
<thead><tr><td></td>{% for day in days %}<th colspan="3">{{ day.isoformat() }}</th>{% endfor %}</tr></thead>
<tbody>
{% for room in rooms %}<tr><th scope="row">{{ room.name }}</th>
{% for cell in room.cells %}<td class="slot-cell slot-cell--{{ cell.state }}">\
<a href="/bookings/new?room={{ room.code }}&amp;day={{ cell.day }}&amp;slots={{ cell.slot }}">\
{{ cell.symbol }}<span class="visually-hidden">{{ cell.word }}</span></a></td>{% endfor %}
</tr>
{% endfor %}</tbody>
</table></body></html>
"""
ENVIRONMENT = Environment(loader=DictLoader({"grid.html": TEMPLATE}), autoescape=select_autoescape())


def _rooms() -> list[dict]:
    start = date(2026, 12, 7)
    days = [start + timedelta(days=offset) for offset in range(DAYS)]
    return [
        {
            "name": f"会議室{number}",
            "code": f"room{number}",
            "cells": [
                {"state": "free", "day": day.isoformat(), "slot": slot, "symbol": "○", "word": "空き"}
                for day in days
                for slot in SLOTS
            ],
        }
        for number in range(1, ROOMS + 1)
    ]


@get("/grid", media_type=MediaType.HTML)
async def grid() -> Response:
    start = date(2026, 12, 7)
    html = ENVIRONMENT.get_template("grid.html").render(
        title="空き状況",
        days=[start + timedelta(days=offset) for offset in range(DAYS)],
        rooms=_rooms(),
    )
    return Response(html, media_type=MediaType.HTML)


@get("/hello", media_type=MediaType.TEXT)
async def hello() -> str:
    return "hello"


app = Litestar(route_handlers=[grid, hello])
