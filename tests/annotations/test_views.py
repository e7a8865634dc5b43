"""The annotation endpoints over HTTP: who may write, what is refused, what is saved.

Every write goes through pytest-django's ``client`` the way htmx sends it:
form-encoded POSTs whose offsets are the browser's UTF-16 positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations import editing
from annotations.models import Mention, Quote, Review, Span
from newsreader.models import Alias, Article, Entity
from tests.factories import make_article, make_entity, make_gold_mention

pytestmark = pytest.mark.django_db

BODY = (
    "Iraqi Prime Minister Haider al-Abadi said the army would retake Ramadi.\n\n"
    "“Not yet,” Abadi told France 24, adding that Baghdad needed help."
)

# An emoji is two UTF-16 code units but one code point. Ọ̀yọ́ keeps its
# combining accents after NFC (there is no precomposed letter for them);
# "cafe\u0301" would not: the canonical body composes it into "café".
EMOJI = "\U0001f600"
OYO = "\u1ecc\u0300y\u1ecd\u0301"
UNICODE_BODY = (
    f"Fans {EMOJI} cheered in {OYO} as Haider al-Abadi arrived.\n\n“Not yet,” he said."
)

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

WRITES = [
    "mention-create",
    "mention-update",
    "quote-create",
    "quote-update",
    "quote-part-create",
    "quote-cue",
    "quote-delete",
    "span-move",
    "span-delete",
    "undo",
    "review-submit",
]
# The endpoints that act on one reviewer's own span, quote or deletion.
OWNED = [
    name
    for name in WRITES
    if name not in {"mention-create", "quote-create", "review-submit"}
]
ENDPOINTS = [*WRITES, "entity-picker"]


# Helpers ---------------------------------------------------------------------


def utf16(text: str) -> int:
    """How far the browser counts to the end of ``text`` (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def where(body: str, words: str, nth: int = 0) -> tuple[int, int]:
    """Code point ``(start, end)`` of the ``nth`` occurrence of ``words``."""
    start = -1
    for _ in range(nth + 1):
        start = body.index(words, start + 1)
    return start, start + len(words)


def selection(body: str, words: str, nth: int = 0) -> dict[str, object]:
    """The POST fields for the ``nth`` occurrence of ``words``, as the browser
    sends them: UTF-16 start and end, and the selected text."""
    start, end = where(body, words, nth)
    return {"start": utf16(body[:start]), "end": utf16(body[:end]), "exact": words}


def url(name: str, article: Article, *args: object) -> str:
    return reverse(f"annotations:{name}", args=[article.pk, *args])


def make_user(name: str, group: str | None = None) -> User:
    user = User.objects.create_user(name, password=f"pw-{name}")
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_review(article: Article, reviewer: User) -> Review:
    return editing.start_review(article=article, reviewer=reviewer)


def make_mention(review: Review, words: str, entity: Entity, nth: int = 0) -> Mention:
    start, end = where(review.article.body, words, nth)
    return editing.create_mention(review=review, start=start, end=end, entity=entity)


def make_quote(review: Review, words: str, *, cue: str = "", **fields) -> Quote:
    body = review.article.body
    return editing.create_quote(
        review=review,
        parts=[where(body, words)],
        cue=where(body, cue) if cue else None,
        **fields,
    )


def signed_in(user: User, **kwargs) -> Client:
    browser = Client(**kwargs)
    browser.force_login(user)
    return browser


def undo_token(text: str) -> str:
    found = re.search(r"/undo/([0-9a-f]+)/", text)
    assert found, "the response offers no undo"
    return found.group(1)


def workspace(response) -> str:
    """The body of a successful write: only the ``#workspace`` fragment."""
    assert response.status_code == 200, response.text[:500]
    text = response.text.lstrip()
    assert text.startswith('<div id="workspace"')
    assert "<html" not in text
    return text


def redraw(response) -> str:
    """The body of a successful new mention: its paragraphs, the entity list,
    the review status and the toast, each swapped in out of band."""
    assert response.status_code == 200, response.text[:500]
    assert response["HX-Reswap"] == "none"
    text = response.text.lstrip()
    assert text.startswith('<p id="p-')
    assert 'id="workspace"' not in text
    return text


def snapshot() -> dict[str, object]:
    """Everything a write could change, to show that a refused one did not."""
    return {
        "spans": sorted(
            Span.objects.values_list(
                "pk", "review_id", "quote_id", "start", "end", "exact"
            )
        ),
        "mentions": sorted(Mention.objects.values_list("pk", "entity_id")),
        "quotes": sorted(
            Quote.objects.values_list(
                "pk", "type", "speaker_id", "speaker_mention_id", "cue_id"
            )
        ),
        "entities": sorted(Entity.objects.values_list("pk", "name")),
        "aliases": sorted(Alias.objects.values_list("pk", "name")),
        "reviews": sorted(Review.objects.values_list("pk", "status")),
    }


def shown_spans(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-span="(\d+)"', response.text)}


def picked(response) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-entity="(\d+)"', response.text)]


@dataclass
class Scene:
    """BODY annotated alike by reviewer and reviewer2: a mention of Abadi, a
    quote with its cue, and a deleted mention of Baghdad (``tokens`` undo it)."""

    article: Article
    abadi: Entity
    maliki: Entity
    france24: Entity
    baghdad: Entity
    mentions: dict[str, Mention]
    quotes: dict[str, Quote]
    tokens: dict[str, str]


@pytest.fixture
def scene(users) -> Scene:
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    maliki = make_entity("Nouri al-Maliki")
    france24 = make_entity("France 24", kind="ORG")
    baghdad = make_entity("Baghdad", kind="PLACE")
    mentions, quotes, tokens = {}, {}, {}
    for who in ("reviewer", "reviewer2"):
        review = make_review(article, users[who])
        mentions[who] = make_mention(review, "Haider al-Abadi", abadi)
        quotes[who] = make_quote(review, "Not yet,", cue="told")
        doomed = make_mention(review, "Baghdad", baghdad)
        deleted = signed_in(users[who]).post(url("span-delete", article, doomed.pk))
        tokens[who] = undo_token(deleted.text)
    return Scene(article, abadi, maliki, france24, baghdad, mentions, quotes, tokens)


def request_for(scene: Scene, name: str, owner: str = "reviewer") -> tuple[str, dict]:
    """A valid request to endpoint ``name`` about ``owner``'s annotations."""
    article, body = scene.article, scene.article.body
    span = scene.mentions[owner].span
    quote = scene.quotes[owner]
    return {
        "mention-create": (
            url("mention-create", article),
            {**selection(body, "France 24"), "entity": scene.france24.pk},
        ),
        "mention-update": (
            url("mention-update", article, span.pk),
            {"entity": scene.maliki.pk},
        ),
        "quote-create": (
            url("quote-create", article),
            {**selection(body, "the army would retake Ramadi"), "type": "indirect"},
        ),
        "quote-update": (url("quote-update", article, quote.pk), {"type": "partial"}),
        "quote-part-create": (
            url("quote-part-create", article, quote.pk),
            selection(body, "Baghdad needed help"),
        ),
        "quote-cue": (url("quote-cue", article, quote.pk), selection(body, "adding")),
        "quote-delete": (url("quote-delete", article, quote.pk), {}),
        "span-move": (
            url("span-move", article, span.pk),
            selection(body, "al-Abadi"),
        ),
        "span-delete": (url("span-delete", article, span.pk), {}),
        "undo": (url("undo", article, scene.tokens[owner]), {}),
        "review-submit": (url("review-submit", article), {}),
        "entity-picker": (url("entity-picker", article), {"q": "Abadi"}),
    }[name]


def send(client: Client, scene: Scene, name: str, owner: str = "reviewer", **kwargs):
    path, data = request_for(scene, name, owner)
    if name == "entity-picker":
        return client.get(path, data, **kwargs)
    return client.post(path, data, **kwargs)


# Who may write ---------------------------------------------------------------


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_user_is_sent_to_log_in(client, scene, name):
    path, _ = request_for(scene, name)
    before = snapshot()
    response = send(client, scene, name)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    expected = path + ("?q=Abadi" if name == "entity-picker" else "")
    assert parse_qs(location.query)["next"] == [expected]
    assert snapshot() == before


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_htmx_request_is_sent_to_log_in_from_the_page_it_came_from(
    client, scene, name
):
    page = "http://testserver" + scene.article.get_absolute_url()
    before = snapshot()
    response = send(
        client,
        scene,
        name,
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )
    # Not a 302: htmx would follow that itself and swap the login page in.
    assert response.status_code == 200
    location = urlsplit(response["HX-Redirect"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [page]
    assert snapshot() == before


@pytest.mark.parametrize("who", ["reader", "outsider"])
@pytest.mark.parametrize("name", ENDPOINTS)
def test_signed_in_user_without_a_reviewer_group_gets_403_with_a_message(
    client, users, scene, name, who
):
    client.force_login(users[who])
    before = snapshot()
    response = send(client, scene, name)
    assert response.status_code == 403
    assert "Only reviewers can annotate" in response.text
    assert snapshot() == before


# A GET of review-submit is the check before submitting (a test of its own).
@pytest.mark.parametrize("name", [name for name in WRITES if name != "review-submit"])
def test_get_request_to_a_write_endpoint_is_405(client, users, scene, name):
    client.force_login(users["reviewer"])
    path, _ = request_for(scene, name)
    before = snapshot()
    assert client.get(path).status_code == 405
    assert snapshot() == before


def test_post_request_to_the_entity_picker_is_405(client, users, scene):
    client.force_login(users["reviewer"])
    assert client.post(url("entity-picker", scene.article)).status_code == 405


@pytest.mark.parametrize("name", OWNED)
def test_reviewer_cannot_touch_another_reviewers_span_quote_or_deletion(
    client, users, scene, name
):
    client.force_login(users["reviewer"])
    before = snapshot()
    response = send(client, scene, name, owner="reviewer2")
    assert response.status_code == 404
    assert snapshot() == before


@pytest.mark.parametrize(
    "name",
    OWNED,
)
def test_spans_and_quotes_are_reached_only_through_their_own_article(
    client, users, scene, name
):
    client.force_login(users["reviewer"])
    elsewhere = make_article()
    path, data = request_for(scene, name)
    path = path.replace(f"/articles/{scene.article.pk}/", f"/articles/{elsewhere.pk}/")
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code == 404
    assert snapshot() == before


def test_curator_can_annotate_too(client, users, scene):
    client.force_login(users["curator"])
    path, data = request_for(scene, "mention-create")
    redraw(client.post(path, data))
    mention = Mention.objects.get(span__review__reviewer=users["curator"])
    assert (mention.span.exact, mention.entity) == ("France 24", scene.france24)


def test_curator_can_open_the_entity_picker(client, users, scene):
    client.force_login(users["curator"])
    assert picked(send(client, scene, "entity-picker"))[0] == scene.abadi.pk


# Each endpoint works on the reviewer's own annotations --------------------------


def test_mention_create_links_the_selection_to_an_existing_entity(client, users, scene):
    client.force_login(users["reviewer"])
    text = redraw(send(client, scene, "mention-create"))
    mention = Mention.objects.get(entity=scene.france24)
    span = mention.span
    assert (span.start, span.end) == where(BODY, "France 24")
    assert span.exact == "France 24"
    assert span.review.reviewer == users["reviewer"]
    assert f'data-span="{span.pk}"' in text
    assert "“France 24” linked to France 24." in text


def _paragraphs(html: str) -> dict[str, str]:
    """Each drawn paragraph of ``html`` by its id, out-of-band marker left out."""
    html = html.replace(' hx-swap-oob="true"', "")
    found = re.findall(r'(<p id="(p-\d+)">.*?</p>)', html, re.S)
    return {pid: whole for whole, pid in found}


def test_mention_create_redraws_only_the_paragraph_it_touches(client, users, scene):
    client.force_login(users["reviewer"])
    response = send(client, scene, "mention-create")
    text = redraw(response)
    drawn = _paragraphs(text)
    assert list(drawn) == ["p-1"]  # "France 24" is in the second paragraph
    # Drawn as the whole page draws it, with the spans already there.
    page = client.get(reverse("newsreader:article-detail", args=[scene.article.pk]))
    assert drawn["p-1"] == _paragraphs(page.text)["p-1"]
    assert re.search(r'id="review-status"[^>]*hx-swap-oob="true">In progress', text)
    # One answer: no second request for the side panel.
    assert "HX-Trigger" not in response


def _entity_counts(html: str) -> list[tuple[str, str]]:
    return re.findall(r'aria-label="Show ([^"]+) in the text: (\d+) mention', html)


def test_a_new_mention_answers_with_the_side_panel_rows_it_changed(
    client, users, scene
):
    client.force_login(users["reviewer"])
    review = scene.mentions["reviewer"].span.review
    make_mention(review, "Abadi", scene.abadi, nth=1)
    # A name new to the list: its row joins the end, with the others of one
    # mention (the list is most mentioned first).
    text = redraw(send(client, scene, "mention-create"))
    new_row = (
        f'<ul hx-swap-oob="beforeend:#entity-list"><li id="entity-{scene.france24.pk}">'
    )
    assert re.sub(r">\s+<", "><", text).count(new_row) == 1
    assert _entity_counts(text) == [("France 24", "1")]
    # A name already in it: only its row, in place.
    data = {**selection(scene.article.body, "Prime Minister"), "entity": scene.abadi.pk}
    text = redraw(client.post(url("mention-create", scene.article), data))
    assert 'id="entity-list"' not in text
    assert f'<li id="entity-{scene.abadi.pk}" hx-swap-oob="true">' in text
    assert _entity_counts(text) == [("Haider al-Abadi", "3")]
    # The page, drawn whole, agrees.
    page = client.get(reverse("newsreader:article-detail", args=[scene.article.pk]))
    assert _entity_counts(page.text) == [("Haider al-Abadi", "3"), ("France 24", "1")]


def test_entity_list_jumps_to_the_first_mention_in_reading_order(client, users):
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    review = make_review(article, users["reviewer"])
    later = make_mention(review, "Abadi", abadi, nth=1)  # made first: lower pk
    first = make_mention(review, "Haider al-Abadi", abadi)
    assert later.span.pk < first.span.pk
    client.force_login(users["reviewer"])
    page = client.get(reverse("newsreader:article-detail", args=[article.pk]))
    entities = page.text[page.text.index('id="entity-list"') :]
    button = rf'class="count link" data-jump="{first.span.pk}"[^>]*>2<'
    assert re.search(button, entities)


def test_mention_across_two_paragraphs_redraws_both(client, users, scene):
    client.force_login(users["reviewer"])
    body = scene.article.body
    start, end = where(body, "Ramadi.")[0], where(body, "“Not yet")[1]
    data = {
        "start": utf16(body[:start]),
        "end": utf16(body[:end]),
        "exact": body[start:end],
        "entity": scene.france24.pk,
    }
    text = redraw(client.post(url("mention-create", scene.article), data))
    span = Span.objects.get(mention__entity=scene.france24)
    drawn = _paragraphs(text)
    assert list(drawn) == ["p-0", "p-1"]
    assert all(f'data-span="{span.pk}"' in paragraph for paragraph in drawn.values())


def test_mention_create_can_name_a_new_entity(client, users, scene):
    client.force_login(users["reviewer"])
    data = {**selection(BODY, "Ramadi"), "new_name": "Ramadi", "kind": "PLACE"}
    redraw(client.post(url("mention-create", scene.article), data))
    ramadi = Entity.objects.get(name="Ramadi")
    assert ramadi.kind == "PLACE"
    assert Mention.objects.get(entity=ramadi).span.exact == "Ramadi"


def test_mention_create_starts_the_reviewers_review(client, users):
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    client.force_login(users["reviewer"])
    data = {**selection(BODY, "Haider al-Abadi"), "entity": abadi.pk}
    redraw(client.post(url("mention-create", article), data))
    review = Review.objects.get(article=article)
    assert review.reviewer == users["reviewer"]
    assert review.status == Review.Status.IN_PROGRESS


def test_mention_update_links_the_mention_to_another_entity(client, users, scene):
    client.force_login(users["reviewer"])
    text = workspace(send(client, scene, "mention-update"))
    mention = scene.mentions["reviewer"]
    mention.refresh_from_db()
    assert mention.entity == scene.maliki
    assert "Now linked to Nouri al-Maliki." in text
    other = scene.mentions["reviewer2"]
    other.refresh_from_db()
    assert other.entity == scene.abadi


def test_mention_update_of_a_speaker_mention_changes_the_quotes_speaker(
    client, users, scene
):
    quote = scene.quotes["reviewer"]
    mention = scene.mentions["reviewer"]
    editing.update_quote(quote=quote, speaker_mention=mention)
    client.force_login(users["reviewer"])
    workspace(send(client, scene, "mention-update"))
    quote.refresh_from_db()
    assert quote.speaker == scene.maliki
    assert quote.speaker_mention == mention


def editor_of(quote: Quote, text: str) -> bool:
    """Whether ``text`` swaps in the editor of ``quote``, with the URLs its
    buttons post to."""
    base = f"/articles/{quote.article_id}/quotes/{quote.pk}/"
    return (
        re.search(
            rf'<div id="editor" data-quote="{quote.pk}"\s+'
            rf'data-update-url="{base}"\s+data-cue-url="{base}cue/"\s+'
            rf'data-parts-url="{base}parts/" hx-swap-oob="true">',
            text,
        )
        is not None
    )


def test_quote_create_marks_a_quote_of_one_part(client, users, scene):
    client.force_login(users["reviewer"])
    text = redraw(send(client, scene, "quote-create"))
    span = Span.objects.get(exact="the army would retake Ramadi")
    assert span.quote.type == Quote.Type.INDIRECT
    assert span.quote.review.reviewer == users["reviewer"]
    assert list(span.quote.parts.all()) == [span]
    # Its editor opens, and the quote list has it, both in the one answer.
    assert editor_of(span.quote, text)
    quotes = text[text.index('<section id="quotes"') :]
    assert re.search(r'Quotes <span class="count">2</span>', quotes)
    assert "the army would retake Ramadi" in quotes
    assert "Now choose who said it." in text


def test_quote_create_without_a_type_is_direct(client, users, scene):
    client.force_login(users["reviewer"])
    data = selection(BODY, "the army would retake Ramadi")
    redraw(client.post(url("quote-create", scene.article), data))
    assert Span.objects.get(exact=data["exact"]).quote.type == Quote.Type.DIRECT


def test_quote_update_changes_the_type(client, users, scene):
    client.force_login(users["reviewer"])
    redraw(send(client, scene, "quote-update"))
    quote = scene.quotes["reviewer"]
    quote.refresh_from_db()
    assert quote.type == Quote.Type.PARTIAL


def test_quote_update_sets_the_speaker_from_a_mention(client, users, scene):
    client.force_login(users["reviewer"])
    quote, mention = scene.quotes["reviewer"], scene.mentions["reviewer"]
    response = client.post(
        url("quote-update", scene.article, quote.pk),
        {"speaker_mention": mention.pk},
    )
    redraw(response)
    quote.refresh_from_db()
    assert (quote.speaker, quote.speaker_mention) == (scene.abadi, mention)


def test_quote_update_refuses_a_place_as_the_speaker(client, users, scene):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    review = quote.review
    baghdad = make_mention(review, "Baghdad", scene.baghdad)
    before = snapshot()
    for data in (
        {"speaker_mention": baghdad.pk},
        {"entity": scene.baghdad.pk},
        {"new_name": "Mosul", "kind": "PLACE"},
    ):
        response = client.post(url("quote-update", scene.article, quote.pk), data)
        assert response.status_code == 400, data
        assert "A place cannot be the speaker" in response.text
    assert snapshot() == before


def test_quote_update_sets_the_speaker_from_an_entity(client, users, scene):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    response = client.post(
        url("quote-update", scene.article, quote.pk), {"entity": scene.maliki.pk}
    )
    text = redraw(response)
    quote.refresh_from_db()
    assert (quote.speaker, quote.speaker_mention) == (scene.maliki, None)
    # Its marks, the quote list and its editor say so in the same answer.
    assert 'data-label="Direct quote by Nouri al-Maliki"' in text
    quotes = text[text.index('<section id="quotes"') :]
    assert "Nouri al-Maliki</strong> — Not yet," in quotes
    assert editor_of(quote, text)


def test_quote_update_describes_a_source_and_an_entity_replaces_it(
    client, users, scene
):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    address = url("quote-update", scene.article, quote.pk)
    text = redraw(client.post(address, {"speaker_description": " officials "}))
    quote.refresh_from_db()
    assert (quote.speaker, quote.speaker_mention) == (None, None)
    assert quote.speaker_description == "officials"
    assert 'officials <span class="muted">(a source described, no entity)' in text
    redraw(client.post(address, {"entity": scene.maliki.pk}))
    quote.refresh_from_db()
    assert (quote.speaker, quote.speaker_description) == (scene.maliki, "")
    response = client.post(address, {"speaker_description": "x" * 201})
    assert response.status_code == 400
    quote.refresh_from_db()
    assert quote.speaker == scene.maliki


def test_quote_update_can_name_a_new_speaker(client, users, scene):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    response = client.post(
        url("quote-update", scene.article, quote.pk),
        {"new_name": "Ali al-Sistani", "kind": "PERSON"},
    )
    redraw(response)
    quote.refresh_from_db()
    assert quote.speaker.name == "Ali al-Sistani"


def test_quote_part_create_adds_a_second_part(client, users, scene):
    client.force_login(users["reviewer"])
    text = redraw(send(client, scene, "quote-part-create"))
    quote = scene.quotes["reviewer"]
    assert [part.exact for part in quote.parts.order_by("start")] == [
        "Not yet,",
        "Baghdad needed help",
    ]
    assert "Part added to the quote." in text


def test_quote_cue_replaces_the_cue(client, users, scene):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    old_cue = quote.cue
    text = redraw(send(client, scene, "quote-cue"))
    quote.refresh_from_db()
    assert quote.cue.exact == "adding"
    assert (quote.cue.start, quote.cue.end) == where(BODY, "adding")
    assert not Span.objects.filter(pk=old_cue.pk).exists()
    assert "Cue set: “adding”." in text
    # The paragraph is drawn without the old cue.
    assert f'data-span="{quote.cue.pk}"' in text
    assert f'data-span="{old_cue.pk}"' not in text


def test_quote_delete_removes_the_quote_its_parts_and_cue(client, users, scene):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    part_pks = list(quote.parts.values_list("pk", flat=True))
    cue_pk = quote.cue_id
    text = workspace(send(client, scene, "quote-delete"))
    assert not Quote.objects.filter(pk=quote.pk).exists()
    assert not Span.objects.filter(pk__in=[*part_pks, cue_pk]).exists()
    assert Quote.objects.filter(pk=scene.quotes["reviewer2"].pk).exists()
    assert "Quote deleted." in text
    assert undo_token(text)


def test_span_move_gives_the_span_new_words(client, users, scene):
    client.force_login(users["reviewer"])
    text = workspace(send(client, scene, "span-move"))
    span = scene.mentions["reviewer"].span
    span.refresh_from_db()
    assert (span.start, span.end, span.exact) == (*where(BODY, "al-Abadi"), "al-Abadi")
    assert span.prefix.endswith("Haider ")
    assert span.suffix.startswith(" said")
    assert "Now “al-Abadi”." in text


def test_span_delete_removes_the_mention_and_offers_undo(client, users, scene):
    client.force_login(users["reviewer"])
    span = scene.mentions["reviewer"].span
    text = workspace(send(client, scene, "span-delete"))
    assert not Span.objects.filter(pk=span.pk).exists()
    assert not Mention.objects.filter(pk=span.pk).exists()
    assert "Deleted “Haider al-Abadi”." in text
    assert undo_token(text)


def test_undo_puts_back_what_the_reviewer_deleted(client, users, scene):
    client.force_login(users["reviewer"])
    text = workspace(send(client, scene, "undo"))
    mention = Mention.objects.get(
        entity=scene.baghdad, span__review__reviewer=users["reviewer"]
    )
    assert mention.span.exact == "Baghdad"
    assert f'data-span="{mention.pk}"' in text
    assert "Restored." in text
    # reviewer2's deletion stays deleted.
    assert Mention.objects.filter(entity=scene.baghdad).count() == 1


def test_undo_of_a_deleted_quote_restores_it_whole(client, users, scene):
    client.force_login(users["reviewer"])
    quote = scene.quotes["reviewer"]
    parts = sorted(quote.parts.values_list("pk", "start", "end"))
    cue = quote.cue_id
    token = undo_token(workspace(send(client, scene, "quote-delete")))
    workspace(client.post(url("undo", scene.article, token)))
    quote.refresh_from_db()
    assert sorted(quote.parts.values_list("pk", "start", "end")) == parts
    assert quote.cue_id == cue


def test_undo_with_an_unknown_token_is_404_with_a_message(client, users, scene):
    client.force_login(users["reviewer"])
    before = snapshot()
    response = client.post(url("undo", scene.article, "0" * 32))
    assert response.status_code == 404
    assert "nothing of yours to undo" in response.text
    assert snapshot() == before


def test_undo_with_a_token_that_is_no_token_is_404_not_an_error(client, users, scene):
    client.force_login(users["reviewer"])
    before = snapshot()
    for token in ("%00", "x" * 32, "0" * 31 + "\x00"):
        address = f"/articles/{scene.article.pk}/undo/{token}/"
        response = client.post(address)
        assert response.status_code == 404, token
        assert "nothing of yours to undo" in response.text
    assert snapshot() == before


def test_review_submit_closes_the_review(client, users, scene):
    client.force_login(users["reviewer"])
    text = workspace(send(client, scene, "review-submit"))
    review = Review.objects.get(article=scene.article, reviewer=users["reviewer"])
    assert review.status == Review.Status.SUBMITTED
    assert review.submitted_at is not None
    assert "Review submitted." in text
    other = Review.objects.get(article=scene.article, reviewer=users["reviewer2"])
    assert other.status == Review.Status.IN_PROGRESS


# A submitted review is closed ------------------------------------------------


@pytest.mark.parametrize("name", WRITES)
def test_submitted_review_refuses_changes_with_409(client, users, scene, name):
    review = Review.objects.get(article=scene.article, reviewer=users["reviewer"])
    editing.submit_review(review=review)
    client.force_login(users["reviewer"])
    before = snapshot()
    response = send(client, scene, name)
    assert response.status_code == 409
    assert "This review is submitted; it can no longer be changed." in response.text
    assert snapshot() == before


@pytest.mark.parametrize("name", ["mention-create", "mention-update", "quote-update"])
def test_submitted_review_refusing_a_new_entity_creates_no_entity(
    client, users, scene, name
):
    review = Review.objects.get(article=scene.article, reviewer=users["reviewer"])
    editing.submit_review(review=review)
    client.force_login(users["reviewer"])
    path, data = request_for(scene, name)
    # A person: a quote's speaker cannot be a place.
    data = {**data, "entity": "", "new_name": "Ramadi Mayor", "kind": "PERSON"}
    response = client.post(path, data)
    assert response.status_code == 409
    assert not Entity.objects.filter(name="Ramadi Mayor").exists()


# Bad input -------------------------------------------------------------------


def _unicode_fields(**fields) -> dict[str, object]:
    """A mention of Abadi in UNICODE_BODY with ``fields`` changed (None drops)."""
    data = {**selection(UNICODE_BODY, "Haider al-Abadi"), "entity": "ENTITY"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


_BREAK = utf16(UNICODE_BODY[: UNICODE_BODY.index("\n\n")])
_EMOJI = utf16(UNICODE_BODY[: UNICODE_BODY.index(EMOJI)])
_LENGTH = utf16(UNICODE_BODY)

BAD_MENTIONS = {
    "start equal to end": (
        _unicode_fields(end=selection(UNICODE_BODY, "Haider")["start"], exact="H"),
        "must start before it ends",
    ),
    "start after end": (
        _unicode_fields(start=30, end=20, exact="x"),
        "must start before it ends",
    ),
    "end past the body": (
        _unicode_fields(end=_LENGTH + 1, exact="x"),
        "outside the text",
    ),
    "negative start": (_unicode_fields(start=-1), "start:"),
    "exact does not match": (
        _unicode_fields(exact="Haider al-Abadu"),
        "not 'Haider al-Abadu'",
    ),
    "start inside the emoji": (
        _unicode_fields(start=_EMOJI + 1, exact=" cheered"),
        "falls inside a character",
    ),
    "end inside the emoji": (
        _unicode_fields(start=_EMOJI - 1, end=_EMOJI + 1, exact=" ?"),
        "falls inside a character",
    ),
    "code point offsets instead of UTF-16": (
        _unicode_fields(
            start=UNICODE_BODY.index("Haider"),
            end=UNICODE_BODY.index("Haider") + len("Haider al-Abadi"),
        ),
        "not 'Haider al-Abadi'",
    ),
    "non-numeric start": (_unicode_fields(start="abc"), "start:"),
    "fractional start": (_unicode_fields(start="3.5"), "start:"),
    "huge end": (_unicode_fields(end=10**30), "outside the text"),
    "missing start": (_unicode_fields(start=None), "start:"),
    "missing end": (_unicode_fields(end=None), "end:"),
    "missing exact": (_unicode_fields(exact=None), "exact:"),
    "empty exact": (_unicode_fields(exact=""), "exact:"),
    "exact with a NUL byte": (_unicode_fields(exact="Haider\x00al-Abadi"), "exact:"),
    "nothing at all": ({}, "start:"),
    "unknown entity id": (
        _unicode_fields(entity=987654321),
        "That entity does not exist",
    ),
    "entity id too big for the database": (
        _unicode_fields(entity=2**70),
        "That entity does not exist",
    ),
    "non-numeric entity id": (
        _unicode_fields(entity="abadi"),
        "That entity does not exist",
    ),
    "neither entity nor new name": (
        _unicode_fields(entity=None),
        "Choose an entity, or name a new one.",
    ),
    "blank new name": (
        _unicode_fields(entity=None, new_name="   ", kind="PERSON"),
        "Choose an entity, or name a new one.",
    ),
    "new name without kind": (
        _unicode_fields(entity=None, new_name="Haider al-Abadi"),
        "person, organisation or place",
    ),
    "new name with an unknown kind": (
        _unicode_fields(entity=None, new_name="Haider al-Abadi", kind="ALIEN"),
        "kind:",
    ),
    "new name with a NUL byte": (
        _unicode_fields(entity=None, new_name="Abadi\x00", kind="PERSON"),
        "new_name:",
    ),
    "start between the two newlines of a paragraph break": (
        _unicode_fields(
            start=_BREAK + 1, end=selection(UNICODE_BODY, "“Not")["end"], exact="\n“Not"
        ),
        "between two paragraphs",
    ),
    "end between the two newlines of a paragraph break": (
        _unicode_fields(
            start=selection(UNICODE_BODY, "arrived.")["start"],
            end=_BREAK + 1,
            exact="arrived.\n",
        ),
        "between two paragraphs",
    ),
}


@pytest.fixture
def unicode_article(users) -> Article:
    return make_article(body=UNICODE_BODY)


@pytest.mark.parametrize("case", BAD_MENTIONS)
def test_mention_create_refuses_bad_input_with_400_and_saves_nothing(
    client, users, unicode_article, case
):
    abadi = make_entity("Haider al-Abadi")
    data, message = BAD_MENTIONS[case]
    data = {k: abadi.pk if v == "ENTITY" else v for k, v in data.items()}
    client.force_login(users["reviewer"])
    before = snapshot()
    response = client.post(url("mention-create", unicode_article), data)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert message in response.text
    assert snapshot() == before


def test_mention_create_refuses_a_merged_entity(client, users, unicode_article):
    abadi = make_entity("Haider al-Abadi")
    duplicate = make_entity("H. al-Abadi", merged_into=abadi)
    client.force_login(users["reviewer"])
    before = snapshot()
    response = client.post(
        url("mention-create", unicode_article), _unicode_fields(entity=duplicate.pk)
    )
    assert response.status_code == 400
    assert "That entity does not exist" in response.text
    assert snapshot() == before


def test_mention_create_on_a_missing_article_is_404(client, users):
    client.force_login(users["reviewer"])
    response = client.post(
        reverse("annotations:mention-create", args=[987654321]),
        {"start": 0, "end": 1, "exact": "x", "new_name": "X", "kind": "PERSON"},
    )
    assert response.status_code == 404
    assert not Entity.objects.exists()


BAD_SELECTIONS = {
    "exact does not match": (
        {**selection(BODY, "Baghdad needed help"), "exact": "Baghdad needs help"},
        "not 'Baghdad needs help'",
    ),
    "start equal to end": ({"start": 5, "end": 5, "exact": "x"}, "start before"),
    "end past the body": (
        {"start": 0, "end": utf16(BODY) + 1, "exact": BODY},
        "outside the text",
    ),
    "across the middle of a paragraph break": (
        {
            "start": utf16(BODY[: BODY.index("\n\n") + 1]),
            "end": utf16(BODY[: BODY.index("“Not")]),
            "exact": "\n",
        },
        "between two paragraphs",
    ),
    "missing exact": ({"start": 0, "end": 5}, "exact:"),
}


@pytest.mark.parametrize("case", BAD_SELECTIONS)
@pytest.mark.parametrize(
    "name", ["quote-create", "quote-part-create", "quote-cue", "span-move"]
)
def test_selection_endpoints_refuse_bad_selections_with_400(
    client, users, scene, name, case
):
    client.force_login(users["reviewer"])
    path, _ = request_for(scene, name)
    data, message = BAD_SELECTIONS[case]
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code == 400
    assert message in response.text
    assert snapshot() == before


def test_quote_create_refuses_an_unknown_type(client, users, scene):
    client.force_login(users["reviewer"])
    path, data = request_for(scene, "quote-create")
    before = snapshot()
    response = client.post(path, {**data, "type": "rumour"})
    assert response.status_code == 400
    assert "type:" in response.text
    assert snapshot() == before


BAD_ENTITY_CHOICES = {
    "mention-update": {
        "nothing": ({}, "Choose an entity, or name a new one."),
        "unknown entity": ({"entity": 987654321}, "That entity does not exist"),
        "new name without kind": ({"new_name": "Abadi"}, "person, organisation"),
    },
    "quote-update": {
        "nothing": ({}, "Nothing to change."),
        "unknown type": ({"type": "rumour"}, "type:"),
        "unknown entity": ({"entity": 987654321}, "That entity does not exist"),
        "new name without kind": ({"new_name": "Abadi"}, "person or an organisation"),
        "another reviewer's mention": ("OTHER", "That is not one of your mentions."),
    },
}


@pytest.mark.parametrize(
    ("name", "case"),
    [(name, case) for name, cases in BAD_ENTITY_CHOICES.items() for case in cases],
)
def test_entity_choices_refuse_bad_input_with_400(client, users, scene, name, case):
    client.force_login(users["reviewer"])
    path, _ = request_for(scene, name)
    data, message = BAD_ENTITY_CHOICES[name][case]
    if data == "OTHER":
        data = {"speaker_mention": scene.mentions["reviewer2"].pk}
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code == 400
    assert message in response.text
    assert snapshot() == before


# Offsets come from the browser in UTF-16 -------------------------------------


def test_mention_after_an_emoji_and_combining_accents_is_saved_in_code_points(
    client, users, unicode_article
):
    abadi = make_entity("Haider al-Abadi")
    body = unicode_article.body
    assert EMOJI in body and OYO in body  # the canonical body kept both
    prefix = body[: body.index("Haider")]
    start16 = len(prefix.encode("utf-16-le")) // 2
    assert start16 == len(prefix) + 1  # the emoji is one code point, two units
    client.force_login(users["reviewer"])
    data = {
        "start": start16,
        "end": start16 + len("Haider al-Abadi"),
        "exact": "Haider al-Abadi",
        "entity": abadi.pk,
    }
    redraw(client.post(url("mention-create", unicode_article), data))
    span = Span.objects.get()
    assert (span.start, span.end) == (len(prefix), len(prefix) + len("Haider al-Abadi"))
    assert span.exact == body[span.start : span.end] == "Haider al-Abadi"
    assert span.prefix.endswith(f"{OYO} as ")


def test_selection_containing_the_emoji_and_accents_is_saved_whole(
    client, users, unicode_article
):
    words = f"{EMOJI} cheered in {OYO}"
    client.force_login(users["reviewer"])
    data = {**selection(UNICODE_BODY, words), "new_name": "Crowd", "kind": "OTHER"}
    assert data["end"] - data["start"] == len(words) + 1
    redraw(client.post(url("mention-create", unicode_article), data))
    span = Span.objects.get()
    assert (span.start, span.end) == where(UNICODE_BODY, words)
    assert span.exact == words


def test_selection_across_two_paragraphs_saves_as_one_span(
    client, users, unicode_article
):
    words = "arrived.\n\n“Not yet,”"
    client.force_login(users["reviewer"])
    text = redraw(
        client.post(
            url("quote-create", unicode_article), selection(UNICODE_BODY, words)
        )
    )
    assert list(_paragraphs(text)) == ["p-0", "p-1"]
    span = Span.objects.get()
    assert (span.start, span.end, span.exact) == (*where(UNICODE_BODY, words), words)
    assert span.quote.parts.count() == 1


def test_span_move_takes_utf16_offsets_too(client, users, unicode_article):
    review = make_review(unicode_article, users["reviewer"])
    mention = make_mention(review, "Haider al-Abadi", make_entity("Haider al-Abadi"))
    client.force_login(users["reviewer"])
    data = selection(UNICODE_BODY, OYO)
    workspace(client.post(url("span-move", unicode_article, mention.pk), data))
    mention.span.refresh_from_db()
    assert (mention.span.start, mention.span.end) == where(UNICODE_BODY, OYO)
    assert mention.span.exact == OYO


# CSRF ------------------------------------------------------------------------


def test_post_without_the_csrf_token_is_refused(users, scene):
    browser = signed_in(users["reviewer"], enforce_csrf_checks=True)
    path, data = request_for(scene, "mention-create")
    before = snapshot()
    response = browser.post(path, data)
    assert response.status_code == 403
    assert snapshot() == before


def test_post_with_the_csrf_token_htmx_sends_from_the_body_works(users, scene):
    browser = signed_in(users["reviewer"], enforce_csrf_checks=True)
    page = browser.get(scene.article.get_absolute_url())
    found = re.search(r"<body hx-headers='\{\"x-csrftoken\": \"(\w+)\"\}'>", page.text)
    assert found, "the page gives htmx no CSRF token"
    path, data = request_for(scene, "mention-create")
    response = browser.post(path, data, headers={"X-CSRFToken": found.group(1)})
    redraw(response)
    assert Mention.objects.filter(entity=scene.france24).exists()


# Aliases ---------------------------------------------------------------------


def test_linking_a_new_surface_form_adds_it_as_an_alias(client, users, scene):
    client.force_login(users["reviewer"])
    data = {**selection(BODY, "Abadi", nth=1), "entity": scene.abadi.pk}
    redraw(client.post(url("mention-create", scene.article), data))
    assert list(scene.abadi.aliases.values_list("name", flat=True)) == ["Abadi"]


def test_linking_the_same_surface_form_twice_adds_one_alias(client, users, scene):
    client.force_login(users["reviewer"])
    for nth in (0, 1):  # "Abadi" inside "al-Abadi", then on its own
        data = {**selection(BODY, "Abadi", nth=nth), "entity": scene.abadi.pk}
        redraw(client.post(url("mention-create", scene.article), data))
    assert list(scene.abadi.aliases.values_list("name", flat=True)) == ["Abadi"]
    assert Mention.objects.filter(entity=scene.abadi).count() == 4


def test_linking_the_entitys_own_name_adds_no_alias(client, users):
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    client.force_login(users["reviewer"])
    data = {**selection(BODY, "Haider al-Abadi"), "entity": abadi.pk}
    redraw(client.post(url("mention-create", article), data))
    assert not abadi.aliases.exists()


def test_relinking_a_mention_adds_its_words_as_an_alias_of_the_new_entity(
    client, users, scene
):
    client.force_login(users["reviewer"])
    workspace(send(client, scene, "mention-update"))
    assert list(scene.maliki.aliases.values_list("name", flat=True)) == [
        "Haider al-Abadi"
    ]


# The entity picker -----------------------------------------------------------

PICKER_BODY = (
    "Haider al-Abadi met Omar Hassan in Abadan.\n\n"
    "Ali Hassan was not there, said Adel Abdul Mahdi."
)


@pytest.fixture
def picker_article(users) -> Article:
    return make_article(body=PICKER_BODY)


def test_entity_picker_ranks_haider_al_abadi_first_for_abadi(
    client, users, picker_article
):
    for name in ("Adel Abdul Mahdi", "Nouri al-Maliki", "Ali Abbas"):
        make_entity(name)
    make_entity("Abadan", kind="PLACE")
    abadi = make_entity("Haider al-Abadi")
    client.force_login(users["reviewer"])
    response = client.get(url("entity-picker", picker_article), {"q": "Abadi"})
    assert picked(response)[0] == abadi.pk
    assert "Haider al-Abadi" in response.text


def test_entity_picker_finds_an_entity_by_its_alias(client, users, picker_article):
    rogachev = make_entity("Ilya Rogachev", aliases=("Rogachyov",))
    make_entity("Ilya Repin")
    client.force_login(users["reviewer"])
    response = client.get(url("entity-picker", picker_article), {"q": "rogachyov"})
    assert picked(response)[0] == rogachev.pk


def test_entity_picker_finds_a_name_typed_without_its_accents(
    client, users, picker_article
):
    pena = make_entity("Enrique Peña Nieto")
    make_entity("Omar Hassan")
    client.force_login(users["reviewer"])
    response = client.get(url("entity-picker", picker_article), {"q": "pena"})
    assert picked(response) == [pena.pk]


def test_entity_picker_ranks_an_entity_in_this_article_above_an_equal_one(
    client, users, picker_article
):
    ali = make_entity("Ali Hassan")  # first by name when the scores tie
    omar = make_entity("Omar Hassan")
    review = make_review(picker_article, users["reviewer"])
    make_mention(review, "Omar Hassan", omar)
    client.force_login(users["reviewer"])
    response = client.get(url("entity-picker", picker_article), {"q": "Hassan"})
    assert picked(response)[:2] == [omar.pk, ali.pk]
    assert "in this article" in response.text
    # In another article neither is mentioned, and the name decides.
    elsewhere = make_article(body=PICKER_BODY)
    response = client.get(url("entity-picker", elsewhere), {"q": "Hassan"})
    assert picked(response)[:2] == [ali.pk, omar.pk]


def test_entity_picker_filters_by_kind(client, users, picker_article):
    make_entity("Haider al-Abadi")
    abadan = make_entity("Abadan", kind="PLACE")
    client.force_login(users["reviewer"])
    response = client.get(
        url("entity-picker", picker_article), {"q": "Abad", "kind": "PLACE"}
    )
    assert picked(response) == [abadan.pk]
    assert "Create new place “Abad”" in response.text


def test_entity_picker_leaves_out_merged_entities(client, users, picker_article):
    abadi = make_entity("Haider al-Abadi")
    make_entity("Haidar al-Abadi", merged_into=abadi)
    client.force_login(users["reviewer"])
    response = client.get(url("entity-picker", picker_article), {"q": "Abadi"})
    assert picked(response) == [abadi.pk]


def test_entity_picker_with_no_query_lists_entities_by_name(
    client, users, picker_article
):
    names = ["Zainab Salbi", "Adel Abdul Mahdi", "Mosul"]
    made = {name: make_entity(name) for name in names}
    client.force_login(users["reviewer"])
    response = client.get(url("entity-picker", picker_article))
    assert picked(response) == [made[name].pk for name in sorted(names)]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "Aba\x00di"},
        {"q": "\x00" * 10_000},
        {"q": "Abadi " * 2_000},
        {"q": "x" * 10_000, "kind": "PERSON"},
        {"q": "%_\\'\"; DROP TABLE newsreader_entity; --"},
        "q=%ED%A0%80%FF",  # not UTF-8 at all
        {"q": "   "},
        {"q": "Abadi", "kind": "<script>"},
        {"kind": "\x00"},
    ],
    ids=lambda params: repr(params)[:40],
)
def test_entity_picker_survives_garbage(client, users, picker_article, params):
    make_entity("Haider al-Abadi")
    client.force_login(users["reviewer"])
    path = url("entity-picker", picker_article)
    if isinstance(params, str):
        response = client.get(f"{path}?{params}")
    else:
        response = client.get(path, params)
    assert response.status_code == 200
    assert "\x00" not in response.text


def test_entity_picker_escapes_names_and_the_query(client, users, picker_article):
    villain = make_entity(f"{SCRIPT} Abadi")
    client.force_login(users["reviewer"])
    path = url("entity-picker", picker_article)
    response = client.get(path, {"q": "Abadi"})
    assert picked(response) == [villain.pk]
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Abadi" in response.text
    response = client.get(path, {"q": IMG})
    assert response.status_code == 200
    assert "<img src=x" not in response.text
    assert "“&lt;img src=x onerror=alert(1)&gt;”" in response.text


# The article page ------------------------------------------------------------


@dataclass
class Layers:
    """One article annotated at every stage a review can be in."""

    article: Article
    gold: Span  # the curator's adjudicated review
    mine: Span  # reviewer, in progress
    submitted: Span  # reviewer2, submitted
    in_progress: Span  # reviewer3, in progress


@pytest.fixture
def layers(users) -> Layers:
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    gold = make_gold_mention(
        article, abadi, "Haider al-Abadi", curator=users["curator"]
    )
    mine = make_mention(make_review(article, users["reviewer"]), "Abadi", abadi, 1)
    review2 = make_review(article, users["reviewer2"])
    submitted = make_mention(review2, "Ramadi", make_entity("Ramadi", kind="PLACE"))
    editing.submit_review(review=review2)
    reviewer3 = make_user("reviewer3", group="reviewer")
    in_progress = make_mention(
        make_review(article, reviewer3), "France 24", make_entity("France 24")
    )
    return Layers(article, gold.span, mine.span, submitted.span, in_progress.span)


@pytest.mark.parametrize("who", ["anonymous", "reader", "outsider"])
def test_article_page_shows_readers_only_the_curated_spans(client, users, layers, who):
    if who != "anonymous":
        client.force_login(users[who])
    response = client.get(layers.article.get_absolute_url())
    assert response.status_code == 200
    assert shown_spans(response) == {layers.gold.pk}
    assert "selection-toolbar" not in response.text


def test_article_page_shows_a_reviewer_only_their_own_spans(client, users, layers):
    client.force_login(users["reviewer"])
    response = client.get(layers.article.get_absolute_url())
    assert response.status_code == 200
    assert shown_spans(response) == {layers.mine.pk}
    assert "selection-toolbar" in response.text


def test_article_page_shows_other_reviewers_submitted_spans_on_request(
    client, users, layers
):
    client.force_login(users["reviewer"])
    response = client.get(layers.article.get_absolute_url(), {"others": "1"})
    assert response.status_code == 200
    # Never another reviewer's work in progress, nor the curated set.
    assert shown_spans(response) == {layers.mine.pk, layers.submitted.pk}
    assert "— reviewer2" in response.text
    # In reviewer2's colour, named beside one's own work; one's own has none.
    colour = users["reviewer2"].pk % 6 + 1
    classes = rf'class="[^"]*\bothers reviewer-{colour}\b[^"]*"'
    assert re.search(rf'{classes} data-span="{layers.submitted.pk}"', response.text)
    assert not re.search(
        rf'class="[^"]*others[^"]*" data-span="{layers.mine.pk}"', response.text
    )
    assert f'<span class="reviewer-{colour}"><span class="swatch"' in response.text


def test_article_page_shows_a_curator_their_own_review(client, users, layers):
    client.force_login(users["curator"])
    response = client.get(layers.article.get_absolute_url())
    assert shown_spans(response) == {layers.gold.pk}


def test_article_page_over_htmx_returns_only_the_workspace(client, users, layers):
    client.force_login(users["reviewer"])
    response = client.get(
        layers.article.get_absolute_url(),
        {"others": "1"},
        headers={"HX-Request": "true"},
    )
    text = workspace(response)
    assert shown_spans(response) == {layers.mine.pk, layers.submitted.pk}
    assert "selection-toolbar" not in text
    assert "HX-Request" in response["Vary"]


def test_article_page_for_a_missing_article_is_404(client):
    response = client.get(reverse("newsreader:article-detail", args=[987654321]))
    assert response.status_code == 404


def test_article_page_escapes_names_aliases_and_the_body(client, users):
    article = make_article(
        title=f"Title {SCRIPT}", body=f"Breaking: {IMG} met {SCRIPT} today."
    )
    villain = make_entity(SCRIPT, aliases=(IMG,))
    make_gold_mention(article, villain, IMG, curator=users["curator"])
    review = make_review(article, users["reviewer"])
    mine = make_mention(review, SCRIPT, villain)
    assert villain.aliases.count() == 1

    for who, params in [
        (None, {}),
        ("reviewer", {"mention": mine.pk}),
    ]:
        if who:
            client.force_login(users[who])
        response = client.get(article.get_absolute_url(), params)
        assert response.status_code == 200
        text = response.text
        assert "<script>alert" not in text
        assert "<img src=x" not in text
        assert "&lt;img src=x onerror=alert(1)&gt;" in text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_mention_create_response_escapes_the_words_and_the_entity(client, users):
    article = make_article(body=f"Breaking: {IMG} met {SCRIPT} today.")
    client.force_login(users["reviewer"])
    data = {**selection(article.body, IMG), "new_name": SCRIPT, "kind": "PERSON"}
    text = redraw(client.post(url("mention-create", article), data))
    assert "<script>alert" not in text
    assert "<img src=x" not in text
    assert Alias.objects.get().name == IMG


def annotate_many(article: Article, review: Review, spans: int) -> None:
    """Mark ``spans`` spans in a ``busy_article``: per paragraph a mention of
    the speaker, a quote with its cue and speaker, and a second mention."""
    body = article.body
    people = {entity.name: entity for entity in Entity.objects.all()}
    made = 0
    paragraph_start = 0
    for number, paragraph in enumerate(body.split("\n\n")):
        name = f"Person {number % 10}"

        def at(words: str, nth: int = 0, *, text=paragraph, base=paragraph_start):
            start, end = where(text, words, nth)
            return base + start, base + end

        for nth in (0, 1):
            if made == spans:
                return
            start, end = at(name, nth)
            editing.create_mention(
                review=review, start=start, end=end, entity=people[name]
            )
            made += 1
            if nth == 0 and made + 2 <= spans:
                editing.create_quote(
                    review=review,
                    parts=[at(f"Point {number},")],
                    cue=at("said"),
                    speaker=people[name],
                )
                made += 2
        paragraph_start += len(paragraph) + 2
    assert made == spans, "the article is too short for that many spans"


def busy_article(paragraphs: int) -> Article:
    return make_article(
        body="\n\n".join(
            f"“Point {n},” Person {n % 10} said, and Person {n % 10} meant it."
            for n in range(paragraphs)
        )
    )


@pytest.mark.parametrize("who", ["anonymous", "reviewer"])
def test_article_page_query_count_does_not_grow_with_the_spans(
    client, users, django_assert_max_num_queries, who
):
    for n in range(10):
        make_entity(f"Person {n}")
    small, large = busy_article(2), busy_article(60)
    for article, spans in ((small, 5), (large, 200)):
        if who == "anonymous":
            review = make_review(article, users["curator"])
            annotate_many(article, review, spans)
            Review.objects.filter(pk=review.pk).update(status="adjudicated")
        else:
            annotate_many(article, make_review(article, users["reviewer"]), spans)
            other = make_review(article, users["reviewer2"])
            annotate_many(article, other, spans)
            editing.submit_review(review=other)
            client.force_login(users["reviewer"])
    params = {"others": "1"} if who == "reviewer" else {}

    with CaptureQueriesContext(connection) as few:
        response = client.get(small.get_absolute_url(), params)
    assert len(shown_spans(response)) == (5 if who == "anonymous" else 10)

    with django_assert_max_num_queries(len(few)):
        response = client.get(large.get_absolute_url(), params)
    assert len(shown_spans(response)) == (200 if who == "anonymous" else 400)


@pytest.mark.parametrize("param", ["mention", "quote"])
@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "-1",
        "99999999999999999999999",
        "²",
    ],
)
def test_article_page_ignores_a_bad_selected_mention_or_quote(
    client, users, layers, param, value
):
    client.raise_request_exception = False
    client.force_login(users["reviewer"])
    response = client.get(layers.article.get_absolute_url(), {param: value})
    assert response.status_code == 200
    assert shown_spans(response) == {layers.mine.pk}


