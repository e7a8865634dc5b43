"""The editing functions called directly: round trips through delete and undo."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from simple_history.models import HistoricalRecords

from annotations import editing
from annotations.models import Mention, Quote, Review, Span
from annotations.spans import SpanError
from newsreader.models import Alias, Article, Entity
from tests.concurrency import twice_at_once
from tests.factories import make_article, make_entity

pytestmark = pytest.mark.django_db

BODY = (
    "Iraqi Prime Minister Haider al-Abadi said the army would retake Ramadi.\n\n"
    "“Theoretically, yes,” Abadi told France 24, adding, “On the basis of "
    "what we have, not yet.”"
)


def where(words: str, nth: int = 0, body: str = BODY) -> tuple[int, int]:
    """Code point ``(start, end)`` of the ``nth`` occurrence of ``words``."""
    start = -1
    for _ in range(nth + 1):
        start = body.index(words, start + 1)
    return start, start + len(words)


@contextmanager
def acting_as(user: User) -> Iterator[None]:
    """Attribute history rows to ``user``, as the history middleware does for
    a request; ``undo`` only finds what its user deleted."""
    HistoricalRecords.context.request = SimpleNamespace(user=user)
    try:
        yield
    finally:
        del HistoricalRecords.context.request


def make_review(article: Article, reviewer: User) -> Review:
    return editing.start_review(article=article, reviewer=reviewer)


def mention(review: Review, words: str, entity: Entity, nth: int = 0) -> Mention:
    start, end = where(words, nth, review.article.body)
    return editing.create_mention(review=review, start=start, end=end, entity=entity)


def rows() -> dict[str, list]:
    """Every annotation row, to compare before a delete and after its undo."""
    return {
        "spans": list(
            Span.objects.order_by("pk").values_list(
                "pk", "review_id", "quote_id", "start", "end", "exact", "status"
            )
        ),
        "mentions": list(Mention.objects.order_by("pk").values_list("pk", "entity")),
        "quotes": list(
            Quote.objects.order_by("pk").values_list(
                "pk", "type", "speaker", "speaker_mention", "cue"
            )
        ),
    }


@pytest.fixture
def article(db) -> Article:
    return make_article(body=BODY)


@pytest.fixture
def abadi(db) -> Entity:
    return make_entity("Haider al-Abadi")


@pytest.fixture
def review(users, article) -> Review:
    return make_review(article, users["reviewer"])


@pytest.fixture
def quote(review, abadi) -> Quote:
    """Abadi's two-part quote, its speaker the mention "Abadi", its cue "told"."""
    speaker = mention(review, "Abadi", abadi, nth=1)
    return editing.create_quote(
        review=review,
        parts=[where("Theoretically, yes,"), where("On the basis of what we have")],
        speaker_mention=speaker,
        cue=where("told"),
    )


# Creating --------------------------------------------------------------------


def test_create_mention_saves_the_span_with_its_selector(review, abadi):
    made = mention(review, "Haider al-Abadi", abadi)
    span = made.span
    assert (span.start, span.end) == where("Haider al-Abadi")
    assert span.exact == "Haider al-Abadi"
    assert span.prefix == "Iraqi Prime Minister "
    assert span.suffix == BODY[span.end : span.end + 32]
    assert (span.article, span.review, span.status) == (
        review.article,
        review,
        Span.Status.ACCEPTED,
    )
    assert made.entity == abadi


def test_create_mention_adds_a_new_surface_form_as_an_alias_once(review, abadi):
    mention(review, "Abadi", abadi, nth=0)
    mention(review, "Abadi", abadi, nth=1)
    assert list(abadi.aliases.values_list("name", "normalized")) == [("Abadi", "abadi")]


