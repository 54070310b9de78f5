"""Public pages about rooms: the room list with filters (an htmx partial refreshes just the list),
one room's page and photo. The month calendar, which shows every domain's public events, is in
the shell (center.shell.calendar)."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import File, Template

from center.accounts.guards import PUBLIC
from center.lib.errors import NotFound
from center.lib.i18n import N_, gettext
from center.places import calendar as cal
from center.places import photos, rooms
from center.places.display import display_helpers, heating_note
from center.places.equipment import equipment_choices
from center.web.htmx import VARY, wants_partial
from center.web.uploads import inline_file


class RoomPagesController(Controller):
    """The public room pages: the list, one room, its photo."""

    path = "/rooms"
    opt = PUBLIC

    @get("/", name="places:rooms")
    async def room_list(self, request: Request) -> Template:
        """Every bookable room with its facts, accessibility and fees; filterable."""
        filters, errors = rooms.parse_filters(request.query_params)
        found = await rooms.list_rooms(filters)
        context = {
            "rooms": found,
            "filters": filters,
            "errors": {name: gettext(msg) for name, msg in errors.items()},
            "floors": await rooms.floors(),
            "equipment_choices": equipment_choices(),
            "heating_note": heating_note(await cal.load_profile()),
            **display_helpers(),
        }
        if wants_partial(request):
            # The partial carries its own error summary and is answered 200 so htmx swaps it in.
            return Template("places/_room_list.html", context=context, headers=VARY)
        return Template(
            "places/rooms.html", context=context, headers=VARY, status_code=400 if errors else 200
        )

    @get("/{code:str}", name="places:room")
    async def room_page(self, code: FromPath[str]) -> Template:
        """One room's full page: facts, accessibility, equipment, fees and photo."""
        room = await rooms.room_by_code(code)
        if room is None:
            raise NotFound(N_("That room does not exist."))
        profile = await cal.load_profile()
        access_warnings = room["access_warnings"]
        return Template(
            "places/room.html",
            context={
                "room": room,
                "heating_note": heating_note(profile),
                "access_warnings": access_warnings,
                **display_helpers(),
            },
        )

    @get("/{code:str}/photo", name="places:room_photo", include_in_schema=False)
    async def room_photo(self, code: FromPath[str]) -> File:
        """The room's photo as stored (already checked and re-encoded at upload)."""
        room = await rooms.room_by_code(code)
        path = photos.photo_path(room["photo"]) if room else None
        return inline_file(path, "public, max-age=86400")


ROUTES = [RoomPagesController]
