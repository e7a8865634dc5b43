"""The JSON API against the pages, and the production server against a bare
Django view.

Run from the repository root::

    .venv/bin/python bench/api.py [--seconds 10] [--clients 8] [--workers 4]

It drops and recreates ``--database-url`` (``newsreader_bench_api`` on the
local server by default) and drops it at the end unless ``--keep``.

1. Creating a mention: the API's POST (JSON, a bearer token) against the
   workspace's htmx POST (a form, the session), each on 100 different words
   of the seed article, in this process through Django's test client: the
   server's own time, no network.
2. Requests per second over HTTP from ``manage.py serve --only web``
   (gunicorn, ``--workers``): the seed article's page for an anonymous
   reader against a view that only answers "ok", each for ``--seconds``
   with ``--clients`` keep-alive connections from threads in this process.
   The clients share the machine's cores with the server: the two rates
   are comparable with each other, not with another machine's.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "bench")]

import common  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsreader_bench_api"
WORDS = 100


def main() -> None:
    parser = common.argument_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    common.fresh_database(args.database_url)
    from django.db import connections

    try:
        run(args)
    finally:
        connections.close_all()
        if not args.keep:
            common.drop_database(args.database_url)


def run(args) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    from newsreader.models import Article

    article = Article.objects.order_by("pk").first()
    rows = [("create a mention", *create_mentions(article))]
    print(f"\n{WORDS} mentions each, seed article, in-process (ms)\n")
    print(common.table(("request", "API p50", "API p95", "page p50", "page p95"), rows))

    with common.web_server(args.workers) as port:
        rates = [
            (label, *load(port, path, args.seconds, args.clients))
            for label, path in [
                ("article page, anonymous", f"/articles/{article.pk}/"),
                ("bare Django view", "/bench/bare/"),
            ]
        ]
    print(
        f"\nmanage.py serve, {args.workers} gunicorn workers; {args.clients} "
        f"clients for {args.seconds:g} s each, {os.cpu_count()} cores shared\n"
    )
    print(common.table(("page", "req/s", "p50 ms", "p95 ms", "errors"), rates))


def create_mentions(article) -> tuple[str, str, str, str]:
    """p50 and p95 of the API's create-mention and the page's, in ms."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.urls import reverse

    from newsreader.models import ApiToken, Entity
    from newsreader.roles import REVIEWER

    group = Group.objects.get_or_create(name=REVIEWER)[0]
    by_api, by_page = (
        User.objects.create_user(name, password="bench-only")
        for name in ("api", "page")
    )
    for user in (by_api, by_page):
        user.groups.add(group)
    key = ApiToken.issue(by_api)
    entity = Entity.objects.create_named(name="Bench Entity", kind="PERSON")
    body = article.body
    spans, start = [], 0
    for word in body.split():
        start = body.index(word, start)
        if word.isalpha() and len(spans) < WORDS:
            spans.append((start, start + len(word)))
        start += len(word)
    api, page = common.Timings("api"), common.Timings("page")
    api_client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    page_client = Client(HTTP_HX_REQUEST="true")
    page_client.force_login(by_page)
    page_url = reverse("annotations:mention-create", args=[article.pk])
    for s, e in spans:
        data = {"start": s, "end": e, "text": body[s:e], "entity_id": entity.pk}
        seconds, response = common.timed(
            lambda data=data: api_client.post(
                f"/api/articles/{article.pk}/mentions",
                json.dumps(data),
                content_type="application/json",
            )
        )
        assert response.status_code == 201, response.content
        api.add(seconds)
        utf16 = {
            "start": len(body[:s].encode("utf-16-le")) // 2,
            "end": len(body[:e].encode("utf-16-le")) // 2,
            "exact": body[s:e],
            "entity": entity.pk,
        }
        seconds, response = common.timed(
            lambda data=utf16: page_client.post(page_url, data)
        )
        assert response.status_code == 200, response.content
        page.add(seconds)
    return (
        f"{api.p50:.1f}",
        f"{api.p95:.1f}",
        f"{page.p50:.1f}",
        f"{page.p95:.1f}",
    )


def load(port: int, path: str, seconds: float, clients: int) -> tuple[str, ...]:
    """req/s, p50 and p95 latency (ms) and errors of ``clients`` threads
    asking for ``path`` over keep-alive connections for ``seconds``."""
    timings = common.Timings(path)
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                failed += 1
        connection.close()
        with lock:
            for sample in mine:
                timings.add(sample)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return (
        f"{len(timings.samples_ms) / elapsed:.0f}",
        f"{timings.p50:.1f}",
        f"{timings.p95:.1f}",
        str(errors[0]),
    )


if __name__ == "__main__":
    main()
