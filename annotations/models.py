"""Reviewers' work on articles: spans, the mentions and quotes built on them.

A span is a stretch of an article's body. A mention is a span that names an
entity; a quote is one or more content spans with a speaker, a cue span and
a type. Every span belongs to one reviewer's review, except machine
suggestions, which belong to none until a reviewer accepts them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from annotations.spans import SpanError, check_span, quote_selector
from newsreader.models import Article, Entity, Source


class Review(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted"
        ADJUDICATED = "adjudicated", "Adjudicated"

    article = models.ForeignKey(Article, models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="reviews"
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.IN_PROGRESS
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Who submitted, reopened or adjudicated it, and when.
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="review_one_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.article}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_PROGRESS

    @property
    def is_editable(self) -> bool:
        """Open, or the gold: its curator edits it on the article page, and
        editing it is adjudication."""
        return self.status in {self.Status.IN_PROGRESS, self.Status.ADJUDICATED}


class Assignment(models.Model):
    """An article a curator gave a reviewer to review: the reviewer's queue."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "article"], name="assignment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article} for {self.reviewer}"


class SpanQuerySet(models.QuerySet):
    def accepted(self) -> SpanQuerySet:
        return self.filter(status=Span.Status.ACCEPTED)


class Span(models.Model):
    """``[start, end)`` in code points of ``article.body``, with its W3C selectors.

    ``exact``, ``prefix`` and ``suffix`` are the TextQuoteSelector: they let
    a span be found again when the body is edited.
    """

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        ORPHANED = "orphaned", "Orphaned"

    class Origin(models.TextChoices):
        HUMAN = "human", "Human"
        RULES = "rules", "Rules"
        MODEL = "model", "Model"

    article = models.ForeignKey(Article, models.CASCADE, related_name="spans")
    review = models.ForeignKey(
        Review,
        models.CASCADE,
        related_name="spans",
        null=True,
        blank=True,
        db_index=False,  # see Meta.indexes
    )
    # Set when the span is one of a quote's content parts.
    quote = models.ForeignKey(
        "Quote", models.CASCADE, related_name="parts", null=True, blank=True
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACCEPTED
    )
    origin = models.CharField(
        max_length=5, choices=Origin.choices, default=Origin.HUMAN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SpanQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")),
                name="span_start_before_end",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="span_article_start"),
            # Machine suggestions (no review) by article, which the suggester
            # deletes and rewrites in batches. The review index holds reviewed
            # spans only, so that the planner, before it has statistics, does
            # not take "review IS NULL" for a selective condition and read
            # every suggestion in the table through it.
            models.Index(
                fields=["article"],
                condition=Q(review__isnull=True),
                name="span_suggestion_article",
            ),
            # By its words too: whether a review holds a suggestion's words
            # is asked for every suggestion a page or a write draws.
            models.Index(
                fields=["review", "start", "end"],
                condition=Q(review__isnull=False),
                name="span_review_words",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exact[:60]} [{self.start}:{self.end}]"

    def clean(self) -> None:
        """The workspace's checks for the admin's forms and history reverts:
        the offsets lie in the body and hold the words ``exact`` says, and
        the context is taken afresh from the body."""
        if self.article_id is None or self.start is None or self.end is None:
            return
        body = self.article.body
        try:
            check_span(body, self.start, self.end, self.exact)
        except SpanError as error:
            raise ValidationError(str(error)) from None
        self.exact, self.prefix, self.suffix = quote_selector(
            body, self.start, self.end
        )


class Mention(models.Model):
    span = models.OneToOneField(
        Span, models.CASCADE, primary_key=True, related_name="mention"
    )
    entity = models.ForeignKey(Entity, models.PROTECT, related_name="mentions")

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.span.exact} → {self.entity}"


