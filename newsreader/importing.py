"""Import articles from JSONL, text and HTML files, web pages and RSS/Atom feeds.

``import_articles(["news.jsonl", "https://example.org/feed"])`` reads each
item, turns it into article records, and saves the new ones; it returns an
``ImportSummary`` of what was imported (with the new ids), what was a
duplicate, what failed and why, and what was skipped.

What counts as what:

- Each record is checked in Python first (title, text, size, URL, date);
  a record that fails a check is reported and the others go on.
- Duplicates are skipped by URL and by body hash (``Article.hash_body`` of
  the canonical body), against the table and within the run.
- Records are saved in batches with ``COPY``, each batch in its own
  transaction (a savepoint when the caller holds one), so a long import
  keeps what it saved if it stops half-way. A batch the database refuses is
  saved again one record at a time, each in its own savepoint: one bad
  record never rolls back the good ones, and nothing saved is changed.
  No import updates or deletes a row.
- Outside a transaction (the command, a background task) ``WRITERS``
  threads insert the batches, each on its own connection, while this
  thread reads the next ones: Postgres computing each article's tsvector
  is most of an import's time, and this spreads it over more cores. Inside
  a transaction the caller holds, batches are saved on the caller's
  connection, in that transaction.
- With ``public_only`` (imports asked for in the browser), a URL whose
  host is a private, loopback or link-local address is refused, redirects
  included: the server must not be a way into its own network.
- A fetched page or feed is read only up to ``IMPORT_MAX_DOWNLOAD_BYTES``
  with a timeout of ``IMPORT_FETCH_TIMEOUT`` seconds; a body longer than
  ``IMPORT_MAX_CHARS`` fails with its size.
- A feed fetches at most ``IMPORT_MAX_FEED_ENTRIES`` new entries a run
  (entries already imported are counted as duplicates, not against the
  cap), so running the import again brings in the next ones.

Bytes that are not UTF-8 fail in ``.txt`` and ``.jsonl`` input (a JSONL line
at a time); HTML goes through trafilatura's charset detection.

This module must not import the annotations app: the caller queues
suggestions for ``summary.article_ids``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import io
import ipaddress
import json
import queue
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import feedparser
import trafilatura
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from trafilatura.metadata import set_date_params

from newsreader.models import Article, Source
from newsreader.text import canonical_body

# Records per bulk insert: large enough that the per-statement cost vanishes,
# small enough that a refused batch is cheap to redo one by one.
BATCH_SIZE = 500
FETCH_WORKERS = 8  # feed entry pages fetched at once
# Threads inserting batches while the next ones are read (see _Writers).
WRITERS = 2
USER_AGENT = "Newsreader-import/0.1"
TITLE_MAX = 500  # Article.title's max_length
URL_MAX = 2000  # Article.url's max_length
# Fewer words than this from a page is navigation or a paywall, not an
# article: trafilatura returns whatever text it finds.
MIN_PAGE_WORDS = 25
# Entry links are looked up in the table this many at a time.
LOOKUP_CHUNK = 1000

FEED_CONTENT_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
}
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)[\s>]", re.IGNORECASE)

_RSS_AUTHOR = re.compile(r"^\S+@\S+\s+\((.+)\)$")

Progress = Callable[[int, int | None], None]


class ImportProblem(Exception):
    """A record or item that cannot be imported; the message says why."""


@dataclass(frozen=True)
class Imported:
    article_id: int
    label: str
    note: str = ""  # e.g. the feed's own summary was used


@dataclass(frozen=True)
class Problem:
    label: str  # which item: "news.jsonl line 4", a URL, "feed entry 3 (URL)"
    reason: str
    count: int = 1  # skipped feed entries are reported in one line


@dataclass
class ImportSummary:
    imported: list[Imported] = field(default_factory=list)
    duplicates: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)

    @property
    def article_ids(self) -> list[int]:
        return [item.article_id for item in self.imported]

    @property
    def skipped_count(self) -> int:
        return sum(item.count for item in self.skipped)

    @property
    def processed(self) -> int:
        return (
            len(self.imported)
            + len(self.duplicates)
            + len(self.failed)
            + self.skipped_count
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for a task's result or a JSON response."""
        return asdict(self)


@dataclass
class Record:
    """One article read from the input, checked but not yet saved."""

    label: str
    title: str
    body: str  # raw text; canonicalised by the importer
    url: str = ""
    source: str = ""  # publisher name
    domain: str = ""
    byline: str = ""
    published_at: dt.datetime | None = None
    note: str = ""


