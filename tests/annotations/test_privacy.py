"""A reviewer's unsubmitted work is theirs: the entities and aliases their
links make stay out of public pages and the suggester's table until
curation takes them into the gold (issue 13's attack finding)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotations import editing
from annotations.adjudication import adjudicate
from annotations.suggest.store import table_names
from newsreader.models import Alias, Entity
from tests.annotations.test_views import selection, url
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

BODY = "The Kremlin envoy met Tomas Lindqvist in Baghdad on Monday."


@pytest.fixture
def article():
    return make_article(body=BODY)


@pytest.fixture
def rogachev():
    return make_entity("Ilya Rogachev")


def link(client, article, words: str, **choice) -> None:
    response = client.post(
        url("mention-create", article), {**selection(article.body, words), **choice}
    )
    assert response.status_code == 200, response.text


def entity_list(client, query: str) -> str:
    return client.get(reverse("newsreader:entity-list"), {"q": query}).text


def picker(client, article, query: str) -> str:
    return client.get(url("entity-picker", article), {"q": query}).text


def test_a_new_entity_a_reviewer_links_is_their_draft_until_curated(
    client, users, article
):
    client.force_login(users["reviewer"])
    link(client, article, "Tomas Lindqvist", new_name="Tomas Lindqvist", kind="PERSON")
    lindqvist = Entity.objects.get(name="Tomas Lindqvist")
    assert lindqvist.status == Entity.Status.DRAFT
    assert lindqvist.proposed_by == users["reviewer"]
    page = reverse("newsreader:entity-detail", args=[lindqvist.slug])
    assert client.get(page).status_code == 200
    assert "Tomas Lindqvist" in picker(client, article, "Lindqvist")
    for who in (None, "reviewer2"):
        client.logout()
        if who:
            client.force_login(users[who])
            assert "Tomas Lindqvist" not in picker(client, article, "Lindqvist")
        assert client.get(page).status_code == 404
        assert page not in entity_list(client, "Lindqvist")
    client.force_login(users["curator"])
    assert client.get(page).status_code == 200


def test_an_alias_a_reviewer_links_is_private_and_not_suggested(
    client, users, article, rogachev
):
    client.force_login(users["reviewer"])
    link(client, article, "Kremlin envoy", entity=rogachev.pk)
    alias = Alias.objects.get(entity=rogachev)
    assert (alias.name, alias.proposed_by) == ("Kremlin envoy", users["reviewer"])
    # The reviewer finds the entity by it; no one else does, nor sees it.
    assert "Ilya Rogachev" in picker(client, article, "Kremlin envoy")
    client.force_login(users["reviewer2"])
    assert "Ilya Rogachev" not in picker(client, article, "Kremlin envoy")
    client.logout()
    detail = rogachev.get_absolute_url()
    assert detail not in entity_list(client, "Kremlin envoy")
    listed = entity_list(client, "Rogachev")
    assert detail in listed and "Kremlin envoy" not in listed
    assert "Kremlin envoy" not in client.get(detail).text
    assert "Kremlin envoy" not in {name for name, _ in table_names()}


def test_adjudication_publishes_the_entities_and_names_it_takes(
    users, article, rogachev, client
):
    lindqvist = Entity.objects.create_named(
        name="Tomas Lindqvist",
        kind="PERSON",
        status=Entity.Status.DRAFT,
        proposed_by=users["reviewer"],
    )
    for reviewer in ("reviewer", "reviewer2"):
        review = editing.start_review(article=article, reviewer=users[reviewer])
        for words, entity in [("Kremlin envoy", rogachev), ("Lindqvist", lindqvist)]:
            start = BODY.index(words)
            editing.create_mention(
                review=review, start=start, end=start + len(words), entity=entity
            )
        editing.submit_review(review=review)
    assert not Alias.objects.public().exists()
    adjudicate(article=article, curator=users["curator"], choices={})
    lindqvist.refresh_from_db()
    assert lindqvist.status == Entity.Status.CONFIRMED
    assert set(Alias.objects.public().values_list("name", flat=True)) == {
        "Kremlin envoy",
        "Lindqvist",
    }
    assert "Kremlin envoy" in {name for name, _ in table_names()}
    assert rogachev.get_absolute_url() in entity_list(client, "Kremlin envoy")
    assert lindqvist.get_absolute_url() in entity_list(client, "Lindqvist")


def test_the_curators_confirm_action_publishes_an_entity_and_its_aliases(client, users):
    draft = Entity.objects.create_named(
        name="Tomas Lindqvist",
        kind="PERSON",
        status=Entity.Status.DRAFT,
        proposed_by=users["reviewer"],
    )
    Alias.objects.create(
        entity=draft,
        name="Lindqvist",
        normalized="lindqvist",
        proposed_by=users["reviewer"],
    )
    client.force_login(users["curator"])
    response = client.post(
        reverse("admin:newsreader_entity_changelist"),
        {"action": "confirm_selected", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "Confirmed 1 entities; published 1 aliases." in response.text
    draft.refresh_from_db()
    assert draft.status == Entity.Status.CONFIRMED
    assert Alias.objects.public().get().name == "Lindqvist"


def test_another_reviewers_draft_cannot_be_linked_even_by_its_number(
    client, users, article
):
    draft = Entity.objects.create_named(
        name="Tomas Lindqvist",
        kind="PERSON",
        status=Entity.Status.DRAFT,
        proposed_by=users["reviewer"],
    )
    client.force_login(users["reviewer2"])
    response = client.post(
        url("mention-create", article),
        {**selection(article.body, "Tomas Lindqvist"), "entity": draft.pk},
    )
    assert response.status_code == 400
    assert "does not exist" in response.text
    client.force_login(users["reviewer"])
    link(client, article, "Tomas Lindqvist", entity=draft.pk)
