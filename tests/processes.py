"""Running manage.py in a process of its own, on this test run's database,
with production settings unless a test says otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import connection

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-7f3a9c1e5b2d8",
    "ALLOWED_HOSTS": "news.example",
}


def this_runs_database_url() -> str:
    """A URL for the database this test run uses, for manage.py in a subprocess."""
    db = connection.settings_dict
    query = urlencode({"host": db["HOST"], "port": db["PORT"]} if db["HOST"] else {})
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    return f"postgresql://{user}:{password}@/{quote(db['NAME'])}?{query}"


def production_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment less what only tests set, on this run's
    database, with ``env`` on top."""
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which production must not.
    test_only = {
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "EMBEDDED_DATABASE",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    # No .env either: a developer's (make run writes one) says DEBUG.
    return {
        **clean,
        "DATABASE_URL": this_runs_database_url(),
        "ENV_FILE": os.devnull,
        **env,
    }


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=production_env(env),
        capture_output=True,
        text=True,
        timeout=60,
    )
