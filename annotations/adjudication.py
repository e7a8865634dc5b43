"""Settle reviewers' disagreements into the gold: compare, then adjudicate.

``compare`` (pure) lines up two or more reviews of an article: every
mention or quote is put in a *group* with the others' items it overlaps
(mentions by their characters, quotes by their content parts), and a group
where the reviews hold different versions, or where some review has nothing,
is a disagreement. ``adjudicate`` writes the curator's chosen version of
every group into the article's adjudicated review, the gold that readers
see. Reviewers' own rows are read, never changed.
"""

from __future__ import annotations

import bisect
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from annotations import editing
from annotations.agreement import Annotations, MentionItem, QuoteItem, load_annotations
from annotations.gold import nearest_mention
from annotations.models import Mention, Review, Span
from newsreader.models import Article, Entity

BOUNDARIES = "boundaries"
ENTITY = "entity"
SPEAKER_OR_TYPE = "speaker_or_type"
CUE = "cue"
MISSING = "missing"

DIFFERENCES = {
    BOUNDARIES: "Boundaries differ",
    ENTITY: "Different entity",
    SPEAKER_OR_TYPE: "Different speaker or type",
    CUE: "Different cue",
    MISSING: "Not every reviewer has it",
}

# The form value that leaves a group out of the gold.
NEITHER = "none"


class AdjudicationError(ValueError):
    """The adjudication cannot be saved; the message is for the curator."""


type Item = MentionItem | QuoteItem


@dataclass
class Version:
    """What some reviews (one or more) hold in a group, item for item."""

    items: tuple[Item, ...]
    review_ids: list[int] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)

    @property
    def value(self) -> str:
        """The form value that chooses this version: its first review's id."""
        return str(self.review_ids[0])


@dataclass
class Group:
    """Overlapping mentions (or quotes) of all the reviews, and how they differ."""

    kind: str  # "mention" or "quote"
    start: int
    end: int
    versions: list[Version]
    missing: list[str]  # reviewers with nothing here
    differences: list[str]

    @property
    def key(self) -> str:
        """Stable while the reviews stay as they are: groups never overlap."""
        return f"{self.kind[0]}{self.start}-{self.end}"

    @property
    def agreed(self) -> bool:
        return not self.differences

    @property
    def labels(self) -> list[str]:
        return [DIFFERENCES[difference] for difference in self.differences]

    def version(self, value: str) -> Version | None:
        return next((v for v in self.versions if v.value == value), None)

    def majority(self, reviews: int) -> str:
        """The value held by more than half of ``reviews``, or ``""``."""
        for version in self.versions:
            if len(version.review_ids) * 2 > reviews:
                return version.value
        return NEITHER if len(self.missing) * 2 > reviews else ""

    def items(self):
        return (item for version in self.versions for item in version.items)


def intervals(item: Item) -> list[tuple[int, int]]:
    if isinstance(item, QuoteItem):
        return sorted(item.parts)
    return [(item.start, item.end)]


def _touch(a: Item, b: Item) -> bool:
    return any(
        min(x_end, y_end) > max(x_start, y_start)
        for x_start, x_end in intervals(a)
        for y_start, y_end in intervals(b)
    )


def _groups(reviews: Sequence[Annotations], kind: str) -> list[list[tuple[int, Item]]]:
    """Items of every review (tagged with the review's index) in overlap groups.

    A sweep over the intervals in order of start: an interval that starts
    before the run's furthest end overlaps the run, so joins its group.
    """
    items = [
        (index, item)
        for index, review in enumerate(reviews)
        for item in (review.mentions if kind == "mention" else review.quotes)
    ]
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bounds = sorted(
        (start, end, i)
        for i, (_, item) in enumerate(items)
        for start, end in intervals(item)
    )
    run_end, run_item = -1, -1
    for start, end, i in bounds:
        if start < run_end:
            parent[find(i)] = find(run_item)
            run_end = max(run_end, end)
        else:
            run_end, run_item = end, i
    groups: dict[int, list[tuple[int, Item]]] = {}
    for i, tagged in enumerate(items):
        groups.setdefault(find(i), []).append(tagged)
    return list(groups.values())