def test_create_mention_is_in_the_history_as_saved_and_by_whom(users, review, abadi):
    with acting_as(users["reviewer"]):
        made = mention(review, "Abadi", abadi)
    saved = Span.objects.get(pk=made.span.pk)
    fields = ["start", "end", "exact", "prefix", "suffix", "status", "origin"]
    fields += ["article_id", "review_id", "quote_id", "created_at", "updated_at"]
    span_record = Span.history.get(id=saved.pk)
    mention_record = Mention.history.get(span_id=saved.pk)
    alias_record = Alias.history.get(entity=abadi)
    for record in (span_record, mention_record, alias_record):
        assert (record.history_type, record.history_user) == ("+", users["reviewer"])
    for name in fields:
        assert (
            getattr(span_record, name)
            == getattr(saved, name)
            == getattr(made.span, name)
        ), name
    assert mention_record.entity_id == abadi.pk
    assert (alias_record.name, alias_record.proposed_by) == ("Abadi", review.reviewer)
    # What it returns is the saved row: saving it again updates that row.
    made.span.status = Span.Status.REJECTED
    made.span.save()
    assert Span.objects.filter(pk=saved.pk).get().status == Span.Status.REJECTED
    assert Span.objects.count() == 1


def test_create_mention_adds_no_alias_for_the_entitys_own_name(review, abadi):
    mention(review, "Haider al-Abadi", abadi)
    assert not Alias.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (5, 5),
        (10, 4),
        (-1, 3),
        (0, len(BODY) + 1),
        (where("\n\n")[0] + 1, where("“Theo")[1]),  # starts inside the break
        (where("Ramadi")[0], where("\n\n")[0] + 1),  # ends inside the break
    ],
)
def test_create_mention_refuses_a_bad_span_and_saves_nothing(review, abadi, start, end):
    with pytest.raises(SpanError):
        editing.create_mention(review=review, start=start, end=end, entity=abadi)
    assert not Span.objects.exists()
    assert not Mention.objects.exists()


def test_the_same_words_cannot_be_linked_twice(review, abadi):
    mention(review, "Abadi", abadi, nth=1)
    before = rows()
    other = make_entity("Abadi Airlines", kind="ORG")
    for entity in (abadi, other):
        with pytest.raises(editing.AlreadyDone, match="already linked to Haider"):
            mention(review, "Abadi", entity, nth=1)
    assert rows() == before
    # The same name elsewhere, or inside a longer mention, is another mention.
    mention(review, "Abadi", abadi)
    mention(review, "Haider al-Abadi", abadi)


def test_a_mention_cannot_be_moved_onto_words_linked_already(review, abadi):
    mention(review, "Abadi", abadi, nth=1)
    ramadi = mention(review, "Ramadi", make_entity("Ramadi", kind="PLACE"))
    before = rows()
    with pytest.raises(editing.AlreadyDone, match="already linked to Haider"):
        editing.move_span(
            span=ramadi.span, start=where("Abadi", 1)[0], end=where("Abadi", 1)[1]
        )
    assert rows() == before
    # Onto its own words, or onto free ones, it moves.
    editing.move_span(
        span=ramadi.span, start=where("Ramadi")[0], end=where("Ramadi")[1]
    )
    editing.move_span(span=ramadi.span, start=where("Abadi")[0], end=where("Abadi")[1])


def test_undo_cannot_link_words_twice_after_they_were_linked_again(
    users, review, abadi
):
    span = mention(review, "Abadi", abadi, nth=1).span
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=span)
    mention(review, "Abadi", make_entity("Abadi Airlines", kind="ORG"), nth=1)
    before = rows()
    with pytest.raises(editing.AlreadyDone, match="already linked to Abadi Airlines"):
        editing.undo(token=token, user=users["reviewer"])
    assert rows() == before


def test_a_mention_may_not_cut_across_another(review, abadi):
    mention(review, "Haider al-Abadi", abadi)
    before = rows()
    minister = make_entity("Prime Minister", kind="OTHER")
    with pytest.raises(SpanError, match="cuts across “Haider al-Abadi”"):
        mention(review, "Minister Haider", minister)
    assert rows() == before
    # A name inside it, or around it, is fine.
    mention(review, "Prime Minister Haider al-Abadi", abadi)
    mention(review, "Abadi", abadi)


