"""The embedded PostgreSQL stops when the last process using it ends, however
the others ended."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HOLD = """
import sys, time
from pathlib import Path
from newsreader.database import embedded_database_url
embedded_database_url(Path(sys.argv[1]))
print("ready", flush=True)
time.sleep(120)
"""


def hold(pgdata: Path) -> subprocess.Popen:
    """A process that starts or joins the embedded server in ``pgdata``."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(pgdata)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert process.stdout.readline().strip() == "ready"
    return process


def server_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    pid = int(pid_file.read_text().split()[0])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigterm_stops_the_server_even_after_another_holder_was_killed(tmp_path):
    pgdata = tmp_path / "pgdata"
    first = hold(pgdata)
    killed = hold(pgdata)
    try:
        assert server_running(pgdata)
        killed.kill()  # as runserver's reloader kills its child: no exit handlers
        killed.wait()

        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)

        deadline = time.monotonic() + 15
        while server_running(pgdata) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not server_running(pgdata)
    finally:
        for process in (first, killed):
            process.kill()
            process.wait()
        if server_running(pgdata):  # leave nothing behind, even on failure
            pid = int((pgdata / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGQUIT)