def test_article_page_opens_the_selected_mention_editor(client, users, layers):
    client.force_login(users["reviewer"])
    response = client.get(
        layers.article.get_absolute_url(), {"mention": layers.mine.pk}
    )
    assert 'id="mention-editor-heading"' in response.text
    assert (
        reverse("annotations:span-delete", args=[layers.article.pk, layers.mine.pk])
        in response.text
    )


def test_article_page_opens_no_editor_for_another_reviewers_mention(
    client, users, layers
):
    client.force_login(users["reviewer"])
    response = client.get(
        layers.article.get_absolute_url(),
        {"mention": layers.in_progress.pk, "others": "1"},
    )
    assert response.status_code == 200
    assert 'id="mention-editor-heading"' not in response.text


def test_the_curator_edits_the_gold_on_the_article_page(client, users, scene):
    gold = Review.objects.create(
        article=scene.article, reviewer=users["curator"], status="adjudicated"
    )
    client.force_login(users["curator"])
    page = client.get(scene.article.get_absolute_url()).text
    assert "This is the gold" in page and "Submit review" not in page
    redraw(send(client, scene, "mention-create"))
    assert Span.objects.filter(review=gold, exact="France 24").exists()
    # Readers see the change: the gold is what they read.
    client.force_login(users["reader"])
    assert "France 24" in client.get(scene.article.get_absolute_url()).text


