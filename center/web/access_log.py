"""Secret tokens never reach the access log. Private feed addresses (/feeds/t/<token>.ics), the
volunteer feed and flower-bed sign-up links carry their secret in the path, and uvicorn's access
log printed it for anyone who reads the logs.

The secret segments come from the app's own routes (any path parameter named in
SECRET_PARAMETERS), so a new token route is covered without a list to keep. `install()` runs in
create_app, so every way of serving (center run, uvicorn, several workers) gets the filter."""

from __future__ import annotations

import logging
import re

from litestar import Litestar
from litestar.routes import HTTPRoute

SECRET_PARAMETERS = frozenset({"token", "feed"})
REDACTED = "[redacted]"
# uvicorn's access log, and the app's own error log ("unhandled error on GET /feeds/t/...").
ACCESS_LOGGERS = ("uvicorn.access", "center")
_SEGMENT = r"[^/?#\s\"']+"


def secret_path_pattern(path_formats: list[str]) -> re.Pattern[str] | None:
    """One pattern matching every route path with a secret segment; secret segments are groups."""
    alternatives = []
    for path_format in path_formats:
        pieces = re.split(r"\{(\w+)\}", path_format)
        if not any(name in SECRET_PARAMETERS for name in pieces[1::2]):
            continue
        regex = ""
        for index, piece in enumerate(pieces):
            if index % 2 == 0:
                regex += re.escape(piece)
            else:
                regex += f"({_SEGMENT})" if piece in SECRET_PARAMETERS else _SEGMENT
        alternatives.append(f"(?:{regex})")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives))


class RedactSecrets(logging.Filter):
    """Replace secret path segments in a log record's message and arguments."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__()
        self.pattern = pattern

    def redact(self, text: str) -> str:
        def replace(match: re.Match[str]) -> str:
            found, start = match.group(0), match.start()
            groups = range(1, match.re.groups + 1)
            spans = [match.span(i) for i in groups if match.group(i) is not None]
            for begin, end in sorted(spans, reverse=True):
                found = found[: begin - start] + REDACTED + found[end - start :]
            return found

        return self.pattern.sub(replace, text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def install(app: Litestar) -> None:
    """Put the redacting filter on the loggers that write request paths (once per process)."""
    paths = [route.path_format for route in app.routes if isinstance(route, HTTPRoute)]
    pattern = secret_path_pattern(paths)
    if pattern is None:
        return
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RedactSecrets)]:
            logger.removeFilter(old)
        logger.addFilter(RedactSecrets(pattern))
