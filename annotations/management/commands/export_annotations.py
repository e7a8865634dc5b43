"""Write reviews' annotations as JSONL (the gold shape), W3C JSON-LD or a quotes CSV."""

from __future__ import annotations

import json
from urllib.parse import urljoin

from django.core.management.base import BaseCommand, CommandError

from annotations.interchange import export_jsonl, export_jsonld, export_quotes_csv
from annotations.models import Review


class Command(BaseCommand):
    help = (
        "Export annotations, one review at a time: JSONL in the shape of "
        "gold.jsonl, W3C Web Annotation JSON-LD, or a CSV of quotes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--format", choices=["jsonl", "jsonld", "csv"], default="jsonl"
        )
        parser.add_argument(
            "--article",
            type=int,
            action="append",
            metavar="ID",
            help="Only this article (repeatable).",
        )
        parser.add_argument(
            "--review-status",
            choices=Review.Status.values,
            action="append",
            help="Only reviews with this status (repeatable); all by default.",
        )
        parser.add_argument(
            "--reviewer", action="append", metavar="NAME", help="Only this reviewer."
        )
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="Write here, not to stdout."
        )
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000/",
            help="Where the site lives, for the URLs in JSON-LD.",
        )

    def handle(self, *args, **options) -> None:
        reviews = Review.objects.all()
        if options["article"]:
            reviews = reviews.filter(article__in=options["article"])
        if options["review_status"]:
            reviews = reviews.filter(status__in=options["review_status"])
        if options["reviewer"]:
            reviews = reviews.filter(reviewer__username__in=options["reviewer"])

        if options["format"] == "jsonld":
            base = options["base_url"]
            collections = export_jsonld(reviews, lambda path: urljoin(base, path))
            chunks = [json.dumps(collections, ensure_ascii=False, indent=2) + "\n"]
        elif options["format"] == "csv":
            chunks = export_quotes_csv(reviews)
        else:
            chunks = export_jsonl(reviews)

        path = options["output"]
        if not path:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        try:
            stream = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        with stream:
            for chunk in chunks:
                stream.write(chunk)
