"""How far reviewers agree, per pair of reviewers, per article and overall.

The arithmetic at the top is pure (no Django): reviews come in as
``Annotations``, plain tuples of mentions and quotes. ``load_annotations``
at the bottom reads them from the database.

Definitions (the agreement page repeats them for the curator):

- **Mention F1**, symmetric: ``2 * matched / (mentions of A + mentions of B)``,
  which is the F1 of either reviewer scored against the other. *Exact*
  matching pairs mentions with the same start and end; *overlapping*
  matching pairs mentions that share at least one character. Matching is
  one-to-one, greedily by the most characters shared.
- **Entity alpha**: Krippendorff's alpha (nominal) over the entities the two
  reviewers chose for the mentions paired by overlapping matching. It is
  ``None`` when there is no pair, or when every pair chose one and the same
  entity (alpha is then 0/0: there is no variation to agree on).
- **Quote F1**: as mention F1, pairing quotes whose *content overlap* is at
  least 0.5. A quote's content is the set of character positions its parts
  cover (the cue and the speaker are not content); the overlap of two quotes
  is ``|content A ∩ content B| / max(|content A|, |content B|)``, so two
  quotes match only when the shared words are at least half of the longer
  quote.
- **Speaker agreement**: of the matched quote pairs, the share whose speaker
  is the same entity, or the same description of a source no entity stands
  for, whatever its case (two quotes with no speaker agree).

Over several articles the counts are added up before dividing (micro
average) and the entity pairs are pooled into one alpha.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

# Two quotes match when they share at least this share of the longer one.
QUOTE_OVERLAP = 0.5


@dataclass(frozen=True)
class MentionItem:
    start: int
    end: int
    entity: int  # the entity's primary key


@dataclass(frozen=True)
class QuoteItem:
    """A quote as data; equality compares content parts, speaker and type."""

    parts: tuple[tuple[int, int], ...]
    speaker: int | None
    type: str
    cue: tuple[int, int] | None = field(default=None, compare=False)
    # Where the speaker is named, when the reviewer tied the quote to a mention.
    speaker_mention: tuple[int, int] | None = field(default=None, compare=False)
    # A source with no entity, as the reviewer wrote it ("officials").
    speaker_description: str = ""

    @property
    def said_by(self) -> tuple[int | None, str]:
        """Who spoke, for comparing two quotes: the entity, or the
        description whatever its case."""
        return self.speaker, self.speaker_description.casefold()

    @property
    def start(self) -> int:
        return min(start for start, _ in self.parts)

    @property
    def end(self) -> int:
        return max(end for _, end in self.parts)

    @property
    def size(self) -> int:
        return _covered(self.parts)


@dataclass(frozen=True)
class Annotations:
    """One reviewer's accepted mentions and quotes on one article."""

    reviewer: str
    mentions: tuple[MentionItem, ...] = ()
    quotes: tuple[QuoteItem, ...] = ()
    review_id: int | None = None