def test_moving_a_mention_across_another_is_refused(review, abadi):
    mention(review, "Ramadi", make_entity("Ramadi", kind="PLACE"))
    army = mention(review, "army", make_entity("Iraqi army", kind="ORG"))
    start, _ = where("army")
    _, end = where("retake Ram")
    with pytest.raises(SpanError, match="cuts across “Ramadi”"):
        editing.move_span(span=army.span, start=start, end=end)
    army.span.refresh_from_db()
    assert army.span.exact == "army"


def test_words_already_quoted_cannot_be_quoted_again(quote):
    before = rows()
    with pytest.raises(editing.AlreadyDone, match="already part of a quote"):
        editing.create_quote(review=quote.review, parts=[where("Theoretically, yes,")])
    assert rows() == before


def test_a_rejected_copy_does_not_stop_the_reviewer_marking_the_words(review, abadi):
    start, end = where("Abadi", 1)
    editing.create_mention(
        review=review, start=start, end=end, entity=abadi, status="rejected"
    )
    assert mention(review, "Abadi", abadi, nth=1).span.status == "accepted"


def test_create_quote_with_a_speaker_mention_takes_its_entity(quote, abadi):
    assert quote.speaker == abadi
    assert quote.speaker_mention.span.exact == "Abadi"
    assert quote.cue.exact == "told"
    assert [part.exact for part in quote.parts.order_by("start")] == [
        "Theoretically, yes,",
        "On the basis of what we have",
    ]


def test_create_quote_needs_a_part(review):
    with pytest.raises(ValueError, match="at least one part"):
        editing.create_quote(review=review, parts=[])
    assert not Quote.objects.exists()


def test_a_bad_part_saves_no_quote(review):
    with pytest.raises(SpanError):
        editing.create_quote(review=review, parts=[where("Ramadi"), (3, 2)])
    assert not Quote.objects.exists()
    assert not Span.objects.exists()


def test_set_quote_cue_replaces_and_deletes_the_old_cue(quote):
    old = quote.cue
    cue = editing.set_quote_cue(
        quote=quote, start=where("adding")[0], end=where("adding")[1]
    )
    quote.refresh_from_db()
    assert quote.cue == cue
    assert cue.exact == "adding"
    assert not Span.objects.filter(pk=old.pk).exists()


def test_update_quote_to_a_speaker_of_another_entity_forgets_the_speaker_mention(
    quote,
):
    maliki = make_entity("Nouri al-Maliki")
    editing.update_quote(quote=quote, speaker=maliki)
    quote.refresh_from_db()
    assert (quote.speaker, quote.speaker_mention) == (maliki, None)


def test_update_quote_to_the_same_speaker_keeps_the_speaker_mention(quote, abadi):
    speaker_mention = quote.speaker_mention
    editing.update_quote(quote=quote, speaker=abadi, type=Quote.Type.PARTIAL)
    quote.refresh_from_db()
    assert quote.speaker_mention == speaker_mention
    assert quote.type == Quote.Type.PARTIAL


# Moving and relinking --------------------------------------------------------


def test_move_span_updates_exact_prefix_and_suffix(review, abadi):
    span = mention(review, "Haider al-Abadi", abadi).span
    start, end = where("Abadi", nth=1)
    editing.move_span(span=span, start=start, end=end)
    span.refresh_from_db()
    assert (span.start, span.end, span.exact) == (start, end, "Abadi")
    assert span.prefix == BODY[start - 32 : start]
    assert span.prefix.endswith("“Theoretically, yes,” ")
    assert span.suffix == BODY[end : end + 32]
    assert span.suffix.startswith(" told France 24")


def test_move_span_refuses_a_bad_span_and_keeps_the_old_one(review, abadi):
    span = mention(review, "Haider al-Abadi", abadi).span
    with pytest.raises(SpanError):
        editing.move_span(span=span, start=3, end=3)
    span.refresh_from_db()
    assert (span.start, span.end) == where("Haider al-Abadi")


