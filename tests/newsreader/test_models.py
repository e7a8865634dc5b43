from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from annotations.models import Span
from newsreader.models import HEADLINE_START, HEADLINE_STOP, Alias, Article, Entity
from tests.factories import make_article, make_entity, make_gold_mention

pytestmark = pytest.mark.django_db


def test_two_articles_cannot_share_a_url():
    make_article(url="https://news.example/a")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_article(url="https://news.example/a")


def test_many_articles_may_have_no_url():
    make_article(url="")
    make_article(url="")
    assert Article.objects.filter(url="").count() == 2


def test_search_vector_is_generated_from_title_and_body():
    article = make_article(title="Harvest festival", body="Farmers gathered wheat.")
    article.refresh_from_db()
    assert "harvest" in article.search_vector
    assert "wheat" in article.search_vector


def test_search_ranks_a_title_hit_above_a_body_hit():
    in_body = make_article(title="Weather", body="The flood reached the town.")
    in_title = make_article(
        title="Flood reaches the town", body="Water rose overnight."
    )
    make_article(title="Sport", body="The match was drawn.")
    assert list(Article.objects.search("flood")) == [in_title, in_body]


def test_search_understands_web_search_syntax():
    both = make_article(body="Rain and wind battered the coast.")
    make_article(body="Rain fell softly.")
    assert list(Article.objects.search("rain -softly")) == [both]
    assert list(Article.objects.search('"battered the coast"')) == [both]


def test_search_stems_english_words():
    article = make_article(body="Ministers were negotiating late into the night.")
    assert list(Article.objects.search("negotiation")) == [article]


def test_search_ignores_accents_either_way():
    accented = make_article(title="Peña meets Sinirlioğlu", body="Talks in Ankara.")
    plain = make_article(title="Pena Nieto", body="Sinirlioglu spoke.")
    make_article(body="Penalties were given in Penang.")
    for query in ("Pena", "peña", "SINIRLIOGLU", "sinirlioğlu"):
        assert set(Article.objects.search(query)) == {accented, plain}, query


def test_headlines_mark_the_accented_word_that_an_unaccented_search_found():
    make_article(title="Peña in Ankara", body="Enrique Peña Nieto met Sinirlioğlu.")
    found = Article.objects.search("pena sinirlioglu").with_headlines(
        "pena sinirlioglu"
    )
    article = found.get()
    assert article.title_headline == f"{HEADLINE_START}Peña{HEADLINE_STOP} in Ankara"
    assert f"{HEADLINE_START}Peña{HEADLINE_STOP} Nieto" in article.headline
    assert f"{HEADLINE_START}Sinirlioğlu{HEADLINE_STOP}" in article.headline


def test_alias_is_unique_per_entity_whatever_its_accents_or_case():
    entity = make_entity("Feridun Sinirlioğlu", aliases=("Sinirlioğlu",))
    with pytest.raises(IntegrityError), transaction.atomic():
        Alias.objects.create(
            entity=entity, name="SINIRLIOGLU", normalized="sinirlioglu"
        )


def test_two_entities_may_share_an_alias():
    make_entity("Paris", aliases=("Paris",), kind="PLACE")
    make_entity("Paris Hilton", aliases=("Paris",))
    assert Alias.objects.filter(normalized="paris").count() == 2


def test_alias_clean_fills_the_normalized_form():
    alias = Alias(entity=make_entity(), name="  Rogachyov ")
    alias.clean()
    assert alias.normalized == "rogachyov"


def test_entity_latitude_is_checked_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_entity("Nowhere", kind="PLACE", latitude=91)


def test_entity_cannot_be_merged_into_itself():
    entity = make_entity()
    entity.merged_into = entity
    with pytest.raises(IntegrityError), transaction.atomic():
        entity.save()


def test_entity_search_finds_a_person_by_an_alias():
    rogachev = make_entity("Ilya Rogachev", aliases=("Rogachyov",))
    make_entity("Sergei Kuralenko")
    assert list(Entity.objects.search("Rogachyov")) == [rogachev]


def test_entity_search_ignores_accents_and_case():
    minister = make_entity("Feridun Sinirlioğlu", aliases=("Sinirlioğlu",))
    assert list(Entity.objects.search("sinirlioglu")) == [minister]


def test_entity_search_ignores_accents_case_and_apostrophes_in_names():
    pena = make_entity("Enrique Peña Nieto")
    obrien = make_entity("Conan O’Brien")
    make_entity("Penelope Cruz")
    assert list(Entity.objects.search("pena nieto")) == [pena]
    assert list(Entity.objects.search("PEÑA NIETO")) == [pena]
    assert list(Entity.objects.search("O'Brien")) == [obrien]
    assert Entity.objects.search("pena").first() == pena


