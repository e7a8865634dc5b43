"""``/healthz``: 200 when the app can serve, else 503 and why, for a load
balancer or a container's health check.

It can serve when the database answers, every migration is applied and
the task worker, which runs imports and suggestions, has been seen lately:
the probe queues a heartbeat task when the last one is old, and the worker
is seen when one has finished within ``WORKER_SEEN_SECONDS``.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks_db.models import DBTaskResult, TaskResultStatus

from annotations.tasks import heartbeat

WORKER_SEEN_SECONDS = 120
# A heartbeat younger than this is not queued again.
HEARTBEAT_EVERY_SECONDS = 30


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        problems = _migrations() + _worker()
    except DatabaseError as error:
        problems = [f"database: {type(error).__name__}: {error}".strip()]
    if problems:
        response = HttpResponse("\n".join(problems) + "\n", status=503)
        response["Retry-After"] = "30"
    else:
        response = HttpResponse("ok\n")
    response["Content-Type"] = "text/plain; charset=utf-8"
    return response


def _migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        return [f"migrations: {len(plan)} not applied (run manage.py migrate)"]
    return []


def _worker() -> list[str]:
    now = timezone.now()
    beats = DBTaskResult.objects.filter(task_path=heartbeat.module_path)
    last_done = (
        beats.filter(status=TaskResultStatus.SUCCESSFUL)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    waiting = (
        beats.filter(status=TaskResultStatus.READY)
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    if waiting is None and (
        last_done is None
        or now - last_done > timedelta(seconds=HEARTBEAT_EVERY_SECONDS)
    ):
        heartbeat.enqueue()
    if last_done is not None and now - last_done <= timedelta(
        seconds=WORKER_SEEN_SECONDS
    ):
        return []
    if last_done is None:
        return ["task worker: not seen yet (is manage.py db_worker running?)"]
    seconds = int((now - last_done).total_seconds())
    return [f"task worker: last seen {seconds} s ago (is manage.py db_worker running?)"]