def test_change_mention_entity_also_changes_quotes_spoken_through_it(
    review, quote, abadi
):
    maliki = make_entity("Nouri al-Maliki")
    unrelated = editing.create_quote(
        review=review, parts=[where("the army would retake Ramadi")], speaker=abadi
    )
    editing.change_mention_entity(mention=quote.speaker_mention, entity=maliki)
    quote.refresh_from_db()
    unrelated.refresh_from_db()
    assert quote.speaker == maliki
    assert quote.speaker_mention.entity == maliki
    assert unrelated.speaker == abadi


def test_change_mention_entity_adds_the_words_as_an_alias_of_the_new_entity(
    review, abadi
):
    maliki = make_entity("Nouri al-Maliki")
    made = mention(review, "Haider al-Abadi", abadi)
    editing.change_mention_entity(mention=made, entity=maliki)
    assert list(maliki.aliases.values_list("name", flat=True)) == ["Haider al-Abadi"]


# Deleting and undoing --------------------------------------------------------


def test_deleting_a_speaker_mention_and_undoing_puts_the_quote_speaker_back(
    users, quote, abadi
):
    before = rows()
    speaker = quote.speaker_mention_id
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=Span.objects.get(pk=speaker))
    quote.refresh_from_db()
    assert not Mention.objects.filter(pk=speaker).exists()
    assert (quote.speaker, quote.speaker_mention) == (abadi, None)

    # The quote as it was, the span, the mention and the alias "Abadi" it made.
    assert editing.undo(token=token, user=users["reviewer"]) == 4
    quote.refresh_from_db()
    assert quote.speaker_mention_id == speaker
    assert rows() == before


def test_deleting_a_quotes_last_part_deletes_the_quote_and_its_cue(
    users, review, abadi
):
    only = editing.create_quote(
        review=review, parts=[where("Ramadi")], speaker=abadi, cue=where("said")
    )
    before = rows()
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=Span.objects.get(quote=only))
    assert not Quote.objects.exists()
    assert not Span.objects.exists()  # the part and the cue

    assert editing.undo(token=token, user=users["reviewer"]) == 3
    restored = Quote.objects.get(pk=only.pk)
    assert restored.cue.exact == "said"
    assert restored.parts.get().exact == "Ramadi"
    assert rows() == before


def test_deleting_one_of_two_parts_keeps_the_quote(users, quote):
    first, second = quote.parts.order_by("start")
    before = rows()
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=second)
    quote.refresh_from_db()
    assert list(quote.parts.all()) == [first]
    assert quote.cue is not None
    assert quote.speaker_mention is not None

    editing.undo(token=token, user=users["reviewer"])
    assert rows() == before


def test_delete_quote_and_undo_restore_everything(users, quote):
    before = rows()
    with acting_as(users["reviewer"]):
        token = editing.delete_quote(quote=quote)
    assert not Quote.objects.exists()
    # Only the speaker's mention is left.
    assert list(Span.objects.values_list("exact", flat=True)) == ["Abadi"]
    editing.undo(token=token, user=users["reviewer"])
    assert rows() == before


def test_deletes_are_recorded_in_the_history_with_their_token(users, quote):
    part = quote.parts.order_by("start").last()
    pk = part.pk
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=part)
    record = Span.history.get(id=pk, history_type="-")
    assert record.history_change_reason == f"delete {token}"
    assert record.history_user == users["reviewer"]
    assert record.exact == "On the basis of what we have"


def test_undo_is_recorded_in_the_history_too(users, review, abadi):
    pk = mention(review, "Ramadi", abadi).pk
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=Span.objects.get(pk=pk))
    editing.undo(token=token, user=users["reviewer"])
    latest = Span.history.filter(id=pk).latest("history_id")
    assert latest.history_change_reason == f"undo {token}"
    deleted = Mention.history.get(span_id=pk, history_type="-")
    assert deleted.history_change_reason == f"delete {token}"


