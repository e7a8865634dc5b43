from __future__ import annotations

import datetime as dt
import doctest
import io
import json
import random
import socket
import string
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command

from newsreader import importing
from newsreader.importing import import_articles, import_upload
from newsreader.models import Article, Source
from tests.factories import make_article

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
JSONL = str(DATA / "articles.jsonl")

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
}
BIG_FEED_ENTRIES = 5000


def entry_page(number: int) -> bytes:
    paragraphs = "".join(
        f"<p>Paragraph {n} of story {number}: the council said the works on "
        f"road {number} would finish in the spring, officials confirmed.</p>"
        for n in range(3)
    )
    return (
        f"<html><head><title>Story {number}</title></head><body>"
        f"<article><h1>Story {number}</h1>{paragraphs}</article></body></html>"
    ).encode()


def big_feed(base: str) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>{base}/entry/{n}</link></item>"
        for n in range(BIG_FEED_ENTRIES)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
        f"{items}</channel></rss>"
    ).encode()


class FixtureHandler(BaseHTTPRequestHandler):
    """Serves tests/newsreader/data, "{base}" replaced by this server's URL."""

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_port}"
        path = urlsplit(self.path).path
        content_type = "text/html; charset=utf-8"
        if path == "/slow":
            time.sleep(3)
            data = b"<html><body><p>Too late.</p></body></html>"
        elif path == "/big-feed":
            data, content_type = big_feed(base), "application/rss+xml"
        elif path.startswith("/entry/"):
            data = entry_page(int(path.rsplit("/", 1)[1]))
        elif path == "/windows-1252":
            data, content_type = windows_1252_page(), "text/html"
        else:
            file = DATA / path.lstrip("/")
            if ".." in path or not file.is_file():
                self.send_error(404)
                return
            data = file.read_bytes().replace(b"{base}", base.encode())
            content_type = CONTENT_TYPES.get(file.suffix, "text/plain")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the client that timed out on /slow has hung up: expected