def test_a_submitted_review_stays_closed_while_the_gold_is_editable(
    client, users, scene
):
    Review.objects.filter(reviewer=users["reviewer2"]).update(status="submitted")
    client.force_login(users["reviewer2"])
    response = send(client, scene, "mention-create")
    assert response.status_code == 409
    assert not Mention.objects.filter(entity=scene.france24).exists()


# What the article page tells the workspace script ------------------------------


def _editable(response) -> str:
    found = re.search(r'<div id="workspace"[^>]*\bdata-editable="(\w+)"', response.text)
    assert found, "the workspace says nothing about editing"
    return found.group(1)


def test_the_workspace_is_editable_until_the_review_is_submitted(client, users, scene):
    client.force_login(users["reviewer"])
    assert _editable(client.get(scene.article.get_absolute_url())) == "true"
    editing.submit_review(review=scene.mentions["reviewer"].span.review)
    assert _editable(client.get(scene.article.get_absolute_url())) == "false"


def test_the_workspace_is_editable_before_the_review_starts(client, users):
    client.force_login(users["reviewer"])
    response = client.get(make_article().get_absolute_url())
    assert _editable(response) == "true"


def test_the_curators_gold_stays_editable(client, users, scene):
    Review.objects.create(
        article=scene.article, reviewer=users["curator"], status="adjudicated"
    )
    client.force_login(users["curator"])
    assert _editable(client.get(scene.article.get_absolute_url())) == "true"


