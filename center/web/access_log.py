"""Secret tokens never reach the access log. Private feed addresses (/feeds/t/<token>.ics), the
volunteer feed and flower-bed sign-up links carry their secret in the path, and uvicorn's access
log printed it for anyone who reads the logs.

The secret segments come from the app's own routes (any path parameter named in
SECRET_PARAMETERS), so a new token route is covered without a list to keep. Secrets in a query
string (a sign-up code the desk looks up, a report's reference, a token or password in a link) are
redacted by name (SECRET_QUERY). `install()` runs in create_app, so every way of serving (center
run, uvicorn, several workers) gets the filter; the app's own access line (center.shell.ops) uses
the same redactor."""

from __future__ import annotations

import logging
import re

from litestar import Litestar
from litestar.routes import HTTPRoute

# A problem report's reference opens its history and photo to whoever holds it: a secret too.
SECRET_PARAMETERS = frozenset({"token", "feed", "reference"})
SECRET_QUERY = frozenset(
    {"token", "code", "reference", "digits", "key", "password", "secret", "_csrf_token", "csrftoken"}
)
REDACTED = "[redacted]"
# uvicorn's access log, and the app's own error log ("unhandled error on GET /feeds/t/...").
ACCESS_LOGGERS = ("uvicorn.access", "center")
_SEGMENT = r"[^/?#\s\"']+"
_QUERY = re.compile(
    r"(?P<name>(?:^|(?<=[?&;]))(?:" + "|".join(sorted(SECRET_QUERY)) + r"))=(?P<value>[^&;#\s\"']*)",
    re.IGNORECASE,
)


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

    def __init__(self, pattern: re.Pattern[str] | None, static_paths: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self.pattern = pattern
        # Routes without parameters beside a secret one (/report/status beside /report/{reference}).
        self.static_paths = static_paths

    def redact(self, text: str) -> str:
        text = redact_query(text)
        if self.pattern is None:
            return text

        def replace(match: re.Match[str]) -> str:
            found, start = match.group(0), match.start()
            if found in self.static_paths:
                return found
            groups = range(1, match.re.groups + 1)
            spans = [match.span(i) for i in groups if match.group(i) is not None]
            for begin, end in sorted(spans, reverse=True):
                found = found[: begin - start] + REDACTED + found[end - start :]
            return found

        return self.pattern.sub(replace, text)

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "redacted", False):  # written from parts already redacted (the access line)
            return True
        # The whole message as it will read: an argument may be a URL object, not a str.
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed call; logging reports it itself
            return True
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_query(text: str) -> str:
    """`?code=ABCD-234J&week=...` -> `?code=[redacted]&week=...` (anywhere in the text)."""
    return _QUERY.sub(lambda m: f"{m.group('name')}={REDACTED}", text)


def install(app: Litestar) -> RedactSecrets:
    """Put the redacting filter on the loggers that write request paths (once per process);
    returns it for whoever writes a request's address into the log."""
    paths = [route.path_format for route in app.routes if isinstance(route, HTTPRoute)]
    static = frozenset(path for path in paths if "{" not in path)
    redactor = RedactSecrets(secret_path_pattern(paths), static)
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        for old in [f for f in logger.filters if isinstance(f, RedactSecrets)]:
            logger.removeFilter(old)
        logger.addFilter(redactor)
    return redactor