def import_articles(
    items: Iterable[str],
    *,
    no_title: bool = False,
    source: str = "",
    progress: Progress | None = None,
    allow_files: bool = True,
    public_only: bool = False,
) -> ImportSummary:
    """Import each item: a file path (.jsonl, .txt, .html, a feed) or an http(s) URL.

    ``allow_files=False`` refuses paths (each fails with a message), and
    ``public_only`` URLs of hosts on private or local addresses: for items
    typed into a web page, which must not reach the server's files or its
    network.
    ``no_title``: a .txt file's first line is body text, not the title.
    ``source``: the publisher name for records that do not name one.
    ``progress(done, total)`` is called now and then; ``total`` is None
    until it is known, and grows when a feed's entries are read.
    """
    items = list(items)
    importer = _Importer(
        no_title=no_title, source=source, progress=progress, public_only=public_only
    )
    try:
        importer.expect(
            sum(_expected_records(item, allow_files=allow_files) for item in items)
        )
        for item in items:
            if allow_files or _is_url(item.strip()):
                importer.import_item(item)
            else:
                importer.fail(item, "not a URL: only http and https URLs here")
        return importer.finish()
    finally:
        importer.close()


def import_upload(
    data: bytes,
    *,
    name: str,
    no_title: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import an uploaded file's bytes; ``name`` (its file name) picks the format."""
    importer = _Importer(no_title=no_title, source=source, progress=progress)
    try:
        if _kind(name, data) == "jsonl":
            importer.expect(data.count(b"\n") + (not data.endswith(b"\n")))
        else:
            importer.expect(1)
        importer.import_bytes(data, name=name)
        return importer.finish()
    finally:
        importer.close()


# --------------------------------------------------------------------------
# Reading


def _expected_records(item: str, *, allow_files: bool) -> int:
    """How many records an item should give: lines of a JSONL file, else 1."""
    path = Path(item)
    if (
        _is_url(item)
        or not allow_files
        or path.suffix.lower() not in {".jsonl", ".ndjson"}
    ):
        return 1
    lines, last = 0, b"\n"
    try:
        with path.open("rb") as file:
            for chunk in iter(lambda: file.read(1 << 20), b""):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except OSError:
        return 1
    return lines + (last != b"\n")  # a last line with no newline after it


def _is_url(item: str) -> bool:
    return "://" in item


def _kind(name: str, data: bytes) -> str:
    """The input format, from the file name's suffix, else from the bytes."""
    suffix = Path(name).suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        return "jsonl"
    if suffix == ".txt":
        return "text"
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".xml", ".rss", ".atom"}:
        return "feed"
    if _looks_like_feed(data, ""):
        return "feed"
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if _HTML_ROOT.search(head):
        return "html"
    if head.startswith(b"{"):
        return "jsonl"
    return "text"


def _looks_like_feed(data: bytes, content_type: str) -> bool:
    """An RSS/Atom/RDF root element near the start (before any <html>)."""
    head = data[:4096]
    html = _HTML_ROOT.search(head)
    feed = _FEED_ROOT.search(head)
    if feed and (not html or feed.start() < html.start()):
        return True
    return content_type in FEED_CONTENT_TYPES and not html


