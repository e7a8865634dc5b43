from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Count, F, FilteredRelation, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Left
from django.urls import reverse
from django.utils.text import slugify
from simple_history.models import HistoricalRecords

from newsreader import prepared
from newsreader.roles import can_curate
from newsreader.text import ascii_spelling, normalize_name

# English stemming, and accents do not matter ("Pena" finds "Peña"): the
# configuration migration 0010 makes, used by the search_vector column, the
# queries and the headlines alike.
SEARCH_CONFIG = "newsreader_english"
# ts_headline parses all the text it is given; the snippet comes from this much.
HEADLINE_SOURCE_CHARS = 2000

# Readers see the curated annotations: accepted spans of adjudicated reviews.
# Spans and mentions are the annotations app's models; they are reached here
# by relation name only, so this app never imports that one (DESIGN.md).
_GOLD_SPAN = {"status": "accepted", "review__status": "adjudicated"}


def _gold_span_filter(prefix: str) -> Q:
    return Q(**{f"{prefix}__{key}": value for key, value in _GOLD_SPAN.items()})


class Source(models.Model):
    name = models.CharField(max_length=200, unique=True)
    domain = models.CharField(max_length=253, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ArticleQuerySet(models.QuerySet):
    def search(self, text: str) -> ArticleQuerySet:
        """Articles matching ``text`` (web search syntax), best first.

        Only the ``settings.SEARCH_CANDIDATES`` newest matches are ranked
        and counted: ranking reads each candidate's tsvector, and a common
        word matches most of the table. Filter before searching, so that the
        candidates are the newest matches that pass the filters.

        The candidates are picked by one query run here, so that counting
        and paging do not each pick them again. Each row gets ``rank``;
        snippets are left to ``with_headlines`` so that only the rows shown
        pay for ``ts_headline``.
        """
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        newest = list(
            self.filter(search_vector=query)
            .order_by(*self.model._meta.ordering)
            .values_list("pk", flat=True)[: settings.SEARCH_CANDIDATES]
        )
        return (
            # One array parameter, not a thousand: cheaper to send and plan.
            self.filter(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (newest,)))
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-published_at", "-pk")
        )

    def with_headlines(self, text: str) -> ArticleQuerySet:
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return self.annotate(
            title_headline=SearchHeadline(
                "title",
                query,
                config=SEARCH_CONFIG,
                start_sel=HEADLINE_START,
                stop_sel=HEADLINE_STOP,
                highlight_all=True,
            ),
            headline=SearchHeadline(
                Left("body", HEADLINE_SOURCE_CHARS),
                query,
                config=SEARCH_CONFIG,
                start_sel=HEADLINE_START,
                stop_sel=HEADLINE_STOP,
                max_words=40,
                min_words=20,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )

    def with_review_status(self, user) -> ArticleQuerySet:
        """Each article with ``review_status``: where ``user``'s review of it stands."""
        return self.annotate(
            own_review=FilteredRelation("reviews", condition=Q(reviews__reviewer=user)),
            review_status=F("own_review__status"),
        )

    def mentioning(self, entity: Entity) -> ArticleQuerySet:
        return self.filter(
            _gold_span_filter("spans"), spans__mention__entity=entity
        ).distinct()


# ts_headline returns unescaped article text; these control characters mark
# the hits so the template can escape everything and then add <mark> itself.
HEADLINE_START = "\x02"
HEADLINE_STOP = "\x03"


class Article(models.Model):
    source = models.ForeignKey(
        Source, models.PROTECT, related_name="articles", null=True, blank=True
    )
    url = models.URLField(max_length=2000, blank=True)
    title = models.CharField(max_length=500)
    byline = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, default="en")
    body = models.TextField(
        help_text="Canonical plain text: NFC, paragraphs "
        "separated by a blank line. Span offsets index it."
    )
    body_sha256 = models.CharField(max_length=64, editable=False)
    search_vector = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("body", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = [F("published_at").desc(nulls_last=True), "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["url"], condition=~Q(url=""), name="article_url_unique"
            ),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="article_search_gin"),
            # Duplicate checks look hashes up by equality. db_index would add
            # a second, LIKE-pattern index that every insert pays for.
            models.Index(fields=["body_sha256"], name="article_body_sha256"),
            # The default ordering, so pages need no sort. A plain index on
            # published_at cannot serve it: read backwards it puts NULLs first.
            models.Index(
                F("published_at").desc(nulls_last=True),
                F("id").desc(),
                name="article_newest_first",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("newsreader:article-detail", args=[self.pk])

    @staticmethod
    def hash_body(body: str) -> str:
        return hashlib.sha256(body.encode()).hexdigest()

    def paragraphs(self) -> list[str]:
        return self.body.split("\n\n")


class Folded(models.Func):
    """Lower case, accents off, as unaccent has them ("Peña" → "pena"):
    ``newsreader_fold`` of migration 0011, immutable so that an index may
    hold it, which unaccent() itself is not."""

    function = "newsreader_fold"
    output_field = models.TextField()


class EntityKind(models.TextChoices):
    PERSON = "PERSON", "Person"
    ORG = "ORG", "Organisation"
    PLACE = "PLACE", "Place"
    OTHER = "OTHER", "Other"


class EntityQuerySet(models.QuerySet):
    def canonical(self) -> EntityQuerySet:
        return self.filter(merged_into__isnull=True)

    def visible_to(self, user) -> EntityQuerySet:
        """All but other reviewers' drafts; a curator sees every entity."""
        if can_curate(user):
            return self
        others = Q(status=Entity.Status.DRAFT)
        if user.is_authenticated:
            others &= ~Q(proposed_by=user)
        return self.exclude(others)

    def search(self, text: str, *, user=None) -> EntityQuerySet:
        """Entities whose name or an alias contains ``text``, or resembles it.

        Accents and case do not matter, in names ("pena" finds Peña Nieto)
        or aliases ("rogachyov" finds Ilya Rogachev by his alias); the
        closest names come first. Aliases count when public, or ``user``'s
        own.
        """
        key = normalize_name(text)
        folded = Folded(models.Value(" ".join(text.split())))
        aliases = Alias.objects.visible_to(user).filter(entity=models.OuterRef("pk"))
        best_alias = (
            aliases.annotate(
                score=TrigramWordSimilarity(models.Value(key), "normalized")
            )
            .order_by("-score")
            .values("score")[:1]
        )
        matching_alias = aliases.filter(
            Q(normalized__contains=key) | Q(normalized__trigram_word_similar=key)
        )
        return (
            # The folded name, as entity_name_folded_trgm indexes it.
            self.alias(folded_name=Folded("name"))
            .filter(
                Q(folded_name__contains=folded)
                | Q(folded_name__trigram_word_similar=folded)
                | models.Exists(matching_alias)
            )
            .annotate(
                score=Greatest(
                    TrigramWordSimilarity(folded, "folded_name"),
                    Coalesce(models.Subquery(best_alias), 0.0),
                )
            )
            .order_by("-score", "name")
        )

    def with_article_counts(self) -> EntityQuerySet:
        return self.annotate(
            article_count=Count(
                "mentions__span__article",
                distinct=True,
                filter=_gold_span_filter("mentions__span"),
            )
        )

    def create_named(self, *, name: str, kind: str, **fields) -> Entity:
        """A new entity with a slug of its own ("paris", then "paris-2", ...),
        in ASCII whatever the name's script ("Владимир Путин": "vladimir-putin")."""
        base = slugify(ascii_spelling(name))[:280] or "entity"
        similar = self.filter(slug__regex=rf"^{base}(-[0-9]+)?$")
        taken = set(similar.values_list("slug", flat=True))
        slug = base
        number = 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        return self.create(name=name.strip(), kind=kind, slug=slug, **fields)

    def in_any_article(self) -> EntityQuerySet:
        """Entities that some article's curated annotations mention."""
        return self.filter(
            _gold_span_filter("mentions__span"), mentions__isnull=False
        ).distinct()

    def mentioned_in(self, article: Article) -> EntityQuerySet:
        """The entities the article's curated annotations mention, with counts."""
        return (
            self.filter(
                _gold_span_filter("mentions__span"), mentions__span__article=article
            )
            .annotate(mention_count=Count("mentions"))
            .order_by("-mention_count", "name")
        )


class Entity(models.Model):
    class Status(models.TextChoices):
        # Public: on /entities/ and in the suggester's table.
        CONFIRMED = "confirmed"
        # Proposed by the suggester for a name not yet in the table.
        SUGGESTED = "suggested"
        # A reviewer's: made by linking words to a new name, or by accepting
        # a suggested one. Private to them until a curator confirms it or
        # adjudication takes a mention of it into the gold.
        DRAFT = "draft"

    kind = models.CharField(max_length=6, choices=EntityKind.choices)
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    description = models.CharField(max_length=500, blank=True)
    wikidata_id = models.CharField(
        "Wikidata ID",
        max_length=20,
        blank=True,
        validators=[RegexValidator(r"^Q[1-9][0-9]*$", "A Wikidata ID looks like Q42.")],
    )
    latitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    merged_into = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text="Set when this entity was merged into another; kept, never deleted.",
    )
    status = models.CharField(
        max_length=9, choices=Status.choices, default=Status.CONFIRMED
    )
    # Whose draft it is (or was).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                | Q(latitude__isnull=True),
                name="entity_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180)
                | Q(longitude__isnull=True),
                name="entity_longitude_range",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="entity_not_merged_into_itself"
            ),
        ]
        indexes = [
            # Name search and the duplicate finder compare folded names.
            GinIndex(
                OpClass(Folded("name"), name="gin_trgm_ops"),
                name="entity_name_folded_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("newsreader:entity-detail", args=[self.slug])

    @property
    def wikidata_url(self) -> str:
        return (
            f"https://www.wikidata.org/wiki/{self.wikidata_id}"
            if self.wikidata_id
            else ""
        )


_ENTITY = prepared.Columns(Entity, table="newsreader_entity")
# Entity.objects.canonical().visible_to(user).get(pk=...), in SQL.
_VISIBLE_ENTITY = f"""
SELECT {_ENTITY.sql}
FROM newsreader_entity
WHERE id = %(pk)s AND merged_into_id IS NULL
    AND (%(curator)s OR status <> '{Entity.Status.DRAFT}' OR proposed_by_id = %(user)s)
"""


def visible_entity(pk: int, user) -> Entity | None:
    """The entity ``pk`` if ``user`` may link it, as
    ``Entity.objects.canonical().visible_to(user)`` finds it: one prepared
    statement for the lookup every link makes, where the ORM took longer to
    build the query than PostgreSQL to answer it."""
    params = {"pk": pk, "curator": can_curate(user), "user": user.pk}
    with prepared.cursor() as cursor:
        cursor.execute(_VISIBLE_ENTITY, params)
        row = cursor.fetchone()
    return None if row is None else _ENTITY.load(row)


class AliasQuerySet(models.QuerySet):
    def public(self) -> AliasQuerySet:
        return self.filter(proposed_by__isnull=True)

    def visible_to(self, user) -> AliasQuerySet:
        """Public aliases, and ``user``'s own; a curator sees every one."""
        if user is not None and can_curate(user):
            return self
        if user is None or not user.is_authenticated:
            return self.public()
        return self.filter(Q(proposed_by__isnull=True) | Q(proposed_by=user))


class Alias(models.Model):
    entity = models.ForeignKey(Entity, models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    normalized = models.CharField(max_length=300, editable=False)
    # The reviewer whose link made it: private to them (shown nowhere else,
    # not used by the suggester) until curation takes a mention by these
    # words into the gold. None: public (a curator's, an import's, curated).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AliasQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "aliases"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "normalized"], name="alias_unique_per_entity"
            ),
        ]
        indexes = [
            GinIndex(
                fields=["normalized"],
                name="alias_normalized_trgm",
                opclasses=["gin_trgm_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.normalized = normalize_name(self.name)


class DistinctPair(models.Model):
    """Two entities a curator judged to be different, however alike their
    names: the duplicate finder no longer offers them ("Iraq" and "Iran")."""

    one = models.ForeignKey(Entity, models.CASCADE, related_name="distinct_as_one")
    two = models.ForeignKey(Entity, models.CASCADE, related_name="distinct_as_two")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "pair of different entities"
        verbose_name_plural = "pairs of different entities"
        ordering = ["-created_at"]
        constraints = [
            # One row per pair, whichever way round it was judged.
            models.CheckConstraint(
                condition=Q(one__lt=F("two")), name="distinct_pair_in_order"
            ),
            models.UniqueConstraint(fields=["one", "two"], name="distinct_pair_once"),
        ]

    def __str__(self) -> str:
        return f"{self.one} ≠ {self.two}"


class ImportJob(models.Model):
    """One import started from the browser, run by the task worker.

    The upload is kept in the row, not on disk, so a worker on another
    machine can read it; it is dropped once the import has run.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    label = models.CharField(max_length=300)  # the file name, or the first URL
    upload = models.BinaryField(null=True, blank=True)
    urls = models.TextField(blank=True)  # one a line: pages or feeds
    status = models.CharField(max_length=7, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    summary = models.JSONField(null=True, blank=True)  # ImportSummary.as_dict()
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.label}"

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class SignInFailure(models.Model):
    """A wrong password, for throttling sign-in (``newsreader.signin``)."""

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["username", "at"]),
            models.Index(fields=["address", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"


class ApiToken(models.Model):
    """A user's key for the JSON API (``Authorization: Bearer <key>``).

    Only the key's SHA-256 is kept: the key is shown once, when made, and a
    leaked database row does not let anyone in.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_token"
    )
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"API token of {self.user}"

    @staticmethod
    def digest_of(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()

    @classmethod
    def issue(cls, user) -> str:
        """A new key for ``user``, replacing any they had; returns the key."""
        key = secrets.token_urlsafe(32)
        cls.objects.filter(user=user).delete()
        cls.objects.create(user=user, digest=cls.digest_of(key))
        return key
