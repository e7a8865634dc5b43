from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests.processes import PRODUCTION, manage


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


def test_connections_come_from_a_pool_unless_turned_off():
    script = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print('pool' in d['OPTIONS'], d.get('CONN_HEALTH_CHECKS'))"
    )
    result = manage("shell", "--no-imports", "-c", script, env=PRODUCTION)
    assert result.stdout.split() == ["True", "False"], result.stderr
    unpooled = {**PRODUCTION, "DATABASE_POOL": "false"}
    result = manage("shell", "--no-imports", "-c", script, env=unpooled)
    assert result.stdout.split() == ["False", "True"], result.stderr


def test_production_without_a_database_url_refuses_to_start():
    result = manage("check", env={**PRODUCTION, "DATABASE_URL": ""})
    assert result.returncode != 0
    assert "DATABASE_URL must be set when DEBUG is off" in result.stderr


def test_a_dotenv_file_gives_what_the_environment_does_not(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("# as make run writes it\nDEBUG=true\nSECRET_KEY=''\n")
    script = "from django.conf import settings; print(settings.DEBUG)"
    env = {"ENV_FILE": str(dotenv), "SECRET_KEY": PRODUCTION["SECRET_KEY"]}
    result = manage("shell", "--no-imports", "-c", script, env=env)
    assert result.stdout.strip() == "True", result.stderr
    result = manage("shell", "--no-imports", "-c", script, env={**env, "DEBUG": "0"})
    assert result.stdout.strip() == "False", result.stderr
    dotenv.write_text("DEBUG true\n")
    result = manage("check", env=env)
    assert "line 1: not NAME=value" in result.stderr
