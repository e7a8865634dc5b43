"""Read annotations back as one reviewer's reviews: gold-shaped JSONL, or
Label Studio's or doccano's export."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotations.gold import GoldError
from annotations.interchange import import_doccano, import_jsonl, import_label_studio
from annotations.models import Review


class Command(BaseCommand):
    help = (
        "Import annotations as the named reviewer's reviews: JSONL in the shape "
        "of gold.jsonl, Label Studio's JSON export (--format label-studio) or "
        "doccano's JSONL export (--format doccano). Articles are matched by URL, "
        "text or id; missing entities are made. Bad lines (or tasks) are "
        "reported and skipped; importing a file again adds nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--format", choices=["jsonl", "label-studio", "doccano"], default="jsonl"
        )
        parser.add_argument(
            "--reviewer",
            required=True,
            metavar="NAME",
            help="Whose reviews these are; the user is made if missing.",
        )
        parser.add_argument(
            "--status",
            choices=Review.Status.values,
            default=Review.Status.SUBMITTED,
            help="Status of reviews made by the import (default: submitted).",
        )

    def handle(self, *args, **options) -> None:
        who = {"reviewer_name": options["reviewer"], "status": options["status"]}
        try:
            with open(options["file"], "rb") as stream:
                if options["format"] == "label-studio":
                    report = import_label_studio(data=stream.read(), **who)
                elif options["format"] == "doccano":
                    report = import_doccano(file=stream, **who)
                else:
                    report = import_jsonl(file=stream, **who)
        except OSError as error:
            raise CommandError(
                f"Cannot read {options['file']}: {error.strerror}."
            ) from None
        except GoldError as error:
            raise CommandError(str(error)) from None
        for number, message in report.errors:
            self.stderr.write(f"{report.unit} {number}: {message}")
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} {report.unit}(s) were not imported."
            )
