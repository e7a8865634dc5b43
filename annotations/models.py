"""Reviewers' work on articles.

The workspace issue grows these (quotes, history, editing); the reading side
needs spans and mentions already, to show which entities an article names.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from newsreader.models import Article, Entity


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

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["article", "reviewer"], name="review_one_per_reviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} on {self.article}"


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
    # A machine suggestion belongs to no review until a reviewer accepts it.
    review = models.ForeignKey(
        Review, models.CASCADE, related_name="spans", null=True, blank=True
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

    class Meta:
        ordering = ["article", "start", "end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__gte=0) & Q(start__lt=F("end")),
                name="span_start_before_end",
            ),
        ]
        indexes = [models.Index(fields=["article", "start"], name="span_article_start")]

    def __str__(self) -> str:
        return f"{self.exact[:60]} [{self.start}:{self.end}]"


class Mention(models.Model):
    span = models.OneToOneField(
        Span, models.CASCADE, primary_key=True, related_name="mention"
    )
    entity = models.ForeignKey(Entity, models.PROTECT, related_name="mentions")

    def __str__(self) -> str:
        return f"{self.span.exact} → {self.entity}"
