"""``manage.py serve``, the production command (and the container's), over
real HTTP: gunicorn and the task worker, up together and down together."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest
from django.conf import settings

from tests.processes import PRODUCTION, production_env

pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, method: str = "GET") -> tuple[int, str]:
    request = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def serve(port: int, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", *args],
        cwd=settings.BASE_DIR,
        env=production_env(
            {**PRODUCTION, "ALLOWED_HOSTS": "127.0.0.1", **env}
            | {"SECURE_SSL_REDIRECT": "false"}
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_healthy(base: str, process: subprocess.Popen) -> None:
    """Until /healthz answers 200: the web server is up, and the worker has
    run the heartbeat the first probes queued."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read()
        try:
            if get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.5)
    pytest.fail("/healthz did not answer 200 within a minute")


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    return output


def test_serve_runs_the_web_server_and_the_worker_and_stops_both():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(port)
    try:
        wait_healthy(base, process)
        children = psutil.Process(process.pid).children(recursive=True)
        commands = [" ".join(child.cmdline()) for child in children]
        assert sum("gunicorn" in c for c in commands) == 3  # arbiter and 2 workers
        assert sum("db_worker" in c for c in commands) == 1
        status, page = get(f"{base}/")
        assert status == 200 and "Newsreader" in page
        assert get(f"{base}/", method="HEAD")[0] == 200
        # Static files are collected and served, hashed, by whitenoise.
        css = page.split('href="/static/css/app.')[1].split('"')[0]
        assert get(f"{base}/static/css/app.{css}")[0] == 200
    finally:
        output = stop(process)
    assert process.returncode == 0, output
    assert not [child for child in children if child.is_running()]


def test_serve_stops_when_the_worker_dies_and_says_so():
    port = free_port()
    process = serve(port)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", process)
        [worker] = [
            child
            for child in psutil.Process(process.pid).children()
            if "db_worker" in " ".join(child.cmdline())
        ]
        worker.kill()
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            stop(process)
    assert process.returncode != 0
    assert "db_worker stopped on its own" in output


def test_json_logs_give_a_line_for_each_request():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(port, LOG_FORMAT="json")
    try:
        wait_healthy(base, process)
        get(f"{base}/entities/?q=nobody")
    finally:
        output = stop(process)
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    [line] = [line for line in lines if line.get("path") == "/entities/"]
    assert line["method"] == "GET" and line["status"] == 200
    assert line["client"] == "127.0.0.1" and line["user"] is None
    assert line["duration_ms"] > 0


def test_serve_only_web_serves_and_health_says_the_worker_is_missing():
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(port, "--only", "web")
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, text = get(f"{base}/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.5)
        assert status == 503 and "task worker: not seen yet" in text
        assert get(f"{base}/")[0] == 200
        children = psutil.Process(process.pid).children(recursive=True)
        assert not [c for c in children if "db_worker" in " ".join(c.cmdline())]
    finally:
        output = stop(process)
    assert process.returncode == 0, output