def test_entity_search_tolerates_a_misspelling_and_ranks_the_closest_first():
    rogachev = make_entity("Ilya Rogachev")
    rogozin = make_entity("Dmitry Rogozin")
    results = list(Entity.objects.search("Rogachov"))
    assert results[0] == rogachev
    assert rogozin not in results[:1]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Novak Đoković", "novak-dokovic"),
        ("Łukasz Ørsted-Þórsson", "lukasz-orsted-thorsson"),
        ("Conan O’Brien", "conan-obrien"),
        ("Владимир Путин", "vladimir-putin"),
        ("محمد بن سلمان", "mhmd-bn-slmn"),
        ("习近平", "xi-jin-ping"),
    ],
)
def test_new_entities_get_slugs_spelled_in_ascii(name, slug):
    assert Entity.objects.create_named(name=name, kind="PERSON").slug == slug


def test_a_second_entity_of_a_name_gets_a_numbered_slug_and_the_first_keeps_its():
    first = Entity.objects.create_named(name="Владимир Путин", kind="PERSON")
    second = Entity.objects.create_named(name="Vladimir Putin", kind="PERSON")
    first.refresh_from_db()
    assert (first.slug, second.slug) == ("vladimir-putin", "vladimir-putin-2")


def test_span_start_must_come_before_end(users):
    article = make_article(body="Some words here.")
    with pytest.raises(IntegrityError), transaction.atomic():
        Span.objects.create(article=article, start=5, end=5, exact="")


def test_entities_mentioned_in_an_article_count_only_curated_mentions(users):
    article = make_article(body="Abadi met Abadi's aides in Baghdad.")
    abadi = make_entity("Haider al-Abadi")
    baghdad = make_entity("Baghdad", kind="PLACE")
    make_gold_mention(article, abadi, "Abadi", curator=users["curator"])
    make_gold_mention(article, baghdad, "Baghdad", curator=users["curator"])
    span = make_gold_mention(article, abadi, "Abadi's", curator=users["curator"]).span
    span.status = Span.Status.REJECTED
    span.save()

    mentioned = Entity.objects.mentioned_in(article)
    assert [(e.name, e.mention_count) for e in mentioned] == [
        ("Baghdad", 1),
        ("Haider al-Abadi", 1),
    ]


def test_articles_mentioning_an_entity_leave_out_unreviewed_work(users):
    entity = make_entity("Ilya Rogachev")
    curated = make_article(body="Rogachev spoke.")
    draft = make_article(body="Rogachev spoke again.")
    make_gold_mention(curated, entity, "Rogachev", curator=users["curator"])
    review = make_gold_mention(
        draft, entity, "Rogachev", curator=users["reviewer"]
    ).span.review
    review.status = "in_progress"
    review.save()
    assert list(Article.objects.mentioning(entity)) == [curated]


def test_visible_entity_finds_what_visible_to_finds(users):
    from newsreader.models import visible_entity

    others = Entity.objects.create_named(
        name="Tomas Lindqvist",
        kind="PERSON",
        status=Entity.Status.DRAFT,
        proposed_by=users["reviewer2"],
    )
    own = Entity.objects.create_named(
        name="Ana Costa",
        kind="PERSON",
        status=Entity.Status.DRAFT,
        proposed_by=users["reviewer"],
    )
    ownerless = Entity.objects.create_named(
        name="Rui Lopes", kind="PERSON", status=Entity.Status.DRAFT
    )
    suggested = Entity.objects.create_named(
        name="Porto", kind="PLACE", status=Entity.Status.SUGGESTED
    )
    kept = Entity.objects.create_named(name="Lisbon", kind="PLACE")
    merged = Entity.objects.create_named(name="Lisboa", kind="PLACE")
    merged.merged_into = kept
    merged.save()
    entities = [others, own, ownerless, suggested, kept, merged]
    for user in [users["reviewer"], users["curator"], AnonymousUser()]:
        visible = Entity.objects.canonical().visible_to(user)
        for entity in entities:
            found = visible_entity(entity.pk, user)
            assert (found is not None) == visible.filter(pk=entity.pk).exists()
            assert found is None or (found.pk, found.name) == (entity.pk, entity.name)
    assert visible_entity(merged.pk + 1000, users["curator"]) is None
    # The rule is not vacuous: each user sees some of them and not others.
    assert visible_entity(others.pk, users["reviewer"]) is None
    assert visible_entity(own.pk, users["reviewer"]) is not None
    assert visible_entity(others.pk, users["curator"]) is not None
