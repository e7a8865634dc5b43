"""Import articles from JSONL, text and HTML files, web pages and feeds.

It lives in annotations, not beside the importer, because it also queues
suggestions for the new articles.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.tasks import queue_suggestions
from newsreader.importing import ImportSummary, Problem, import_articles

# Duplicates listed one by one at the default verbosity; the rest are counted.
LISTED_DUPLICATES = 20


class Command(BaseCommand):
    help = (
        "Import articles from JSONL files ({title, text | html, url, source, "
        "published, byline} a line), .txt files (first line the title), saved "
        ".html pages, web page URLs and RSS/Atom feeds (files or URLs). "
        "Duplicates (same URL or same text) are skipped; every run ends with "
        "a summary. Exits with status 1 if any item failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("items", nargs="+", metavar="PATH_OR_URL")
        parser.add_argument(
            "--no-title",
            action="store_true",
            help="the first line of a .txt file is text, not the title "
            "(the file name becomes the title)",
        )
        parser.add_argument(
            "--source",
            default="",
            metavar="NAME",
            help="publisher name for records that do not name one",
        )
        parser.add_argument(
            "--no-suggest",
            action="store_true",
            help="queue no suggestions for the new articles "
            "(manage.py suggest makes them later)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = _ProgressLine(sys.stderr) if sys.stderr.isatty() else None
        summary = import_articles(
            options["items"],
            no_title=options["no_title"],
            source=options["source"],
            progress=progress,
        )
        if progress:
            progress.done()
        self.report(summary, verbosity=options["verbosity"])
        if summary.article_ids and not options["no_suggest"]:
            queue_suggestions(summary.article_ids)
            self.stdout.write(
                "Suggestions for them are queued for the task worker "
                "(manage.py db_worker)."
            )
        if summary.failed:
            raise CommandError(f"{len(summary.failed):,} item(s) failed; see above.")

    def report(self, summary: ImportSummary, *, verbosity: int) -> None:
        write = self.stdout.write
        ids = summary.article_ids
        line = f"Imported {len(ids):,} article(s)"
        if ids:
            line += f" (ids {ids[0]}–{ids[-1]})" if len(ids) > 10 else f": {ids}"
        write(self.style.SUCCESS(line))
        for item in summary.imported:
            if item.note or verbosity >= 2:
                write(f"  {item.label}: article {item.article_id} {item.note}")
        self.list(
            "Duplicates skipped",
            summary.duplicates,
            limit=None if verbosity >= 2 else LISTED_DUPLICATES,
        )
        if summary.skipped:
            write(f"Skipped {summary.skipped_count:,}:")
            for problem in summary.skipped:
                write(f"  {problem.label}: {problem.reason}")
        self.list("Failed", summary.failed, limit=None, style=self.style.ERROR)

    def list(
        self,
        heading: str,
        problems: list[Problem],
        *,
        limit: int | None,
        style=None,
    ) -> None:
        text = f"{heading}: {len(problems):,}"
        self.stdout.write(style(text) if style and problems else text)
        shown = problems if limit is None else problems[:limit]
        for problem in shown:
            self.stdout.write(f"  {problem.label}: {problem.reason}")
        if len(shown) < len(problems):
            self.stdout.write(
                f"  … and {len(problems) - len(shown):,} more (-v 2 lists them all)"
            )


class _ProgressLine:
    """One line on a terminal, rewritten in place: done/total, percent, rate."""

    def __init__(self, stream) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int | None) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        text = f"Importing: {done:,}"
        if total:
            text += f" / {total:,} ({100 * done / total:.0f}%)"
        text += f", {done / elapsed:,.0f} a second"
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
