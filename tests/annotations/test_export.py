from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from annotations.models import Quote
from newsreader.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(monkeypatch) -> Article:
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed", verbosity=0)
    return Article.objects.get()


def fetch(client, article: Article) -> dict:
    response = client.get(reverse("annotations:annotations-jsonld", args=[article.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    return response.json()


def targets(annotation: dict) -> list[dict]:
    target = annotation["target"]
    return target if isinstance(target, list) else [target]


def test_export_is_a_web_annotation_collection(client, seeded):
    data = fetch(client, seeded)
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == len(data["first"]["items"]) == 51 + 9


def test_every_exported_selector_finds_its_words_in_the_body(client, seeded):
    body = seeded.body
    for annotation in fetch(client, seeded)["first"]["items"]:
        for target in targets(annotation):
            position, quote = target["selector"]
            assert position["type"] == "TextPositionSelector"
            assert quote["type"] == "TextQuoteSelector"
            start, end = position["start"], position["end"]
            assert body[start:end] == quote["exact"]
            assert body[:start].endswith(quote["prefix"])
            assert body[end:].startswith(quote["suffix"])
            # The quote selector alone finds the same place again.
            context = quote["prefix"] + quote["exact"] + quote["suffix"]
            assert body.index(context) + len(quote["prefix"]) == start


def test_mentions_have_the_entity_url_as_body_and_quotes_a_speaker_and_type(
    client, seeded
):
    items = fetch(client, seeded)["first"]["items"]
    mentions = [a for a in items if a["motivation"] == "identifying"]
    quotes = [a for a in items if a["motivation"] == "describing"]
    assert len(mentions) == 51
    assert all(a["body"].startswith("http://testserver/entities/") for a in mentions)
    not_yet = next(
        q for q in quotes if targets(q)[0]["selector"][1]["exact"] == "Not yet,"
    )
    kinds = {b["purpose"]: b for b in not_yet["body"]}
    assert kinds["classifying"]["value"] == "direct"
    assert (
        kinds["identifying"]["source"] == "http://testserver/entities/haider-al-abadi/"
    )


def test_selectors_point_at_the_articles_text_within_its_page(client, seeded):
    text_url = reverse("newsreader:article-text", args=[seeded.pk])
    text = client.get(text_url).content.decode("utf-8")
    for annotation in fetch(client, seeded)["first"]["items"]:
        for target in targets(annotation):
            assert target["source"] == "http://testserver" + text_url
            assert target["scope"] == "http://testserver" + seeded.get_absolute_url()
            position, quote = target["selector"]
            assert text[position["start"] : position["end"]] == quote["exact"]


def test_a_quotes_cue_is_a_body_of_its_annotation(client, seeded):
    quotes = [
        a
        for a in fetch(client, seeded)["first"]["items"]
        if a["motivation"] == "describing"
    ]
    cues = {
        targets(q)[0]["selector"][1]["exact"]: [
            b for b in q["body"] if b.get("purpose") == "linking"
        ]
        for q in quotes
    }
    for quote in Quote.objects.filter(article=seeded).select_related("cue"):
        [first] = quote.parts.order_by("start")[:1]
        [cue] = cues[first.exact]
        position, words = cue["selector"]
        assert (position["start"], position["end"]) == (quote.cue.start, quote.cue.end)
        assert words["exact"] == quote.cue.exact
        assert cue["source"].endswith(f"/articles/{seeded.pk}/body.txt")


def test_export_of_an_unknown_article_is_404(client, db):
    response = client.get(reverse("annotations:annotations-jsonld", args=[999]))
    assert response.status_code == 404
