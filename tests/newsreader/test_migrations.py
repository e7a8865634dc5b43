from __future__ import annotations

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from annotations.models import CuratedQuote
from newsreader.models import SEARCH_CONFIG, Alias

BEFORE_REFOLD = [("newsreader", "0011_entity_name_fold")]


@pytest.mark.django_db(transaction=True)
def test_aliases_stored_before_the_new_fold_get_its_keys_one_per_entity():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_REFOLD)
    old = executor.loader.project_state(BEFORE_REFOLD).apps
    entity = old.get_model("newsreader", "Entity")
    alias = old.get_model("newsreader", "Alias")
    lodz = entity.objects.create(name="Łódź", slug="lodz", kind="PLACE")
    # As the fold before stored them: Ł and ’ kept.
    alias.objects.create(entity=lodz, name="Lodz", normalized="lodz")
    alias.objects.create(entity=lodz, name="Łódź", normalized="łodz")
    obrien = entity.objects.create(name="Conan O’Brien", slug="o-brien", kind="PERSON")
    alias.objects.create(entity=obrien, name="O’Brien", normalized="o’brien")
    try:
        call_command("migrate", "newsreader", verbosity=0)
        assert sorted(Alias.objects.values_list("name", "normalized")) == [
            ("Lodz", "lodz"),
            ("O’Brien", "o'brien"),
        ]
    finally:
        call_command("migrate", verbosity=0)


BEFORE_GOLD_QUOTES = [("annotations", "0008_span_quote_words")]


@pytest.mark.django_db(transaction=True)
def test_the_gold_quotes_already_there_are_searchable_after_the_migration(users):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_GOLD_QUOTES)
    old = executor.loader.project_state(BEFORE_GOLD_QUOTES).apps
    article = old.get_model("newsreader", "Article").objects.create(
        title="Talks", body="Officials said the talks failed.", body_sha256="x"
    )
    quote = old.get_model("annotations", "Quote")
    span = old.get_model("annotations", "Span")
    for reviewer, status in (("curator", "adjudicated"), ("reviewer", "submitted")):
        review = old.get_model("annotations", "Review").objects.create(
            article=article, reviewer_id=users[reviewer].pk, status=status
        )
        said = quote.objects.create(
            article=article, review=review, speaker_description="officials"
        )
        span.objects.create(
            article=article, review=review, quote=said, start=15, end=31,
            exact="the talks failed",
        )  # fmt: skip
    try:
        call_command("migrate", "annotations", verbosity=0)
        assert list(
            CuratedQuote.objects.filter(
                words=SearchQuery("talk", config=SEARCH_CONFIG)
            ).values_list("quote__review__reviewer__username", "described")
        ) == [("curator", True)]
    finally:
        call_command("migrate", verbosity=0)
