"""The lottery (抽選) for popular rooms: months ahead, groups apply for a lottery room's slots in a
window (by default the 10th to the 19th of month M-2 for month M); the draw (by default on the 20th)
picks one applicant per slot at random from a seed recorded on the round, so anyone can recompute
it; winners get a tentative booking they confirm by the end of month M-2 or lose; after the draw,
first-come booking opens for what is left.

The package's modules, each importing only those listed before it:
- windows: months of use and each month's window (open, close, draw and confirm-by dates);
- common: what the others share (the system actor, entry statuses, spotting a unique violation);
- rounds: lottery rooms and the first-come rule, the rounds, the manager's settings;
- applications: a group applies, withdraws, and confirms a win;
- draws: the draw and its notices, and the scheduled draw;
- verification: checking a drawn round against its seed;
- forfeits: wins not confirmed in time;
- listing: what the lottery pages list (rounds, applications, lottery rooms).

Callers import from the package (`from bookings.lottery import draw`), not from the modules."""

from bookings.lottery.applications import (
    ALREADY_APPLIED,
    Application,
    apply,
    confirm,
    entry_of,
    withdraw,
)
from bookings.lottery.common import (
    ENTRY_STATUSES,
    SYSTEM,
    WIN_STATUSES,
)
from bookings.lottery.draws import (
    NOTICES,
    SLOT_TAKEN,
    DrawResult,
    draw,
    draw_due,
    draw_order,
)
from bookings.lottery.forfeits import forfeit_due
from bookings.lottery.listing import (
    coming_rounds,
    entries_of,
    lottery_room_codes,
    lottery_rooms,
    recent_rounds,
    room_names,
    rooms_by_code,
    round_entries,
    round_exists,
)
from bookings.lottery.rounds import (
    FIRST_COME_REFUSAL,
    POLICY_FIELDS,
    accepting,
    change_round_dates,
    first_come_refusal,
    get_round,
    lottery_room_ids,
    open_due,
    open_round,
    round_for_month,
    save_settings,
    settings_errors,
)
from bookings.lottery.verification import SlotCheck, draw_record, verify
from bookings.lottery.windows import (
    MAX_DAY,
    Window,
    first_day,
    lapse_instant,
    last_day,
    month_applying_in,
    month_key,
    parse_month,
    window_errors,
    window_for,
)

__all__ = [
    "ALREADY_APPLIED",
    "ENTRY_STATUSES",
    "FIRST_COME_REFUSAL",
    "MAX_DAY",
    "NOTICES",
    "POLICY_FIELDS",
    "SLOT_TAKEN",
    "SYSTEM",
    "WIN_STATUSES",
    "Application",
    "DrawResult",
    "SlotCheck",
    "Window",
    "accepting",
    "apply",
    "change_round_dates",
    "coming_rounds",
    "confirm",
    "draw",
    "draw_due",
    "draw_order",
    "draw_record",
    "entries_of",
    "entry_of",
    "first_come_refusal",
    "first_day",
    "forfeit_due",
    "get_round",
    "lapse_instant",
    "last_day",
    "lottery_room_codes",
    "lottery_room_ids",
    "lottery_rooms",
    "month_applying_in",
    "month_key",
    "open_due",
    "open_round",
    "parse_month",
    "recent_rounds",
    "room_names",
    "rooms_by_code",
    "round_entries",
    "round_exists",
    "round_for_month",
    "save_settings",
    "settings_errors",
    "verify",
    "window_errors",
    "window_for",
    "withdraw",
]
