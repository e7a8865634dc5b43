"""Score the suggester against gold annotations: ``manage.py evaluate GOLD.jsonl``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from annotations.evaluation import (
    HELD_OUT_ONE_IN,
    SPLITS,
    TYPES,
    GoldFileError,
    parse_types,
    read_gold,
    run,
)
from annotations.suggest.results import SuggestError


def _types(value: str) -> tuple[str, ...]:
    try:
        return parse_types(value)
    except ValueError as error:
        # argparse names the option; call_command turns it into a CommandError.
        raise argparse.ArgumentTypeError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Run the suggester on the texts of a gold JSONL file (the seed's shape, "
        "fixtures/seed/gold.jsonl, or the quote development set's) and print, "
        "per quote type and for all types together, precision, recall and F1 "
        "for quote parts and whole quotes, and speaker accuracy; mention "
        "figures when the gold lists its entities."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("gold", type=Path, help="a gold JSONL file")
        parser.add_argument("--json", action="store_true", help="print JSON")
        parser.add_argument(
            "--with-gold-entities",
            action="store_true",
            help="add the gold's own entities and aliases to the entity table's",
        )
        parser.add_argument(
            "--types",
            type=_types,
            default=TYPES,
            help=(
                "quote types to score, a comma list of "
                f"{', '.join(TYPES)} (mixed is partial); gold and suggestions "
                "of other types are left out. Default: all"
            ),
        )
        parser.add_argument(
            "--split",
            choices=SPLITS,
            default="all",
            help=(
                f"held-out: the articles whose id's sha256, as a number, is "
                f"divisible by {HELD_OUT_ONE_IN} (about one in {HELD_OUT_ONE_IN}, "
                "fixed forever); develop: the others; all (default): both. "
                "Records without an id are never split: always included"
            ),
        )

    def handle(self, *args, **options) -> None:
        try:
            records = read_gold(options["gold"])
            report = run(
                records,
                with_gold_entities=options["with_gold_entities"],
                types=options["types"],
                split=options["split"],
            )
        except (GoldFileError, SuggestError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
            return
        source = "the entity table" + (
            " and the gold's entities" if options["with_gold_entities"] else ""
        )
        self.stdout.write(
            f"{report.records} gold records (split: {report.split}); "
            f"types: {', '.join(report.types)}.\n"
            f"Gazetteer: {report.gazetteer.entities} entities, "
            f"{report.gazetteer.names} names and aliases, from {source}.\n"
            f"Model: {report.model or 'none, the rules alone'}.\n"
        )
        self.stdout.write(report.as_text())