@pytest.fixture(scope="module")
def server():
    """A real HTTP server on 127.0.0.1, no network beyond it."""
    httpd = QuietServer(("127.0.0.1", 0), FixtureHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def windows_1252_page() -> bytes:
    text = (
        "<html><head><meta charset='windows-1252'><title>Caf\u00e9 society</title>"
        "</head><body><article><h1>Caf\u00e9 society</h1><p>The caf\u00e9 on the "
        "square reopened on Friday with a new owner, who said the menu would stay "
        "much the same: \u201ccoffee, cake and conversation\u201d.</p><p>Regulars "
        "queued from seven in the morning, and the owner, Jos\u00e9 Santos, served "
        "the first cup himself.</p></article></body></html>"
    )
    return text.encode("windows-1252")


def reasons(problems) -> dict[str, str]:
    return {problem.label: problem.reason for problem in problems}


# --------------------------------------------------------------------------
# JSONL


def test_jsonl_imports_the_good_lines_and_reports_each_bad_line_by_number():
    summary = import_articles([JSONL])

    assert len(summary.imported) == 3
    articles = Article.objects.in_bulk(summary.article_ids)
    by_title = {article.title: article for article in articles.values()}
    assert set(by_title) == {
        "Council approves new cycle lanes",
        "Museum reopens after flood",
        "Bakery wins regional prize",
    }
    lanes = by_title["Council approves new cycle lanes"]
    assert lanes.url == "https://dailycourier.example/2024/04/10/cycle-lanes"
    assert lanes.source.name == "The Daily Courier"
    assert lanes.source.domain == "dailycourier.example"
    assert lanes.byline == "Sam Walker"
    assert lanes.published_at == dt.datetime(2024, 4, 10, 8, tzinfo=dt.UTC)
    assert lanes.body.split("\n\n")[1].startswith("“This will make the centre safer")
    assert lanes.body_sha256 == Article.hash_body(lanes.body)
    museum = by_title["Museum reopens after flood"]
    assert museum.body.startswith("The city museum reopened on Saturday")
    assert by_title["Bakery wins regional prize"].source is None

    failed = reasons(summary.failed)
    assert set(failed) == {f"{JSONL} line {n}" for n in (3, 5, 6, 9, 10, 12)}
    assert failed[f"{JSONL} line 3"].startswith("not valid JSON")
    assert "not UTF-8" in failed[f"{JSONL} line 5"]
    assert "0xe9" in failed[f"{JSONL} line 5"]
    assert failed[f"{JSONL} line 6"] == "no 'text' or 'html'"
    assert "next Tuesday" in failed[f"{JSONL} line 9"]
    assert failed[f"{JSONL} line 10"] == "not a JSON object"
    assert "no article text" in failed[f"{JSONL} line 12"]

    duplicates = reasons(summary.duplicates)
    assert duplicates == {
        f"{JSONL} line 7": f"same URL as {JSONL} line 1",
        f"{JSONL} line 8": f"same text as {JSONL} line 1",
    }


def test_reimporting_the_same_file_imports_nothing(monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)  # dedupe across batches too
    first = import_articles([JSONL])
    rows = sorted(Article.objects.values_list("pk", "title", "body", "url"))

    again = import_articles([JSONL])

    assert again.imported == []
    assert len(again.duplicates) == len(first.imported) + len(first.duplicates)
    assert f"already imported as article {first.article_ids[0]}" in (
        again.duplicates[0].reason
    )
    assert sorted(Article.objects.values_list("pk", "title", "body", "url")) == rows


def test_an_article_already_in_the_table_is_a_duplicate_by_url_and_by_text():
    by_url = make_article(url="https://dailycourier.example/2024/04/10/cycle-lanes")
    by_text = make_article(
        body="A family bakery on the high street won the regional "
        "bread prize for the third year running."
    )
    summary = import_articles([JSONL])

    duplicates = reasons(summary.duplicates)
    assert duplicates[f"{JSONL} line 1"] == (
        f"already imported as article {by_url.pk} (same URL)"
    )
    assert duplicates[f"{JSONL} line 11"] == (
        f"already imported as article {by_text.pk} (same text)"
    )
    # Line 8 repeats line 1's text under another URL: new once line 1 is not.
    assert [item.label for item in summary.imported] == [
        f"{JSONL} line 2",
        f"{JSONL} line 8",
    ]


def test_a_ten_megabyte_article_fails_with_its_size_and_the_rest_import(tmp_path):
    path = tmp_path / "big.jsonl"
    huge = {"title": "Huge", "text": "word " * 2_000_000}
    small = {"title": "Small", "text": "A short story."}
    path.write_text(json.dumps(huge) + "\n" + json.dumps(small) + "\n")

    summary = import_articles([str(path)])

    assert [item.label for item in summary.imported] == [f"{path} line 2"]
    assert reasons(summary.failed) == {
        f"{path} line 1": f"the text is {len(huge['text'].strip()):,} "
        "characters, over IMPORT_MAX_CHARS (500,000)"
    }


def test_a_record_the_database_refuses_fails_alone_and_changes_nothing_saved(
    tmp_path, settings
):
    settings.IMPORT_MAX_CHARS = 3_000_000
    earlier = import_articles([str(DATA / "article.txt")]).article_ids[0]
    before = Article.objects.values().get(pk=earlier)
    rng = random.Random(1)
    # Postgres caps a tsvector at 1 MB: this body cannot be indexed.
    unindexable = " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=10)) for _ in range(140_000)
    )
    path = tmp_path / "batch.jsonl"
    lines = [
        {"title": "Good one", "text": "The first good story."},
        {"title": "Unindexable", "text": unindexable},
        {"title": "Good two", "text": "The second good story."},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))

    summary = import_articles([str(path)])

    assert [item.label for item in summary.imported] == [
        f"{path} line 1",
        f"{path} line 3",
    ]
    failed = reasons(summary.failed)
    assert list(failed) == [f"{path} line 2"]
    assert "too long for tsvector" in failed[f"{path} line 2"]
    assert Article.objects.values().get(pk=earlier) == before
    assert Article.objects.count() == 3


# --------------------------------------------------------------------------
# Text and HTML files


def test_a_text_file_gives_its_first_line_as_the_title():
    summary = import_articles([str(DATA / "article.txt")], source="Valley News")

    article = Article.objects.get(pk=summary.article_ids[0])
    assert article.title == "Harbour bridge to reopen after two years of repairs"
    assert article.body.startswith("The harbour bridge will reopen")
    assert len(article.paragraphs()) == 3
    assert article.source.name == "Valley News"


