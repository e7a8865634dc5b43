"""Run the app as in production: ``manage.py serve``.

Applies the migrations, collects the static files, then runs the web server
(gunicorn, several worker processes) and the task worker (``db_worker``:
imports and suggestions) side by side; ``--only web`` or ``--only worker``
runs one of them, for a container each (compose.yaml). SIGTERM or Ctrl-C is passed on to
both, which finish what they are doing and stop; if either stops on its
own, the other is stopped too and the command exits with its status, so
that a container or a service manager sees the failure and restarts it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connections


class Command(BaseCommand):
    help = (
        "Migrate, collect static files, and serve the app with gunicorn and "
        "the task worker until stopped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--bind",
            default=f"0.0.0.0:{os.environ.get('PORT', '8000')}",
            help="address:port to listen on (default: 0.0.0.0:$PORT, or 8000)",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1))),
            help="web worker processes (default: $WEB_CONCURRENCY, or twice the CPUs)",
        )
        parser.add_argument(
            "--only",
            choices=["web", "worker"],
            help="run only the web server (with migrate and collectstatic) or "
            "only the task worker",
        )

    def handle(self, *, bind: str, workers: int, only: str | None, **options) -> None:
        if only != "worker":
            call_command("migrate", interactive=False, verbosity=options["verbosity"])
            call_command("collectstatic", interactive=False, verbosity=0)
        # The children open connections of their own.
        connections.close_all()
        web = [
            *("gunicorn", "newsreader.wsgi", "--bind", bind),
            *("--workers", str(workers), "--chdir", str(settings.BASE_DIR)),
        ]
        if settings.LOG_FORMAT != "json":
            # The app writes its own lines per request when asked for JSON.
            web += ["--access-logfile", "-"]
        commands = {
            "gunicorn": [sys.executable, "-m", *web],
            "db_worker": [sys.executable, "-m", "django", "db_worker"],
        }
        if only:
            del commands["db_worker" if only == "web" else "gunicorn"]
        names = list(commands)
        children = [
            # manage.py put the settings module (--settings too) in the
            # environment the children inherit.
            subprocess.Popen(command, cwd=settings.BASE_DIR)
            for command in commands.values()
        ]
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while all(child.poll() is None for child in children):
            time.sleep(0.2)
        asked = stopping
        name, first = next(
            (name, child)
            for name, child in zip(names, children, strict=True)
            if child.returncode is not None
        )
        stop(signal.SIGTERM, None)
        for child in children:
            child.wait()
        if not asked:
            self.stderr.write(f"{name} stopped on its own (status {first.returncode}).")
            sys.exit(first.returncode or 1)