def compare(reviews: Sequence[Annotations]) -> list[Group]:
    """The groups of the reviews' mentions and quotes, in reading order.

    >>> m = MentionItem
    >>> a = Annotations("ann", (m(0, 5, 1), m(10, 14, 2)), review_id=1)
    >>> b = Annotations("bob", (m(0, 5, 1), m(10, 12, 3)), review_id=2)
    >>> [(g.key, g.differences) for g in compare([a, b])]
    [('m0-5', []), ('m10-14', ['boundaries', 'entity'])]
    """
    groups = []
    for kind in ("mention", "quote"):
        for tagged in _groups(reviews, kind):
            by_review: dict[int, list[Item]] = {}
            for index, item in tagged:
                by_review.setdefault(index, []).append(item)
            versions: dict[tuple, Version] = {}
            for index, review in enumerate(reviews):
                if index not in by_review:
                    continue
                items = tuple(sorted(by_review[index], key=_order))
                version = versions.setdefault(_held(items), Version(items))
                version.review_ids.append(review.review_id)
                version.reviewers.append(review.reviewer)
            missing = [r.reviewer for i, r in enumerate(reviews) if i not in by_review]
            everything = [item for _, item in tagged]
            groups.append(
                Group(
                    kind,
                    min(intervals(item)[0][0] for item in everything),
                    max(intervals(item)[-1][1] for item in everything),
                    list(versions.values()),
                    missing,
                    _differences(kind, [v.items for v in versions.values()], missing),
                )
            )
    return sorted(groups, key=lambda g: (g.start, g.end, g.kind))


def _order(item: Item) -> tuple:
    return tuple(intervals(item))


def _held(items: tuple[Item, ...]) -> tuple:
    """What makes two reviews' versions the same: the items, and the cues
    (which quote equality leaves out)."""
    return items, tuple(getattr(item, "cue", None) for item in items)


def _differences(kind: str, versions: list[tuple[Item, ...]], missing) -> list[str]:
    found = []
    if len(versions) > 1:
        if len({tuple(tuple(intervals(i)) for i in v) for v in versions}) > 1:
            found.append(BOUNDARIES)
        if kind == "mention":
            if len({frozenset(i.entity for i in v) for v in versions}) > 1:
                found.append(ENTITY)
        else:
            if len({frozenset((i.said_by, i.type) for i in v) for v in versions}) > 1:
                found.append(SPEAKER_OR_TYPE)
            if len({tuple(i.cue for i in v) for v in versions}) > 1:
                found.append(CUE)
    if missing:
        found.append(MISSING)
    return found


def gold_choices(groups: Sequence[Group], gold: Annotations | None) -> dict[str, str]:
    """For each group, the value of the version the ``gold`` holds there:
    ``NEITHER`` when the gold has nothing there, ``""`` when the gold holds
    something no review does (a curator's edit)."""
    if gold is None:
        return {}
    held: dict[str, list[Item]] = {group.key: [] for group in groups}
    for kind, items in (("mention", gold.mentions), ("quote", gold.quotes)):
        ordered = sorted((g for g in groups if g.kind == kind), key=lambda g: g.start)
        starts = [group.start for group in ordered]
        for item in items:
            first, last = intervals(item)[0][0], intervals(item)[-1][1]
            # Groups of one kind seldom reach far back; mentions' never do.
            for group in reversed(ordered[: bisect.bisect_left(starts, last)]):
                if group.end <= first:
                    if kind == "mention":
                        break
                    continue
                if any(_touch(item, own) for own in group.items()):
                    held[group.key].append(item)
                    break
    chosen = {}
    for group in groups:
        items = tuple(sorted(held[group.key], key=_order))
        if not items:
            chosen[group.key] = NEITHER
        else:
            chosen[group.key] = next(
                (v.value for v in group.versions if _held(v.items) == _held(items)),
                "",
            )
    return chosen


