"""Score the suggester against gold annotations: ``manage.py evaluate GOLD.jsonl``."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.evaluation import GoldFileError, build_gazetteer, evaluate, read_gold


class Command(BaseCommand):
    help = (
        "Run the suggester on the texts of a gold JSONL file (the shape of "
        "fixtures/seed/gold.jsonl) and print precision, recall and F1 for "
        "mentions and quotes, and speaker accuracy."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("gold", type=Path, help="a gold JSONL file")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--with-gold-entities",
            action="store_true",
            help="add the gold's own entities and aliases to the entity table's",
        )

    def handle(self, *args, **options) -> None:
        try:
            records = read_gold(options["gold"])
        except GoldFileError as error:
            raise CommandError(str(error)) from error
        gazetteer = build_gazetteer(
            records, with_gold_entities=options["with_gold_entities"]
        )
        report = evaluate(records, gazetteer)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        source = "the entity table" + (
            " and the gold's entities" if options["with_gold_entities"] else ""
        )
        self.stdout.write(
            f"{report.records} gold records; {len(gazetteer)} names from {source}.\n"
        )
        self.stdout.write(report.as_text())
