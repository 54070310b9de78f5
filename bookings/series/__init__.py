"""Recurring series: weekly, every other week, or monthly by weekday (the 2nd Tuesday, the last
Friday). The dates are pure functions of the rule (recurrence); the preview checks every date with
the same rules, fees and ledger as a single request, writing nothing (preview); booking takes the
chosen dates all or nothing in one transaction (booking); dates can be cancelled one at a time or
all from a date on (cancellation). The names the pages and tests use are importable from here."""

from bookings.series.booking import SeriesBooked, book_series
from bookings.series.cancellation import (
    cancel_occurrences,
    cancel_targets,
    cancellable_from,
    get_series,
    occurrence_rows,
    rule_of,
    series_bookings,
    series_rows,
)
from bookings.series.preview import (
    CLOSED,
    FREE,
    REFUSED,
    TAKEN,
    Occurrence,
    SeriesClash,
    SeriesPreview,
    SeriesSpec,
    preview_series,
)
from bookings.series.recurrence import (
    MAX_OCCURRENCES,
    MAX_SPAN_DAYS,
    NTH_CHOICES,
    NTH_LABELS,
    PATTERN_LABELS,
    PATTERNS,
    WEEKDAY_NAMES,
    Recurrence,
    Schedule,
    describe,
    generate,
    nth_weekday,
    recurrence_errors,
)

__all__ = [
    "CLOSED",
    "FREE",
    "MAX_OCCURRENCES",
    "MAX_SPAN_DAYS",
    "NTH_CHOICES",
    "NTH_LABELS",
    "PATTERNS",
    "PATTERN_LABELS",
    "REFUSED",
    "TAKEN",
    "WEEKDAY_NAMES",
    "Occurrence",
    "Recurrence",
    "Schedule",
    "SeriesBooked",
    "SeriesClash",
    "SeriesPreview",
    "SeriesSpec",
    "book_series",
    "cancel_occurrences",
    "cancel_targets",
    "cancellable_from",
    "describe",
    "generate",
    "get_series",
    "nth_weekday",
    "occurrence_rows",
    "preview_series",
    "recurrence_errors",
    "rule_of",
    "series_bookings",
    "series_rows",
]
