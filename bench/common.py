"""What the benchmarks share: a throwaway database, Django set up on it,
the production server on a free port, timings, and a table to print the
figures in."""

from __future__ import annotations

import argparse
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


def server_and_name(url: str) -> tuple[str, str]:
    """The server's ``postgres`` database URL, and the benchmark database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url must name a database")
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop database {name!r}: its name lacks 'bench'.")
    return urlunsplit(parts._replace(path="/postgres")), name


def drop_database(url: str, *, create: bool = False) -> None:
    import psycopg
    from psycopg import sql

    server, name = server_and_name(url)
    with psycopg.connect(server, autocommit=True) as conn:
        drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(drop.format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = "bench-only-not-secret"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsreader.settings"
    # WhiteNoise warns that STATIC_ROOT was never collected; no page needs it.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def fresh_database(url: str) -> None:
    """Drop and recreate the benchmark database, then set Django up on it."""
    server_and_name(url)  # refuse a database we must not drop, before anything
    drop_database(url, create=True)
    setup_django(url)


@contextmanager
def web_server(workers: int) -> Iterator[int]:
    """``manage.py serve --only web`` (gunicorn) with the app's URLs and the
    bare views of ``bench/bare_urls.py``, on a free port it yields once the
    server answers; stopped on leaving."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--only", "web", "--settings"]
        + ["bench.bare_settings", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(workers)],
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/bench/bare/")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(
                        "manage.py serve did not answer in a minute"
                    ) from None
                time.sleep(0.3)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def argument_parser(doc: str | None, default_url: str) -> argparse.ArgumentParser:
    """A benchmark's command line: its docstring's first paragraph as the
    description, and the database it may drop and fill."""
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=default_url,
        help="PostgreSQL database to drop, recreate and fill; its name must "
        "contain 'bench' (default: %(default)s)",
    )
    return parser


@dataclass
class Timings:
    label: str
    samples_ms: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples_ms.append(seconds * 1000)

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        if len(self.samples_ms) == 1:
            return self.samples_ms[0]
        return statistics.quantiles(self.samples_ms, n=20, method="inclusive")[-1]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Rows under a header, the first column left-aligned, the others right."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: Sequence[str]) -> str:
        cells = [row[0].ljust(widths[0])]
        cells += [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"