def test_an_indirect_quote_is_shown_without_quotation_marks(client, users, scene):
    quote = scene.quotes["reviewer"]
    client.force_login(users["reviewer"])
    page = scene.article.get_absolute_url()
    direct = client.get(page, {"quote": quote.pk}).text
    assert "<blockquote>“Not yet,”</blockquote>" in direct
    Quote.objects.filter(pk=quote.pk).update(type="indirect")
    indirect = client.get(page, {"quote": quote.pk}).text
    assert "<blockquote>Not yet,</blockquote>" in indirect


def test_a_reviewers_empty_entity_list_says_it_is_their_own(client, users):
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    make_gold_mention(article, abadi, "Haider al-Abadi", curator=users["curator"])
    theirs = make_review(article, users["reviewer2"])
    make_mention(theirs, "Abadi", abadi, nth=1)
    editing.submit_review(review=theirs)

    client.force_login(users["reviewer"])
    response = client.get(article.get_absolute_url(), {"others": "1"})
    assert shown_spans(response), "the other reviewer's mention is drawn"
    assert "You have not linked any names in this article yet." in response.text
    assert "No one has been annotated" not in response.text

    client.force_login(users["reader"])
    unread = client.get(make_article().get_absolute_url())
    assert "No one has been annotated in this article yet." in unread.text


