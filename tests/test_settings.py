from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

PRODUCTION = {
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-7f3a9c1e5b2d8",
    "ALLOWED_HOSTS": "news.example",
}


def _this_runs_database_url() -> str:
    """A URL for the database this test run uses, for manage.py in a subprocess."""
    db = connection.settings_dict
    query = urlencode({"host": db["HOST"], "port": db["PORT"]} if db["HOST"] else {})
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    return f"postgresql://{user}:{password}@/{quote(db['NAME'])}?{query}"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which production must not.
    test_only = {"DEBUG", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in test_only}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, "DATABASE_URL": _this_runs_database_url(), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.django_db
def test_deploy_checks_pass_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_unless_asked_for():
    script = "from django.conf import settings; print(settings.DEBUG)"
    result = manage("shell", "--no-imports", "-c", script, env=PRODUCTION)
    assert result.stdout.strip() == "False", result.stderr


def test_forwarded_https_is_trusted_only_behind_ones_own_proxy():
    script = (
        "from django.conf import settings; "
        "print(settings.SECURE_PROXY_SSL_HEADER, settings.SESSION_COOKIE_SECURE, "
        "settings.CSRF_COOKIE_SECURE)"
    )
    result = manage("shell", "--no-imports", "-c", script, env=PRODUCTION)
    assert result.stdout.split() == ["None", "True", "True"], result.stderr
    proxied = {**PRODUCTION, "TRUSTED_PROXY_COUNT": "1"}
    result = manage("shell", "--no-imports", "-c", script, env=proxied)
    assert "HTTP_X_FORWARDED_PROTO" in result.stdout, result.stderr
    # Plain HTTP inside a private network: cookies that can come back.
    plain = {**PRODUCTION, "SECURE_SSL_REDIRECT": "false"}
    result = manage("shell", "--no-imports", "-c", script, env=plain)
    assert result.stdout.split() == ["None", "False", "False"], result.stderr


def test_a_database_outage_is_a_503_to_retry_not_a_500():
    script = (
        "from django.test import Client; c = Client(raise_request_exception=False); "
        "r = c.get('/', secure=True); print(r.status_code, r['Retry-After']); "
        "h = c.get('/healthz'); print(h.status_code, h.content.decode().split(':')[0])"
    )
    # Nothing listens on port 1: the database is down.
    down = {
        **PRODUCTION,
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/newsreader",
    }
    result = manage("shell", "--no-imports", "-c", script, env=down)
    assert result.stdout.split() == ["503", "30", "503", "database"], result.stderr


def test_a_missing_secret_key_in_production_stops_start_up():
    result = manage("check", env={**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_boolean_stops_start_up():
    result = manage("check", env={**PRODUCTION, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy(client):
    policy = client.get(reverse("newsreader:article-list"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_static_files_are_hashed_and_compressed(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    names = {path.name for path in (tmp_path / "css").iterdir()}
    hashed = [
        n
        for n in names
        if n.startswith("app.") and n.endswith(".css") and n != "app.css"
    ]
    assert hashed, names
    assert f"{hashed[0]}.gz" in names
    assert (tmp_path / "django_htmx" / "htmx-2.min.js").exists()


def test_connections_are_health_checked():
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
