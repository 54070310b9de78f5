"""The week grid's cells as HTML, built once per request from precomputed parts: the request link's
address, the translated words and the day texts are made once, not per cell, and no template macro
runs per cell. The output is exactly what templates/bookings/_cells.html's cell_td gives (the
render-equality test holds both to the same fixtures); that macro still draws the room month."""

from __future__ import annotations

from litestar import Request
from markupsafe import Markup, escape

from bookings.availability import FREE, STATE_LABELS, Grid
from bookings.web.common import booking_link, equipment_query
from center.lib.dates import format_date
from center.lib.i18n import current_locale, gettext, pick

# In English the kanji symbols read as letters the key explains (as _cells.html's symbol macro).
EN_SYMBOLS = {"lottery": "L", "desk_only": "D", "not_yet_open": "N", "closed": "C"}


def grid_rows(request: Request, grid: Grid, link_extra: str) -> dict[int, Markup]:
    """Room id -> the HTML of its row's cells, day by day and slot by slot."""
    english = current_locale.get() == "en"
    request_url = booking_link(request)
    extra = escape(link_extra or equipment_query(request))
    not_available = Markup(
        '<td class="slot-cell slot-cell--not_offered"><span aria-hidden="true">－</span>'
        '<span class="visually-hidden">{}</span></td>'
    ).format(gettext("Not available"))
    # As Jinja's newstyle gettext: the translation is markup, the values filled in are escaped.
    free_text = Markup(gettext("%(room)s, %(date)s, %(slot)s: free. Request it"))
    state_words = {state: escape(gettext(msgid)) for state, msgid in STATE_LABELS.items()}
    day_texts = {info.day: format_date(info.day) for info in grid.days}
    rows: dict[int, Markup] = {}
    for room in grid.rooms:
        name = pick(room["name_ja"], room["name_en"])
        link_start = f"{escape(request_url)}?room={escape(room['code'])}&amp;day=" if request_url else ""
        parts: list[str] = []
        for info in grid.days:
            for code, _ in grid.slot_names:
                cell = grid.cell(room["id"], info.day, code)
                if cell is None:
                    parts.append(not_available)
                    continue
                symbol = escape(EN_SYMBOLS.get(cell.state, cell.symbol) if english else cell.symbol)
                if cell.state == FREE and request_url:
                    hidden = free_text % {"room": name, "date": day_texts[cell.day], "slot": cell.slot_name}
                    parts.append(
                        f'<td class="slot-cell slot-cell--free"><a href="{link_start}{cell.day.isoformat()}'
                        f'&amp;slots={escape(cell.slot_code)}{extra}">'
                        f'<span aria-hidden="true">{symbol}</span>'
                        f'<span class="visually-hidden">{hidden}</span></a></td>'
                    )
                    continue
                label = ""
                if cell.label:
                    text = escape(cell.label)
                    label = f'<span class="slot-cell__label" title="{text}">{text}</span>'
                parts.append(
                    f'<td class="slot-cell slot-cell--{escape(cell.state)}"><span aria-hidden="true">{symbol}'
                    f'</span><span class="visually-hidden">{state_words[cell.state]}</span>{label}</td>'
                )
        rows[room["id"]] = Markup("".join(parts))
    return rows