def _decode_utf8(data: bytes, *, one_line: bool = False) -> str:
    """The text, or ImportProblem saying where the first non-UTF-8 byte is."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        byte = f"byte 0x{data[error.start]:02x}"
        if one_line:
            where = f"{byte} at column {error.start + 1}"
        else:
            line = data.count(b"\n", 0, error.start) + 1
            where = f"{byte} on line {line} (offset {error.start})"
        raise ImportProblem(
            f"not UTF-8 text: {where}; save the file as UTF-8 and import it again"
        ) from None


def _parse_date(value: str) -> dt.datetime:
    """An aware datetime from ISO 8601 or RFC 2822 text; naive means UTC.

    >>> _parse_date("2024-03-05")
    datetime.datetime(2024, 3, 5, 0, 0, tzinfo=datetime.timezone.utc)
    >>> _parse_date("Tue, 05 Mar 2024 10:30:00 +0100").isoformat()
    '2024-03-05T10:30:00+01:00'
    """
    value = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            raise ImportProblem(f"published: not a date: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _lenient_date(value: str | None) -> dt.datetime | None:
    try:
        return _parse_date(value) if value else None
    except ImportProblem:
        return None


def _domain(url: str) -> str:
    """
    >>> _domain("https://www.Example.org:8080/a")
    'example.org'
    """
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class _FragmentText(HTMLParser):
    """Text of an HTML fragment (a feed summary), a line per block element."""

    BLOCKS = {"p", "br", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def fragment_text(fragment: str) -> str:
    """
    >>> fragment_text("<p>One &amp; two.</p><p>Three</p>")
    '\\nOne & two.\\n\\nThree\\n'
    """
    parser = _FragmentText()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts)


def extract_html(html: bytes | str, *, url: str = "", label: str) -> Record:
    """Article text and metadata from a page, by trafilatura.

    Bytes are decoded by trafilatura's charset detection. The title, when
    the page repeats it as the first paragraph, is not kept in the body.
    """
    try:
        document = trafilatura.bare_extraction(
            html,
            url=url or None,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            deduplicate=False,
            # htmldate gives the day only unless asked for the time as well,
            # and takes it from a dated URL before the page's own metadata.
            date_extraction_params={
                **set_date_params(extensive=True),
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
                "deferred_url_extractor": True,
            },
        )
    except Exception as error:  # a page trafilatura cannot parse is one failure
        raise ImportProblem(f"could not read the page: {error}") from None
    text = getattr(document, "text", None) or ""
    words = len(text.split())
    if words < MIN_PAGE_WORDS:
        found = (
            f" (only {words} words: {' '.join(text.split())[:60]!r})" if words else ""
        )
        raise ImportProblem(f"no article text found in the page{found}")
    title = (document.title or "").strip()
    lines = text.strip().split("\n")
    if title and lines[0].strip() == title and len(lines) > 1:
        text = "\n".join(lines[1:])
    return Record(
        label=label,
        title=title,
        body=text,
        url=url or document.url or "",
        source=document.sitename or "",
        domain=_domain(url or document.url or "") or (document.hostname or ""),
        # trafilatura splits "Ann Lee, Health Reporter" at the comma and
        # joins the parts with "; " as if they were two authors.
        byline=(document.author or "").replace("; ", ", "),
        published_at=_lenient_date(document.date),
    )


class _PublicOnly:
    """A connection that refuses to talk to a host on a non-public address.

    The name is resolved and every address it has is checked before any
    connection: a refusal then says nothing of which local ports are open.
    The connection goes to the address checked, so a name that resolves
    differently the second time cannot slip past; TLS still checks the
    name, and every redirect opens a connection of its own.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = self._connect_checked

    def _connect_checked(self, address, timeout, source_address=None):
        host, port = address
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror:
            raise ImportProblem(f"could not find the host {host!r}") from None
        for *_, sockaddr in found:
            where = ipaddress.ip_address(sockaddr[0])
            if not where.is_global:
                raise ImportProblem(
                    f"refused: the host is at {where}, a private or local address"
                )
        return socket.create_connection((found[0][4][0], port), timeout, source_address)


class _PublicHTTPConnection(_PublicOnly, http.client.HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicOnly, http.client.HTTPSConnection):
    pass


class _PublicHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PublicHTTPConnection, req)


class _PublicHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PublicHTTPSConnection, req, context=self._context)


_public_opener = urllib.request.build_opener(_PublicHTTPHandler, _PublicHTTPSHandler)