def test_a_curator_reopens_a_submitted_review_from_the_adjudication_page(
    client, users, scene
):
    review = scene.mentions["reviewer"].span.review
    editing.submit_review(review=review)
    address = reverse("annotations:review-reopen", args=[scene.article.pk, review.pk])
    client.force_login(users["reviewer"])  # not a curator: not even their own
    assert client.post(address).status_code == 403
    client.force_login(users["curator"])
    page = client.get(
        reverse("annotations:article-adjudicate", args=[scene.article.pk])
    )
    assert f'action="{address}"' in page.text
    assert client.get(address).status_code == 405
    elsewhere = make_article(body=BODY)
    wrong = reverse("annotations:review-reopen", args=[elsewhere.pk, review.pk])
    assert client.post(wrong).status_code == 404
    response = client.post(address)
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.IN_PROGRESS
    assert "reviewer’s review is open again" in client.get(response["Location"]).text
    # Twice: nothing to reopen.
    assert client.post(address).status_code == 409


def test_a_new_entity_name_has_a_sane_length(client, users, scene):
    client.force_login(users["reviewer"])
    path, data = request_for(scene, "mention-create")
    data = {**data, "entity": "", "new_name": "N" * 101, "kind": "ORG"}
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code == 400
    assert "at most 100 characters" in response.text
    assert snapshot() == before
    picker = client.get(url("entity-picker", scene.article), {"q": "x" * 101})
    assert "Too long for a name" in picker.text
    assert "data-new=" not in picker.text