def _merge(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint intervals covering the same positions.

    >>> _merge([(5, 9), (0, 3), (2, 4)])
    [(0, 4), (5, 9)]
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _covered(intervals: Iterable[tuple[int, int]]) -> int:
    return sum(end - start for start, end in _merge(intervals))


def shared(a: Iterable[tuple[int, int]], b: Iterable[tuple[int, int]]) -> int:
    """How many positions both sets of ``[start, end)`` intervals cover.

    >>> shared([(0, 10)], [(5, 15), (20, 30)])
    5
    """
    a, b = _merge(a), _merge(b)
    total = i = j = 0
    while i < len(a) and j < len(b):
        total += max(0, min(a[i][1], b[j][1]) - max(a[i][0], b[j][0]))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return total


def parts_overlap(a: Iterable[tuple[int, int]], b: Iterable[tuple[int, int]]) -> float:
    """``|A ∩ B| / max(|A|, |B|)`` over the positions two quotes' parts
    cover; 0 for two empty quotes.

    A quote split by "he said" into two parts of 10 characters matches a
    quote of its first part alone at 0.5, and one span over both parts and
    the 10 characters between them at 20 of 30:

    >>> parts_overlap([(0, 10), (20, 30)], [(0, 10)])
    0.5
    >>> round(parts_overlap([(0, 10), (20, 30)], [(0, 30)]), 3)
    0.667
    """
    a, b = list(a), list(b)
    longer = max(_covered(a), _covered(b))
    return shared(a, b) / longer if longer else 0.0


def quote_overlap(a: QuoteItem, b: QuoteItem) -> float:
    """``parts_overlap`` of two reviews' quotes.

    >>> quote_overlap(QuoteItem(((0, 10),), None, "direct"),
    ...               QuoteItem(((4, 10), (20, 24)), None, "direct"))
    0.6
    """
    return parts_overlap(a.parts, b.parts)


def _greedy[T](pairs: Iterable[tuple[float, int, int]], a: Sequence[T], b: Sequence[T]):
    """One-to-one pairs of ``a`` and ``b`` items, taken best score first and
    returned in ``a``'s order."""
    used_a: set[int] = set()
    used_b: set[int] = set()
    matched = []
    # Ties go to the earlier item, so the result does not depend on set order.
    for _, i, j in sorted(pairs, key=lambda p: (-p[0], p[1], p[2])):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            matched.append((i, j))
    return [(a[i], b[j]) for i, j in sorted(matched)]


def match_mentions(
    a: Sequence[MentionItem], b: Sequence[MentionItem], *, exact: bool
) -> list[tuple[MentionItem, MentionItem]]:
    """Pair mentions one-to-one: same boundaries (``exact``) or any overlap.

    >>> m = MentionItem
    >>> len(match_mentions([m(0, 5, 1)], [m(0, 6, 1)], exact=True))
    0
    >>> len(match_mentions([m(0, 5, 1)], [m(0, 6, 1)], exact=False))
    1
    """
    pairs = []
    if exact:
        where: dict[tuple[int, int], list[int]] = defaultdict(list)
        for j, y in enumerate(b):
            where[y.start, y.end].append(j)
        pairs = [(1.0, i, j) for i, x in enumerate(a) for j in where[x.start, x.end]]
        return _greedy(pairs, a, b)
    # Only b's mentions starting within reach of x can overlap it: a long
    # article's thousands of mentions are not compared all with all.
    order = sorted(range(len(b)), key=lambda j: b[j].start)
    starts = [b[j].start for j in order]
    longest = max((y.end - y.start for y in b), default=0)
    for i, x in enumerate(a):
        low = bisect.bisect_right(starts, x.start - longest)
        for j in order[low : bisect.bisect_left(starts, x.end)]:
            if (common := min(x.end, b[j].end) - max(x.start, b[j].start)) > 0:
                pairs.append((common, i, j))
    return _greedy(pairs, a, b)


def match_quotes(
    a: Sequence[QuoteItem], b: Sequence[QuoteItem], threshold: float = QUOTE_OVERLAP
) -> list[tuple[QuoteItem, QuoteItem]]:
    """Pair quotes one-to-one whose content overlap is at least ``threshold``."""
    pairs = [
        (overlap, i, j)
        for i, x in enumerate(a)
        for j, y in enumerate(b)
        if (overlap := quote_overlap(x, y)) >= threshold
    ]
    return _greedy(pairs, a, b)


def alpha_nominal(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Krippendorff's alpha for nominal values.

    Each unit is the values the coders gave one item; units with fewer than
    two values cannot be paired and are left out. Returns ``None`` when
    alpha is undefined: no pairable values, or only one value used.

    ``alpha = 1 - (n - 1) * D / E`` where ``D`` is the number of mismatched
    ordered value pairs within units (each weighted ``1 / (m_u - 1)``) and
    ``E`` the number of mismatched ordered pairs among all ``n`` values.

    >>> alpha_nominal([("a", "a"), ("b", "b")])
    1.0
    >>> round(alpha_nominal([("a", "a"), ("a", "a"), ("b", "b"), ("a", "b")]), 4)
    0.5333
    """
    disagreement = 0.0
    totals: Counter[Hashable] = Counter()
    for unit in units:
        m = len(unit)
        if m < 2:
            continue
        counts = Counter(unit)
        totals.update(counts)
        # Ordered pairs of values from different coders that differ.
        mismatched = m * m - sum(c * c for c in counts.values())
        disagreement += mismatched / (m - 1)
    n = sum(totals.values())
    expected = n * n - sum(c * c for c in totals.values())
    if n < 2 or expected == 0:
        return None
    return 1 - (n - 1) * disagreement / expected


@dataclass(frozen=True)
class Counts:
    """Items each side has and how many were paired: enough for F1."""

    matched: int = 0
    left: int = 0
    right: int = 0

    @property
    def f1(self) -> float | None:
        """``2 * matched / (left + right)``; ``None`` when neither has any.

        >>> Counts(3, 4, 5).f1
        0.6666666666666666
        """
        if self.left + self.right == 0:
            return None
        return 2 * self.matched / (self.left + self.right)

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.matched + other.matched,
            self.left + other.left,
            self.right + other.right,
        )


@dataclass(frozen=True)
class Share:
    agreed: int = 0
    total: int = 0

    @property
    def ratio(self) -> float | None:
        return self.agreed / self.total if self.total else None

    def __add__(self, other: Share) -> Share:
        return Share(self.agreed + other.agreed, self.total + other.total)


@dataclass(frozen=True)
class PairAgreement:
    """Two reviewers' agreement, over one article or several (``articles``)."""

    a: str
    b: str
    articles: int = 1
    mentions_exact: Counts = Counts()
    mentions_overlap: Counts = Counts()
    entity_pairs: tuple[tuple[int, int], ...] = ()
    quotes: Counts = Counts()
    speakers: Share = Share()

    @property
    def entity_alpha(self) -> float | None:
        return alpha_nominal(self.entity_pairs)

    def __add__(self, other: PairAgreement) -> PairAgreement:
        if (self.a, self.b) != (other.a, other.b):
            raise ValueError("Only the same two reviewers' figures add up.")
        return PairAgreement(
            self.a,
            self.b,
            self.articles + other.articles,
            self.mentions_exact + other.mentions_exact,
            self.mentions_overlap + other.mentions_overlap,
            self.entity_pairs + other.entity_pairs,
            self.quotes + other.quotes,
            self.speakers + other.speakers,
        )


def pair_agreement(a: Annotations, b: Annotations) -> PairAgreement:
    """The agreement of two reviews of the same article."""
    exact = match_mentions(a.mentions, b.mentions, exact=True)
    overlapping = match_mentions(a.mentions, b.mentions, exact=False)
    quotes = match_quotes(a.quotes, b.quotes)
    sizes = (len(a.mentions), len(b.mentions))
    return PairAgreement(
        a.reviewer,
        b.reviewer,
        mentions_exact=Counts(len(exact), *sizes),
        mentions_overlap=Counts(len(overlapping), *sizes),
        entity_pairs=tuple((x.entity, y.entity) for x, y in overlapping),
        quotes=Counts(len(quotes), len(a.quotes), len(b.quotes)),
        speakers=Share(sum(x.said_by == y.said_by for x, y in quotes), len(quotes)),
    )


def article_agreement(reviews: Sequence[Annotations]) -> list[PairAgreement]:
    """Every pair of reviews of one article, reviewers in name order."""
    ordered = sorted(reviews, key=lambda review: review.reviewer)
    return [pair_agreement(a, b) for a, b in itertools.combinations(ordered, 2)]


def pooled(pairs: Iterable[PairAgreement]) -> list[PairAgreement]:
    """Add up each pair of reviewers' figures over the articles they share."""
    by_pair: dict[tuple[str, str], PairAgreement] = {}
    for pair in pairs:
        key = (pair.a, pair.b)
        by_pair[key] = by_pair[key] + pair if key in by_pair else pair
    return [by_pair[key] for key in sorted(by_pair)]


# --- From the database ------------------------------------------------------


def load_annotations(
    article_ids: Iterable[int] | None = None, *, status: str = "submitted"
) -> dict[int, list[Annotations]]:
    """The accepted annotations of the reviews in ``status``, by article id.

    Three queries whatever the number of articles: the reviews, their spans,
    then the quotes the spans belong to. ``article_ids=None`` reads every article.
    """
    from annotations.models import Quote, Review, Span

    submitted = Review.objects.filter(status=status)
    if article_ids is not None:
        submitted = submitted.filter(article_id__in=list(article_ids))
    # Reviews first: a review that marked nothing still counts.
    reviews: dict[int, tuple[int, str]] = {
        row.pk: (row.article_id, row.reviewer__username)
        for row in submitted.values_list(
            "pk", "article_id", "reviewer__username", named=True
        )
    }
    spans = Span.objects.accepted().filter(review__in=submitted)
    rows = spans.order_by("start", "end").values_list(
        "review_id",
        "start",
        "end",
        "mention__entity",
        "quote_id",
        "cue_of",
        named=True,
    )
    mentions: dict[int, list[MentionItem]] = defaultdict(list)
    parts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    cues: dict[int, tuple[int, int]] = {}
    for row in rows:
        if row.mention__entity is not None:
            mentions[row.review_id].append(
                MentionItem(row.start, row.end, row.mention__entity)
            )
        elif row.quote_id is not None:
            parts[row.quote_id].append((row.start, row.end))
        elif row.cue_of is not None:
            cues[row.cue_of] = (row.start, row.end)

    quotes: dict[int, list[QuoteItem]] = defaultdict(list)
    for quote in Quote.objects.filter(pk__in=list(parts)).values_list(
        "pk",
        "review_id",
        "speaker_id",
        "type",
        "speaker_mention__span__start",
        "speaker_mention__span__end",
        "speaker_description",
        named=True,
    ):
        where = quote.speaker_mention__span__start
        quotes[quote.review_id].append(
            QuoteItem(
                tuple(parts[quote.pk]),
                quote.speaker_id,
                quote.type,
                cue=cues.get(quote.pk),
                speaker_mention=(
                    (where, quote.speaker_mention__span__end)
                    if where is not None
                    else None
                ),
                speaker_description=quote.speaker_description,
            )
        )

    by_article: dict[int, list[Annotations]] = defaultdict(list)
    for review_id, (article_id, reviewer) in reviews.items():
        by_article[article_id].append(
            Annotations(
                reviewer,
                tuple(mentions[review_id]),
                tuple(sorted(quotes[review_id], key=lambda q: (q.start, q.end))),
                review_id=review_id,
            )
        )
    for listed in by_article.values():
        listed.sort(key=lambda review: review.reviewer)
    return dict(by_article)
