"""Hand-written statements that PostgreSQL plans once per connection.

Django binds parameters on the client and sends each statement as text, so
PostgreSQL plans it anew every time. A write's answer (annotations.redraw)
joins a paragraph's spans to their mentions, quotes and reviews, and
planning those statements took longer than running them. Here statements
are bound on the server, so psycopg prepares each the first time a
connection sees it (``prepare_threshold`` in settings: Django's own
cursors bind on the client and never prepare), and they go to PostgreSQL
in one pipeline: one round trip for them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection
from django.db.backends.utils import CursorWrapper


def _wrapped() -> CursorWrapper:
    """A cursor that binds on the server, wrapped as Django wraps its own
    (so tests and the debug toolbar see its queries)."""
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)


@contextmanager
def cursor() -> Iterator[CursorWrapper]:
    """A cursor for one statement at a time."""
    with _wrapped() as wrapped:
        yield wrapped


@contextmanager
def pipeline() -> Iterator[Callable[..., CursorWrapper]]:
    """``execute(sql, params)`` queues a statement and answers its cursor;
    the first cursor read sends all the statements queued so far."""
    cursors = []

    def execute(sql: str, params: dict[str, Any] | None = None) -> CursorWrapper:
        cursors.append(_wrapped())
        cursors[-1].execute(sql, params)
        return cursors[-1]

    # A statement's error comes when its results are read: Django's error
    # classes for those too.
    with connection.wrap_database_errors:
        try:
            with connection.connection.pipeline():
                yield execute
        finally:
            for queued in cursors:
                queued.close()
