"""Agreement figures, checked against small examples worked out by hand."""

from __future__ import annotations

import doctest

import pytest

import annotations.agreement
from annotations import editing
from annotations.agreement import (
    Annotations,
    Counts,
    MentionItem,
    PairAgreement,
    QuoteItem,
    Share,
    alpha_nominal,
    article_agreement,
    load_annotations,
    match_mentions,
    pair_agreement,
    pooled,
    quote_overlap,
)
from annotations.models import Span
from tests.factories import make_article, make_entity

M = MentionItem


def quote(*parts: tuple[int, int], speaker: int | None = None) -> QuoteItem:
    return QuoteItem(tuple(parts), speaker, "direct")


def test_the_docstring_examples_hold():
    result = doctest.testmod(annotations.agreement)
    assert result.attempted > 0
    assert result.failed == 0


# Entities 1..4. A and B share (0,5) and (20,25) exactly; (10,15) and (11,15)
# overlap; A's (30,35) and B's (40,45) have no partner.
A = Annotations("ann", (M(0, 5, 1), M(10, 15, 2), M(20, 25, 3), M(30, 35, 1)))
B = Annotations("bob", (M(0, 5, 1), M(11, 15, 2), M(20, 25, 4), M(40, 45, 1)))


def test_exact_mention_f1_counts_only_identical_boundaries():
    figures = pair_agreement(A, B)
    # 2 exact matches of 4 and 4: F1 = 2 * 2 / (4 + 4) = 0.5
    assert figures.mentions_exact == Counts(2, 4, 4)
    assert figures.mentions_exact.f1 == pytest.approx(0.5)


def test_overlapping_mention_f1_also_pairs_mentions_that_share_characters():
    figures = pair_agreement(A, B)
    # (0,5), (10,15)~(11,15) and (20,25): 3 matches; F1 = 2 * 3 / 8 = 0.75
    assert figures.mentions_overlap == Counts(3, 4, 4)
    assert figures.mentions_overlap.f1 == pytest.approx(0.75)


def test_entity_alpha_is_krippendorffs_alpha_over_the_matched_mentions():
    figures = pair_agreement(A, B)
    assert figures.entity_pairs == ((1, 1), (2, 2), (3, 4))
    # Values: 1,1 2,2 3,4; n = 6, counts 1:2 2:2 3:1 4:1.
    # Mismatched ordered pairs within units: (3,4) and (4,3) = 2, weight 1/(2-1).
    # Mismatched ordered pairs overall: 6*6 - (4+4+1+1) = 26.
    # alpha = 1 - (n - 1) * 2 / 26 = 1 - 10/26 = 16/26
    assert figures.entity_alpha == pytest.approx(16 / 26)


def test_alpha_with_three_coders_on_a_unit_weights_its_pairs_by_one_over_m_minus_1():
    # Unit 1 (a, a, b): ordered mismatched pairs 3*3 - (4+1) = 4, / (3-1) = 2.
    # Unit 2 (b, b): 0. n = 5, counts a:2 b:3; overall 25 - (4+9) = 12.
    # alpha = 1 - 4 * 2 / 12 = 1/3
    assert alpha_nominal([("a", "a", "b"), ("b", "b")]) == pytest.approx(1 / 3)


def test_alpha_is_undefined_without_pairs_or_without_variation():
    assert alpha_nominal([]) is None
    assert alpha_nominal([("a",)]) is None  # one coder: nothing to pair
    assert alpha_nominal([("a", "a"), ("a", "a")]) is None  # 0/0
    assert alpha_nominal([("a", "a"), ("b", "b")]) == 1.0


def test_overlap_matching_is_one_to_one_taking_the_larger_overlap_first():
    # (0,10) overlaps (0,4) by 4 and (5,10) by 5: it pairs with (5,10) only.
    matched = match_mentions([M(0, 10, 1)], [M(0, 4, 1), M(5, 10, 1)], exact=False)
    assert matched == [(M(0, 10, 1), M(5, 10, 1))]
    # 1 match of 1 and 2: F1 = 2 / 3
    assert pair_agreement(
        Annotations("a", (M(0, 10, 1),)), Annotations("b", (M(0, 4, 1), M(5, 10, 1)))
    ).mentions_overlap.f1 == pytest.approx(2 / 3)