def test_a_text_file_of_one_line_fails_saying_the_first_line_is_the_title(
    tmp_path,
):
    path = tmp_path / "short.txt"
    path.write_text("Only a headline here\n", encoding="utf-8")
    summary = import_articles([str(path)])
    assert reasons(summary.failed) == {
        str(path): "no text after the first line, which a .txt file gives as its title"
    }


def test_a_text_file_with_no_title_is_all_body_and_named_after_the_file():
    summary = import_articles([str(DATA / "article.txt")], no_title=True)

    article = Article.objects.get(pk=summary.article_ids[0])
    assert article.title == "article"
    assert article.body.startswith("Harbour bridge to reopen")


def test_an_empty_jsonl_file_is_a_failure_not_a_silent_nothing(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"\n\n")

    summary = import_articles([str(path)])

    assert reasons(summary.failed) == {
        str(path): "no records: the file is empty or has only blank lines"
    }


def test_a_text_file_that_is_not_utf8_fails_with_where_the_bad_byte_is(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Title\n\nThe caf\u00e9 closed.".encode("latin-1"))

    summary = import_articles([str(path)])

    assert summary.imported == []
    assert reasons(summary.failed)[str(path)].startswith(
        "not UTF-8 text: byte 0xe9 on line 3"
    )


def test_a_saved_html_page_gives_its_text_and_metadata():
    summary = import_articles([str(DATA / "article.html")])

    article = Article.objects.select_related("source").get(pk=summary.article_ids[0])
    assert article.title == "Wind farm approved despite objections"
    assert article.byline == "Tom Hughes, Energy Correspondent"
    assert article.source.name == "Coastal Mail"
    assert article.source.domain == "coastalmail.example"
    assert article.url == "https://coastalmail.example/2024/05/14/wind-farm-approved"
    assert article.published_at == dt.datetime(2024, 5, 14, 8, 30, tzinfo=dt.UTC)
    assert "twelve-turbine wind farm" in article.body
    assert "Most read" not in article.body
    assert "All rights reserved" not in article.body


def test_html_with_no_article_text_fails_with_a_message():
    summary = import_articles([str(DATA / "no-article.html")])

    assert summary.imported == []
    assert reasons(summary.failed)[str(DATA / "no-article.html")].startswith(
        "no article text found in the page"
    )


def test_html_in_another_charset_is_decoded_by_detection(tmp_path):
    path = tmp_path / "cafe.html"
    path.write_bytes(windows_1252_page())

    summary = import_articles([str(path)])

    article = Article.objects.get(pk=summary.article_ids[0])
    assert article.title == "Café society"
    assert "José Santos" in article.body


def test_a_missing_file_fails_and_the_next_item_still_imports(tmp_path):
    missing = str(tmp_path / "nothing.txt")
    summary = import_articles([missing, str(DATA / "article.txt")])

    assert reasons(summary.failed) == {missing: "no such file"}
    assert len(summary.imported) == 1


def test_paths_are_refused_when_only_urls_are_allowed(server):
    path = str(DATA / "article.txt")
    summary = import_articles([path, f"{server}/article.html"], allow_files=False)

    assert reasons(summary.failed) == {path: "not a URL: only http and https URLs here"}
    assert len(summary.imported) == 1


def test_an_upload_is_read_by_its_file_name():
    summary = import_upload((DATA / "articles.jsonl").read_bytes(), name="up.jsonl")

    assert len(summary.imported) == 3
    assert "up.jsonl line 3" in reasons(summary.failed)


# --------------------------------------------------------------------------
# URLs and feeds


def test_a_page_url_is_fetched_and_extracted(server):
    url = f"{server}/article.html"
    summary = import_articles([url])

    article = Article.objects.get(pk=summary.article_ids[0])
    assert article.url == url
    assert article.title == "Wind farm approved despite objections"
    assert "Ingrid Larsen" in article.body


def test_public_only_refuses_hosts_on_local_addresses_and_imports_the_rest(
    server, tmp_path
):
    path = tmp_path / "one.txt"
    path.write_text("A title\nSome text of the article.", encoding="utf-8")
    summary = import_articles(
        [f"{server}/article.html", f"{server}/feed.rss", str(path)],
        public_only=True,
    )
    assert [problem.reason for problem in summary.failed] == [
        "refused: the host is at 127.0.0.1, a private or local address"
    ] * 2
    assert [item.label for item in summary.imported] == [str(path)]


def test_a_page_in_another_charset_is_decoded_from_the_url(server):
    summary = import_articles([f"{server}/windows-1252"])

    assert "José Santos" in Article.objects.get(pk=summary.article_ids[0]).body


def test_an_rss_feed_fetches_each_entry_and_falls_back_to_its_own_text(server):
    feed = f"{server}/feed.rss"
    summary = import_articles([feed])

    assert summary.failed == []
    assert len(summary.imported) == 2
    library, flood = (Article.objects.get(pk=pk) for pk in summary.article_ids)
    assert library.url == f"{server}/pages/library.html"
    assert library.title == "Library extends its opening hours"
    assert "Students asked us for more time" in library.body
    assert library.source.name == "Valley News"
    assert library.byline == "Anna Costa"  # from "news@valleynews.example (Anna Costa)"
    # The page gives the day only, the feed the hour as well.
    assert library.published_at == dt.datetime(2024, 6, 3, 9, tzinfo=dt.UTC)
    # The second entry's page is missing: its description is the body.
    assert flood.body == (
        "Work on the river wall finished three weeks early, the agency said."
        "\n\n“We are ready for the winter,” said its director."
    )
    note = summary.imported[1].note
    assert "HTTP error 404" in note
    assert "feed's own summary" in note
    assert summary.imported[0].note == ""


def test_an_atom_feed_file_on_disk_is_read_like_a_feed_url(server, tmp_path):
    path = tmp_path / "harbour.atom"
    path.write_text((DATA / "feed.atom").read_text().replace("{base}", server))

    summary = import_articles([str(path)])

    article = Article.objects.get(pk=summary.article_ids[0])
    assert article.title == "Ferry timetable changes this summer"
    assert article.byline == "Lars Nilsson"
    assert "every half hour" in article.body
    assert article.source.name == "Harbour Tribune"


def test_reimporting_a_feed_skips_its_entries_without_fetching_them(
    server, monkeypatch
):
    import_articles([f"{server}/feed.rss"])
    fetched = []
    real_fetch = importing.fetch
    monkeypatch.setattr(
        importing,
        "fetch",
        lambda url, **kwargs: fetched.append(url) or real_fetch(url, **kwargs),
    )

    again = import_articles([f"{server}/feed.rss"])

    assert again.imported == []
    assert len(again.duplicates) == 2
    assert fetched == [f"{server}/feed.rss"]


def test_a_feed_with_5000_entries_fetches_the_cap_and_the_next_run_continues(
    server, settings
):
    settings.IMPORT_MAX_FEED_ENTRIES = 3
    feed = f"{server}/big-feed"

    first = import_articles([feed])

    assert [item.label for item in first.imported] == [
        f"{feed} entry {n + 1} ({server}/entry/{n})" for n in range(3)
    ]
    assert first.skipped_count == BIG_FEED_ENTRIES - 3
    assert "4,997 more new entries not fetched" in first.skipped[0].reason
    assert first.processed == BIG_FEED_ENTRIES

    second = import_articles([feed])

    assert len(second.duplicates) == 3
    assert [item.label for item in second.imported][0].startswith(f"{feed} entry 4 ")
    assert second.skipped_count == BIG_FEED_ENTRIES - 6


def test_unreachable_urls_fail_with_the_reason(server, settings, monkeypatch):
    settings.IMPORT_FETCH_TIMEOUT = 1
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused = f"http://127.0.0.1:{closed.getsockname()[1]}/"
    closed.close()
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host == "no-such-host.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    good = str(DATA / "article.txt")
    items = [
        good,
        f"{server}/missing.html",
        f"{server}/slow",
        "http://no-such-host.invalid/feed",
        refused,
        "ftp://files.example/feed.xml",
    ]

    summary = import_articles(items)

    assert len(summary.imported) == 1
    assert reasons(summary.failed) == {
        f"{server}/missing.html": "HTTP error 404 Not Found",
        f"{server}/slow": "timed out after 1 s",
        "http://no-such-host.invalid/feed": (
            "could not find the host 'no-such-host.invalid' (DNS)"
        ),
        refused: "connection refused",
        "ftp://files.example/feed.xml": "only http and https URLs can be imported",
    }


# --------------------------------------------------------------------------
# Progress and the command


def test_progress_reports_reach_the_total():
    calls = []
    import_articles([JSONL], progress=lambda done, total: calls.append((done, total)))

    assert calls[-1] == (11, 11)  # 12 lines, one blank
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_an_uploads_progress_reaches_its_total_too():
    calls = []
    import_upload(
        Path(JSONL).read_bytes(),
        name="up.jsonl",
        progress=lambda done, total: calls.append((done, total)),
    )

    assert calls[-1] == (11, 11)


def test_the_command_prints_the_summary_and_fails_when_an_item_failed():
    out = io.StringIO()
    with pytest.raises(CommandError, match="6 item"):
        call_command("import_articles", JSONL, stdout=out)

    text = out.getvalue()
    assert "Imported 3 article(s)" in text
    assert "Duplicates skipped: 2" in text
    assert f"Failed: 6\n  {JSONL} line 3: not valid JSON" in text


def test_the_command_names_a_source_and_succeeds_when_nothing_failed():
    out = io.StringIO()
    call_command(
        "import_articles", str(DATA / "article.txt"), "--source=Valley News", stdout=out
    )

    assert "Imported 1 article(s)" in out.getvalue()
    assert "Failed: 0" in out.getvalue()
    assert Source.objects.get().articles.count() == 1


def test_the_docstring_examples_hold():
    result = doctest.testmod(importing)
    assert result.attempted > 0
    assert result.failed == 0


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_writer_threads_save_the_batches_in_order(
    monkeypatch,
):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    assert importing.WRITERS > 0
    saved_on: set[threading.Thread] = set()
    real_save_batch = importing._save_batch

    def save_batch(fresh):
        saved_on.add(threading.current_thread())
        return real_save_batch(fresh)

    monkeypatch.setattr(importing, "_save_batch", save_batch)

    summary = import_articles([JSONL])

    assert saved_on
    assert threading.current_thread() not in saved_on
    assert [item.label for item in summary.imported] == [
        f"{JSONL} line {n}" for n in (1, 2, 11)
    ]
    assert len(summary.failed) == 6
    assert len(summary.duplicates) == 2
    assert Article.objects.count() == 3
    assert not any(thread.is_alive() for thread in saved_on)


def test_a_nul_byte_in_any_field_of_a_record_costs_that_record_at_most(tmp_path):
    good = {"title": "Good", "text": "The council met on Monday."}
    lines = [
        good,
        {**good, "title": "Source", "source": "Daily\x00 Courier"},
        {**good, "title": "Byline", "byline": "Sam\x00 Walker"},
        {**good, "title": "URL", "url": "https://news.example/a\x00b"},
        {**good, "title": "Date", "published": "2024-04-10\x00"},
    ]
    path = tmp_path / "nul.jsonl"
    path.write_text(
        "".join(
            json.dumps({**line, "text": f"{line['title']}: the council met."}) + "\n"
            for line in lines
        )
    )
    summary = import_articles([str(path)])
    titles = set(Article.objects.values_list("title", flat=True))
    assert {"Good", "Source", "Byline"} <= titles
    assert len(summary.imported) + len(summary.failed) == 5
    assert reasons(summary.failed)[f"{path} line 4"] == "url holds a NUL byte"
    source = Article.objects.get(title="Source").source
    assert source.name == "Daily Courier"


def test_a_local_address_is_refused_before_connecting_so_no_port_is_probed():
    # Nothing listens on port 1: had the fetcher connected first, the reason
    # would be "connection refused", telling a curator the port is closed.
    for url in ("http://127.0.0.1:1/", "https://localhost:1/", "http://[::1]:1/"):
        summary = import_articles([url], public_only=True)
        [problem] = summary.failed
        assert "a private or local address" in problem.reason, url
