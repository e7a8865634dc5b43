"""Reviewers at work over HTTP: the create action against a bare signed-in
view, the actions 8 clients get through, and 20 reviewers' workspace pages.

Run from the repository root::

    .venv/bin/python bench/reviewers.py [--seconds 20] [--workers 5]

It drops and refills ``newsreader_bench_reviewers`` on the local PostgreSQL
(``--database-url``): 40 generated news articles of about 5,000 characters
(the peers harness's size) with the suggester's suggestions, and 20
reviewers. Then it starts ``manage.py serve --only web`` (gunicorn,
``--workers`` sync workers, as the peers harness runs every server) and
times, over HTTP with the session cookie and CSRF token a browser sends:

1. one client, one request at a time: 300 create-mention POSTs (the whole
   action: the answer carries the redrawn paragraph and the side panel's
   rows) against 300 POSTs to a view that loads the signed-in user and
   answers "ok" (``bench/bare_urls.py``), interleaved;
2. 8 clients, each its own reviewer and articles, linking names for
   ``--seconds``: actions per second;
3. 20 reviewers for ``--seconds``, each opening an article's workspace and
   linking three names in it, again and again: the workspace GET's
   p50/p95, the POST's, and the errors;
4. in this process, through Django's test client, where a create's time
   goes: the bare signed-in POST (middleware, session, user), the article
   with the review's lock, the mention with its alias and history rows,
   and the answer.

The clients run in this process on the same cores as the server: compare
the figures of one run with each other, not with another machine's.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO_ROOT), str(REPO_ROOT / "bench")]

import common  # noqa: E402
import workspace  # noqa: E402  (its article writer)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsreader_bench_reviewers"
ARTICLES = 40
REVIEWERS = 20
PASSWORD = "bench-only-password"
SEQUENTIAL = 300
WORD = re.compile(r"\b[A-Z][a-z]+\b")


@dataclass
class Reviewer:
    """One signed-in browser: its cookies, CSRF token and the words it may
    still link, each only once (a second link of the same words is a 409)."""

    name: str
    port: int
    words: list[tuple[int, int, int, str]] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""
    errors: int = 0

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method: str, path: str, body: str = "", **headers) -> str:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body or None, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        if response.status >= 400:
            self.errors += 1
        elif response.status >= 300 and method == "GET":
            raise SystemExit(f"{path} redirected to {response.getheader('Location')}")
        return text

    def sign_in(self) -> None:
        page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = {"csrfmiddlewaretoken": token, "username": self.name}
        form["password"] = PASSWORD
        self.request("POST", "/accounts/login/", urlencode(form))
        self.csrf = self.cookies["csrftoken"]
        if "sessionid" not in self.cookies:
            raise SystemExit(f"{self.name} could not sign in")

    def post(self, path: str, form: dict[str, object]) -> str:
        return self.request(
            "POST",
            path,
            urlencode(form),
            **{"X-CSRFToken": self.csrf, "HX-Request": "true", "Referer": "/"},
        )

    def link(self, entity: int) -> str:
        article, start, end, exact = self.words.pop()
        form = {"start": start, "end": end, "exact": exact, "entity": entity}
        return self.post(f"/articles/{article}/mentions/", form | {"others": 0})


def main() -> None:
    parser = common.argument_parser(__doc__, DEFAULT_DATABASE_URL)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=5)
    args = parser.parse_args()
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"
    common.fresh_database(args.database_url)
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        print("Writing the articles and their suggestions …", flush=True)
        articles, entities = make_articles()
        make_reviewers()
        split = breakdown(articles[0], entities)
        connections.close_all()  # the server's workers open their own
        figures = serve(args, articles, entities)
    finally:
        connections.close_all()
        common.drop_database(args.database_url)
    report(args, figures, split)


def serve(args, articles, entities) -> tuple:
    """Start the server, run the three loads against it, stop it."""
    with common.web_server(args.workers) as port:
        load_before = os.getloadavg()[0]
        sequential = one_client(port, articles, entities)
        eight = clients(port, articles, entities, 8, args.seconds, open_pages=False)
        twenty = clients(port, articles, entities, REVIEWERS, args.seconds)
        load_after = os.getloadavg()[0]
    return (load_before, load_after), sequential, eight, twenty


def report(args, figures, split) -> None:
    (load_before, load_after), sequential, eight, twenty = figures
    print(
        f"\nmanage.py serve, {args.workers} gunicorn workers, {os.cpu_count()} cores"
        f" shared with the clients; 1-minute load {load_before:.1f} before, "
        f"{load_after:.1f} after\n"
    )
    create, bare = sequential
    print(
        common.table(
            ("one client, one request at a time", "p50 ms", "p95 ms"),
            [
                ("create a mention (the whole action)", *ms(create)),
                ("bare signed-in POST", *ms(bare)),
                ("ratio, create / bare", f"{create.p50 / bare.p50:.2f}", ""),
            ],
        )
    )
    print()
    rows = []
    for label, (seconds, posts, pages, errors) in (
        ("8 clients linking names", eight),
        (f"{REVIEWERS} reviewers: workspace, then 3 links", twenty),
    ):
        rows.append(
            (
                label,
                f"{len(posts.samples_ms) / seconds:.1f}",
                *ms(posts),
                *(ms(pages) if pages.samples_ms else ("", "")),
                str(errors),
            )
        )
    header = ("load", "actions/s", "POST p50", "POST p95", "GET p50", "GET p95")
    print(common.table((*header, "errors"), rows))
    print("\nWhere a create's time goes, in-process (test client), median ms:\n")
    print(common.table(("part", "ms"), [(k, f"{v:.1f}") for k, v in split]))


def ms(timings: common.Timings) -> tuple[str, str]:
    return f"{timings.p50:.1f}", f"{timings.p95:.1f}"


def make_articles() -> tuple[list[tuple[int, str]], list[int]]:
    from annotations.suggest.store import suggest_article
    from newsreader.models import Article, Entity

    specs = workspace.make_entities(random.Random(2026))
    entities = [
        Entity.objects.create_named(name=spec.name, kind=spec.kind).pk for spec in specs
    ]
    articles = []
    for i in range(ARTICLES):
        body = workspace.ArticleWriter(random.Random(i), specs).write(5_000).body
        article = Article.objects.create(
            title=f"Bench article {i}", body=body, body_sha256=Article.hash_body(body)
        )
        suggest_article(article=article)
        articles.append((article.pk, body))
    return articles, entities


def make_reviewers() -> None:
    """One for the breakdown, one for the single client, then one for each
    client of the 8 and of the 20: none links words another linked."""
    from django.contrib.auth.models import User

    from annotations.management.commands.seed import ensure_groups
    from newsreader.roles import REVIEWER

    group = ensure_groups()[REVIEWER]
    names = ["in-process", "one"] + [f"of8-{i}" for i in range(8)]
    names += [f"of{REVIEWERS}-{i}" for i in range(REVIEWERS)]
    for name in names:
        User.objects.create_user(name, password=PASSWORD).groups.add(group)


def words(articles: list[tuple[int, str]], rng: random.Random) -> list:
    """Capitalised words of the articles in UTF-16 offsets, shuffled."""
    found = []
    for pk, body in articles:
        for match in WORD.finditer(body):
            start = len(body[: match.start()].encode("utf-16-le")) // 2
            found.append((pk, start, start + len(match[0]), match[0]))
    rng.shuffle(found)
    return found


def one_client(port, articles, entities) -> tuple[common.Timings, common.Timings]:
    reviewer = Reviewer("one", port, words(articles[:10], random.Random(0)))
    reviewer.sign_in()
    create, bare = common.Timings("create"), common.Timings("bare")
    rng = random.Random(1)
    for i in range(SEQUENTIAL + 20):
        seconds, _ = common.timed(lambda: reviewer.link(rng.choice(entities)))
        if i >= 20:  # after the workers warmed up
            create.add(seconds)
        seconds, _ = common.timed(lambda: reviewer.post("/bench/signed-in/", {}))
        if i >= 20:
            bare.add(seconds)
    if reviewer.errors:
        raise SystemExit(f"{reviewer.errors} requests failed")
    return create, bare


def clients(port, articles, entities, count, seconds, *, open_pages=True) -> tuple:
    """``count`` reviewers on articles of their own for ``seconds``: each
    opens a workspace (if ``open_pages``) and links three names in it."""
    posts, pages = common.Timings("POST"), common.Timings("GET")
    lock = threading.Lock()
    team = []
    for i in range(count):
        mine = articles[i % len(articles) :: count] or [articles[i % len(articles)]]
        reviewer = Reviewer(f"of{count}-{i}", port, words(mine, random.Random(i)))
        reviewer.sign_in()
        team.append(reviewer)
    stop = time.monotonic() + seconds

    def work(reviewer: Reviewer) -> None:
        rng = random.Random(reviewer.name)
        mine_posts, mine_pages = [], []
        while time.monotonic() < stop and len(reviewer.words) > 3:
            if open_pages:
                article = reviewer.words[-1][0]
                took, _ = common.timed(
                    lambda path=f"/articles/{article}/": reviewer.request("GET", path)
                )
                mine_pages.append(took)
            for _ in range(3):
                took, _ = common.timed(lambda: reviewer.link(rng.choice(entities)))
                mine_posts.append(took)
        with lock:
            for took in mine_posts:
                posts.add(took)
            for took in mine_pages:
                pages.add(took)

    threads = [threading.Thread(target=work, args=(r,)) for r in team]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return elapsed, posts, pages, sum(r.errors for r in team)


def breakdown(article: tuple[int, str], entities: list[int]) -> list:
    """Median ms of each part of 100 create-mention POSTs, in-process."""
    from django.contrib.auth.models import User
    from django.test import Client, override_settings

    import newsreader.wsgi  # noqa: F401  (as a server loads the app)
    from annotations import editing, views

    parts: dict[str, list[float]] = {}

    @contextmanager
    def timing(module, name: str, label: str) -> Iterator[None]:
        original: Callable = getattr(module, name)

        def timed_call(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                took = (time.perf_counter() - started) * 1000
                parts.setdefault(label, []).append(took)

        setattr(module, name, timed_call)
        try:
            yield
        finally:
            setattr(module, name, original)

    client = Client(headers={"HX-Request": "true"})
    client.force_login(User.objects.get(username="in-process"))
    pk, _ = article
    rng = random.Random(3)
    todo = words([article], rng)
    whole, bare = [], []
    with (
        override_settings(ROOT_URLCONF="bench.bare_urls"),
        timing(editing, "open_review", "the article and the review, locked"),
        timing(editing, "create_mention", "the span, mention, alias, history rows"),
        timing(views, "_answer", "the answer: its queries and rendering"),
    ):
        for _ in range(100):
            _, start, end, exact = todo.pop()
            form = {"start": start, "end": end, "exact": exact}
            form["entity"] = rng.choice(entities)
            took, response = common.timed(
                lambda form=form: client.post(f"/articles/{pk}/mentions/", form)
            )
            assert response.status_code == 200, response.content[:300]
            whole.append(took * 1000)
            took, _ = common.timed(lambda: client.post("/bench/signed-in/"))
            bare.append(took * 1000)
    median = statistics.median
    rows = [("whole create request", median(whole))]
    rows.append(("bare signed-in POST (middleware, session, user)", median(bare)))
    rows += [(label, median(samples)) for label, samples in parts.items()]
    return rows


if __name__ == "__main__":
    main()
