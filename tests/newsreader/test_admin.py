from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsreader.models import Alias, Article, Entity
from tests.factories import make_article, make_entity, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_client(client, users):
    client.force_login(users["curator"])
    return client


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_rows(n: int) -> None:
    source = make_source()
    for _ in range(n):
        target = make_entity()
        make_entity(aliases=("x",), merged_into=target)
        make_article(source=source)


@pytest.mark.parametrize("model", ["source", "article", "entity"])
def test_changelist_query_count_does_not_grow_with_rows(curator_client, model):
    url = reverse(f"admin:newsreader_{model}_changelist")
    add_rows(2)
    few = count_queries(curator_client, url)
    add_rows(20)
    assert count_queries(curator_client, url) == few


def test_article_changelist_searches_the_text(curator_client):
    make_article(title="Weather", body="The flood reached the town.")
    make_article(title="Sport", body="The match was drawn.")
    response = curator_client.get(
        reverse("admin:newsreader_article_changelist"), {"q": "floods"}
    )
    assert [a.title for a in response.context["cl"].result_list] == ["Weather"]


def test_article_changelist_filters_by_source_and_date(curator_client):
    source = make_source(name="Wire")
    make_article(source=source, title="Kept")
    make_article(title="Other")
    url = reverse("admin:newsreader_article_changelist")
    response = curator_client.get(url, {"source__id__exact": source.pk})
    assert [a.title for a in response.context["cl"].result_list] == ["Kept"]
    assert curator_client.get(url, {"published_at__year": "2024"}).status_code == 200


def test_entity_changelist_searches_aliases_without_accents(curator_client):
    make_entity("Feridun Sinirlioğlu", aliases=("Sinirlioğlu",))
    make_entity("Ilya Rogachev", aliases=("Rogachyov",))
    url = reverse("admin:newsreader_entity_changelist")
    for term in ["rogachyov", "Rogachyov"]:
        response = curator_client.get(url, {"q": term})
        assert [e.name for e in response.context["cl"].result_list] == ["Ilya Rogachev"]
    response = curator_client.get(url, {"q": "sinirlioglu"})
    assert [e.name for e in response.context["cl"].result_list] == [
        "Feridun Sinirlioğlu"
    ]


def test_entity_changelist_filters_by_kind(curator_client):
    make_entity("Baghdad", kind="PLACE")
    make_entity("Abadi", kind="PERSON")
    response = curator_client.get(
        reverse("admin:newsreader_entity_changelist"), {"kind": "PLACE"}
    )
    assert [e.name for e in response.context["cl"].result_list] == ["Baghdad"]


def test_curator_adds_an_entity_with_aliases_inline(curator_client):
    response = curator_client.post(
        reverse("admin:newsreader_entity_add"),
        {
            "kind": "PERSON",
            "name": "Ilya Rogachev",
            "slug": "ilya-rogachev",
            "status": "confirmed",
            "aliases-TOTAL_FORMS": "2",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Rogachyov",
            "aliases-1-name": "Rogačev",
        },
    )
    assert response.status_code == 302
    entity = Entity.objects.get(slug="ilya-rogachev")
    assert sorted(entity.aliases.values_list("normalized", flat=True)) == [
        "rogacev",
        "rogachyov",
    ]


def test_duplicate_alias_in_the_inline_is_an_error_not_a_crash(curator_client):
    response = curator_client.post(
        reverse("admin:newsreader_entity_add"),
        {
            "kind": "PERSON",
            "name": "Feridun Sinirlioğlu",
            "slug": "feridun-sinirlioglu",
            "status": "confirmed",
            "aliases-TOTAL_FORMS": "2",
            "aliases-INITIAL_FORMS": "0",
            "aliases-0-name": "Sinirlioğlu",
            "aliases-1-name": "SINIRLIOGLU",
        },
    )
    assert response.status_code == 200
    assert "This entity already has that alias" in response.text
    assert not Alias.objects.exists()


def test_reviewer_cannot_open_the_admin(client, users):
    client.force_login(users["reviewer"])
    for url in [reverse("admin:index"), reverse("admin:newsreader_entity_changelist")]:
        response = client.get(url)
        assert response.status_code == 403
        assert "The admin site is for curators" in response.text


def test_anonymous_is_sent_to_the_admin_login(client, db):
    response = client.get(reverse("admin:newsreader_entity_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_admin_sets_the_body_hash_when_an_article_is_saved(curator_client):
    source = make_source()
    response = curator_client.post(
        reverse("admin:newsreader_article_add"),
        {
            "source": source.pk,
            "title": "New",
            "body": "One.\r\n\r\nTwo.",
            "language": "en",
            "published_at_0": "2024-01-01",
            "published_at_1": "10:00",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get(title="New")
    assert article.body == "One.\n\nTwo."
    assert article.body_sha256 == Article.hash_body("One.\n\nTwo.")


@pytest.mark.parametrize("model", ["review", "span", "mention", "quote"])
def test_annotation_changelists_stay_at_a_constant_number_of_queries(
    curator_client, users, model
):
    from tests.factories import make_gold_mention

    url = reverse(f"admin:annotations_{model}_changelist")

    def add(n):
        for _ in range(n):
            article = make_article(body="Abadi spoke.")
            make_gold_mention(article, make_entity(), "Abadi", curator=users["curator"])

    add(2)
    few = count_queries(curator_client, url)
    add(10)
    assert count_queries(curator_client, url) == few


def test_a_deleted_span_can_be_recovered_from_its_history(curator_client, users):
    from annotations.editing import delete_span, start_review
    from annotations.models import Span
    from tests.factories import make_gold_mention

    article = make_article(body="Abadi spoke.")
    review = start_review(article=article, reviewer=users["reviewer"])
    mention = make_gold_mention(
        article, make_entity(), "Abadi", curator=users["curator"]
    )
    mention.span.review = review
    mention.span.save()
    delete_span(span=mention.span)
    assert not Span.objects.exists()
    deleted = Span.history.filter(history_type="-").get()
    assert deleted.exact == "Abadi"
    history = reverse("admin:annotations_span_history", args=[deleted.id])
    assert "Abadi" in curator_client.get(history).text
    # The version before the delete opens as a form that puts the span back.
    before = Span.history.filter(history_type="+").get()
    revert = f"{history}{before.history_id}/"
    assert "Revert Abadi" in curator_client.get(revert).text
    fields = ["article", "review", "start", "end", "exact", "prefix", "suffix"]
    data = {
        name: getattr(before, f"{name}_id", None) or getattr(before, name)
        for name in fields
    }
    response = curator_client.post(
        revert, {**data, "status": "accepted", "origin": "human"}
    )
    assert response.status_code == 302
    assert Span.objects.get(pk=deleted.id).exact == "Abadi"


def test_the_admin_index_links_the_curation_pages(curator_client):
    page = curator_client.get(reverse("admin:index")).text
    for name in [
        "annotations:import-list",
        "annotations:agreement-report",
        "admin:newsreader_entity_duplicates",
        "admin:annotations_orphanedspan_changelist",
    ]:
        assert f'href="{reverse(name)}"' in page
