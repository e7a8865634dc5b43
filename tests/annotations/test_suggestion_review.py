"""A reviewer walks the suggestions: accepting makes one theirs, rejecting hides it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from annotations import editing, redraw, views
from annotations.models import Mention, Quote, Review, Span
from annotations.suggest.store import suggest_article
from newsreader.models import Entity
from tests.concurrency import twice_at_once
from tests.factories import make_article, make_entity

BODY = (
    "Mayor Lena Brandt opened the new bridge in Utrecht on Friday.\n\n"
    "“It took us ten years,” Brandt said."
)


@pytest.fixture
def suggested(db):
    article = make_article(body=BODY)
    brandt = make_entity("Lena Brandt", kind="PERSON", aliases=("Brandt",))
    make_entity("Utrecht", kind="PLACE")
    suggest_article(article=article)
    machine = Span.objects.filter(article=article, review=None, status="suggested")
    return article, brandt, machine


def url(name: str, article, span) -> str:
    return reverse(f"annotations:suggestion-{name}", args=[article.pk, span.pk])


def page(client, article) -> str:
    return client.get(article.get_absolute_url()).text


def test_reviewer_sees_suggestions_dashed_with_a_count(client, users, suggested):
    article, _, machine = suggested
    client.force_login(users["reviewer"])
    text = page(client, article)
    utrecht = machine.get(exact="Utrecht")
    assert f'class="mention kind-place suggested" data-span="{utrecht.pk}"' in text
    # Three mentions (Lena Brandt, Utrecht, Brandt) and one quote.
    assert 'Suggestions <span class="count">4</span>' in text


def test_readers_do_not_see_suggestions(client, users, suggested):
    article, _, _ = suggested
    client.force_login(users["reader"])
    assert "suggested" not in page(client, article)


def test_accepting_a_mention_copies_it_into_the_reviewers_review(
    client, users, suggested
):
    article, _, machine = suggested
    utrecht = machine.get(exact="Utrecht")
    client.force_login(users["reviewer"])
    response = client.post(url("accept", article, utrecht))
    assert response.status_code == 200
    own = Span.objects.get(review__reviewer=users["reviewer"])
    assert (own.start, own.end, own.status, own.origin) == (
        utrecht.start,
        utrecht.end,
        "accepted",
        "rules",
    )
    assert own.mention.entity.name == "Utrecht"
    # The machine's row stays for the other reviewers, but not for this one.
    utrecht.refresh_from_db()
    assert utrecht.status == "suggested"
    assert f'data-span="{utrecht.pk}"' not in response.text
    assert f'data-span="{own.pk}"' in response.text
    client.force_login(users["reviewer2"])
    assert f'data-span="{utrecht.pk}"' in page(client, article)


def test_accepting_a_quote_brings_its_speaker_and_cue_and_confirms_a_new_entity(
    client, users, suggested
):
    article, brandt, machine = suggested
    part = machine.filter(quote__isnull=False).get()
    quote = part.quote
    assert quote.speaker == brandt and quote.cue is not None
    client.force_login(users["reviewer"])
    assert client.post(url("accept", article, part)).status_code == 200
    own = Quote.objects.get(review__reviewer=users["reviewer"])
    assert own.speaker == brandt and own.type == quote.type
    assert [(p.start, p.end) for p in own.parts.all()] == [(part.start, part.end)]
    assert (own.cue.start, own.cue.end) == (quote.cue.start, quote.cue.end)


def test_a_decision_answers_with_what_it_changed_in_one_response(
    client, users, suggested
):
    article, _, machine = suggested
    client.force_login(users["reviewer"])
    utrecht = machine.get(exact="Utrecht")
    response = client.post(url("accept", article, utrecht))
    text = response.text
    # Not the whole workspace: the paragraph, the count, the side panel's
    # entity list (a new name in it) and the toast, swapped in out of band.
    assert response["HX-Reswap"] == "none"
    assert 'id="workspace"' not in text
    assert text.lstrip().startswith('<p id="p-0" hx-swap-oob="true">')
    assert 'id="p-1"' not in text
    assert 'Suggestions <span class="count">3</span>' in text
    assert 'hx-swap-oob="beforeend:#entity-list"' in text
    assert "Show Utrecht in the text: 1 mention" in text
    assert "Accepted “Utrecht”." in text
    # A quote: its paragraph, the quote list with it, and the entity list
    # with its speaker, whose name ("Brandt") is accepted with it.
    part = machine.filter(quote__isnull=False).get()
    text = client.post(url("accept", article, part)).text
    assert 'id="p-1"' in text and 'id="p-0"' not in text
    quotes = text[text.index('<section id="quotes"') :]
    assert "It took us ten years" in quotes
    assert "Show Lena Brandt in the text: 1 mention" in text
    assert 'Suggestions <span class="count">1</span>' in text
    text = client.post(url("reject", article, machine.get(exact="Lena Brandt"))).text
    assert re.search(r'<section id="suggestions"[^>]* hidden hx-swap-oob="true">', text)
    assert 'id="entity-list"' not in text and 'id="quotes"' not in text


def test_a_described_source_is_suggested_and_accepted_as_written(client, users, db):
    article = make_article(
        body="“The bridge will stay shut until May,” a senior official said."
    )
    suggest_article(article=article)
    part = Span.objects.get(article=article, review=None, quote__isnull=False)
    assert (part.quote.speaker, part.quote.speaker_description) == (
        None,
        "a senior official",
    )
    client.force_login(users["reviewer"])
    text = page(client, article)
    assert "Direct quote by a senior official" in text
    assert client.post(url("accept", article, part)).status_code == 200
    own = Quote.objects.get(review__reviewer=users["reviewer"])
    assert (own.speaker, own.speaker_description) == (None, "a senior official")


def test_accepting_a_quote_accepts_the_name_it_is_attributed_to(
    client, users, suggested
):
    article, brandt, machine = suggested
    part = machine.filter(quote__isnull=False).get()
    said = part.quote.speaker_mention.span
    client.force_login(users["reviewer"])
    response = client.post(url("accept", article, part))
    assert response.status_code == 200
    own = Quote.objects.get(review__reviewer=users["reviewer"])
    name = own.speaker_mention.span
    assert (name.start, name.end, name.status) == (said.start, said.end, "accepted")
    assert own.speaker_mention.entity == brandt
    # The name is the reviewer's now, not a suggestion still waiting.
    assert f'data-span="{said.pk}"' not in response.text
    assert f'data-span="{name.pk}"' in response.text


def test_a_quote_takes_the_reviewers_own_link_of_its_speakers_name(
    client, users, suggested
):
    article, _, machine = suggested
    part = machine.filter(quote__isnull=False).get()
    said = part.quote.speaker_mention.span
    other = make_entity("Pieter Brandt", kind="PERSON")
    review = editing.start_review(article=article, reviewer=users["reviewer"])
    mine = editing.create_mention(
        review=review, start=said.start, end=said.end, entity=other
    )
    client.force_login(users["reviewer"])
    assert client.post(url("accept", article, part)).status_code == 200
    own = Quote.objects.get(review__reviewer=users["reviewer"])
    assert (own.speaker, own.speaker_mention) == (other, mine)
    assert review.spans.filter(start=said.start, end=said.end).count() == 1


def test_a_quote_whose_speaker_was_rejected_is_accepted_without_one(client, users, db):
    article = make_article(body="“We will appeal,” said Tomas Lindqvist on Monday.")
    suggest_article(article=article)
    part = Span.objects.get(article=article, quote__isnull=False, review=None)
    speaker = part.quote.speaker
    name = part.quote.speaker_mention.span
    client.force_login(users["reviewer"])
    assert client.post(url("reject", article, name)).status_code == 200
    assert client.post(url("accept", article, part)).status_code == 200
    own = Quote.objects.get(review__reviewer=users["reviewer"])
    assert (own.speaker, own.speaker_mention) == (None, None)
    speaker.refresh_from_db()
    assert speaker.status == Entity.Status.SUGGESTED


def test_accepting_a_proposed_speaker_makes_the_entity_the_reviewers_draft(
    client, users, db
):
    article = make_article(body="“We will appeal,” said Tomas Lindqvist on Monday.")
    suggest_article(article=article)
    part = Span.objects.get(article=article, quote__isnull=False, review=None)
    speaker = part.quote.speaker
    assert speaker.status == Entity.Status.SUGGESTED
    client.force_login(users["reviewer"])
    assert client.post(url("accept", article, part)).status_code == 200
    speaker.refresh_from_db()
    # Kept when the suggester runs again; public once curated.
    assert speaker.status == Entity.Status.DRAFT
    assert speaker.proposed_by == users["reviewer"]


def test_rejecting_hides_the_suggestion_for_this_reviewer_only(
    client, users, suggested
):
    article, _, machine = suggested
    part = machine.filter(quote__isnull=False).get()
    client.force_login(users["reviewer"])
    response = client.post(url("reject", article, part))
    assert response.status_code == 200
    assert "Rejected" in response.text
    assert f'data-span="{part.pk}"' not in response.text
    rejected = Span.objects.get(review__reviewer=users["reviewer"])
    assert (rejected.status, rejected.start, rejected.end) == (
        "rejected",
        part.start,
        part.end,
    )
    assert not Quote.objects.filter(review__reviewer=users["reviewer"]).exists()
    client.force_login(users["reviewer2"])
    assert f'data-span="{part.pk}"' in page(client, article)


def test_running_the_suggester_again_does_not_bring_back_what_was_decided(
    client, users, suggested
):
    article, _, machine = suggested
    utrecht = machine.get(exact="Utrecht")
    client.force_login(users["reviewer"])
    client.post(url("reject", article, utrecht))
    suggest_article(article=article)
    fresh = Span.objects.get(article=article, review=None, exact="Utrecht")
    assert f'data-span="{fresh.pk}"' not in page(client, article)


@pytest.mark.parametrize("verb", ["accept", "reject"])
def test_a_submitted_review_takes_no_more_decisions(client, users, suggested, verb):
    article, _, machine = suggested
    Review.objects.create(
        article=article, reviewer=users["reviewer"], status="submitted"
    )
    client.force_login(users["reviewer"])
    response = client.post(url(verb, article, machine.first()))
    assert response.status_code == 409
    assert not Span.objects.filter(review__reviewer=users["reviewer"]).exists()


@pytest.mark.parametrize("verb", ["accept", "reject"])
def test_only_reviewers_decide_on_suggestions(client, users, suggested, verb):
    article, _, machine = suggested
    span = machine.first()
    assert client.post(url(verb, article, span)).status_code == 302  # to sign in
    client.force_login(users["reader"])
    assert client.post(url(verb, article, span)).status_code == 403
    assert not Span.objects.exclude(review=None).exists()


def test_a_span_that_is_not_an_open_suggestion_is_404(client, users, suggested):
    article, _, machine = suggested
    utrecht = machine.get(exact="Utrecht")
    client.force_login(users["reviewer"])
    client.post(url("accept", article, utrecht))
    own = Span.objects.get(review__reviewer=users["reviewer"])
    assert client.post(url("accept", article, own)).status_code == 404
    other = make_article()
    assert client.post(url("accept", other, utrecht)).status_code == 404
    assert client.get(url("accept", article, utrecht)).status_code == 405


def test_a_new_mention_redraws_its_paragraph_with_the_suggestions_in_it(
    client, users, suggested
):
    article, _, machine = suggested
    bridge = make_entity("The new bridge", kind="PLACE")
    start = BODY.index("bridge")
    client.force_login(users["reviewer"])
    response = client.post(
        reverse("annotations:mention-create", args=[article.pk]),
        {"start": start, "end": start + 6, "exact": "bridge", "entity": bridge.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<p id="p-0"')
    for words in ("Lena Brandt", "Utrecht"):
        suggestion = machine.get(exact=words)
        assert f'suggested" data-span="{suggestion.pk}"' in response.text, words


@pytest.mark.parametrize("second", ["accept", "reject"])
@pytest.mark.parametrize("words", ["Utrecht", "It took us ten years,"])
def test_deciding_a_suggestion_twice_changes_nothing_the_second_time(
    client, users, suggested, words, second
):
    article, _, machine = suggested
    suggestion = machine.get(exact=words)
    client.force_login(users["reviewer"])
    assert client.post(url("accept", article, suggestion)).status_code == 200
    before = sorted(Span.objects.exclude(review=None).values_list("pk", "status"))
    response = client.post(url(second, article, suggestion))  # a double click
    assert response.status_code == 409
    assert "already accepted or rejected" in response.text
    assert sorted(Span.objects.exclude(review=None).values_list("pk", "status")) == (
        before
    )


def test_two_accepts_at_once_make_one_copy(transactional_db, users):
    article = make_article(body=BODY)
    make_entity("Utrecht", kind="PLACE")
    suggest_article(article=article)
    suggestion = Span.objects.get(article=article, review=None, exact="Utrecht")
    Review.objects.create(article=article, reviewer=users["reviewer"])
    outcomes = twice_at_once(
        lambda: editing.start_review(article=article, reviewer=users["reviewer"]),
        lambda review: editing.accept_suggestion(review=review, span=suggestion),
    )
    assert outcomes == ["already", "done"]
    assert Span.objects.filter(review__reviewer=users["reviewer"]).count() == 1


def test_the_submit_check_says_what_is_left_and_changes_nothing(
    client, users, suggested
):
    article, _, machine = suggested
    check = reverse("annotations:review-submit", args=[article.pk])
    client.force_login(users["reviewer"])
    # Before any work: no review is started by looking.
    text = client.get(check).text
    assert "4 suggestions not accepted or rejected yet" in text
    assert not Review.objects.filter(reviewer=users["reviewer"]).exists()
    # Its own quote with no speaker, and a suggestion decided.
    client.post(url("reject", article, machine.get(exact="Utrecht")))
    review = Review.objects.get(reviewer=users["reviewer"])
    part = machine.filter(quote__isnull=False).get()
    quote = editing.create_quote(review=review, parts=[(part.start, part.end)])
    text = client.get(check).text
    assert "2 suggestions not accepted or rejected yet" in text  # Lena Brandt, Brandt
    assert "1 quote without a speaker" in text
    own = quote.parts.get()
    assert f'data-jump="{own.pk}" data-open-quote="{quote.pk}"' in text
    review.refresh_from_db()
    assert review.status == Review.Status.IN_PROGRESS
    assert client.post(check).status_code == 200
    assert client.get(check).status_code == 409
    client.force_login(users["reader"])
    assert client.get(check).status_code == 403


UTRECHT = (
    "Utrecht voted on Friday. Mayor Lena Brandt said Utrecht would wait.\n\n"
    "“It took us ten years,” Brandt said of the bridge in Utrecht."
)


@pytest.fixture
def repeated(db):
    article = make_article(body=UTRECHT)
    make_entity("Lena Brandt", kind="PERSON", aliases=("Brandt",))
    make_entity("Utrecht", kind="PLACE")
    suggest_article(article=article)
    machine = Span.objects.filter(article=article, review=None, status="suggested")
    return article, machine


def test_every_suggestion_of_one_entity_at_once_and_one_undo_for_them(
    client, users, repeated
):
    article, machine = repeated
    decide = reverse("annotations:suggestions-decide", args=[article.pk])
    first = machine.filter(exact="Utrecht").first()
    client.force_login(users["reviewer"])
    response = client.post(decide, {"verb": "accept", "like": first.pk})
    assert response.status_code == 200
    own = Span.objects.filter(review__reviewer=users["reviewer"])
    assert sorted(own.values_list("exact", "status")) == [("Utrecht", "accepted")] * 3
    assert "Accepted 3 suggestions." in response.text
    # The others are still pending: Lena Brandt, Brandt, the two quotes
    # (one of them reported speech).
    quotes = machine.filter(quote__isnull=False).values("quote").distinct().count()
    assert quotes == 2
    assert 'Suggestions <span class="count">4</span>' in response.text
    token = re.search(r'data-undo="[^"]*/undo/([0-9a-f]{32})/"', response.text)[1]
    undo = reverse("annotations:undo", args=[article.pk, token])
    assert "Restored." in client.post(undo).text
    assert not own.exists()
    assert 'Suggestions <span class="count">7</span>' in page(client, article)
    assert client.post(undo).status_code == 404  # once
    # Another reviewer cannot undo it either.
    response = client.post(decide, {"verb": "reject", "kind": "QUOTE"})
    token = re.search(r'data-undo="[^"]*/undo/([0-9a-f]{32})/"', response.text)[1]
    assert set(own.values_list("status", flat=True)) == {"rejected"}
    assert own.count() == machine.filter(quote__isnull=False).count()
    client.force_login(users["reviewer2"])
    undo = reverse("annotations:undo", args=[article.pk, token])
    assert client.post(undo).status_code == 404


def test_every_suggestion_of_a_kind_or_all_that_are_left(client, users, repeated):
    article, machine = repeated
    decide = reverse("annotations:suggestions-decide", args=[article.pk])
    client.force_login(users["reviewer"])
    client.post(decide, {"verb": "reject", "kind": "PERSON"})
    own = Span.objects.filter(review__reviewer=users["reviewer"])
    assert sorted(own.values_list("exact", flat=True)) == ["Brandt", "Lena Brandt"]
    client.post(decide, {"verb": "accept"})  # all that are left
    accepted = own.filter(status="accepted")
    assert accepted.filter(quote__isnull=False).count() == 2
    assert accepted.filter(exact="Utrecht").count() == 3
    assert 'Suggestions <span class="count">0</span>' in page(client, article)
    # Nothing left, a bad verb, a reader: clear refusals, nothing changed.
    count = own.count()
    assert client.post(decide, {"verb": "accept"}).status_code == 409
    assert client.post(decide, {"verb": "maybe"}).status_code == 400
    client.force_login(users["reader"])
    assert client.post(decide, {"verb": "accept"}).status_code == 403
    assert own.count() == count


def test_an_accept_asks_for_the_quote_of_its_suggestion_once(
    client, users, suggested, django_assert_max_num_queries
):
    """The suggestion's quote (here: none, as of a mention) comes with the
    suggestion, not in two more queries."""
    article, _, machine = suggested
    client.force_login(users["reviewer"])
    client.post(url("accept", article, machine.get(exact="Lena Brandt")))
    with django_assert_max_num_queries(19):
        response = client.post(url("accept", article, machine.get(exact="Utrecht")))
    assert "Accepted “Utrecht”." in response.text


THREE_PARAGRAPHS = (
    "Ana Costa met Rui Lopes in Porto, “We agree on the bridge,” she said.\n\n"
    "“And on the tunnel,” Costa added. Lopes replied: “Not yet.”\n\n"
    "“Later,” Lopes said, “maybe.”"
)


def test_an_answer_draws_and_counts_the_suggestions_left_as_the_page_does(users):
    """A write's answer reads only its paragraph's suggestions and counts
    the others in SQL; the page applies the same rule in Python."""
    article = make_article(body=THREE_PARAGRAPHS)
    costa = make_entity("Ana Costa", kind="PERSON")
    lopes = make_entity("Rui Lopes", kind="PERSON")

    def suggest(words: str, after: int = 0, **fields) -> Span:
        start = THREE_PARAGRAPHS.index(words, after)
        return Span.objects.create(
            article=article,
            review=None,
            status="suggested",
            origin="rules",
            start=start,
            end=start + len(words),
            exact=words,
            **fields,
        )

    second = THREE_PARAGRAPHS.index("\n\n") + 2
    Mention.objects.create(span=suggest("Ana Costa"), entity=costa)
    Mention.objects.create(span=suggest("Rui Lopes"), entity=lopes)
    Mention.objects.create(span=suggest("Lopes", after=second), entity=lopes)
    # One quote in two parts, across the paragraphs, and one in one part.
    bridge = Quote.objects.create(article=article, speaker=costa)
    suggest("We agree on the bridge,", quote=bridge)
    suggest("And on the tunnel,", quote=bridge)
    bridge.cue = suggest("added")
    bridge.save()
    not_yet = Quote.objects.create(article=article, speaker=lopes)
    suggest("Not yet.", quote=not_yet)
    not_yet.cue = suggest("replied")
    not_yet.save()
    later = Quote.objects.create(article=article, speaker=lopes)
    suggest("Later,", quote=later)
    suggest("maybe.", quote=later)

    review = editing.start_review(article=article, reviewer=users["reviewer"])
    # Decided: the words "Ana Costa" (a mention), the second part of the
    # first quote (which does not decide it) and the only part of the other.
    for words in ["Ana Costa", "And on the tunnel,", "Not yet."]:
        start = THREE_PARAGRAPHS.index(words)
        editing._new_span(review, start, start + len(words), status="rejected")

    pending = views._pending_suggestions(article, review)
    # Left: "Rui Lopes", "Lopes", the first quote (its parts and cue) and
    # the last.
    assert views._suggestion_count(pending) == 4
    third = THREE_PARAGRAPHS.index("\n\n", second) + 2
    paragraphs = [(0, second - 2), (second, third - 2), (third, len(THREE_PARAGRAPHS))]
    for start, end in paragraphs:
        found = redraw.paragraph(
            article=article.pk,
            review=review.pk,
            start=start,
            end=end,
            others=False,
            linked=None,
            entities=[],
        )
        assert found.undecided == 4
        assert [row.pk for row in found.rows] == [
            row.pk for row in pending if row.start < end and row.end > start
        ]


def test_the_answers_statements_are_planned_once_per_connection(users):
    """newsreader.prepared: PostgreSQL keeps the redraw's statements, so a
    second answer on the connection is not planned again."""
    article = make_article(body=THREE_PARAGRAPHS)
    review = editing.start_review(article=article, reviewer=users["reviewer"])

    def answer() -> redraw.Redraw:
        return redraw.paragraph(
            article=article.pk,
            review=review.pk,
            start=0,
            end=len(THREE_PARAGRAPHS),
            others=False,
            linked=None,
            entities=[1],
        )

    def prepared() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement, generic_plans + custom_plans"
                " FROM pg_prepared_statements WHERE statement LIKE %s",
                ["%annotations_span%"],
            )
            return dict(cursor.fetchall())

    before = prepared()
    assert answer() == answer()
    runs = prepared()
    assert len(runs) == len(before) + 3  # the spans, the count, the entities
    assert all(runs[statement] == 2 for statement in runs.keys() - before.keys())