def test_a_private_alias_goes_with_the_last_mention_that_used_it(users, review, abadi):
    # Words linked by mistake leave nothing in the reviewer's picker.
    first = mention(review, "Abadi", abadi, nth=1)
    other = make_article(body="Abadi spoke again.")
    elsewhere = mention(make_review(other, users["reviewer"]), "Abadi", abadi)
    alias = Alias.objects.get(entity=abadi)
    assert alias.proposed_by == users["reviewer"]
    with acting_as(users["reviewer"]):
        editing.delete_span(span=first.span)
        assert Alias.objects.filter(pk=alias.pk).exists()  # still used elsewhere
        token = editing.delete_span(span=elsewhere.span)
    assert not Alias.objects.filter(pk=alias.pk).exists()
    assert editing.undo(token=token, user=users["reviewer"]) == 3
    assert Alias.objects.get(pk=alias.pk).proposed_by == users["reviewer"]
    # A public alias stays, whoever's mention goes.
    Alias.objects.filter(pk=alias.pk).update(proposed_by=None)
    with acting_as(users["reviewer"]):
        editing.delete_span(span=Span.objects.get(article=other))
    assert Alias.objects.filter(pk=alias.pk).exists()


def test_only_the_deleting_user_can_undo(users, review, abadi):
    span = mention(review, "Ramadi", abadi).span
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=span)
    for someone_else in ("reviewer2", "curator"):
        assert editing.undo(token=token, user=users[someone_else]) == 0
    assert not Span.objects.exists()
    # The span, the mention, and the alias "Ramadi" the link had made.
    assert editing.undo(token=token, user=users["reviewer"]) == 3
    assert Span.objects.get().exact == "Ramadi"


def test_undo_of_an_unknown_token_restores_nothing(users, review, abadi):
    mention(review, "Ramadi", abadi)
    assert editing.undo(token="0" * 32, user=users["reviewer"]) == 0


def test_undo_on_a_submitted_review_raises_review_closed(users, review, abadi):
    span = mention(review, "Ramadi", abadi).span
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=span)
    editing.submit_review(review=review)
    with pytest.raises(editing.ReviewClosed):
        editing.undo(token=token, user=users["reviewer"])
    assert not Span.objects.exists()


def test_deleting_a_cue_and_undoing_puts_the_cue_back_on_its_quote(users, quote):
    cue_pk = quote.cue_id
    before = rows()
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=quote.cue)
    editing.undo(token=token, user=users["reviewer"])
    quote.refresh_from_db()
    assert quote.cue_id == cue_pk
    assert rows() == before


def test_undoing_a_speaker_mention_delete_keeps_the_speaker_it_was_relinked_to(
    users, quote
):
    maliki = make_entity("Nouri al-Maliki")
    editing.change_mention_entity(mention=quote.speaker_mention, entity=maliki)
    before = rows()
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=quote.speaker_mention.span)
    editing.undo(token=token, user=users["reviewer"])
    quote.refresh_from_db()
    assert quote.speaker == maliki
    assert rows() == before


def test_an_undo_token_works_once(users, review, abadi):
    pk = mention(review, "Haider al-Abadi", abadi).pk
    start, end = where("Abadi", nth=1)
    with acting_as(users["reviewer"]):
        token = editing.delete_span(span=Span.objects.get(pk=pk))
        assert editing.undo(token=token, user=users["reviewer"]) == 2
        editing.move_span(span=Span.objects.get(pk=pk), start=start, end=end)
        assert editing.undo(token=token, user=users["reviewer"]) == 0
    assert Span.objects.get(pk=pk).exact == "Abadi"


# A closed review -------------------------------------------------------------


