"""Read gold-shaped JSONL back as one reviewer's reviews."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from annotations.gold import GoldError
from annotations.interchange import import_jsonl
from annotations.models import Review


class Command(BaseCommand):
    help = (
        "Import annotations from JSONL in the shape of gold.jsonl as the named "
        "reviewer's reviews. Articles are matched by URL, text or id; missing "
        "entities are made. Bad lines are reported and skipped; importing a "
        "file again adds nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE.jsonl")
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
        try:
            with open(options["file"], "rb") as lines:
                report = import_jsonl(
                    file=lines,
                    reviewer_name=options["reviewer"],
                    status=options["status"],
                )
        except OSError as error:
            raise CommandError(
                f"Cannot read {options['file']}: {error.strerror}."
            ) from None
        except GoldError as error:
            raise CommandError(str(error)) from None
        for number, message in report.errors:
            self.stderr.write(f"line {number}: {message}")
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} line(s) were not imported.")
