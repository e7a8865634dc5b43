"""Propose mentions, quotes and speakers for articles: ``manage.py suggest``."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from annotations.suggest.results import SuggestError
from annotations.suggest.store import (
    SuggestSummary,
    gazetteer_from_db,
    suggest_articles,
)
from newsreader.models import Article


class Command(BaseCommand):
    help = (
        "Store suggested mentions, quotes and speakers for articles, replacing "
        "their earlier suggestions that no one has accepted or rejected."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument(
            "--article",
            type=int,
            nargs="+",
            action="extend",
            metavar="ID",
            help="articles' ids (--article 3 5, or --article 3 --article 5)",
        )
        which.add_argument("--all", action="store_true", help="every article")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=200,
            help="articles stored per transaction (default 200)",
        )

    def handle(self, *args, **options) -> None:
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        articles = Article.objects.order_by("pk").only("pk", "body")
        if options["article"]:
            wanted = set(options["article"])
            articles = articles.filter(pk__in=wanted)
            missing = wanted - set(articles.values_list("pk", flat=True))
            if missing:
                listed = ", ".join(str(pk) for pk in sorted(missing))
                raise CommandError(f"No article with id {listed}.")
        batch_size = options["batch_size"]

        def progress(total: SuggestSummary) -> None:
            self.stderr.write(f"\r{total.articles} articles", ending="")

        began = time.perf_counter()
        try:
            total = suggest_articles(
                articles=articles.iterator(chunk_size=batch_size),
                gazetteer=gazetteer_from_db(),
                batch_size=batch_size,
                progress=progress,
            )
        except SuggestError as error:
            raise CommandError(str(error)) from error
        if total.articles:
            self.stderr.write("")
        seconds = time.perf_counter() - began
        self.stdout.write(
            self.style.SUCCESS(f"Suggested for {total} ({seconds:.1f} s).")
        )
