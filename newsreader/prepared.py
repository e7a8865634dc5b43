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

from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from django.db import connection, models
from django.db.backends.utils import CursorWrapper


class Columns:
    """A model's columns for a hand-written SELECT (``sql``, on the table
    or alias ``table``), and the instance a row of them makes (``load``)."""

    def __init__(
        self, model: type[models.Model], *, table: str, leave_out: Collection[str] = ()
    ) -> None:
        fields = [f for f in model._meta.concrete_fields if f.name not in leave_out]
        quote = connection.ops.quote_name
        self.model = model
        self.sql = ", ".join(f"{table}.{quote(field.column)}" for field in fields)
        self.attnames = [field.attname for field in fields]

    def __len__(self) -> int:
        return len(self.attnames)

    def load(self, values: Sequence[Any]) -> models.Model:
        return self.model.from_db(connection.alias, self.attnames, values)


def _wrapped() -> CursorWrapper:
    """A cursor that binds on the server, wrapped as Django wraps its own
    (so tests and the query log of DEBUG see its statements)."""
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
