"""The server log: one format for every logger (plain lines, or one JSON object a line with
CENTER_LOG_FORMAT=json), the request id on every line written while a request is served, and the
libraries' progress chatter kept out (WeasyPrint's rendering steps and fontTools' subsetting log
at INFO for every PDF). uvicorn's own access log is switched off: the app writes one access line
per request itself (center.shell.ops.access), with the request id and secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import datetime
from typing import Any

# The id of the request being served ("" outside a request); set by the access middleware.
request_id_var: ContextVar[str] = ContextVar("request_id", default="")

QUIET_LOGGERS = ("weasyprint", "weasyprint.progress", "fontTools")
UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
UVICORN_ACCESS = "uvicorn.access"
FORMATS = ("plain", "json")


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id (records logged outside a request get "")."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


# (whole second, "2026-12-04T17:10:12", "+09:00") of the last record: the local time and offset
# are worked out once a second, not for every line (the access log writes one per request).
_second: tuple[int, str, str] = (-1, "", "")


def _time(record: logging.LogRecord) -> str:
    global _second
    whole = int(record.created)
    if _second[0] != whole:
        stamp = datetime.fromtimestamp(whole).astimezone()
        _second = (whole, stamp.strftime("%Y-%m-%dT%H:%M:%S"), stamp.isoformat()[19:])
    return f"{_second[1]}.{int(record.msecs):03d}{_second[2]}"


class PlainFormatter(logging.Formatter):
    """`2026-12-04T17:10:12.123+09:00 INFO center.access [9f3c…] message`, then any traceback."""

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", "") or "-"
        line = f"{_time(record)} {record.levelname} {record.name} [{request_id}] {record.getMessage()}"
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            line += "\n" + record.exc_text
        if record.stack_info:
            line += "\n" + self.formatStack(record.stack_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id, the access line's fields
    (record.fields) and any traceback as one string."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            payload.update(fields)
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
        if record.exc_text:
            payload["traceback"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record comes (test runners swap it)."""

    center_handler = True  # ours: replaced, not doubled, when the app is built again

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        """StreamHandler sets it; the current sys.stderr is always used."""


def formatter(log_format: str) -> logging.Formatter:
    if log_format not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {log_format!r}")
    return JsonFormatter() if log_format == "json" else PlainFormatter()


def make_handler(log_format: str) -> logging.Handler:
    handler = StderrHandler()
    handler.setFormatter(formatter(log_format))
    handler.addFilter(RequestIdFilter())
    return handler


def center_handlers() -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers if getattr(h, "center_handler", False)]


def quiet_libraries() -> None:
    """Warnings and errors from the PDF libraries still come through; their INFO steps do not."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(log_format: str) -> logging.Handler:
    """The root logger writes every record to stderr in the chosen format (idempotent: building
    the app again replaces the handler). uvicorn's loggers go through it too, and its access log
    is silenced (the app writes its own access line)."""
    root = logging.getLogger()
    for old in center_handlers():
        root.removeHandler(old)
    handler = make_handler(log_format)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    # Neither format prints the thread or the process, so records need not look them up (a
    # third of making each record, one written per request).
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    quiet_libraries()
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.propagate = True
    logging.getLogger(UVICORN_ACCESS).setLevel(logging.WARNING)
    return handler


def uvicorn_log_config(log_format: str) -> dict[str, Any]:
    """The same set-up as a logging dictConfig for `uvicorn.run(log_config=...)`, so the server's
    own lines (before and around the app) are in the same format, in every worker process."""
    formatter_class = JsonFormatter if log_format == "json" else PlainFormatter
    formatter(log_format)  # refuses an unknown format
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": f"{__name__}.RequestIdFilter"}},
        "formatters": {"center": {"()": f"{__name__}.{formatter_class.__name__}"}},
        "handlers": {
            "center": {"()": f"{__name__}.StderrHandler", "formatter": "center", "filters": ["request_id"]}
        },
        "root": {"handlers": ["center"], "level": "INFO"},
        "loggers": {
            **{name: {"handlers": [], "propagate": True, "level": "WARNING"} for name in QUIET_LOGGERS},
            "uvicorn": {"handlers": [], "propagate": True, "level": "INFO"},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": "INFO"},
            UVICORN_ACCESS: {"handlers": [], "propagate": True, "level": "WARNING"},
        },
    }
