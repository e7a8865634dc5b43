"""Tiny factories for tests: each makes one valid row, overrides win."""

from __future__ import annotations

import datetime as dt
import itertools

from django.contrib.auth.models import User
from django.utils.text import slugify

from annotations.models import Mention, Quote, Review, Span
from annotations.spans import quote_selector
from newsreader.models import Alias, Article, Entity, Source
from newsreader.text import canonical_body, normalize_name

_counter = itertools.count(1)


def make_source(**overrides) -> Source:
    n = next(_counter)
    return Source.objects.create(
        **{"name": f"Source {n}", "domain": f"s{n}.example", **overrides}
    )


def make_article(**overrides) -> Article:
    n = next(_counter)
    fields = {
        "title": f"Article {n}",
        "body": f"Body of article {n}.\n\nA second paragraph.",
        "published_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=n),
        **overrides,
    }
    fields["body"] = canonical_body(fields["body"])
    if "source" not in overrides:
        fields["source"] = make_source()
    return Article.objects.create(
        body_sha256=Article.hash_body(fields["body"]), **fields
    )


def make_entity(
    name: str = "", *, aliases: tuple[str, ...] = (), **overrides
) -> Entity:
    name = name or f"Entity {next(_counter)}"
    entity = Entity.objects.create(
        **{"name": name, "slug": slugify(name), "kind": "PERSON", **overrides}
    )
    for alias in aliases:
        Alias.objects.create(
            entity=entity, name=alias, normalized=normalize_name(alias)
        )
    return entity


def make_gold_mention(article: Article, entity: Entity, text: str, *, curator: User):
    """Mark the first ``text`` in the article as a curated mention of ``entity``."""
    start = article.body.index(text)
    review, _ = Review.objects.get_or_create(
        article=article, reviewer=curator, defaults={"status": "adjudicated"}
    )
    span = Span.objects.create(
        article=article,
        review=review,
        start=start,
        end=start + len(text),
        **quote_selector(article.body, start, start + len(text))._asdict(),
    )
    return Mention.objects.create(span=span, entity=entity)


def make_gold_quote(
    article: Article, speaker: Entity | None, text: str, *, curator: User, **fields
) -> Quote:
    """Mark the first ``text`` in the article as a curated quote by ``speaker``."""
    start = article.body.index(text)
    review, _ = Review.objects.get_or_create(
        article=article, reviewer=curator, defaults={"status": "adjudicated"}
    )
    quote = Quote.objects.create(
        article=article, review=review, speaker=speaker, **fields
    )
    Span.objects.create(
        article=article,
        review=review,
        quote=quote,
        start=start,
        end=start + len(text),
        **quote_selector(article.body, start, start + len(text))._asdict(),
    )
    return quote