def test_quote_overlap_is_shared_characters_over_the_longer_quotes_content():
    # Content A: 20..30 and 40..50 (20 chars); B: 25..30 and 40..45 (10 chars).
    # Shared: 25..30 and 40..45 = 10; overlap = 10 / max(20, 10) = 0.5
    assert quote_overlap(quote((20, 30), (40, 50)), quote((25, 30), (40, 45))) == 0.5
    # Parts are content; the words between them (30..40) are not.
    assert quote_overlap(quote((20, 30), (40, 50)), quote((30, 40))) == 0


def test_quote_f1_pairs_quotes_overlapping_by_half_and_speaker_agreement_counts_them():
    a = Annotations(
        "ann",
        quotes=(
            quote((0, 10), speaker=1),
            quote((20, 30), (40, 50), speaker=2),
            quote((60, 70), speaker=1),
        ),
    )
    b = Annotations(
        "bob",
        quotes=(
            quote((0, 6), speaker=1),  # 6 / max(10, 6) = 0.6: a match
            quote((25, 30), (40, 45), speaker=3),  # 10 / 20 = 0.5: a match
            quote((66, 80), speaker=1),  # 4 / max(10, 14) = 0.29: none
        ),
    )
    figures = pair_agreement(a, b)
    # 2 matches of 3 and 3: F1 = 2 * 2 / 6
    assert figures.quotes == Counts(2, 3, 3)
    assert figures.quotes.f1 == pytest.approx(2 / 3)
    # Matched pairs' speakers: 1=1 and 2≠3: 1 of 2
    assert figures.speakers.agreed == 1
    assert figures.speakers.ratio == pytest.approx(0.5)


def test_described_sources_agree_by_their_words_whatever_the_case():
    def described(start: int, words: str) -> QuoteItem:
        return QuoteItem(
            ((start, start + 10),), None, "direct", speaker_description=words
        )

    a = Annotations("ann", quotes=(described(0, "Officials"), described(20, "police")))
    b = Annotations("bob", quotes=(described(0, "officials"), described(20, "aides")))
    assert pair_agreement(a, b).speakers == Share(1, 2)


def test_figures_over_several_articles_add_counts_before_dividing():
    one = PairAgreement("ann", "bob", mentions_exact=Counts(2, 4, 4))
    two = PairAgreement("ann", "bob", mentions_exact=Counts(0, 0, 2))
    (both,) = pooled([one, two])
    # (2 + 0) matched of (4 + 0) and (4 + 2): 2 * 2 / 10 = 0.4, not the
    # mean of 0.5 and 0.0.
    assert both.articles == 2
    assert both.mentions_exact.f1 == pytest.approx(0.4)


def test_pooling_keeps_each_pair_of_reviewers_apart():
    pairs = article_agreement([B, A, Annotations("cy")])
    assert [(p.a, p.b) for p in pairs] == [("ann", "bob"), ("ann", "cy"), ("bob", "cy")]
    assert len(pooled(pairs + pairs)) == 3


def test_f1_is_undefined_when_neither_reviewer_marked_anything():
    assert pair_agreement(Annotations("a"), Annotations("b")).mentions_exact.f1 is None


@pytest.mark.django_db
def test_loaded_annotations_are_the_submitted_reviews_accepted_spans(users):
    article = make_article(body="Abadi said “Not yet” in Baghdad.")
    abadi, baghdad = make_entity("Haider al-Abadi"), make_entity("Baghdad")
    body = article.body
    first = editing.start_review(article=article, reviewer=users["reviewer"])
    spoken = editing.create_mention(review=first, start=0, end=5, entity=abadi)
    editing.create_quote(
        review=first,
        parts=[(12, 19)],
        speaker_mention=spoken,
        cue=(6, 10),
    )
    place = editing.create_mention(
        review=first, start=body.index("Baghdad"), end=len(body) - 1, entity=baghdad
    )
    Span.objects.filter(pk=place.pk).update(status=Span.Status.REJECTED)
    editing.submit_review(review=first)
    # A submitted review with nothing in it still counts; an open one does not.
    empty = editing.start_review(article=article, reviewer=users["reviewer2"])
    editing.submit_review(review=empty)
    editing.create_mention(
        review=editing.start_review(article=article, reviewer=users["curator"]),
        start=0,
        end=5,
        entity=abadi,
    )

    loaded = load_annotations([article.pk])[article.pk]

    assert [a.reviewer for a in loaded] == ["reviewer", "reviewer2"]
    assert loaded[0].mentions == (MentionItem(0, 5, abadi.pk),)
    (said,) = loaded[0].quotes
    assert said == QuoteItem(((12, 19),), abadi.pk, "direct")
    assert (said.cue, said.speaker_mention) == ((6, 10), (0, 5))
    assert loaded[1].mentions == loaded[1].quotes == ()