def _closed_edits(review: Review, quote: Quote) -> dict:
    entity = quote.speaker
    span = quote.speaker_mention.span
    return {
        "create_mention": lambda: editing.create_mention(
            review=review, start=0, end=5, entity=entity
        ),
        "change_mention_entity": lambda: editing.change_mention_entity(
            mention=quote.speaker_mention, entity=make_entity("Someone")
        ),
        "create_quote": lambda: editing.create_quote(review=review, parts=[(0, 5)]),
        "add_quote_part": lambda: editing.add_quote_part(quote=quote, start=0, end=5),
        "set_quote_cue": lambda: editing.set_quote_cue(quote=quote, start=0, end=5),
        "update_quote": lambda: editing.update_quote(quote=quote, type="indirect"),
        "move_span": lambda: editing.move_span(span=span, start=0, end=5),
        "delete_span": lambda: editing.delete_span(span=span),
        "delete_quote": lambda: editing.delete_quote(quote=quote),
        "submit_review": lambda: editing.submit_review(review=review),
    }


@pytest.mark.parametrize(
    "edit",
    [
        "create_mention",
        "change_mention_entity",
        "create_quote",
        "add_quote_part",
        "set_quote_cue",
        "update_quote",
        "move_span",
        "delete_span",
        "delete_quote",
        "submit_review",
    ],
)
def test_a_submitted_review_refuses_every_edit(review, quote, edit):
    Review.objects.filter(pk=review.pk).update(status="submitted")
    review.refresh_from_db()
    quote.refresh_from_db()
    before = rows()
    with pytest.raises(editing.ReviewClosed, match="can no longer be changed"):
        _closed_edits(review, quote)[edit]()
    assert rows() == before


@pytest.mark.parametrize("edit", ["create_mention", "move_span", "delete_quote"])
def test_the_gold_takes_edits_but_is_not_submitted_again(review, quote, edit):
    Review.objects.filter(pk=review.pk).update(status="adjudicated")
    review.refresh_from_db()
    quote.refresh_from_db()
    before = rows()
    _closed_edits(review, quote)[edit]()
    assert rows() != before
    with pytest.raises(editing.ReviewClosed, match="can no longer be changed"):
        editing.submit_review(review=review)
    review.refresh_from_db()
    assert review.status == "adjudicated"


def test_submit_review_stamps_the_time(review):
    editing.submit_review(review=review)
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.submitted_at is not None
    assert not review.is_open


def test_start_review_returns_the_same_review_each_time(users, article):
    first = editing.start_review(article=article, reviewer=users["reviewer"])
    again = editing.start_review(article=article, reviewer=users["reviewer"])
    other = editing.start_review(article=article, reviewer=users["reviewer2"])
    assert first == again != other
    assert Review.objects.count() == 2


def test_open_review_reads_the_article_and_its_review_in_one_query(
    users, article, django_assert_num_queries
):
    first = editing.open_review(article=article.pk, reviewer=users["reviewer"])
    assert first.article.body == article.body
    assert Review.objects.get(article=article, reviewer=users["reviewer"]) == first
    with django_assert_num_queries(1):
        again = editing.open_review(article=article.pk, reviewer=users["reviewer"])
        assert (again.pk, again.status, again.reviewer) == (
            first.pk,
            Review.Status.IN_PROGRESS,
            users["reviewer"],
        )
        assert (again.article.pk, again.article.title) == (article.pk, article.title)
        assert again.article.body == article.body
        assert again.created_at == first.created_at
    other = editing.open_review(article=article.pk, reviewer=users["reviewer2"])
    assert other.pk != first.pk
    with pytest.raises(Article.DoesNotExist):
        editing.open_review(article=article.pk + 1000, reviewer=users["reviewer"])


def test_two_creates_at_once_through_open_review_make_one_mention(
    transactional_db, users
):
    article = make_article(body=BODY)
    abadi = make_entity("Haider al-Abadi")
    Review.objects.create(article=article, reviewer=users["reviewer"])
    start, end = where("Haider al-Abadi")
    outcomes = twice_at_once(
        lambda: editing.open_review(article=article.pk, reviewer=users["reviewer"]),
        lambda review: editing.create_mention(
            review=review, start=start, end=end, entity=abadi
        ),
    )
    assert outcomes == ["already", "done"]
    assert Mention.objects.count() == 1