@pytest.mark.parametrize("others", ["0", "1"])
def test_a_new_mentions_answer_draws_the_layers_the_page_shows(
    client, users, layers, others
):
    """The answer's paragraphs hold what the page would: the reviewer's own
    spans, other reviewers' submitted ones when shown, never the curated set
    or a review in progress."""
    client.force_login(users["reviewer"])
    baghdad = make_entity("Baghdad", kind="PLACE")
    answers = []
    for words in ["army", "Baghdad"]:  # one in each paragraph
        start = BODY.index(words)
        response = client.post(
            reverse("annotations:mention-create", args=[layers.article.pk]),
            {
                "start": start,
                "end": start + len(words),
                "exact": words,
                "entity": baghdad.pk,
                "others": others,
            },
            headers={"HX-Request": "true"},
        )
        assert response.status_code == 200
        answers.append(response)
    new = Span.objects.filter(review__reviewer=users["reviewer"]).exclude(
        pk=layers.mine.pk
    )
    expected = {layers.mine.pk, *new.values_list("pk", flat=True)}
    if others == "1":
        expected.add(layers.submitted.pk)
        colour = users["reviewer2"].pk % 6 + 1
        assert (
            f'class="mention kind-place others reviewer-{colour}" '
            f'data-span="{layers.submitted.pk}"'
        ) in answers[0].text
    assert set().union(*map(shown_spans, answers)) == expected
