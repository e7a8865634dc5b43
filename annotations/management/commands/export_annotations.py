"""Write reviews' annotations as JSONL (the gold shape), W3C JSON-LD, a quotes
CSV, or another tool's format (spaCy, CoNLL-2003, brat, Label Studio, doccano)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urljoin

from django.core.management.base import BaseCommand, CommandError

from annotations.formats import doccano, label_studio
from annotations.formats.brat import export_brat
from annotations.formats.conll import export_conll
from annotations.formats.docbin import export_docbin
from annotations.interchange import (
    export_jsonl,
    export_jsonld,
    export_quotes_csv,
    review_records,
)
from annotations.models import Review

FORMATS = [
    "jsonl",
    "jsonld",
    "csv",
    "spacy",
    "conll",
    "brat",
    "label-studio",
    "doccano",
]


class Command(BaseCommand):
    help = (
        "Export annotations, one review at a time: JSONL in the shape of "
        "gold.jsonl, W3C Web Annotation JSON-LD, a CSV of quotes, a spaCy "
        "DocBin (-o FILE), CoNLL-2003 entities, brat standoff (-o FOLDER), "
        "Label Studio tasks or doccano JSONL. Readers' gold: "
        "--review-status adjudicated."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="jsonl")
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
            "-o",
            "--output",
            metavar="PATH",
            help="Write here, not to stdout: a file, or for brat a folder.",
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

        path = options["output"]
        kind = options["format"]
        if kind in ("spacy", "brat") and not path:
            where = "a folder" if kind == "brat" else "a binary file"
            raise CommandError(f"--format {kind} writes {where}: name it with -o.")
        try:
            if kind == "spacy":
                Path(path).write_bytes(export_docbin(review_records(reviews)))
            elif kind == "brat":
                folder = Path(path)
                folder.mkdir(parents=True, exist_ok=True)
                for name, text in export_brat(review_records(reviews)):
                    (folder / name).write_text(text, encoding="utf-8", newline="")
            else:
                self._write(path, self._chunks(kind, reviews, options["base_url"]))
        except OSError as error:
            raise CommandError(
                f"Cannot write {error.filename or path}: {error.strerror}."
            ) from None

    def _chunks(self, kind: str, reviews, base: str):
        if kind == "jsonld":
            collections = export_jsonld(reviews, lambda path: urljoin(base, path))
            return [json.dumps(collections, ensure_ascii=False, indent=2) + "\n"]
        if kind == "csv":
            return export_quotes_csv(reviews)
        if kind == "conll":
            return export_conll(review_records(reviews))
        if kind == "label-studio":
            tasks = [label_studio.task(r) for r in review_records(reviews)]
            return [json.dumps(tasks, ensure_ascii=False, indent=2) + "\n"]
        if kind == "doccano":
            return (
                json.dumps(doccano.line(record), ensure_ascii=False) + "\n"
                for record in review_records(reviews)
            )
        return export_jsonl(reviews)

    def _write(self, path: str | None, chunks) -> None:
        if not path:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            return
        with open(path, "w", encoding="utf-8", newline="") as stream:
            for chunk in chunks:
                stream.write(chunk)
