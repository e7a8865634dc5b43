"""Logs as one JSON object a line, for log collectors: ``LOG_FORMAT=json``.

Every record goes out as JSON then, and ``request_log`` adds one line for
each request the app answers.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

from newsreader.http import client_address

logger = logging.getLogger("newsreader.requests")


class JSONFormatter(logging.Formatter):
    """A record as JSON: time, level, logger, message, the request's fields
    when the record is a request line, and the traceback when it has one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "http", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def request_log(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        user = getattr(request, "user", None)
        fields = {
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "client": client_address(request),
            "user": user.pk if user is not None and user.is_authenticated else None,
        }
        logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={"http": fields},
        )
        return response

    return middleware
