"""Settings for Newsreader, read from the environment, and from a ``.env``
file at the repository root (or ``ENV_FILE``) for what the environment
does not set.

Unset, everything is safe for production (DEBUG off, no hosts allowed but
localhost); ``make run`` writes a ``.env`` with the development values.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.csp import CSP

from newsreader.database import database_from_url, embedded_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def read_dotenv(path: Path) -> None:
    """Set each ``NAME=value`` line of ``path`` that the environment does not
    set already; blank lines and ``#`` comments are skipped.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile("w", suffix=".env") as f:
    ...     _ = f.write("# dev\nNEWSREADER_DOCTEST='yes'\nPATH=nowhere\n")
    ...     f.flush()
    ...     read_dotenv(Path(f.name))
    >>> os.environ.pop("NEWSREADER_DOCTEST"), os.environ["PATH"] != "nowhere"
    ('yes', True)
    """
    if not path.is_file():
        return
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals or not name.strip().isidentifier():
            raise ValueError(f"{path}, line {number}: not NAME=value: {line!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(name.strip(), value)


read_dotenv(Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ValueError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-not-secret"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "newsreader",
    "annotations",
    "newsreader.apps.CurationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "django.contrib.staticfiles",
    "ninja",  # the API docs' scripts, as static files
    "django_htmx",
    "simple_history",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "newsreader.middleware.page_headers",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "newsreader.urls"
WSGI_APPLICATION = "newsreader.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# With no DATABASE_URL, in development (and for make test), the project runs
# its own PostgreSQL in .pgdata/, so a bare machine needs nothing installed
# by hand. Never in production: data there would live in the app's folder.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    if not (DEBUG or env_bool("EMBEDDED_DATABASE", False)):
        raise ValueError(
            "DATABASE_URL must be set when DEBUG is off. The embedded "
            "PostgreSQL in .pgdata/ is for development only (make run and "
            "make test use it)."
        )
    DATABASE_URL = embedded_database_url(BASE_DIR / ".pgdata")
DATABASES = {"default": database_from_url(DATABASE_URL)}
# What newsreader.prepared sends is prepared the first time a connection
# sees it. Django's own cursors bind on the client and never prepare.
DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 0)
if env_bool("DATABASE_POOL", True):
    # psycopg's pool, one for each process: a request takes a connection
    # that is open already. Waiting for one is bounded, so that an outage
    # answers 503 in seconds (see views.server_error).
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env_int("DATABASE_POOL_SIZE", 4),
        "timeout": 5,
    }
else:
    DATABASES["default"] |= {
        "CONN_MAX_AGE": env_int("CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["newsreader.roles.RolesBackend"]
LOGIN_URL = "login"
# Wrong passwords for one username, or from one address, within the window,
# after which either waits until the oldest of them leaves it.
SIGNIN_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 20)
SIGNIN_LOCKOUT_MINUTES = env_int("SIGNIN_LOCKOUT_MINUTES", 15)
# Proxies of one's own in front of the app, each adding to X-Forwarded-For:
# then the client's address is the one the outermost of them saw. 0 trusts
# the header not at all (anyone can send it).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
LOGIN_REDIRECT_URL = "newsreader:article-list"
LOGOUT_REDIRECT_URL = "newsreader:article-list"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "newsreader.storage.StaticFilesStorage"},
}

# Only our own files: no inline script or style, no third-party origin.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# A health check probes over plain HTTP from inside.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# X-Forwarded-Proto says "https" only when a proxy of one's own sets it;
# straight from a client it would make plain HTTP pass for secure.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Cookies go over HTTPS only where the site is served over HTTPS: served
# over plain HTTP inside a private network (SECURE_SSL_REDIRECT=false), a
# secure cookie would never come back and no one could sign in.
SESSION_ENGINE = "newsreader.sessions"
SESSION_COOKIE_SECURE = SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = SECURE_SSL_REDIRECT

# Search input longer than this is refused with a message, not sent to Postgres.
# Imports and suggestions run off the request path, in `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SEARCH_MAX_LENGTH = 500
ARTICLES_PER_PAGE = 20
# A search ranks (and counts) at most this many matches, the newest: a
# common word matches most articles, and ranking reads each one's tsvector.
SEARCH_CANDIDATES = env_int("SEARCH_CANDIDATES", 1000)

# Imports (newsreader/importing.py). A body longer than IMPORT_MAX_CHARS is
# reported as failed, not stored: the longest real articles are ~100,000.
IMPORT_MAX_CHARS = env_int("IMPORT_MAX_CHARS", 500_000)
# A fetched page or feed larger than this is refused before it is parsed.
IMPORT_MAX_DOWNLOAD_BYTES = env_int("IMPORT_MAX_DOWNLOAD_BYTES", 10_000_000)
IMPORT_FETCH_TIMEOUT = env_int("IMPORT_FETCH_TIMEOUT", 15)  # seconds
# New feed entries fetched per run; the rest are reported as skipped and
# come in on the next run (entries already imported are not counted).
IMPORT_MAX_FEED_ENTRIES = env_int("IMPORT_MAX_FEED_ENTRIES", 200)
# An upload through the import page; the worker reads it from the database.
# A file streams to disk past Django's FILE_UPLOAD_MAX_MEMORY_SIZE and is
# checked against this; every other request body keeps Django's limits.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 50_000_000)
IMPORT_MAX_URLS = 100
# URLs given on the import page may name hosts on private and local
# addresses only when this is set (an intranet's own news, say).
IMPORT_ALLOW_PRIVATE_URLS = env_bool("IMPORT_ALLOW_PRIVATE_URLS", False)
# The spaCy pipeline (an installed package's name or a folder) whose named
# entities join the suggestions: by default the one this project trains and
# ships (model/, ``make model``); "none" for the rules alone.
NEWSREADER_SPACY_MODEL = os.environ.get(
    "NEWSREADER_SPACY_MODEL", str(BASE_DIR / "model" / "en_newsreader")
)
if NEWSREADER_SPACY_MODEL.strip().lower() in {"", "none"}:
    NEWSREADER_SPACY_MODEL = ""

# "json": every log record one JSON line, and a line for each request.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ValueError(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "newsreader.logs.JSONFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"newsreader.requests": {"level": "INFO"}},
}
if LOG_FORMAT == "json":
    MIDDLEWARE.insert(0, "newsreader.logs.request_log")
