from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from annotations import anchoring, editing, interchange
from annotations.models import Mention, OrphanedSpan, Quote, Review, Span
from annotations.spans import Candidate, SpanError, candidates, occurrences
from newsreader import admin as newsreader_admin
from newsreader.models import Article, Folded

# ---- Curation lists: filters, columns and actions shared by the admins below.
# Filters over values that run to thousands (articles, entities) are text
# boxes, not lists, so a changelist costs the same few queries at any size.


def _without_text(prefix: str) -> list[str]:
    """An article's heavy columns, deferred: a list shows titles, not bodies."""
    return [f"{prefix}__body", f"{prefix}__search_vector"]


def _int_or_refuse(value: str) -> int:
    value = value.strip()
    if not (value.isascii() and value.isdecimal()):
        raise IncorrectLookupParameters(f"{value!r} is not an ID.")
    return int(value)


class InputFilter(admin.SimpleListFilter):
    """A search box in the filter column; ``field`` is the lookup it fills."""

    template = "annotations/admin_input_filter.html"
    field = ""
    placeholder = ""

    def lookups(self, request, model_admin):
        return [("", "")]  # one, so that the filter shows

    def get_facet_counts(self, pk_attname, filtered_qs) -> dict:
        return {}

    def choices(self, changelist):
        yield {
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "hidden": [
                (name, value)
                for name, value in changelist.params.items()
                if name != self.parameter_name
            ],
        }


class ArticleFilter(InputFilter):
    title = "article ID"
    parameter_name = "article"
    field = "article"
    placeholder = "e.g. 42"

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(**{self.field: _int_or_refuse(self.value())})


class NameFilter(InputFilter):
    """Entities by a part of their name, without regard to case or accents
    (the folded name has a trigram index)."""

    placeholder = "Part of the name"

    def queryset(self, request, queryset):
        if not (self.value() or "").strip():
            return queryset
        part = Folded(Value(" ".join(self.value().split())))
        return queryset.alias(folded_name=Folded(self.field)).filter(
            folded_name__contains=part
        )


class ReviewerFilter(admin.SimpleListFilter):
    """People who have reviewed something: a short list, one query."""

    title = "reviewer"
    parameter_name = "reviewer"
    field = "review__reviewer"

    def lookups(self, request, model_admin):
        return (
            get_user_model()
            .objects.filter(reviews__isnull=False)
            .distinct()
            .order_by("username")
            .values_list("pk", "username")
        )

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(**{self.field: _int_or_refuse(self.value())})


class ReviewReviewerFilter(ReviewerFilter):
    field = "reviewer"


class MentionReviewerFilter(ReviewerFilter):
    field = "span__review__reviewer"


class MentionArticleFilter(ArticleFilter):
    field = "span__article"


class SpeakerFilter(NameFilter):
    title = "speaker"
    parameter_name = "speaker"
    field = "speaker__name"


class SpanSpeakerFilter(SpeakerFilter):
    field = "quote__speaker__name"


class EntityFilter(NameFilter):
    title = "entity"
    parameter_name = "entity"
    field = "entity__name"


class SpanEntityFilter(EntityFilter):
    field = "mention__entity__name"


class SpanRoleFilter(admin.SimpleListFilter):
    title = "type"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return [
            ("mention", "Mention"),
            ("quote", "Quote part"),
            ("cue", "Cue"),
            ("bare", "Neither"),
        ]

    def queryset(self, request, queryset):
        return {
            "mention": queryset.filter(mention__isnull=False),
            "quote": queryset.filter(quote__isnull=False),
            "cue": queryset.filter(cue_of__isnull=False),
            "bare": queryset.filter(
                mention__isnull=True, quote__isnull=True, cue_of__isnull=True
            ),
        }.get(self.value(), queryset)


def _article_link(article_id: int, query: str, label: str = "Open") -> str:
    url = reverse("newsreader:article-detail", args=[article_id])
    return format_html('<a href="{}?{}">{}</a>', url, query, label)


