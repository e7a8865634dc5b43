"""/healthz: 200 when the app can serve; else 503 and why."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from annotations.tasks import heartbeat

HEALTH = "/healthz"


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def beats():
    return DBTaskResult.objects.filter(task_path=heartbeat.module_path)


# The worker closes the connection it ran on, as a real one does.
@pytest.mark.django_db(transaction=True)
def test_the_worker_must_have_run_a_heartbeat_lately(client):
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "task worker: not seen yet" in response.text
    assert beats().count() == 1
    # Probing again queues no second heartbeat while one waits.
    client.get(HEALTH)
    assert beats().count() == 1

    run_worker()
    response = client.get(HEALTH)
    assert (response.status_code, response.text) == (200, "ok\n")
    head = client.head(HEALTH)
    assert (head.status_code, head.content) == (200, b"")
    assert "no-cache" in response["Cache-Control"]

    beats().update(finished_at=timezone.now() - dt.timedelta(minutes=10))
    response = client.get(HEALTH)
    assert response.status_code == 503
    assert "task worker: last seen 600 s ago" in response.text
    run_worker()
    assert client.get(HEALTH).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_unapplied_migrations_are_a_503(client):
    run_worker()
    client.get(HEALTH)
    run_worker()
    assert client.get(HEALTH).status_code == 200
    # Back one: the annotations app's newest migration, which no other
    # depends on, is then unapplied.
    graph = MigrationLoader(None).graph
    [newest] = graph.leaf_nodes("annotations")
    [before] = [p for p in graph.node_map[newest].parents if p.key[0] == "annotations"]
    call_command("migrate", "annotations", before.key[1], verbosity=0)
    try:
        response = client.get(HEALTH)
        assert response.status_code == 503
        assert "migrations: 1 not applied" in response.text
    finally:
        call_command("migrate", verbosity=0)
    assert client.get(HEALTH).status_code == 200


def test_the_health_check_is_not_redirected_to_https(settings):
    assert any(re.match(p, "healthz") for p in settings.SECURE_REDIRECT_EXEMPT)
