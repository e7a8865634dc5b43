# The app as in production: `manage.py serve` (migrate, collectstatic,
# gunicorn and the task worker). compose.yaml runs it beside PostgreSQL.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so that a change to the code reuses this layer.
COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
RUN useradd --system --uid 10001 --home-dir /app newsreader \
    && mkdir -p staticfiles \
    && chown newsreader staticfiles
USER newsreader

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request as r; r.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["python", "manage.py", "serve"]
