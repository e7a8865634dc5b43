"""The JSON API at /api/: each endpoint for anonymous callers, the wrong
role, another reviewer, the right role, and bad input."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from annotations import editing
from annotations.adjudication import adjudicate
from annotations.models import Mention, Quote, Review
from newsreader.models import ApiToken, Article, Entity
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

BODY = (
    "Ilya Rogachev met officials in Baghdad.\n\n"
    "“We are unlikely to join,” Rogachev said on Monday."
)


@pytest.fixture
def tokens(users) -> dict[str, str]:
    return {name: ApiToken.issue(user) for name, user in users.items()}


@pytest.fixture
def article():
    return make_article(body=BODY, title="Russia and the coalition")


@pytest.fixture
def rogachev():
    return make_entity("Ilya Rogachev", aliases=("Rogachyov",))


def call(method: str, path: str, token: str | None = None, body=None, **query):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    client = Client(enforce_csrf_checks=True)
    send = getattr(client, method)
    if body is not None:
        return send(
            f"/api{path}", json.dumps(body), content_type="application/json", **headers
        )
    return send(f"/api{path}", query or None, **headers)


def span(words: str, nth: int = 0, body: str = BODY) -> dict:
    start = -1
    for _ in range(nth + 1):
        start = body.index(words, start + 1)
    return {"start": start, "end": start + len(words), "text": words}


# Tokens --------------------------------------------------------------------------


def test_the_token_page_shows_a_new_key_once_and_a_new_key_replaces_the_old(
    client, users
):
    page = reverse("api-token")
    assert client.get(page).status_code == 302  # to sign in
    client.force_login(users["reviewer"])
    assert "You have no token yet" in client.get(page).text
    made = client.post(page).text
    key = made.split('readonly value="')[1].split('"')[0]
    assert "Copy it now" in made
    shown = client.get(page).text
    assert key not in shown and "not used yet" in shown
    assert call("get", "/articles/1/mentions", key).status_code == 404  # known user
    assert "last used" in client.get(page).text
    client.post(page)
    assert call("get", "/articles/1/mentions", key).status_code == 401


def test_the_key_itself_is_not_stored(users):
    key = ApiToken.issue(users["reviewer"])
    assert not ApiToken.objects.filter(digest__contains=key).exists()
    assert ApiToken.objects.get().digest == ApiToken.digest_of(key)


def test_a_wrong_or_disabled_key_is_a_401_and_the_session_does_not_count(
    client, users, tokens, article, rogachev
):
    mention = {**span("Ilya Rogachev"), "entity_id": rogachev.pk}
    assert (
        call("post", f"/articles/{article.pk}/mentions", "nope", mention).status_code
        == 401
    )
    users["reviewer"].is_active = False
    users["reviewer"].save()
    response = call(
        "post", f"/articles/{article.pk}/mentions", tokens["reviewer"], mention
    )
    assert response.status_code == 401
    # A signed-in browser without a token is anonymous here: no CSRF to forge.
    client.force_login(users["reviewer2"])
    response = client.post(
        f"/api/articles/{article.pk}/mentions",
        json.dumps(mention),
        content_type="application/json",
    )
    assert response.status_code == 401
    assert not Mention.objects.exists()


# Articles ------------------------------------------------------------------------


def test_articles_are_listed_searched_and_read_by_anyone(article):
    make_article(body="Nothing of interest happened.", title="Quiet day")
    listed = call("get", "/articles").json()
    assert listed["count"] == 2
    found = call("get", "/articles", q="coalition").json()
    assert [item["title"] for item in found["items"]] == ["Russia and the coalition"]
    detail = call("get", f"/articles/{article.pk}").json()
    assert detail["body"] == BODY and "body" not in listed["items"][0]
    assert call("get", "/articles/999999").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "before the start"),
        ({"source": 999999}, "source"),
        ({"entity": "no-such-entity"}, "No article mentions"),
        ({"q": "x" * 1000}, "too long"),
    ],
)
def test_bad_article_queries_are_400s_that_say_why(query, message):
    response = call("get", "/articles", **query)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_only_curators_create_articles_which_are_searchable_at_once(tokens):
    new = {
        "title": "Ministers meet in Ankara",
        "text": "The ministers met in Ankara on Tuesday to talk about trade.",
        "url": "https://news.example/ankara",
        "source": "Example News",
        "published": "2026-11-30",
    }
    assert call("post", "/articles", None, new).status_code == 401
    for role in ("reader", "reviewer"):
        response = call("post", "/articles", tokens[role], new)
        assert response.status_code == 403, role
    response = call("post", "/articles", tokens["curator"], new)
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["title"], made["source"]) == (new["title"], "Example News")
    found = call("get", "/articles", q="Ankara trade").json()["items"]
    assert [item["id"] for item in found] == [made["id"]]
    again = call("post", "/articles", tokens["curator"], new)
    assert again.status_code == 409 and again.json()["detail"]
    empty = call("post", "/articles", tokens["curator"], {**new, "title": ""})
    assert empty.status_code == 400 and "title" in empty.json()["detail"]
    assert Article.objects.count() == 1


def test_an_article_made_through_the_api_is_found_at_once_without_its_accents(
    tokens,
):
    new = {"title": "Sinirlioğlu in Ankara", "text": "Feridun Sinirlioğlu spoke."}
    response = call("post", "/articles", tokens["curator"], new)
    assert response.status_code == 201, response.text
    found = call("get", "/articles", q="Sinirlioglu").json()["items"]
    assert [item["id"] for item in found] == [response.json()["id"]]


# Entities ------------------------------------------------------------------------


def test_entities_are_found_by_alias_and_drafts_stay_their_reviewers(
    users, tokens, rogachev
):
    found = call("get", "/entities", q="rogachyov").json()
    assert [e["name"] for e in found["items"]] == ["Ilya Rogachev"]
    assert found["items"][0]["aliases"] == ["Rogachyov"]
    draft = Entity.objects.create_named(
        name="Tomas Lindqvist",
        kind="PERSON",
        status=Entity.Status.DRAFT,
        proposed_by=users["reviewer"],
    )
    assert call("get", f"/entities/{draft.pk}", tokens["reviewer"]).status_code == 200
    for who in (None, tokens["reviewer2"], tokens["reader"]):
        assert call("get", f"/entities/{draft.pk}", who).status_code == 404
        assert call("get", "/entities", who, q="Lindqvist").json()["count"] == 0
    assert call("get", "/entities", kind="ANIMAL").status_code == 400


# A review through the API ---------------------------------------------------------


def test_mentions_go_into_the_callers_review_with_the_pages_checks(
    tokens, users, article, rogachev
):
    path = f"/articles/{article.pk}/mentions"
    mention = {**span("Ilya Rogachev"), "entity_id": rogachev.pk}
    assert call("post", path, None, mention).status_code == 401
    assert call("post", path, tokens["reader"], mention).status_code == 403
    response = call("post", path, tokens["reviewer"], mention)
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["text"], made["entity"]["name"]) == ("Ilya Rogachev", "Ilya Rogachev")
    assert call("post", path, tokens["reviewer"], mention).status_code == 409
    # Another reviewer has a review of their own, and cannot touch this one.
    assert call("get", path, tokens["reviewer2"]).json() == []
    assert [m["id"] for m in call("get", path, tokens["reviewer"]).json()] == [
        made["id"]
    ]
    other = call("delete", f"{path}/{made['id']}", tokens["reviewer2"])
    assert other.status_code == 404
    assert call("delete", f"{path}/{made['id']}", tokens["reviewer"]).status_code == 204
    assert not Mention.objects.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": "Ilya Rogacheff"}, "is 'Ilya Rogachev', not 'Ilya Rogacheff'"),
        ({"end": 10_000}, "cannot end past the text"),
        ({"start": -1}, "greater than or equal to 0"),
        ({"entity_id": 999999}, "There is no entity 999999"),
        ({"entity_id": None}, "Give entity_id or new_entity"),
        ({"new_entity": {"name": "X", "kind": "PERSON"}}, "one of the two"),
        ({"entity_id": None, "new_entity": {"name": "X", "kind": "GOD"}}, "kind"),
        ({"start": "ten"}, "start"),
        (
            {"entity_id": None, "new_entity": {"name": "A\x00B", "kind": "PERSON"}},
            "NUL",
        ),
    ],
)
def test_a_bad_mention_is_a_400_that_says_why_and_saves_nothing(
    tokens, article, rogachev, change, message
):
    mention = {**span("Ilya Rogachev"), "entity_id": rogachev.pk, **change}
    response = call(
        "post", f"/articles/{article.pk}/mentions", tokens["reviewer"], mention
    )
    assert response.status_code == 400, response.text
    assert message in response.json()["detail"]
    assert not Mention.objects.exists()
    assert not Entity.objects.filter(name="X").exists()


def test_a_new_entity_made_through_the_api_is_the_callers_draft(tokens, users, article):
    mention = {
        **span("Rogachev", 1),
        "new_entity": {"name": "Ilya Rogachev", "kind": "PERSON"},
    }
    response = call(
        "post", f"/articles/{article.pk}/mentions", tokens["reviewer"], mention
    )
    assert response.status_code == 201, response.text
    entity = Entity.objects.get()
    assert (entity.status, entity.proposed_by) == (
        Entity.Status.DRAFT,
        users["reviewer"],
    )


def test_quotes_with_parts_cue_and_speaker(tokens, article, rogachev):
    path = f"/articles/{article.pk}/quotes"
    quote = {
        "parts": [span("We are unlikely to join,")],
        "type": "direct",
        "cue": span("said"),
        "speaker_id": rogachev.pk,
    }
    assert call("post", path, None, quote).status_code == 401
    assert call("post", path, tokens["reader"], quote).status_code == 403
    response = call("post", path, tokens["reviewer"], quote)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["speaker"]["name"] == "Ilya Rogachev"
    assert made["cue"]["text"] == "said"
    assert call("post", path, tokens["reviewer"], quote).status_code == 409
    described = {"parts": [span("met officials")], "speaker_description": "officials"}
    response = call("post", path, tokens["reviewer2"], described)
    assert response.json()["speaker_description"] == "officials"
    place = make_entity("Baghdad", kind="PLACE")
    bad = call("post", path, tokens["reviewer2"], {**quote, "speaker_id": place.pk})
    assert bad.status_code == 400 and "place cannot" in bad.json()["detail"]
    no_parts = call("post", path, tokens["reviewer2"], {**quote, "parts": []})
    assert no_parts.status_code == 400
    twice = {**quote, "parts": [span("We are"), span("We are unlikely")]}
    response = call("post", path, tokens["reviewer2"], twice)
    assert response.status_code == 400 and "cannot overlap" in response.json()["detail"]
    nul = {**described, "speaker_description": "offi\x00cials"}
    response = call("post", path, tokens["reviewer2"], nul)
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    assert (
        call("delete", f"{path}/{made['id']}", tokens["reviewer2"]).status_code == 404
    )
    assert call("delete", f"{path}/{made['id']}", tokens["reviewer"]).status_code == 204
    assert list(Quote.objects.values_list("speaker_description", flat=True)) == [
        "officials"
    ]


def test_a_submitted_review_is_closed_to_the_api_too(tokens, article, rogachev):
    path = f"/articles/{article.pk}/review/submit"
    assert call("post", path, None, {}).status_code == 401
    assert call("post", path, tokens["reader"], {}).status_code == 403
    response = call("post", path, tokens["reviewer"], {})
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert call("post", path, tokens["reviewer"], {}).status_code == 409
    mention = {**span("Ilya Rogachev"), "entity_id": rogachev.pk}
    late = call("post", f"/articles/{article.pk}/mentions", tokens["reviewer"], mention)
    assert late.status_code == 409 and "submitted" in late.json()["detail"]
    # The other reviewer's review is still theirs to write.
    other = call(
        "post", f"/articles/{article.pk}/mentions", tokens["reviewer2"], mention
    )
    assert other.status_code == 201


def test_the_gold_is_read_by_anyone_once_adjudicated(users, article, rogachev):
    path = f"/articles/{article.pk}/gold"
    response = call("get", path)
    assert response.status_code == 404
    assert "no curated annotations" in response.json()["detail"]
    for reviewer in ("reviewer", "reviewer2"):
        review = editing.start_review(article=article, reviewer=users[reviewer])
        where = span("Ilya Rogachev")
        editing.create_mention(
            review=review, start=where["start"], end=where["end"], entity=rogachev
        )
        editing.submit_review(review=review)
    adjudicate(article=article, curator=users["curator"], choices={})
    gold = call("get", path).json()
    assert gold["review_status"] == Review.Status.ADJUDICATED
    assert [(e["name"], len(e["mentions"])) for e in gold["entities"]] == [
        ("Ilya Rogachev", 1)
    ]


def test_the_schema_and_its_docs_are_served():
    schema = call("get", "/openapi.json").json()
    assert "/api/articles/{article_id}/mentions" in schema["paths"]
    assert "BearerToken" in json.dumps(schema["components"])
    docs = Client().get("/api/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text


def test_listing_articles_takes_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    for n in range(30):
        make_article(body=f"Story number {n} about nothing.", title=f"Story {n}")
    with django_assert_max_num_queries(3):
        assert len(call("get", "/articles", limit=25).json()["items"]) == 25


def test_the_api_token_command_prints_a_key_that_works(users):
    out = StringIO()
    call_command("api_token", "reviewer", stdout=out)
    key = out.getvalue().strip()
    assert call("get", "/articles/1/mentions", key).status_code == 404  # known user
    with pytest.raises(CommandError, match="no active user 'nobody'"):
        call_command("api_token", "nobody")


def test_an_unknown_api_path_is_a_json_404_that_names_the_path_without_its_slash(
    client,
):
    response = client.get("/api/articles/")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "No such endpoint: /api/articles/. "
        "The API's paths end without a slash: /api/articles"
    }
    assert client.get("/api/nothing").json() == {
        "detail": "No such endpoint: /api/nothing"
    }
    # Pages keep their HTML 404.
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")
