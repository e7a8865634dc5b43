"""The import page: an upload or URLs become a background task, then a summary."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from annotations.models import Span
from annotations.tasks import run_import
from newsreader.models import Article, ImportJob
from tests.factories import make_entity
from tests.newsreader.test_importing import server as server  # a fixture

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
LIST = reverse("annotations:import-list")

JSONL = (
    b'{"title": "Port strike ends", "url": "https://example.org/strike", '
    b'"source": "Harbour News", "text": "Dock workers in Rotterdam returned to work '
    b"on Monday.\\n\\n\\u201cWe have a deal,\\u201d said Marta Novak, "
    b'the union leader."}\n'
    b'{"title": "Broken", "text": "no closing brace"\n'
)


def upload(content: bytes = JSONL, name: str = "news.jsonl") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def test_curator_uploads_jsonl_and_sees_the_summary(
    client, users, immediate, django_capture_on_commit_callbacks
):
    make_entity(name="Marta Novak", kind="PERSON")
    client.force_login(users["curator"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST, {"upload": upload()}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert (job.status, job.label, job.upload) == ("done", "news.jsonl", None)
    article = Article.objects.get()
    assert article.title == "Port strike ends"
    page = response.text
    assert "<strong>1</strong> imported" in page
    assert "news.jsonl line 2" in page  # the bad line, with its number
    assert article.get_absolute_url() in page
    # Suggestions followed the import: the speaker is proposed on the quote.
    suggested = Span.objects.filter(article=article, status="suggested")
    assert suggested.filter(mention__entity__name="Marta Novak").exists()
    assert suggested.filter(quote__isnull=False).exists()


def test_an_import_waits_for_the_worker_which_runs_it(client, users, transactional_db):
    client.force_login(users["curator"])
    response = client.post(LIST, {"upload": upload()})
    job = ImportJob.objects.get()
    assert response.url == reverse("annotations:import-detail", args=[job.pk])
    page = client.get(response.url, headers={"HX-Request": "true"}).text
    assert page.lstrip().startswith('<section id="import-status"')
    assert 'hx-trigger="every 1s"' in page and "Waiting for the task worker" in page

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    job.refresh_from_db()
    assert job.status == "done" and len(job.summary["imported"]) == 1
    page = client.get(response.url, headers={"HX-Request": "true"}).text
    assert "every 1s" not in page  # polling stops once it is done
    # The worker also ran the suggestion task the import queued.
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


def test_a_task_that_fails_keeps_its_error_for_the_admin(
    client, users, transactional_db
):
    result = run_import.enqueue(987654321)  # no such job
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "FAILED"
    client.force_login(users["curator"])
    admin_page = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_change", args=[row.pk])
    )
    assert admin_page.status_code == 200
    assert "DoesNotExist" in admin_page.text


def test_curator_imports_urls_from_a_local_server_when_private_hosts_are_allowed(
    client, users, immediate, server, settings
):
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    client.force_login(users["curator"])
    response = client.post(LIST, {"urls": f"{server}/article.html"}, follow=True)
    assert response.status_code == 200
    assert Article.objects.count() == 1
    assert "<strong>1</strong> imported" in response.text


def test_recent_imports_name_every_url_and_count_the_failures(
    client, users, immediate, server, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_ALLOW_PRIVATE_URLS = True
    client.force_login(users["curator"])
    urls = [f"{server}/missing", f"{server}/article.html", f"{server}/gone"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LIST, {"urls": "\n".join(urls)})
    row = client.get(LIST).text.split("<tbody>")[1]
    assert f"{server}/missing and 2 more" in row
    assert "Done: 1 imported, " in row
    assert '<span class="error">2 failed</span>' in row


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_import_page_will_not_fetch_from_the_servers_own_network(
    client, users, immediate, server, host
):
    client.force_login(users["curator"])
    url = server.replace("127.0.0.1", host) + "/article.html"
    response = client.post(LIST, {"urls": url}, follow=True)
    assert response.status_code == 200
    assert not Article.objects.exists()
    assert "refused: the host is at 127.0.0.1, a private or local address" in (
        response.text
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file or give URLs"),
        ({"urls": "ftp://example.org/x"}, "is not an http or https address"),
        ({"urls": "https://example.org/a", "upload": True}, "one or the other"),
    ],
)
def test_bad_import_requests_get_400_and_say_why(client, users, data, message):
    client.force_login(users["curator"])
    if data.get("upload"):
        data = {**data, "upload": upload()}
    response = client.post(LIST, data)
    assert response.status_code == 400
    assert message in response.text
    assert not ImportJob.objects.exists()


def test_an_upload_over_the_limit_is_refused(client, users, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    client.force_login(users["curator"])
    response = client.post(LIST, {"upload": upload(b"x" * 101)})
    assert response.status_code == 400
    assert "the limit is" in response.text
    assert not ImportJob.objects.exists()


def test_only_the_upload_may_be_large_and_other_bodies_keep_djangos_limit(
    client, users
):
    # A form field of 3 MB, anonymous, to the sign-in page: refused, where a
    # raised limit for every view let anyone grow a worker by the body.
    big = "x" * 3_000_000
    response = client.post("/accounts/login/", {"username": big, "password": "x"})
    assert response.status_code == 400
    client.force_login(users["curator"])
    lines = b'{"title": "T", "text": "' + b"word " * 700_000 + b'"}\n'
    response = client.post(LIST, {"upload": upload(lines)})
    assert response.status_code == 302
    assert len(ImportJob.objects.get().upload) == len(lines)


@pytest.mark.parametrize("who", ["reader", "reviewer", "outsider"])
def test_only_curators_may_import(client, users, who):
    client.force_login(users[who])
    assert client.get(LIST).status_code == 403
    response = client.post(LIST, {"upload": upload()})
    assert response.status_code == 403
    assert "Only curators" in response.text
    assert not ImportJob.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.post(LIST, {"upload": upload()})
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert not ImportJob.objects.exists()