def _span_link(span: Span, label: str = "Open") -> str:
    """The span highlighted on its article's page (the page scrolls to it)."""
    if span.status == Span.Status.ORPHANED:
        return "orphaned"
    return _article_link(span.article_id, f"others=1&span={span.pk}", label)


def _short(text: str, length: int = 80) -> str:
    return Truncator(text).chars(length)


class CurationAdmin(SimpleHistoryAdmin):
    """What the span, mention and quote lists share."""

    class Media:
        css = {"all": ["css/curation.css"]}

    show_facets = admin.ShowFacets.NEVER
    # Counting a whole table of spans is slow; the filtered count is enough.
    show_full_result_count = False
    list_per_page = 50

    def _spans(self, queryset: QuerySet) -> QuerySet[Span]:
        raise NotImplementedError

    def _set_status(self, request: HttpRequest, queryset: QuerySet, status: str):
        spans = list(self._spans(queryset))
        changed = editing.set_spans_status(
            spans=spans, status=status, user=request.user
        )
        self.message_user(
            request,
            f"{changed} span(s) {status}. Orphaned spans and those {status} "
            "already were left as they were.",
            messages.SUCCESS,
        )
        machine = sum(span.review_id is None for span in spans)
        if status == Span.Status.ACCEPTED and machine:
            self.message_user(
                request,
                f"{machine} machine suggestion(s) left as suggestions: "
                "they belong to no review yet. A reviewer accepts them on the "
                "article's page (A), and adjudication takes them into the gold.",
                messages.WARNING,
            )

    @admin.action(description="Accept the selected", permissions=["change"])
    def accept(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, Span.Status.ACCEPTED)

    @admin.action(description="Reject the selected", permissions=["change"])
    def reject(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._set_status(request, queryset, Span.Status.REJECTED)


def _reviewer_of(span_or_quote) -> str:
    review = span_or_quote.review
    return review.reviewer.get_username() if review else "— (suggestion)"


def _attachment(response, filename: str):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = [
        "article_title",
        "reviewer_name",
        "status",
        "submitted_at",
        "mentions",
        "quotes",
        "open_on_page",
    ]
    list_filter = [
        "status",
        ReviewReviewerFilter,
        ArticleFilter,
    ]
    search_fields = ["article__title", "reviewer__username"]
    search_help_text = "Searches article titles and reviewers' names."
    raw_id_fields = ["article"]
    show_facets = admin.ShowFacets.NEVER
    actions = ["reopen", "download_jsonl", "download_jsonld", "download_quotes_csv"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        def count(model, **filters) -> Coalesce:
            rows = (
                model.objects.filter(review=OuterRef("pk"), **filters)
                .order_by()
                .values("review")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(rows), 0)

        return (
            super()
            .get_queryset(request)
            .select_related("article", "reviewer")
            .defer(*_without_text("article"))
            .annotate(
                mention_count=count(Span, mention__isnull=False, status="accepted"),
                quote_count=count(Quote),
            )
        )

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, review: Review) -> str:
        return _short(review.article.title)

    @admin.display(description="Reviewer", ordering="reviewer__username")
    def reviewer_name(self, review: Review) -> str:
        return review.reviewer.get_username()

    @admin.display(description="Mentions", ordering="mention_count")
    def mentions(self, review: Review) -> int:
        return review.mention_count

    @admin.display(description="Quotes", ordering="quote_count")
    def quotes(self, review: Review) -> int:
        return review.quote_count

    @admin.display(description="")
    def open_on_page(self, review: Review) -> str:
        return _article_link(review.article_id, "others=1")

    @admin.action(
        description="Reopen the selected submitted reviews", permissions=["change"]
    )
    def reopen(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        reopened = 0
        for review in queryset.filter(status=Review.Status.SUBMITTED):
            editing.reopen_review(review=review)
            reopened += 1
        message = (
            f"{reopened} review(s) reopened: their reviewers can change them "
            "and submit them again."
        )
        if left := queryset.count() - reopened:
            message += f" {left} not submitted, left as they were."
        self.message_user(request, message, messages.SUCCESS)

    # Downloads of the selected reviews (annotations.interchange).

    def _selected(self, queryset: QuerySet[Review]) -> QuerySet[Review]:
        return Review.objects.filter(pk__in=queryset.values("pk"))

    @admin.action(description="Download as JSONL (gold shape)", permissions=["view"])
    def download_jsonl(self, request: HttpRequest, queryset: QuerySet[Review]):
        return _attachment(
            StreamingHttpResponse(
                interchange.export_jsonl(self._selected(queryset)),
                content_type="application/x-ndjson; charset=utf-8",
            ),
            "annotations.jsonl",
        )

    @admin.action(description="Download as W3C JSON-LD", permissions=["view"])
    def download_jsonld(self, request: HttpRequest, queryset: QuerySet[Review]):
        collections = interchange.export_jsonld(
            self._selected(queryset), request.build_absolute_uri
        )
        return _attachment(
            JsonResponse(
                collections,
                safe=False,
                content_type="application/ld+json",
                json_dumps_params={"ensure_ascii": False, "indent": 2},
            ),
            "annotations.jsonld",
        )

    @admin.action(description="Download the quotes as CSV", permissions=["view"])
    def download_quotes_csv(self, request: HttpRequest, queryset: QuerySet[Review]):
        return _attachment(
            StreamingHttpResponse(
                interchange.export_quotes_csv(self._selected(queryset)),
                content_type="text/csv; charset=utf-8",
            ),
            "quotes.csv",
        )


@admin.register(Span)
class SpanAdmin(CurationAdmin):
    list_display = [
        "words",
        "role",
        "named",
        "article_title",
        "reviewer",
        "state",
    ]
    list_filter = [
        "status",
        "origin",
        SpanRoleFilter,
        ("mention__entity__kind", admin.ChoicesFieldListFilter),
        ReviewerFilter,
        ArticleFilter,
        SpanSpeakerFilter,
        SpanEntityFilter,
    ]
    search_fields = ["exact", "quote__speaker__name", "mention__entity__name"]
    search_help_text = "Searches the words, the entity's and the speaker's name."
    raw_id_fields = ["article", "review", "quote"]
    actions = ["accept", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Span]:
        return (
            super()
            .get_queryset(request)
            .select_related(
                "article",
                "review__reviewer",
                "mention__entity",
                "quote__speaker",
                "cue_of__speaker",
            )
            .defer(*_without_text("article"))
        )

    def _spans(self, queryset: QuerySet[Span]) -> QuerySet[Span]:
        return Span.objects.filter(pk__in=queryset.values("pk"))

    # One column for both: at 1366 px the list had no room for another.
    @admin.display(description="Status (origin)", ordering="status")
    def state(self, span: Span) -> str:
        return f"{span.get_status_display()} ({span.get_origin_display().lower()})"

    @admin.display(description="Words", ordering="exact")
    def words(self, span: Span) -> str:
        return _short(span.exact)

    @admin.display(description="Type")
    def role(self, span: Span) -> str:
        if hasattr(span, "mention"):
            return f"Mention ({span.mention.entity.get_kind_display().lower()})"
        if span.quote_id:
            return f"Quote part ({span.quote.get_type_display().lower()})"
        if hasattr(span, "cue_of"):
            return "Cue"
        return "—"

    @admin.display(description="Entity or speaker")
    def named(self, span: Span) -> str:
        if hasattr(span, "mention"):
            return span.mention.entity.name
        quote = span.quote if span.quote_id else getattr(span, "cue_of", None)
        return (quote.speaker_label if quote is not None else "") or "—"

    # The title opens the span on its page: a column of its own for the link
    # ran out of sight at 1366 px.
    @admin.display(description="Article", ordering="article__title")
    def article_title(self, span: Span) -> str:
        title = _short(span.article.title, 50)
        if span.status == Span.Status.ORPHANED:
            return f"{title} (orphaned: no place on the page)"
        return _span_link(span, title)

    @admin.display(description="Reviewer", ordering="review__reviewer__username")
    def reviewer(self, span: Span) -> str:
        return _reviewer_of(span)


@admin.register(Mention)
class MentionAdmin(CurationAdmin):
    list_display = [
        "words",
        "entity_name",
        "kind",
        "article_title",
        "reviewer",
        "status",
        "origin",
        "open_on_page",
    ]
    list_filter = [
        ("span__status", admin.ChoicesFieldListFilter),
        ("span__origin", admin.ChoicesFieldListFilter),
        ("entity__kind", admin.ChoicesFieldListFilter),
        MentionReviewerFilter,
        MentionArticleFilter,
        EntityFilter,
    ]
    search_fields = ["span__exact", "entity__name"]
    search_help_text = "Searches the words and the entity's name."
    raw_id_fields = ["span", "entity"]
    actions = ["accept", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return (
            super()
            .get_queryset(request)
            .select_related("span__article", "span__review__reviewer", "entity")
            .defer(*_without_text("span__article"))
        )

    def _spans(self, queryset: QuerySet[Mention]) -> QuerySet[Span]:
        return Span.objects.filter(mention__in=queryset.values("pk"))

    @admin.display(description="Words", ordering="span__exact")
    def words(self, mention: Mention) -> str:
        return _short(mention.span.exact)

    @admin.display(description="Entity", ordering="entity__name")
    def entity_name(self, mention: Mention) -> str:
        return mention.entity.name

    @admin.display(description="Kind", ordering="entity__kind")
    def kind(self, mention: Mention) -> str:
        return mention.entity.get_kind_display()

    @admin.display(description="Article", ordering="span__article__title")
    def article_title(self, mention: Mention) -> str:
        return _short(mention.span.article.title, 50)

    @admin.display(description="Reviewer", ordering="span__review__reviewer__username")
    def reviewer(self, mention: Mention) -> str:
        return _reviewer_of(mention.span)

    @admin.display(description="Status", ordering="span__status")
    def status(self, mention: Mention) -> str:
        return mention.span.get_status_display()

    @admin.display(description="Origin", ordering="span__origin")
    def origin(self, mention: Mention) -> str:
        return mention.span.get_origin_display()

    @admin.display(description="")
    def open_on_page(self, mention: Mention) -> str:
        return _span_link(mention.span)


@admin.register(Quote)
class QuoteAdmin(CurationAdmin):
    list_display = [
        "words",
        "speaker_name",
        "type",
        "article_title",
        "reviewer",
        "status",
        "open_on_page",
    ]
    list_filter = [
        "type",
        ("parts__status", admin.ChoicesFieldListFilter),
        ("parts__origin", admin.ChoicesFieldListFilter),
        ReviewerFilter,
        ArticleFilter,
        SpeakerFilter,
    ]
    search_fields = ["parts__exact", "speaker__name", "speaker_description"]
    search_help_text = (
        "Searches the quoted words, the speaker's name and a described source."
    )
    raw_id_fields = ["article", "review", "speaker", "speaker_mention", "cue"]
    actions = ["accept", "reject"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quote]:
        parts = Span.objects.only(
            "pk", "quote_id", "article_id", "start", "exact", "status"
        ).order_by("start")
        return (
            super()
            .get_queryset(request)
            .select_related("article", "speaker", "review__reviewer")
            .defer(*_without_text("article"))
            .prefetch_related(Prefetch("parts", queryset=parts))
        )

    def _spans(self, queryset: QuerySet[Quote]) -> QuerySet[Span]:
        quotes = queryset.values("pk")
        return Span.objects.filter(Q(quote__in=quotes) | Q(cue_of__in=quotes))

    @admin.display(description="Words")
    def words(self, quote: Quote) -> str:
        return _short(" … ".join(part.exact for part in quote.parts.all()), 100)

    @admin.display(description="Speaker", ordering="speaker__name")
    def speaker_name(self, quote: Quote) -> str:
        return quote.speaker_label or "—"

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, quote: Quote) -> str:
        return _short(quote.article.title, 50)

    @admin.display(description="Reviewer", ordering="review__reviewer__username")
    def reviewer(self, quote: Quote) -> str:
        return _reviewer_of(quote)

    @admin.display(description="Status")
    def status(self, quote: Quote) -> str:
        labels = dict(Span.Status.choices)
        return ", ".join(
            labels[status]
            for status in sorted({part.status for part in quote.parts.all()})
        )

    @admin.display(description="")
    def open_on_page(self, quote: Quote) -> str:
        parts = quote.parts.all()
        return _span_link(parts[0]) if parts else "—"


# ---- Re-anchoring: a curator's edit of an article's body keeps its spans on
# their words (annotations.anchoring); spans it cannot place are orphaned and
# listed below, each with a page to re-attach it by hand.


def _orphans_url(article_id: int | None = None) -> str:
    url = reverse("admin:annotations_orphanedspan_changelist")
    return f"{url}?article={article_id}" if article_id else url


admin.site.unregister(Article)


@admin.register(Article)
class ArticleAdmin(newsreader_admin.ArticleAdmin):
    """The reading side's Article admin; a changed body re-anchors the spans."""

    readonly_fields = [*newsreader_admin.ArticleAdmin.readonly_fields, "orphans"]
    actions = ["assign"]

    @admin.action(
        description="Assign the selected to a reviewer…", permissions=["change"]
    )
    def assign(self, request: HttpRequest, queryset: QuerySet[Article]):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return redirect(f"{reverse('annotations:assign-articles')}?articles={ids}")

    def save_model(self, request: HttpRequest, obj: Article, form, change: bool):
        if change and "body" in form.changed_data:
            result = anchoring.update_article_body(
                article=obj, body=obj.body, user=request.user
            )
            if result.changed:
                self._report(request, obj, result)
        super().save_model(request, obj, form, change)

    def _report(self, request: HttpRequest, article: Article, result) -> None:
        text = (
            f"The text changed: {result.moved} span(s) moved with their words, "
            f"{result.kept} kept their place"
        )
        if result.restored:
            text += f", {result.restored} orphaned before found their words again"
        if not result.orphaned:
            self.message_user(request, text + ".", messages.SUCCESS)
            return
        self.message_user(
            request,
            format_html(
                '{}; {} lost their words and are orphaned: <a href="{}">'
                "re-attach them</a>.",
                text,
                result.orphaned,
                _orphans_url(article.pk),
            ),
            messages.WARNING,
        )

    @admin.display(description="Orphaned spans")
    def orphans(self, article: Article) -> str:
        if not article.pk:
            return "—"
        count = Span.objects.filter(
            article=article, status=Span.Status.ORPHANED
        ).count()
        if not count:
            return "None"
        return format_html(
            '<a href="{}">{} to re-attach</a>', _orphans_url(article.pk), count
        )


class ReattachForm(forms.Form):
    """Where to put an orphaned span: one of the offered places, or words the
    curator types (with their start when they occur more than once)."""

    place = forms.ChoiceField(required=False, widget=forms.RadioSelect)
    words = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Or type (or paste) the words to attach it to.",
    )
    start = forms.IntegerField(
        required=False,
        min_value=0,
        help_text="Where those words start, if they occur more than once.",
    )

    def __init__(self, *args, body: str, offered: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.body = body
        self.fields["place"].choices = [
            (f"{c.start}-{c.end}", f"{c.start}–{c.end}") for c in offered
        ]
        self.repeats: list[int] = []

    def clean(self) -> dict:
        data = super().clean()
        place, words, start = data.get("place"), data.get("words"), data.get("start")
        if self.errors:
            return data
        if place and words:
            raise forms.ValidationError("Choose a place or type words, not both.")
        if place:
            data["start"], data["end"] = map(int, place.split("-"))
            data["words"] = None  # the words there, whatever they are
            return data
        if not words:
            raise forms.ValidationError("Choose a place or type the words.")
        if start is None:
            found = list(occurrences(self.body, words))
            if not found:
                raise forms.ValidationError("Those words are not in the text.")
            if len(found) > 1:
                self.repeats = found
                raise forms.ValidationError(
                    f"Those words occur {len(found)} times: choose one of the "
                    "places offered, or give the start."
                )
            start = found[0]
        data["start"], data["end"] = start, start + len(words)
        return data


def _kind(span: Span) -> str:
    if hasattr(span, "mention"):
        return f"Mention of {span.mention.entity.name}"
    if span.quote_id:
        return f"Quote part ({span.quote.speaker_label or 'unknown speaker'})"
    if hasattr(span, "cue_of"):
        return "Quote cue"
    return "Span"


def _in_context(body: str, start: int, end: int, reach: int = 60) -> dict:
    """The words at ``start``–``end`` with a little of the paragraph around,
    and an ellipsis where the paragraph goes on."""
    before = body[max(0, start - reach) : start]
    after = body[end : end + reach]
    if "\n\n" in before:
        before = before.rpartition("\n\n")[2]
    elif start > reach:
        before = "…" + before
    if "\n\n" in after:
        after = after.partition("\n\n")[0]
    elif end + reach < len(body):
        after += "…"
    return {"before": before, "words": body[start:end], "after": after}


@admin.register(OrphanedSpan)
class OrphanedSpanAdmin(admin.ModelAdmin):
    """The spans an edit of a body left without a place, and their re-attach page."""

    list_display = [
        "old_context",
        "article_title",
        "reviewer",
        "kind",
        "old_offsets",
        "updated_at",
        "reattach",
    ]
    list_display_links = None
    list_filter = [ArticleFilter, ReviewerFilter, SpanRoleFilter]
    search_fields = ["exact"]
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    ordering = ["-updated_at", "pk"]

    class Media:
        css = {"all": ["css/reattach.css"]}

    def changelist_view(self, request: HttpRequest, extra_context=None):
        title = "Orphaned spans: words an edit took away, to re-attach by hand"
        context = {"title": title, **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[OrphanedSpan]:
        return (
            super()
            .get_queryset(request)
            .filter(status=Span.Status.ORPHANED)
            .select_related(
                "article",
                "review__reviewer",
                "mention__entity",
                "quote__speaker",
                "cue_of",
            )
            .defer(*_without_text("article"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # an orphan is re-attached, never deleted

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        wrap = self.admin_site.admin_view
        return [
            path(
                "",
                wrap(self.changelist_view),
                name="{}_{}_changelist".format(*info),
            ),
            path(
                "<int:pk>/reattach/",
                wrap(self.reattach_view),
                name="{}_{}_reattach".format(*info),
            ),
            path(
                "<path:object_id>/",
                wrap(self.reattach_redirect),
                name="{}_{}_change".format(*info),
            ),
        ]

    @admin.display(description="Old context")
    def old_context(self, span: Span) -> str:
        return format_html(
            '<span class="orphan-context">…{}<mark>{}</mark>{}…</span>',
            span.prefix,
            _short(span.exact, 160),
            span.suffix,
        )

    @admin.display(description="Article", ordering="article__title")
    def article_title(self, span: Span) -> str:
        url = reverse("admin:newsreader_article_change", args=[span.article_id])
        return format_html('<a href="{}">{}</a>', url, _short(span.article.title, 50))

    @admin.display(description="Reviewer", ordering="review__reviewer__username")
    def reviewer(self, span: Span) -> str:
        return _reviewer_of(span)

    @admin.display(description="Type")
    def kind(self, span: Span) -> str:
        return _kind(span)

    @admin.display(description="Old offsets", ordering="start")
    def old_offsets(self, span: Span) -> str:
        return f"{span.start}–{span.end}"

    @admin.display(description="")
    def reattach(self, span: Span) -> str:
        url = reverse("admin:annotations_orphanedspan_reattach", args=[span.pk])
        return format_html('<a class="button" href="{}">Re-attach…</a>', url)

    def reattach_redirect(self, request: HttpRequest, object_id: str):
        if not object_id.isdecimal():
            raise Http404("No such orphaned span.")
        return redirect("admin:annotations_orphanedspan_reattach", int(object_id))

    def reattach_view(self, request: HttpRequest, pk: int):
        span = self.get_queryset(request).defer(None).filter(pk=pk).first()
        if span is None:
            if Span.objects.filter(pk=pk).exists():
                self.message_user(
                    request, "That span is no longer orphaned.", messages.INFO
                )
                return redirect("admin:annotations_orphanedspan_changelist")
            raise Http404("No such orphaned span.")
        if not self.has_change_permission(request, span):
            raise PermissionDenied
        body = span.article.body
        offered = candidates(
            body,
            exact=span.exact,
            prefix=span.prefix,
            suffix=span.suffix,
            near=span.start,
        )
        status = 200
        typed: set[tuple[int, int]] = set()
        form = ReattachForm(body=body, offered=offered)
        if request.method == "POST":
            form = ReattachForm(request.POST, body=body, offered=offered)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    anchoring.reattach_span(
                        span=span,
                        start=data["start"],
                        end=data["end"],
                        exact=data["words"],
                        user=request.user,
                    )
                except SpanError as error:
                    form.add_error(None, str(error))
                else:
                    self.message_user(
                        request,
                        f"“{_short(span.exact, 60)}” re-attached at "
                        f"{span.start}–{span.end}, {span.get_status_display()}.",
                        messages.SUCCESS,
                    )
                    return redirect(_orphans_url(span.article_id))
            status = 400
            if form.repeats:
                # Offer each place the typed words occur, so one click chooses.
                words = form.data.get("words", "")
                typed = {(p, p + len(words)) for p in form.repeats}
                known = {(c.start, c.end) for c in offered}
                offered = offered + [
                    Candidate(*place, 1.0, 0.0) for place in sorted(typed - known)
                ]
                form.fields["place"].choices = [
                    (f"{c.start}-{c.end}", "") for c in offered
                ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Re-attach an orphaned span",
            "subtitle": span.article.title,
            "span": span,
            "kind": _kind(span),
            "reviewer": _reviewer_of(span),
            "previous_status": dict(Span.Status.choices)[
                anchoring.previous_status(span)
            ],
            "form": form,
            "choices": [
                {
                    "value": f"{c.start}-{c.end}",
                    "candidate": c,
                    "typed": (c.start, c.end) in typed,
                    "same": body[c.start : c.end] == span.exact,
                    **_in_context(body, c.start, c.end),
                }
                for c in offered
            ],
            "chosen": form.data.get("place", ""),
            "near": body[
                max(0, min(span.start, len(body)) - 300) : min(
                    len(body), span.end + 300
                )
            ],
            "article_url": reverse(
                "admin:newsreader_article_change", args=[span.article_id]
            ),
        }
        return TemplateResponse(
            request,
            "annotations/orphaned_span_reattach.html",
            context,
            status=status,
        )


# Entities: merge, split, undo and the duplicate finder, for curators. The
# admin lives in its own module (annotations/entity_admin.py); this puts it
# in place of newsreader's EntityAdmin.
from annotations import entity_admin  # noqa: E402

entity_admin.register(admin.site)