class Quote(models.Model):
    """Who said what: content spans (``parts``), a speaker, a cue and a type.

    A quote broken by its attribution (“Theoretically …,” he said, adding,
    “On the basis …”) is one quote of two parts.
    """

    class Type(models.TextChoices):
        DIRECT = "direct", "Direct"
        PARTIAL = "partial", "Partial"
        INDIRECT = "indirect", "Indirect"

    article = models.ForeignKey(Article, models.CASCADE, related_name="quotes")
    review = models.ForeignKey(
        Review,
        models.CASCADE,
        related_name="quotes",
        null=True,
        blank=True,
        db_index=False,  # see Meta.indexes
    )
    speaker = models.ForeignKey(
        Entity, models.PROTECT, related_name="quotes", null=True, blank=True
    )
    speaker_mention = models.ForeignKey(
        Mention, models.SET_NULL, related_name="quotes", null=True, blank=True
    )
    # A source the text describes and does not name ("officials", "a senior
    # aide"): who spoke when no entity is the speaker; blank when one is.
    speaker_description = models.CharField(max_length=200, blank=True)
    cue = models.OneToOneField(
        Span, models.SET_NULL, related_name="cue_of", null=True, blank=True
    )
    type = models.CharField(max_length=8, choices=Type.choices, default=Type.DIRECT)
    # How sure a suggester was; empty for a reviewer's own quote.
    confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=1)
                | Q(confidence__isnull=True),
                name="quote_confidence_0_to_1",
            ),
        ]
        # As for spans: the suggester's quotes by article, and reviewed ones.
        indexes = [
            models.Index(
                fields=["article"],
                condition=Q(review__isnull=True),
                name="quote_suggestion_article",
            ),
            models.Index(
                fields=["review"],
                condition=Q(review__isnull=False),
                name="quote_review",
            ),
        ]

    def __str__(self) -> str:
        return f"Quote by {self.speaker_label or 'unknown speaker'}"

    @property
    def speaker_label(self) -> str:
        """Who spoke, for people to read: the speaker's name, or the source
        as the text describes it; empty when no one is known."""
        return self.speaker.name if self.speaker_id else self.speaker_description


# The order of the lists of quotes: the newest article first (within one,
# quoted.lines puts them in reading order).
NEWEST = (F("published_at").desc(nulls_last=True), F("article").desc(), "quote")


class CuratedQuote(models.Model):
    """A curated quote as the lists of quotes find it: its words, speaker,
    type, and its article's date and outlet, in one narrow row.

    Searching quotes over the span table meant reading the article of every
    match to sort by date: linear in the matches, 200 ms for a common word
    in a million quotes. Here the words and the date sit together, indexed.

    The quote explorer, the speaker pages and the charts read from here:
    one row for every quote in an adjudicated review that has parts.
    Triggers (migration 0009) keep the rows, in the same transaction as
    whatever changes the gold (adjudication, a curator's edits, imports,
    merges, the admin, a history revert). Nothing in Python writes them.
    """

    # Copies of the quote's and its article's, so no constraints of their
    # own: the triggers delete the row with the quote.
    quote = models.OneToOneField(
        Quote, models.DO_NOTHING, primary_key=True, db_constraint=False,
        related_name="+",
    )  # fmt: skip
    article = models.ForeignKey(
        Article, models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    published_at = models.DateTimeField(null=True)
    # Indexed in Meta.indexes, with the date.
    source = models.ForeignKey(
        Source, models.DO_NOTHING, db_constraint=False, db_index=False, null=True,
        related_name="+",
    )  # fmt: skip
    speaker = models.ForeignKey(
        Entity, models.DO_NOTHING, db_constraint=False, db_index=False, null=True,
        related_name="+",
    )  # fmt: skip
    # No speaker, but a source the text describes ("officials").
    described = models.BooleanField()
    type = models.CharField(max_length=8, choices=Quote.Type.choices)
    # All its parts' words, in the search configuration.
    words = SearchVectorField()

    class Meta:
        indexes = [
            GinIndex(fields=["words"], name="curatedquote_words"),
            models.Index(*NEWEST, name="curatedquote_newest"),
            models.Index("speaker", *NEWEST, name="curatedquote_speaker_newest"),
            models.Index("source", *NEWEST, name="curatedquote_source_newest"),
        ]

    def __str__(self) -> str:
        return f"Curated quote {self.quote_id}"


class OrphanedSpan(Span):
    """Spans an edit of the body left without a place: the curators' worklist.

    A proxy, so the admin site can list them on a page of their own (with
    its own permissions) and offer a re-attach page for each.
    """

    class Meta:
        proxy = True
        verbose_name = "orphaned span"