def chosen_items(groups: Sequence[Group], choices: Mapping[str, str]) -> list[Item]:
    """The items the gold will hold: every agreed group's, and the chosen
    version of each disagreement (``NEITHER`` leaves it out).

    Raises ``AdjudicationError`` for a disagreement with no choice or a
    choice that is not one of its versions.
    """
    items: list[Item] = []
    unchosen = 0
    for group in groups:
        if group.agreed:
            items.extend(group.versions[0].items)
            continue
        value = choices.get(group.key, "")
        if value == NEITHER:
            continue
        if not value:
            unchosen += 1
            continue
        if (version := group.version(value)) is None:
            raise AdjudicationError(
                f"That is not one of the versions at {group.start}–{group.end}; "
                "reload the page and choose again."
            )
        items.extend(version.items)
    if unchosen:
        raise AdjudicationError(
            f"Choose a version (or neither) for {unchosen} more "
            f"disagreement{'s' if unchosen != 1 else ''}."
        )
    return items


# --- The workflow -----------------------------------------------------------


def submitted_reviews(article: Article) -> list[Annotations]:
    return load_annotations([article.pk]).get(article.pk, [])


def gold_annotations(article: Article) -> Annotations | None:
    found = load_annotations([article.pk], status=Review.Status.ADJUDICATED)
    return next(iter(found.get(article.pk, [])), None)


@transaction.atomic
def adjudicate(*, article: Article, curator, choices: Mapping[str, str]) -> Review:
    """Build (or rebuild) the article's adjudicated review from ``choices``.

    ``choices`` maps a disagreement's ``Group.key`` to the ``Version.value``
    taken, or to ``NEITHER``. New rows are made for the gold; the reviews
    compared are only read. The gold keeps one row per article: a gold
    another curator made is rebuilt and becomes this curator's.
    """
    reviews = submitted_reviews(article)
    if len(reviews) < 2:
        raise AdjudicationError(
            "Adjudication needs at least two submitted reviews of the article."
        )
    items = chosen_items(compare(reviews), choices)
    gold = _gold_review(article, curator)

    # The previous gold goes, quotes first (their parts go with them).
    gold.quotes.all().delete()
    gold.spans.all().delete()
    # The editing functions write only to an open review: open it meanwhile.
    gold.status = Review.Status.IN_PROGRESS
    gold.article = article

    mentions = [item for item in items if isinstance(item, MentionItem)]
    quotes = [item for item in items if isinstance(item, QuoteItem)]
    entities = Entity.objects.in_bulk(
        {m.entity for m in mentions} | {q.speaker for q in quotes if q.speaker}
    )
    made: dict[tuple[int, int, int], Mention] = {}
    # A review from before double clicks were refused may hold the same
    # words twice: the gold holds them once (editing refuses the second).
    once = contextlib.suppress(editing.AlreadyDone)
    for item in mentions:
        with once:
            made[item.start, item.end, item.entity] = editing.create_mention(
                review=gold,
                start=item.start,
                end=item.end,
                entity=entities[item.entity],
            )
    for item in quotes:
        speaker = entities.get(item.speaker) if item.speaker else None
        speaker_mention = None
        if speaker is not None:
            # The reviewer's own speaker mention when the gold kept it, else
            # the gold's nearest mention of the speaker, as the seed does.
            where = item.speaker_mention
            speaker_mention = (
                made.get((*where, speaker.pk)) if where else None
            ) or nearest_mention(gold, speaker, item.cue or item.parts[0])
        with once:
            editing.create_quote(
                review=gold,
                parts=item.parts,
                type=item.type,
                speaker=speaker,
                speaker_mention=speaker_mention,
                speaker_description=item.speaker_description,
                cue=item.cue,
            )
    gold.status = Review.Status.ADJUDICATED
    gold.submitted_at = timezone.now()
    gold.save()
    editing.publish(gold.spans.filter(status=Span.Status.ACCEPTED))
    return gold


def _gold_review(article: Article, curator) -> Review:
    reviews = list(
        Review.objects.select_for_update().filter(article=article).order_by("pk")
    )
    own = next((r for r in reviews if r.reviewer_id == curator.pk), None)
    gold = next((r for r in reviews if r.status == Review.Status.ADJUDICATED), None)
    if own is not None and own != gold:
        if own.status != Review.Status.IN_PROGRESS or own.spans.exists():
            raise AdjudicationError(
                "You have reviewed this article yourself; "
                "another curator should adjudicate it."
            )
        if gold is not None:
            own.delete()  # empty; the gold row takes its place
    if gold is not None:
        gold.reviewer = curator
        return gold
    return own or Review.objects.create(article=article, reviewer=curator)