def fetch(url: str, *, public_only: bool = False) -> tuple[bytes, str, str]:
    """The body, content type and charset at ``url``; ImportProblem if none.

    With ``public_only``, hosts on private and local addresses are refused.
    """
    if urlsplit(url).scheme not in {"http", "https"}:
        raise ImportProblem("only http and https URLs can be imported")
    limit = settings.IMPORT_MAX_DOWNLOAD_BYTES
    timeout = settings.IMPORT_FETCH_TIMEOUT
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    open_url = _public_opener.open if public_only else urllib.request.urlopen
    try:
        with open_url(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise ImportProblem(
                    f"the response is {int(length):,} bytes, over "
                    f"IMPORT_MAX_DOWNLOAD_BYTES ({limit:,})"
                )
            data = response.read(limit + 1)
            content_type = response.headers.get_content_type()
            charset = response.headers.get_content_charset() or ""
    except urllib.error.HTTPError as error:
        raise ImportProblem(f"HTTP error {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, socket.gaierror):
            host = urlsplit(url).hostname
            raise ImportProblem(f"could not find the host {host!r} (DNS)") from None
        if isinstance(reason, TimeoutError):
            raise ImportProblem(f"timed out after {timeout} s") from None
        if isinstance(reason, ConnectionRefusedError):
            raise ImportProblem("connection refused") from None
        raise ImportProblem(f"could not connect: {reason}") from None
    except TimeoutError:
        raise ImportProblem(f"timed out after {timeout} s") from None
    except (OSError, ValueError) as error:  # reset connections, bad URLs
        raise ImportProblem(f"could not fetch it: {error}") from None
    if len(data) > limit:
        raise ImportProblem(
            f"the response is over IMPORT_MAX_DOWNLOAD_BYTES ({limit:,} bytes)"
        )
    return data, content_type, charset


def _decode_page(data: bytes, charset: str) -> bytes | str:
    """Text when the server named a charset we know; else bytes for detection."""
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    return data


# --------------------------------------------------------------------------
# The importer


class _Importer:
    def __init__(
        self,
        *,
        no_title: bool,
        source: str,
        progress: Progress | None,
        public_only: bool = False,
    ):
        self.summary = ImportSummary()
        self.public_only = public_only
        self.no_title = no_title
        self.default_source = source.strip()
        self.progress = progress
        self.total: int | None = None
        self.last_report = 0.0
        self.read = 0  # records read (and checked) so far, for progress
        self.pending: list[tuple[Record, str]] = []
        # Saved in this run: URL or hash -> label of the record saved with it.
        self.seen_urls: dict[str, str] = {}
        self.seen_hashes: dict[str, str] = {}
        self.sources: dict[tuple[str, str], Source | None] = {}
        # Writer threads use connections of their own, which cannot see a
        # transaction the caller holds open: inside one, save on this thread.
        self.writers = (
            _Writers(WRITERS) if WRITERS and not connection.in_atomic_block else None
        )

    # Reporting ----------------------------------------------------------

    def expect(self, count: int) -> None:
        self.total = (self.total or 0) + count

    def fail(self, label: str, reason: str) -> None:
        """An item or record that failed as it was read."""
        self.summary.failed.append(Problem(label, reason))
        self.read += 1
        self.tick()

    def duplicate(self, label: str, reason: str) -> None:
        """A feed entry found to be a duplicate before it is fetched."""
        self.summary.duplicates.append(Problem(label, reason))
        self.read += 1
        self.tick()

    def tick(self, *, force: bool = False) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        if force or now - self.last_report >= 0.25:
            self.last_report = now
            total = max(self.total, self.read) if self.total is not None else None
            self.progress(self.read, total)

    def finish(self) -> ImportSummary:
        self.flush()
        if self.writers:
            self.apply_saved(wait=True)
        self.tick(force=True)
        return self.summary

    def close(self) -> None:
        """Stop the writer threads (after finish, or after an error)."""
        if self.writers:
            self.writers.close()

    # Items ---------------------------------------------------------------

    def import_item(self, item: str) -> None:
        item = item.strip()
        if _is_url(item):
            self.import_url(item)
            return
        path = Path(item)
        try:
            if path.suffix.lower() in {".jsonl", ".ndjson"}:
                with path.open("rb") as file:
                    self.import_jsonl(file, name=item)
                return
            size = path.stat().st_size
            limit = settings.IMPORT_MAX_DOWNLOAD_BYTES
            if size > limit:
                self.fail(
                    item,
                    f"the file is {size:,} bytes, "
                    f"over IMPORT_MAX_DOWNLOAD_BYTES ({limit:,})",
                )
                return
            data = path.read_bytes()
        except IsADirectoryError:
            self.fail(item, "is a directory; name the files in it")
            return
        except FileNotFoundError:
            self.fail(item, "no such file")
            return
        except OSError as error:
            self.fail(item, f"could not read it: {error.strerror or error}")
            return
        self.import_bytes(data, name=item)

    def import_bytes(self, data: bytes, *, name: str) -> None:
        kind = _kind(name, data)
        if kind == "jsonl":
            self.import_jsonl(io.BytesIO(data), name=name)
        elif kind == "feed":
            self.import_feed(data, label=name)
        elif kind == "html":
            self.add_from(name, lambda: extract_html(data, label=name))
        else:
            self.add_from(name, lambda: self.read_text(data, name=name))

    def add_from(self, label: str, read: Callable[[], Record]) -> None:
        try:
            record = read()
        except ImportProblem as problem:
            self.fail(label, str(problem))
        else:
            self.add(record)

    def read_text(self, data: bytes, *, name: str) -> Record:
        text = _decode_utf8(data)
        if self.no_title:
            title = Path(name).stem.replace("_", " ").replace("-", " ").strip()
            return Record(label=name, title=title, body=text)
        title, _, body = text.strip().partition("\n")
        if not body.strip():
            raise ImportProblem(
                "no text after the first line, which a .txt file gives as its title"
            )
        return Record(label=name, title=title, body=body)

    def import_jsonl(self, lines: Iterable[bytes], *, name: str) -> None:
        records = 0
        for number, line in enumerate(lines, start=1):
            label = f"{name} line {number}"
            if not line.strip():
                if self.total:
                    self.total -= 1  # counted by expect(); nothing to report
                continue
            records += 1
            try:
                record = self.record_from_json(line, label=label)
            except ImportProblem as problem:
                self.fail(label, str(problem))
            else:
                self.add(record)
        if not records:
            self.fail(name, "no records: the file is empty or has only blank lines")

    def record_from_json(self, line: bytes, *, label: str) -> Record:
        try:
            data = json.loads(_decode_utf8(line.strip(), one_line=True))
        except json.JSONDecodeError as error:
            raise ImportProblem(
                f"not valid JSON: {error.msg} (column {error.colno})"
            ) from None
        if not isinstance(data, dict):
            raise ImportProblem("not a JSON object")
        fields = {}
        for key in ("title", "text", "html", "url", "source", "byline", "published"):
            value = data.get(key)
            if value is not None and not isinstance(value, str):
                raise ImportProblem(f"{key!r} must be a string")
            fields[key] = (value or "").strip()
        if fields["text"]:
            record = Record(label=label, title=fields["title"], body=fields["text"])
        elif fields["html"]:
            record = extract_html(fields["html"], url=fields["url"], label=label)
            record.title = fields["title"] or record.title
        else:
            raise ImportProblem("no 'text' or 'html'")
        if fields["url"]:
            record.url = fields["url"]
            record.domain = _domain(fields["url"])
        record.source = fields["source"] or record.source
        record.byline = fields["byline"] or record.byline
        if fields["published"]:
            record.published_at = _parse_date(fields["published"])
        return record

    def import_url(self, url: str) -> None:
        try:
            data, content_type, charset = fetch(url, public_only=self.public_only)
        except ImportProblem as problem:
            self.fail(url, str(problem))
            return
        if _looks_like_feed(data, content_type):
            self.import_feed(data, label=url, base_url=url)
        elif content_type and not (
            content_type.startswith("text/") or content_type.endswith("xml")
        ):
            self.fail(url, f"not a web page or a feed ({content_type})")
        else:
            self.add_from(
                url,
                lambda: extract_html(_decode_page(data, charset), url=url, label=url),
            )

    # Feeds ---------------------------------------------------------------

    def import_feed(self, data: bytes, *, label: str, base_url: str = "") -> None:
        headers = {"content-location": base_url} if base_url else None
        feed = feedparser.parse(data, response_headers=headers)
        entries = feed.entries
        if not entries:
            reason = "no entries in the feed"
            if feed.bozo:
                reason = f"not a readable feed: {feed.bozo_exception}"
            self.fail(label, reason)
            return
        self.expect(len(entries) - 1)  # the feed counted as one record
        self.flush()  # so that seen_urls holds every record before the feed
        feed_title = feed.feed.get("title", "")
        links = [entry.get("link", "").strip() for entry in entries]
        existing = self.existing_urls([link for link in links if link])
        cap = settings.IMPORT_MAX_FEED_ENTRIES
        to_fetch: list[tuple[str, Any, str]] = []
        skipped = 0
        for number, (entry, link) in enumerate(zip(entries, links, strict=True), 1):
            entry_label = f"{label} entry {number}" + (f" ({link})" if link else "")
            if link in existing:
                self.duplicate(
                    entry_label,
                    f"already imported as article {existing[link]} (same URL)",
                )
            elif link in self.seen_urls:
                self.duplicate(entry_label, f"same URL as {self.seen_urls[link]}")
            elif len(to_fetch) >= cap:
                skipped += 1
            else:
                to_fetch.append((entry_label, entry, link))
        # Pages are fetched and extracted in threads (they wait on the
        # network); the records are checked and queued on this thread.
        with ThreadPoolExecutor(max_workers=FETCH_WORKERS) as pool:
            results = pool.map(
                lambda job: _safely(self.read_entry, *job, feed_title=feed_title),
                to_fetch,
            )
            for (entry_label, _, _), result in zip(to_fetch, results, strict=True):
                if isinstance(result, ImportProblem):
                    self.fail(entry_label, str(result))
                else:
                    self.add(result)
        if skipped:
            self.summary.skipped.append(
                Problem(
                    label,
                    f"{skipped:,} more new entries not fetched: at most "
                    f"IMPORT_MAX_FEED_ENTRIES ({cap:,}) a run; import the feed "
                    "again for the next ones",
                    count=skipped,
                )
            )
            self.read += skipped
            self.tick()

    def read_entry(
        self, label: str, entry: Any, link: str, *, feed_title: str
    ) -> Record | ImportProblem:
        """The entry's page as a record; the feed's own text if the page gives none."""
        page_problem = "the entry has no link"
        if link:
            try:
                data, content_type, charset = fetch(link, public_only=self.public_only)
                record = extract_html(
                    _decode_page(data, charset), url=link, label=label
                )
            except ImportProblem as problem:
                page_problem = str(problem)
            else:
                record.title = entry.get("title", "").strip() or record.title
                record.source = record.source or feed_title
                record.byline = record.byline or _entry_author(entry)
                # A feed dates entries to the second; a page often to the day.
                record.published_at = _entry_date(entry) or record.published_at
                return record
        contents = [c.get("value", "") for c in entry.get("content", [])]
        own_text = fragment_text("\n".join(contents) or entry.get("summary", ""))
        if not own_text.strip():
            return ImportProblem(f"{page_problem}, and the feed gives no text")
        kind = "content" if contents else "summary"
        return Record(
            label=label,
            title=entry.get("title", "").strip(),
            body=own_text,
            url=link,
            source=feed_title,
            domain=_domain(link),
            byline=_entry_author(entry),
            published_at=_entry_date(entry),
            note=f"page not used ({page_problem}); imported the feed's own {kind}",
        )

    # Saving ----------------------------------------------------------------

    def existing_urls(self, urls: list[str]) -> dict[str, int]:
        """The id of the article with each URL, for the URLs in the table."""
        found: dict[str, int] = {}
        for start in range(0, len(urls), LOOKUP_CHUNK):
            chunk = urls[start : start + LOOKUP_CHUNK]
            found.update(Article.objects.filter(url__in=chunk).values_list("url", "pk"))
        return found

    def add(self, record: Record) -> None:
        """Check one record and queue it; duplicates are found when saving."""
        try:
            self.check(record)
        except ImportProblem as problem:
            self.fail(record.label, str(problem))
            return
        self.pending.append((record, Article.hash_body(record.body)))
        self.read += 1
        if len(self.pending) >= BATCH_SIZE:
            self.flush()
        self.tick()

    def check(self, record: Record) -> None:
        """Canonicalise the record in place, or ImportProblem saying what is wrong."""
        limit = settings.IMPORT_MAX_CHARS
        if len(record.body) > 2 * limit:  # too long whatever the spacing
            raise ImportProblem(
                f"the text is {len(record.body):,} characters, over "
                f"IMPORT_MAX_CHARS ({limit:,})"
            )
        # Postgres text cannot hold NUL: in the words it is dropped, in a
        # URL it makes the URL no URL.
        if "\x00" in record.url:
            raise ImportProblem("url holds a NUL byte")
        for name in ("body", "title", "source", "domain", "byline"):
            setattr(record, name, getattr(record, name).replace("\x00", ""))
        record.body = canonical_body(record.body)
        if not record.body:
            raise ImportProblem("no article text")
        if len(record.body) > limit:
            raise ImportProblem(
                f"the text is {len(record.body):,} characters, over "
                f"IMPORT_MAX_CHARS ({limit:,})"
            )
        record.title = " ".join(record.title.split())
        if not record.title:
            raise ImportProblem("no title")
        if len(record.title) > TITLE_MAX:
            record.title = record.title[: TITLE_MAX - 1] + "…"
        record.byline = " ".join(record.byline.split())[:500]
        if record.url:
            if urlsplit(record.url).scheme not in {"http", "https"}:
                raise ImportProblem(f"url is not an http(s) URL: {record.url[:80]!r}")
            if len(record.url) > URL_MAX:
                raise ImportProblem(f"url is longer than {URL_MAX:,} characters")

    def source_for(self, record: Record) -> Source | None:
        """Get or create the record's Source: by name, else by domain."""
        name = record.source.strip()[:200] or self.default_source
        domain = record.domain[:253]
        key = (name, "" if name else domain)
        if key not in self.sources:
            self.sources[key] = _get_or_create_source(name, domain)
        return self.sources[key]

    def flush(self) -> None:
        """Save the queued records: one lookup for duplicates, one insert.

        Records are compared with the table first, then with the records of
        this run that were new, in order: a record that repeats one found to
        be a duplicate is compared with the table, not with that record.
        The insert runs on a writer thread when there are writers.
        """
        pending, self.pending = self.pending, []
        if not pending:
            return
        by_url = self.existing_urls([record.url for record, _ in pending if record.url])
        by_hash = dict(
            Article.objects.filter(
                body_sha256__in=[digest for _, digest in pending]
            ).values_list("body_sha256", "pk")
        )
        fresh: list[tuple[Record, Article]] = []
        for record, digest in pending:
            if record.url in by_url:
                reason = f"already imported as article {by_url[record.url]} (same URL)"
            elif digest in by_hash:
                reason = f"already imported as article {by_hash[digest]} (same text)"
            elif record.url in self.seen_urls:
                reason = f"same URL as {self.seen_urls[record.url]}"
            elif digest in self.seen_hashes:
                reason = f"same text as {self.seen_hashes[digest]}"
            else:
                if record.url:
                    self.seen_urls[record.url] = record.label
                self.seen_hashes[digest] = record.label
                fresh.append((record, self.article(record, digest)))
                continue
            self.summary.duplicates.append(Problem(record.label, reason))
        if not fresh:
            return
        if self.writers:
            self.writers.submit(fresh)
            self.apply_saved()
        else:
            self.apply(_save_batch(fresh))

    def apply_saved(self, *, wait: bool = False) -> None:
        for outcomes in self.writers.results(wait=wait):
            self.apply(outcomes)

    def apply(self, outcomes: list[_Outcome]) -> None:
        for outcome in outcomes:
            label = outcome.record.label
            if outcome.article_id is not None:
                self.summary.imported.append(
                    Imported(outcome.article_id, label, outcome.record.note)
                )
                continue
            # Not saved, so not something later records duplicate.
            self.seen_urls.pop(outcome.record.url, None)
            self.seen_hashes.pop(outcome.digest, None)
            if outcome.duplicate:
                self.summary.duplicates.append(Problem(label, outcome.duplicate))
            else:
                self.summary.failed.append(Problem(label, outcome.failure))
        self.tick()

    def article(self, record: Record, digest: str) -> Article:
        return Article(
            source=self.source_for(record),
            url=record.url,
            title=record.title,
            byline=record.byline,
            published_at=record.published_at,
            body=record.body,
            body_sha256=digest,
        )


@dataclass
class _Outcome:
    """What became of one record sent to the database."""

    record: Record
    digest: str
    article_id: int | None = None
    duplicate: str = ""
    failure: str = ""


def _save_batch(fresh: list[tuple[Record, Article]]) -> list[_Outcome]:
    """Insert the articles in one COPY, or one by one if it is refused.

    Each way runs in its own transaction (a savepoint inside the caller's),
    so a refused record takes nothing else with it.
    """
    articles = [article for _, article in fresh]
    try:
        with transaction.atomic():
            _copy_articles(articles)
    except DatabaseError:
        pass
    else:
        return [
            _Outcome(record, article.body_sha256, article_id=article.pk)
            for record, article in fresh
        ]
    outcomes = []
    for record, article in fresh:
        article.pk = None  # a rolled-back bulk insert may have set them
        outcome = _Outcome(record, article.body_sha256)
        try:
            with transaction.atomic():
                article.save(force_insert=True)
        except IntegrityError as error:
            if "article_url_unique" in str(error):  # saved by another import
                outcome.duplicate = "already imported (same URL)"
            else:
                outcome.failure = f"the database refused it: {_first_line(error)}"
        except DatabaseError as error:
            outcome.failure = f"the database refused it: {_first_line(error)}"
        else:
            outcome.article_id = article.pk
        outcomes.append(outcome)
    return outcomes


def _copy_articles(articles: list[Article]) -> None:
    """Insert new articles with COPY and set their primary keys.

    COPY inserts about 1.5 times as fast as ``bulk_create``'s multi-row
    INSERT (measured with bench/ingest.py), which must build, send and parse
    a statement as long as all the texts. Values are prepared by the model's
    fields, as Django's own INSERT does (``pre_save`` fills ``created_at``);
    ``search_vector`` is generated by Postgres. COPY returns no ids, so they
    are read back by body hash, which the duplicate checks have made new.
    """
    fields = [
        field
        for field in Article._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(Article._meta.db_table)
    # The psycopg cursor's errors, as Django's (DatabaseError and kin).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for article in articles:
                copy.write_row(
                    [
                        field.get_db_prep_save(
                            field.pre_save(article, add=True), connection
                        )
                        for field in fields
                    ]
                )
        cursor.execute(
            f"SELECT body_sha256, id FROM {table} "
            "WHERE body_sha256 = ANY(%s) ORDER BY id",
            [[article.body_sha256 for article in articles]],
        )
        ids = dict(cursor.fetchall())  # the newest row, should there be two
    for article in articles:
        article.pk = ids[article.body_sha256]
        article._state.adding = False


class _Writers:
    """Threads that save batches, each on its own database connection.

    Postgres computes each article's tsvector as it is inserted: most of an
    import's time. Writers let that run in other backends (other cores)
    while this thread reads, checks and looks up the next batches. Results
    come back in the order the batches went in.
    """

    def __init__(self, count: int) -> None:
        self.jobs: queue.Queue[tuple[int, list] | None] = queue.Queue(maxsize=count)
        self.done: queue.Queue[tuple[int, list[_Outcome] | BaseException]] = (
            queue.Queue()
        )
        self.sent = 0
        self.closed = False
        self.received: dict[int, list[_Outcome]] = {}
        self.next = 0
        self.threads = [
            threading.Thread(target=self.work, daemon=True) for _ in range(count)
        ]
        for thread in self.threads:
            thread.start()

    def work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                number, fresh = job
                try:
                    self.done.put((number, _save_batch(fresh)))
                except BaseException as error:  # re-raised by the importer
                    self.done.put((number, error))
        finally:
            connection.close()

    def submit(self, fresh: list[tuple[Record, Article]]) -> None:
        self.jobs.put((self.sent, fresh))
        self.sent += 1

    def results(self, *, wait: bool) -> Iterator[list[_Outcome]]:
        """The saved batches, in order; with ``wait``, all of them."""
        while self.next < self.sent:
            try:
                number, outcome = self.done.get(block=wait)
            except queue.Empty:
                return
            if isinstance(outcome, BaseException):
                self.close()
                raise outcome
            self.received[number] = outcome
            while self.next in self.received:
                yield self.received.pop(self.next)
                self.next += 1

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()


def _get_or_create_source(name: str, domain: str) -> Source | None:
    if not name and not domain:
        return None
    if not name:
        found = Source.objects.filter(domain=domain).order_by("pk").first()
        if found:
            return found
        name = domain
    found = Source.objects.filter(name__iexact=name).order_by("pk").first()
    if found:
        return found
    try:
        with transaction.atomic():
            return Source.objects.create(name=name, domain=domain)
    except IntegrityError:  # created meanwhile by another import
        return Source.objects.get(name=name)


def _safely(read: Callable[..., Record | ImportProblem], *args, **kwargs):
    """``read``'s result, or its unexpected error as an ImportProblem."""
    try:
        return read(*args, **kwargs)
    except Exception as error:  # one entry's failure is that entry's alone
        return ImportProblem(f"could not read it: {error!r}")


def _entry_author(entry: Any) -> str:
    """The author's name; RSS gives "news@example.org (Anna Costa)".

    (feedparser's own ``author_detail`` splits such an address wrongly when
    the domain's last label is long.)
    """
    author = entry.get("author", "").strip()
    match = _RSS_AUTHOR.match(author)
    return match.group(1) if match else author


def _entry_date(entry: Any) -> dt.datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return dt.datetime(*parsed[:6], tzinfo=dt.UTC)


def _first_line(error: Exception) -> str:
    return str(error).strip().split("\n")[0][:200]
