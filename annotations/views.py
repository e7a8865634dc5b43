from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, reswap

from annotations import (
    adjudication,
    agreement,
    charts,
    editing,
    interchange,
    quoted,
    redraw,
    tasks,
)
from annotations.agreement import MentionItem
from annotations.export import web_annotations
from annotations.forms import (
    NAME_LIMIT,
    AssignForm,
    DecideForm,
    EntityChoiceForm,
    MentionForm,
    QuoteForm,
    QuoteSearchForm,
    QuoteUpdateForm,
    SelectionForm,
    article_ids,
    error_text,
)
from annotations.linking import candidates
from annotations.merging import TOKEN
from annotations.models import Assignment, CuratedQuote, Mention, Quote, Review, Span
from annotations.rendering import Drawn, render_body
from annotations.spans import SpanError, paragraphs_around
from newsreader.forms import ArticleSearchForm, ImportForm
from newsreader.http import HtmxHttpRequest
from newsreader.models import Article, Entity, EntityKind, ImportJob
from newsreader.roles import can_annotate, can_curate


def annotator_required(view: Callable) -> Callable:
    """Sign-in and the reviewer role, checked on the server for every write.

    Bad spans, closed reviews and bad forms become 4xx answers whose body is
    a message for the person, never a 500.
    """

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            page = request.htmx.current_url if request.htmx else request.get_full_path()
            login = redirect_to_login(page or "/")
            if request.htmx:
                return HttpResponseClientRedirect(login["Location"])
            return login
        if not can_annotate(request.user):
            return _message(
                "Only reviewers can annotate. "
                "Ask a curator to add you to the reviewer group.",
                403,
            )
        try:
            # One transaction: a refused write leaves nothing behind, not even
            # an entity it created on the way.
            with transaction.atomic():
                return view(request, *args, **kwargs)
        except (SpanError, BadRequest) as error:
            return _message(str(error), 400)
        except (editing.ReviewClosed, editing.AlreadyDone) as error:
            return _message(str(error), 409)

    return wrapper


def _valid[F: forms.Form](form: F) -> F:
    if not form.is_valid():
        raise BadRequest(error_text(form))
    return form


def _message(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _get_article(pk: int) -> Article:
    # Not the search vector: as long as the body, and no page reads it.
    return get_object_or_404(
        Article.objects.select_related("source").defer("search_vector"), pk=pk
    )


def _reviewing(request: HtmxHttpRequest, pk: int) -> tuple[Article, Review]:
    """Article ``pk`` and the signed-in reviewer's review of it, made if
    need be and locked until the write ends."""
    try:
        review = editing.open_review(article=pk, reviewer=request.user)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None
    return review.article, review


def _get_own_span(request: HtmxHttpRequest, article: Article, pk: int) -> Span:
    span = get_object_or_404(
        Span.objects.select_related("review"),
        pk=pk,
        article=article,
        review__reviewer=request.user,
    )
    span.article = span.review.article = article  # not the body a second time
    return span


def _get_own_quote(request: HtmxHttpRequest, article: Article, pk: int) -> Quote:
    quote = get_object_or_404(
        Quote.objects.select_related("review"),
        pk=pk,
        article=article,
        review__reviewer=request.user,
    )
    quote.article = quote.review.article = article
    return quote


@dataclass
class QuoteRow:
    quote: Quote
    parts: list[Any] = field(default_factory=list)  # rows with pk, start, exact
    cue: Any = None
    mine: bool = False
    reviewer: str = ""  # another reviewer's, when shown beside one's own
    colour: int = 0

    @property
    def words(self) -> str:
        return " … ".join(part.exact for part in self.parts)

    @property
    def places(self) -> list[tuple[int, int]]:
        """Where its parts and cue are."""
        spans = [*self.parts, *([self.cue] if self.cue else [])]
        return [(span.start, span.end) for span in spans]


def _colour(reviewer_id: int) -> int:
    """The colour (1-6) of another reviewer's marks: by their id, so the
    same on every page and in every partial answer."""
    return reviewer_id % 6 + 1


def visible_spans(
    request: HtmxHttpRequest, article: Article, *, annotator: bool, others: bool
) -> QuerySet[Span]:
    """The accepted spans this person may see, in reading order.

    An annotator sees their own review, and with ``others`` the reviews
    other reviewers have submitted; everyone else sees the curated
    (adjudicated) set.
    """
    visible = Q(review__status=Review.Status.ADJUDICATED)
    if annotator:
        visible = Q(review__reviewer=request.user)
        if others:
            # The curated set stays out of sight: it would steer the review.
            visible |= Q(review__status=Review.Status.SUBMITTED)
    visible &= Q(status=Span.Status.ACCEPTED)
    # The admin links each span as ?others=1&span=ID: whoever may see it
    # there sees it here too, whatever its review or status, so the page can
    # show it (with others=1, labelled with its reviewer's name). Not an
    # orphan: its offsets no longer fit the text.
    if (linked := _linked_span(request, others)) is not None:
        visible |= Q(pk=linked) & ~Q(status=Span.Status.ORPHANED)
    return Span.objects.filter(visible, article=article).order_by("start", "-end")


def _linked_span(request: HtmxHttpRequest, others: bool) -> int | None:
    """The span the admin links to (?span=ID), shown with others' work, if
    this person may see it."""
    linked = _int(request.GET.get("span")) if others else None
    if linked is not None and request.user.has_perm("annotations.view_span"):
        return linked
    return None


def _span_rows(
    spans: QuerySet[Span], *, with_reviewer: bool, extra: tuple[str, ...] = ()
) -> list[Any]:
    """Spans as plain rows, with the kind and name of the entity a mention
    links: no model instance per span and relation.

    Building Span, Review, User, Mention, Entity and Quote objects for each
    of 2,000 spans was most of the page's time; the few distinct quotes are
    fetched once instead (``_draw``).
    """
    fields = ["pk", "start", "end", "exact", "review_id", "quote_id"]
    fields += ["mention__entity", "mention__entity__kind", "mention__entity__name"]
    fields += ["cue_of"]
    if with_reviewer:
        fields += ["review__reviewer", "review__reviewer__username"]
    return list(spans.values_list(*fields, *extra, named=True))


def _entity_rows(
    visible: QuerySet[Span],
    review: Review | None,
    *,
    annotator: bool,
) -> list[tuple[Entity, int, int]]:
    """(entity, mentions, first mention) for the side panel, most mentioned
    first: the reviewer's own mentions, or for readers the curated ones.

    One query: the entities with their counts, grouped by entity alone.
    """
    if annotator:
        if review is None:
            return []
        counted = Q(
            mentions__span__review=review, mentions__span__status=Span.Status.ACCEPTED
        )
    else:
        counted = Q(
            mentions__span__in=visible.filter(mention__isnull=False).values("pk")
        )
    first = Func(
        ArrayAgg(
            "mentions__span", order_by=("mentions__span__start", "-mentions__span__end")
        ),
        template="(%(expressions)s)[1]",
        output_field=BigIntegerField(),
    )
    entities = (
        Entity.objects.filter(counted)
        .annotate(count=Count("mentions"), first=first)
        .only("kind", "name", "slug")
        .order_by()
    )
    return _most_mentioned(entities)


def _most_mentioned(entities: Iterable[Entity]) -> list[tuple[Entity, int, int]]:
    """Entities annotated with ``count`` and ``first`` as the side panel's
    (entity, mentions, first mention) rows, most mentioned first."""
    return sorted(
        ((entity, entity.count, entity.first) for entity in entities),
        key=lambda row: (-row[1], row[0].name),
    )


def _draw(
    spans: list[Any],
    review: Review | None,
    *,
    annotator: bool,
    quote_by_pk: dict[int, Quote] | None = None,
) -> tuple[list[Drawn], dict[int, QuoteRow]]:
    """What each span looks like, and the quotes its parts and cues make
    (read here unless ``quote_by_pk`` has them)."""
    if quote_by_pk is None:
        quote_pks = {s.quote_id or s.cue_of for s in spans if s.quote_id or s.cue_of}
        quote_by_pk = Quote.objects.select_related("speaker").in_bulk(quote_pks)
    kinds, types = dict(EntityKind.choices), dict(Quote.Type.choices)
    speaker = {pk: _speaker(quote) for pk, quote in quote_by_pk.items()}

    drawn, quotes = [], {}
    for span in spans:
        mine = review is not None and span.review_id == review.pk
        suggested = span.review_id is None
        others, by = "", {}
        if suggested:
            whose = " — suggested: A accepts, R rejects"
        elif mine or not annotator:
            whose = ""
        else:
            whose = f" — {span.review__reviewer__username}"
            colour = _colour(span.review__reviewer)
            others = f"others reviewer-{colour}"
            by = {"reviewer": span.review__reviewer__username, "colour": colour}
        if (kind := span.mention__entity__kind) is not None:
            drawn.append(
                Drawn(
                    span.pk,
                    span.start,
                    span.end,
                    "mention",
                    f"{kinds[kind]}: {span.mention__entity__name}{whose}",
                    css=f"kind-{kind.lower()} {others}".strip(),
                    mine=mine,
                    suggested=suggested,
                )
            )
        elif (quote_pk := span.quote_id) is not None:
            quote = quote_by_pk[quote_pk]
            row = quotes.setdefault(quote_pk, QuoteRow(quote, mine=mine, **by))
            row.parts.append(span)
            # "no-speaker": for the key to the next quote to attribute.
            unattributed = "" if quote.speaker_label else "no-speaker"
            drawn.append(
                Drawn(
                    span.pk,
                    span.start,
                    span.end,
                    "quote",
                    f"{types[quote.type]} quote by {speaker[quote_pk]}{whose}",
                    css=f"{unattributed} {others}".strip(),
                    quote=quote_pk,
                    mine=mine,
                    suggested=suggested,
                )
            )
        elif (quote_pk := span.cue_of) is not None:
            quote = quote_by_pk[quote_pk]
            quotes.setdefault(quote_pk, QuoteRow(quote, mine=mine, **by)).cue = span
            drawn.append(
                Drawn(
                    span.pk,
                    span.start,
                    span.end,
                    "cue",
                    f"Cue of a quote by {speaker[quote_pk]}{whose}",
                    css=others,
                    quote=quote_pk,
                    mine=mine,
                    suggested=suggested,
                )
            )
    return drawn, quotes


def _annotating(request: HtmxHttpRequest, article: Article) -> tuple:
    """(annotator?, showing others' work?, the reviewer's review)"""
    annotator = can_annotate(request.user)
    show_others = request.GET.get("others") == "1" or request.POST.get("others") == "1"
    review = (
        Review.objects.filter(article=article, reviewer=request.user).first()
        if annotator
        else None
    )
    return annotator, show_others, review


def workspace_context(
    request: HtmxHttpRequest,
    article: Article,
    *,
    selected_quote: int | None = None,
    selected_mention: int | None = None,
    toast: str = "",
    undo_token: str = "",
    next_article: Article | None = None,
) -> dict:
    """Everything the article page draws: one query for the spans, one for
    the entities with their counts, one for the quotes they draw."""
    annotator, show_others, review = _annotating(request, article)
    visible = visible_spans(request, article, annotator=annotator, others=show_others)
    spans = _span_rows(visible, with_reviewer=annotator and show_others)
    suggestions = (
        _pending_suggestions(article, review)
        if annotator and (review is None or review.is_editable)
        else []
    )
    entity_rows = _entity_rows(visible, review, annotator=annotator)
    drawn, quotes = _draw(spans + suggestions, review, annotator=annotator)
    shown_reviewers = sorted(
        {
            (span.review__reviewer__username, _colour(span.review__reviewer))
            for span in spans
            if annotator
            and show_others
            and span.review_id != getattr(review, "pk", None)
        }
    )
    return {
        "article": article,
        "body_html": render_body(article.body, drawn, titles=False),
        "annotator": annotator,
        "curator": annotator and can_curate(request.user),
        "review": review,
        "show_others": show_others,
        "shown_reviewers": shown_reviewers,
        "quote_rows": _quote_list(quotes),
        "entity_rows": entity_rows,
        "kinds": EntityKind.choices,
        "quote_types": Quote.Type.choices,
        "selected_quote": quotes.get(selected_quote) if selected_quote else None,
        "selected_mention": (
            visible.select_related("mention__entity")
            .filter(pk=selected_mention, mention__isnull=False)
            .first()
            if selected_mention
            else None
        ),
        "suggestion_count": _suggestion_count(suggestions),
        "toast": toast,
        "undo_token": undo_token,
        "next_article": next_article,
    }


def _pending_suggestions(article: Article, review: Review | None) -> list[Any]:
    """The machine's suggestions this reviewer has not accepted or rejected:
    those where their review has no span of the same words (a quote's first
    part stands for the quote)."""
    suggested = Span.objects.filter(
        article=article, review=None, status=Span.Status.SUGGESTED
    ).order_by("start", "-end")
    if review is None:
        return _span_rows(suggested, with_reviewer=False)
    same_words = review.spans.filter(start=OuterRef("start"), end=OuterRef("end"))
    rows = _span_rows(
        suggested.annotate(decided=Exists(same_words)),
        with_reviewer=False,
        extra=("decided",),
    )
    first_part = {}
    for row in rows:
        if row.quote_id is not None:
            first_part.setdefault(row.quote_id, row)
    hidden_quotes = {pk for pk, first in first_part.items() if first.decided}
    return [
        row
        for row in rows
        if (row.quote_id or row.cue_of) not in hidden_quotes
        and not (row.mention__entity and row.decided)
    ]


def _suggestion_count(suggestions: list[Any]) -> int:
    """Undecided suggestions: a quote and its cue count once."""
    return len({row.quote_id or f"m{row.pk}" for row in suggestions if not row.cue_of})


def _quote_row(quote: Quote) -> QuoteRow:
    """One quote of the reviewer's with its parts and cue, for its editor."""
    row = QuoteRow(quote, mine=True)
    for span in _span_rows(
        Span.objects.filter(Q(quote=quote) | Q(cue_of=quote)).order_by("start"),
        with_reviewer=False,
    ):
        if span.cue_of is not None:
            row.cue = span
        else:
            row.parts.append(span)
    return row


def _quote_list(quotes: dict[int, QuoteRow]) -> list[QuoteRow]:
    """The side panel's quote list: the reviewed quotes ``_draw`` made, in
    reading order (suggestions are not listed)."""
    return sorted(
        (row for row in quotes.values() if row.parts and row.quote.review_id),
        key=lambda row: row.parts[0].start,
    )


def _listed_quotes(
    visible: QuerySet[Span], review: Review, show_others: bool
) -> list[QuoteRow]:
    """The side panel's quote list, without drawing the whole text."""
    parts = _span_rows(visible.filter(quote__isnull=False), with_reviewer=show_others)
    _, quotes = _draw(parts, review, annotator=True)
    return _quote_list(quotes)


def _answer(
    request: HtmxHttpRequest,
    article: Article,
    review: Review,
    words: list[tuple[int, int]],
    *,
    toast: str,
    entities: Collection[int] = (),
    quotes: bool = False,
    editor: QuoteRow | None = None,
) -> HttpResponse:
    """A write's answer: what it changed, each piece swapped in out of band
    by htmx in one response, never the whole workspace.

    Always the paragraphs that ``words`` (code point ranges) touch, the
    suggestion count, the review's status and the toast; then the side
    panel's rows of the ``entities`` whose mentions changed (a row new to
    the list joins its end), the quote list when ``quotes``, and the quote
    ``editor`` opened on a new quote. Recounting every mention of a
    long article, or drawing its whole text, was most of a write's time.
    """
    show_others = request.POST.get("others") == "1"
    within = paragraphs_around(
        article.body, min(s for s, _ in words), max(e for _, e in words)
    )
    found = redraw.paragraph(
        article=article.pk,
        review=review.pk,
        start=within.start,
        end=within.end,
        others=show_others,
        linked=_linked_span(request, show_others),
        entities=list(entities),
    )
    drawn, _ = _draw(found.rows, review, annotator=True, quote_by_pk=found.quotes)
    context = {
        "article": article,
        "annotator": True,
        "review": review,
        "show_others": show_others,
        "paragraphs": render_body(
            article.body, drawn, within=within, oob=True, titles=False
        ),
        "suggestion_count": found.undecided,
        "kinds": EntityKind.choices,
        "entity_rows": _most_mentioned(found.entities),
        "quote_rows": (
            _listed_quotes(
                visible_spans(request, article, annotator=True, others=show_others),
                review,
                show_others,
            )
            if quotes
            else None
        ),
        "selected_quote": editor,
        "quote_types": Quote.Type.choices,
        "toast": toast,
    }
    response = render(request, "annotations/article_detail.html#redraw", context)
    return reswap(response, "none")


def _speaker(quote: Quote) -> str:
    return quote.speaker_label or "an unknown speaker"


@require_safe
@vary_on_headers("HX-Request")
def article_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _get_article(pk)
    context = workspace_context(
        request,
        article,
        selected_quote=_int(request.GET.get("quote")),
        selected_mention=_int(request.GET.get("mention")),
    )
    template = "annotations/article_detail.html"
    if request.htmx and not request.htmx.boosted:
        template += "#workspace"
    return render(request, template, context)


def _int(value: str | None) -> int | None:
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return int(value) if value and value.isascii() and value.isdecimal() else None


def _workspace(request: HtmxHttpRequest, article: Article, **kwargs) -> HttpResponse:
    context = workspace_context(request, article, **kwargs)
    return render(request, "annotations/article_detail.html#workspace", context)


@require_safe
def annotations_jsonld(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    article = _get_article(pk)
    spans = visible_spans(
        request,
        article,
        annotator=can_annotate(request.user),
        others=request.GET.get("others") == "1",
    ).select_related(
        "review__reviewer", "mention__entity", "quote__speaker", "quote__cue"
    )
    return JsonResponse(
        web_annotations(article, spans, request.build_absolute_uri),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_POST
@annotator_required
def mention_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article, review = _reviewing(request, pk)
    form = _valid(MentionForm(request.POST, reviewer=request.user))
    start, end = form.span(article.body)
    entity = form.chosen_entity()
    mention = editing.create_mention(review=review, start=start, end=end, entity=entity)
    return _answer(
        request,
        article,
        review,
        [(start, end)],
        toast=f"“{mention.span.exact}” linked to {entity.name}.",
        entities={entity.pk},
    )


@require_POST
@annotator_required
def mention_update(request: HtmxHttpRequest, pk: int, span_pk: int) -> HttpResponse:
    article = _get_article(pk)
    span = _get_own_span(request, article, span_pk)
    mention = get_object_or_404(Mention, span=span)
    form = _valid(EntityChoiceForm(request.POST, reviewer=request.user))
    entity = form.chosen_entity()
    editing.change_mention_entity(mention=mention, entity=entity)
    return _workspace(
        request,
        article,
        selected_mention=span.pk,
        toast=f"Now linked to {entity.name}.",
    )


@require_POST
@annotator_required
def quote_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article, review = _reviewing(request, pk)
    form = _valid(QuoteForm(request.POST))
    start, end = form.span(article.body)
    quote = editing.create_quote(
        review=review, parts=[(start, end)], type=form.cleaned_data["type"] or "direct"
    )
    return _answer(
        request,
        article,
        review,
        [(start, end)],
        toast="Quote marked. Now choose who said it.",
        quotes=True,
        editor=_quote_row(quote),
    )


@require_POST
@annotator_required
def quote_update(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    form = _valid(
        QuoteUpdateForm(
            request.POST,
            mentions=Mention.objects.filter(span__review=quote.review),
            reviewer=request.user,
        )
    )
    editing.update_quote(
        quote=quote,
        type=form.cleaned_data["type"] or None,
        speaker=form.speaker(),
        speaker_mention=form.cleaned_data["speaker_mention"],
        speaker_description=form.cleaned_data["speaker_description"],
    )
    row = _quote_row(quote)
    # Its marks say its type and speaker: the paragraphs they are in.
    return _answer(
        request,
        article,
        quote.review,
        row.places,
        toast="Quote saved.",
        quotes=True,
        editor=row,
    )


@require_POST
@annotator_required
def quote_part_create(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    form = _valid(SelectionForm(request.POST))
    start, end = form.span(article.body)
    editing.add_quote_part(quote=quote, start=start, end=end)
    return _answer(
        request,
        article,
        quote.review,
        [(start, end)],
        toast="Part added to the quote.",
        quotes=True,
        editor=_quote_row(quote),
    )


@require_POST
@annotator_required
def quote_cue(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    form = _valid(SelectionForm(request.POST))
    start, end = form.span(article.body)
    words = [(start, end)]
    if quote.cue is not None:  # the old cue goes
        words.append((quote.cue.start, quote.cue.end))
    cue = editing.set_quote_cue(quote=quote, start=start, end=end)
    return _answer(
        request,
        article,
        quote.review,
        words,
        toast=f"Cue set: “{cue.exact}”.",
        editor=_quote_row(quote),
    )


@require_POST
@annotator_required
def quote_delete(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    token = editing.delete_quote(quote=quote)
    return _workspace(request, article, toast="Quote deleted.", undo_token=token)


@require_POST
@annotator_required
def span_move(request: HtmxHttpRequest, pk: int, span_pk: int) -> HttpResponse:
    article = _get_article(pk)
    span = _get_own_span(request, article, span_pk)
    form = _valid(SelectionForm(request.POST))
    start, end = form.span(article.body)
    editing.move_span(span=span, start=start, end=end)
    return _workspace(request, article, toast=f"Now “{span.exact}”.")


@require_POST
@annotator_required
def span_delete(request: HtmxHttpRequest, pk: int, span_pk: int) -> HttpResponse:
    article = _get_article(pk)
    span = _get_own_span(request, article, span_pk)
    words = span.exact
    token = editing.delete_span(span=span)
    return _workspace(request, article, toast=f"Deleted “{words}”.", undo_token=token)


@require_POST
@annotator_required
def undo(request: HtmxHttpRequest, pk: int, token: str) -> HttpResponse:
    article = _get_article(pk)
    # Only a token a delete handed out is looked for: other bytes (a NUL)
    # would not reach the database as text.
    if not TOKEN.fullmatch(token) or not (
        editing.undo(token=token, user=request.user, article=article)
        or editing.undo_decisions(token=token, user=request.user, article=article)
    ):
        return _message(
            "There is nothing of yours to undo there (or it was undone already).", 404
        )
    return _workspace(request, article, toast="Restored.")


@require_http_methods(["GET", "POST"])
@annotator_required
def review_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """GET: what is left to do, in the editor's place, before the reviewer
    confirms; POST: submit."""
    article = _get_article(pk)
    if request.method == "POST":
        review = editing.start_review(article=article, reviewer=request.user)
        editing.submit_review(review=review)
        following = _next_article(request.user)
        return _workspace(
            request,
            article,
            toast="Review submitted. Thank you.",
            next_article=following,
        )
    review = Review.objects.filter(article=article, reviewer=request.user).first()
    if review is not None and not review.is_open:
        return _message("This review is submitted already.", 409)
    # Each quote without a speaker, by its first part, in reading order.
    parts = Span.objects.filter(
        review=review,
        status=Span.Status.ACCEPTED,
        quote__speaker=None,
        quote__speaker_description="",
    ).order_by("start", "-end")
    speakerless = {}
    for part in parts.values_list("quote_id", "pk", "exact", named=True):
        speakerless.setdefault(part.quote_id, part)
    context = {
        "article": article,
        "review": review,
        "undecided": _suggestion_count(_pending_suggestions(article, review)),
        "speakerless": list(speakerless.values()),
    }
    return render(request, "annotations/article_detail.html#submit-check", context)


def _get_suggestion(article: Article, pk: int) -> Span:
    return get_object_or_404(
        Span.objects.select_related("mention__entity", "quote", "cue_of"),
        pk=pk,
        article=article,
        review=None,
        status=Span.Status.SUGGESTED,
    )


def _decided(suggestion: Span) -> tuple[list[tuple[int, int]], set[int]]:
    """The words a decision on ``suggestion`` redraws (a quote's parts, cue
    and named speaker), and the entities whose mentions it may add."""
    quote = editing.suggestion_quote(suggestion)
    if quote is None:
        return [(suggestion.start, suggestion.end)], {suggestion.mention.entity_id}
    said = [*quote.parts.all()]
    if quote.cue is not None:
        said.append(quote.cue)
    entities = set()
    if quote.speaker_mention is not None:
        said.append(quote.speaker_mention.span)
        entities.add(quote.speaker_mention.entity_id)
    return [(span.start, span.end) for span in said], entities


@require_POST
@annotator_required
def suggestion_accept(request: HtmxHttpRequest, pk: int, span_pk: int) -> HttpResponse:
    article, review = _reviewing(request, pk)
    suggestion = _get_suggestion(article, span_pk)
    words, entities = _decided(suggestion)
    span = editing.accept_suggestion(review=review, span=suggestion)
    return _answer(
        request,
        article,
        review,
        words,
        toast=f"Accepted “{span.exact}”.",
        entities=entities,
        quotes=span.quote_id is not None,
    )


@require_POST
@annotator_required
def suggestion_reject(request: HtmxHttpRequest, pk: int, span_pk: int) -> HttpResponse:
    article, review = _reviewing(request, pk)
    suggestion = _get_suggestion(article, span_pk)
    words, _ = _decided(suggestion)
    editing.reject_suggestion(review=review, span=suggestion)
    return _answer(
        request, article, review, words, toast=f"Rejected “{suggestion.exact}”."
    )


@require_POST
@annotator_required
def suggestions_decide(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Accept or reject many suggestions at once, with one undo for them all."""
    article, review = _reviewing(request, pk)
    form = _valid(DecideForm(request.POST))
    chosen = form.chosen(_pending_suggestions(article, review))
    if not chosen:
        return _message("There is nothing of that kind left to decide.", 409)
    accept = form.cleaned_data["verb"] == "accept"
    suggestions = (
        Span.objects.filter(pk__in=chosen)
        .select_related("mention__entity", "quote", "cue_of")
        .order_by("start", "-end")
    )
    decided, token = editing.decide_suggestions(
        review=review, suggestions=suggestions, accept=accept
    )
    verb = "Accepted" if accept else "Rejected"
    return _workspace(
        request,
        article,
        toast=f"{verb} {decided} suggestion{pluralize(decided)}.",
        undo_token=token,
    )


@require_safe
@annotator_required
def entity_picker(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _get_article(pk)
    text = request.GET.get("q", "")[:200].replace("\x00", "")
    kind = request.GET.get("kind", "")
    if kind not in EntityKind.values:
        kind = ""
    return render(
        request,
        "annotations/entity_picker.html",
        {
            "article": article,
            "query": text.strip(),
            "too_long": len(text.strip()) > NAME_LIMIT,
            "kind": kind,
            "kind_label": EntityKind(kind).label if kind else "",
            "candidates": candidates(
                text, article=article, reviewer=request.user, kind=kind
            ),
        },
    )


# --- Curation: adjudication and agreement ------------------------------------


def curator_required(view: Callable) -> Callable:
    """Sign-in and the curator role, checked on the server."""

    @functools.wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_curate(request.user):
            return _message(
                "Only curators can do this. Ask an administrator to add you "
                "to the curator group.",
                403,
            )
        return view(request, *args, **kwargs)

    return wrapper


@dataclass
class DisagreementRow:
    group: adjudication.Group
    before: str
    words: str
    after: str
    options: list[tuple[str, str, str]]  # value, who holds it, what it is
    chosen: str


def _around(body: str, start: int, end: int, reach: int = 80) -> tuple[str, str]:
    """Up to ``reach`` characters either side, within the paragraph; an
    ellipsis where the paragraph goes on."""
    before = body[max(0, start - reach) : start]
    if "\n\n" in before:
        before = before.rpartition("\n\n")[2]
    elif start > reach:
        before = "…" + before
    after = body[end : end + reach]
    if "\n\n" in after:
        after = after.partition("\n\n")[0]
    elif end + reach < len(body):
        after += "…"
    return before, after


def _adjudication_context(
    article: Article, *, chosen: dict[str, str] | None = None, error: str = ""
) -> dict:
    body = article.body
    reviews = adjudication.submitted_reviews(article)
    groups = adjudication.compare(reviews)
    gold = adjudication.gold_annotations(article)
    if chosen is None:
        chosen = adjudication.gold_choices(groups, gold)
        for group in groups:
            chosen[group.key] = chosen.get(group.key) or group.majority(len(reviews))
    ids = set()
    for group in groups:
        for item in group.items():
            ids.add(item.entity if group.kind == "mention" else item.speaker)
    entities = Entity.objects.in_bulk(ids - {None})
    kinds, types = dict(EntityKind.choices), dict(Quote.Type.choices)

    def describe(item) -> tuple[str, str, str]:
        """Label, css class and words of one mention or quote."""
        if isinstance(item, MentionItem):
            entity = entities[item.entity]
            return (
                f"{kinds[entity.kind]}: {entity.name}",
                f"kind-{entity.kind.lower()}",
                body[item.start : item.end],
            )
        speaker = (
            entities[item.speaker].name
            if item.speaker
            else item.speaker_description or "an unknown speaker"
        )
        words = " … ".join(body[s:e] for s, e in item.parts)
        label = f"{types[item.type]} quote by {speaker}"
        if item.cue:
            label += f", cue “{body[item.cue[0] : item.cue[1]]}”"
        return label, "", words

    columns: dict[int, list[Drawn]] = {review.review_id: [] for review in reviews}
    rows = []
    for group in groups:
        state = "agreed" if group.agreed else "disputed"
        for version in group.versions:
            for item in version.items:
                label, css, _ = describe(item)
                for review_id in version.review_ids:
                    drawn = columns[review_id]
                    for start, end in adjudication.intervals(item):
                        drawn.append(
                            Drawn(
                                len(drawn),
                                start,
                                end,
                                group.kind,
                                label,
                                f"{css} {state}",
                            )
                        )
                    if getattr(item, "cue", None):
                        drawn.append(
                            Drawn(len(drawn), *item.cue, "cue", f"Cue: {label}", state)
                        )
        if group.agreed:
            continue
        options = []
        for version in group.versions:
            described = [describe(item) for item in version.items]
            options.append(
                (
                    version.value,
                    ", ".join(version.reviewers),
                    "; ".join(f"“{words}” — {label}" for label, _, words in described),
                )
            )
        before, after = _around(body, group.start, group.end)
        words = body[group.start : group.end]
        rows.append(
            DisagreementRow(
                group, before, words, after, options, chosen.get(group.key, "")
            )
        )
    return {
        "article": article,
        "reviews": reviews,
        "columns": [
            (review, render_body(body, columns[review.review_id], ids=False))
            for review in reviews
        ],
        "disagreements": rows,
        "agreed": sum(group.agreed for group in groups),
        "pairs": agreement.article_agreement(reviews),
        "gold": Review.objects.filter(article=article, status=Review.Status.ADJUDICATED)
        .select_related("reviewer")
        .first(),
        "error": error,
        "neither": adjudication.NEITHER,
    }


@curator_required
def article_adjudicate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The reviews side by side, their disagreements, and saving the gold."""
    article = _get_article(pk)
    if request.method == "POST":
        choices = {
            key.removeprefix("choice-"): value
            for key, value in request.POST.items()
            if key.startswith("choice-")
        }
        try:
            gold = adjudication.adjudicate(
                article=article, curator=request.user, choices=choices
            )
        except adjudication.AdjudicationError as error:
            context = _adjudication_context(article, chosen=choices, error=str(error))
            return render(request, "annotations/adjudicate.html", context, status=400)
        mentions = gold.spans.filter(mention__isnull=False).count()
        messages.success(
            request,
            f"Saved as the gold for this article: {mentions} mentions "
            f"and {gold.quotes.count()} quotes.",
        )
        return redirect("annotations:article-adjudicate", pk=article.pk)
    if request.method != "GET":
        return _message("Use GET to look or POST to save.", 405)
    return render(
        request, "annotations/adjudicate.html", _adjudication_context(article)
    )


def _next_article(reviewer) -> Article | None:
    """Where a reviewer goes on to: the first article they were given and
    have not submitted, else the newest they have not started."""
    articles = Article.objects.only("pk", "title")
    done = Review.objects.filter(reviewer=reviewer).exclude(
        status=Review.Status.IN_PROGRESS
    )
    given = (
        articles.filter(assignments__reviewer=reviewer)
        .exclude(pk__in=done.values("article"))
        .order_by("assignments__created_at", "pk")
        .first()
    )
    return given or articles.exclude(reviews__reviewer=reviewer).first()


@login_required
def my_work(request: HtmxHttpRequest) -> HttpResponse:
    """The articles a curator gave this reviewer, with where each stands."""
    if not can_annotate(request.user):
        return _message("Only reviewers have work here.", 403)
    form = ArticleSearchForm(request.GET)
    own_review = Review.objects.filter(
        article=OuterRef("article"), reviewer=request.user
    )
    assignments = (
        Assignment.objects.filter(reviewer=request.user)
        .select_related("article__source", "assigned_by")
        .defer("article__body", "article__search_vector")
        .annotate(status=Subquery(own_review.values("status")))
        .order_by("created_at", "pk")
    )
    if form.is_valid() and form.cleaned_data["mine"]:
        articles = form.filter(Article.objects.all(), reviewer=request.user)
        assignments = assignments.filter(article__in=articles.values("pk"))
    context = {"assignments": assignments, "form": form}
    return render(request, "annotations/my_work.html", context)


@curator_required
def assign_articles(request: HtmxHttpRequest) -> HttpResponse:
    """Give a reviewer articles to review: those chosen in the admin's list
    or an import's, or the newest no one has been given."""
    if request.method == "POST":
        form = AssignForm(request.POST)
        if form.is_valid():
            reviewer = form.cleaned_data["reviewer"]
            given = editing.assign(
                articles=form.chosen(), reviewer=reviewer, by=request.user
            )
            messages.success(
                request,
                f"{given} article{pluralize(given)} added to {reviewer}’s work.",
            )
            return redirect("annotations:assign-articles")
    else:
        ids = request.GET.get("articles", "")
        if job_pk := _int(request.GET.get("import")):
            job = get_object_or_404(ImportJob.objects.defer("upload"), pk=job_pk)
            imported = (job.summary or {}).get("imported", [])
            ids = ",".join(str(item["article_id"]) for item in imported)
        form = AssignForm(initial={"articles": ids})
    chosen = article_ids(form["articles"].value() or "") or []
    context = {
        "form": form,
        "chosen": Article.objects.filter(pk__in=chosen).only("pk", "title")[:50],
        "count": len(chosen),
    }
    return render(request, "annotations/assign.html", context)


@require_POST
@curator_required
def review_reopen(request: HtmxHttpRequest, pk: int, review_pk: int) -> HttpResponse:
    """A curator gives a submitted review back to its reviewer."""
    review = get_object_or_404(
        Review.objects.select_related("reviewer"), pk=review_pk, article_id=pk
    )
    try:
        editing.reopen_review(review=review)
    except editing.AlreadyDone as error:
        return _message(str(error), 409)
    messages.success(
        request,
        f"{review.reviewer}’s review is open again: they can change it and "
        "submit it once more.",
    )
    return redirect("annotations:article-adjudicate", pk=pk)


# What the agreement chart draws for each pair, in the order of its table.
AGREEMENT_MEASURES: list[
    tuple[str, Callable[[agreement.PairAgreement], float | None]]
] = [
    ("Mention F1, exact", lambda pair: pair.mentions_exact.f1),
    ("Mention F1, overlap", lambda pair: pair.mentions_overlap.f1),
    ("Entity α", lambda pair: pair.entity_alpha),
    ("Quote F1", lambda pair: pair.quotes.f1),
    ("Same speaker", lambda pair: pair.speakers.ratio),
]


@require_safe
@curator_required
def agreement_report(request: HtmxHttpRequest) -> HttpResponse:
    """Every pair of reviewers' agreement, overall and article by article."""
    by_article = {
        pk: reviews
        for pk, reviews in agreement.load_annotations().items()
        if len(reviews) > 1
    }
    titles = Article.objects.filter(pk__in=by_article).only("pk", "title").in_bulk()
    rows = [
        (titles[pk], agreement.article_agreement(reviews))
        for pk, reviews in sorted(by_article.items(), key=lambda row: -row[0])
    ]
    overall = agreement.pooled(pair for _, pairs in rows for pair in pairs)
    measures = [
        (name, charts.bar_rows(((pair, measure(pair)) for pair in overall), 1))
        for name, measure in AGREEMENT_MEASURES
    ]
    return render(
        request,
        "annotations/agreement.html",
        {"overall": overall, "measures": measures, "rows": rows},
    )


# Imports ----------------------------------------------------------------------

IMPORTS_LISTED = 200  # new articles linked from an import's page


@curator_required
def import_list(request: HtmxHttpRequest) -> HttpResponse:
    """Start an import (it runs in the task worker) and see the recent ones."""
    form = ImportForm()
    status = 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload, urls = form.cleaned_data["upload"], form.cleaned_data["urls"]
            if upload:
                label = upload.name
            else:
                more = f" and {len(urls) - 1} more" if len(urls) > 1 else ""
                label = urls[0][: 300 - len(more)] + more
            job = ImportJob.objects.create(
                created_by=request.user,
                label=label,
                upload=upload.read() if upload else None,
                urls="\n".join(urls),
            )
            tasks.run_import.enqueue(job.pk)
            return redirect("annotations:import-detail", job.pk)
        status = 400
    jobs = ImportJob.objects.defer("upload").select_related("created_by")[:20]
    return render(
        request,
        "annotations/import_list.html",
        {"form": form, "jobs": jobs},
        status=status,
    )


@require_safe
@curator_required
@vary_on_headers("HX-Request")
def import_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.defer("upload"), pk=pk)
    template = "annotations/import_detail.html"
    if request.htmx:
        template += "#status"
    imported = (job.summary or {}).get("imported", [])
    listed = imported[:IMPORTS_LISTED]
    titles = Article.objects.only("title").in_bulk(
        [item["article_id"] for item in listed]
    )
    articles = [(titles.get(item["article_id"]), item) for item in listed]
    context = {
        "job": job,
        "articles": articles,
        "unlisted": len(imported) - len(listed),
    }
    return render(request, template, context)


QUOTES_PER_PAGE = 20


@require_safe
def entity_detail(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """An entity's page: what they said, where, and who else was quoted
    with them; what others said in the articles that mention them; and
    those articles. The curated annotations only, as on the reading pages."""
    entity = get_object_or_404(Entity.objects.visible_to(request.user), slug=slug)
    if entity.merged_into_id:
        target = entity.merged_into
        while target.merged_into_id:
            target = target.merged_into
        return redirect(target, permanent=False)
    articles = Article.objects.mentioning(entity).select_related("source")
    said, _ = quoted.newest(CuratedQuote.objects.filter(speaker=entity))
    quotes = Paginator(said, QUOTES_PER_PAGE).get_page(request.GET.get("quotes"))
    # A place is never a speaker: no bars for its quotes.
    counts = {
        name: by_month
        for name, by_month in quoted.monthly_counts(entity).items()
        if by_month
    }
    about, _ = quoted.newest(quoted.quotes_about(entity), 10)
    context = {
        "entity": entity,
        "aliases": entity.aliases.visible_to(request.user),
        "page": Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(
            request.GET.get("page")
        ),
        "quotes": quotes,
        "quote_lines": quoted.lines(quotes.object_list),
        "quoted_with": quoted.quoted_with(entity),
        "about": quoted.lines(about),
        "chart": charts.monthly(counts),
    }
    return render(request, "annotations/entity_detail.html", context)


@require_safe
@vary_on_headers("HX-Request")
def quote_explorer(request: HtmxHttpRequest) -> HttpResponse:
    """Who said what across the news: the curated quotes, searched by their
    words and narrowed by speaker, outlet, date and type; newest first.

    Only the ``SEARCH_CANDIDATES`` newest matches are counted and paged, as
    on the article list: a common word matches much of a large table.
    """
    form = QuoteSearchForm(request.GET)
    quotes, capped, speakers = [], False, []
    if form.is_valid():
        quotes, capped = quoted.newest(
            form.filter(CuratedQuote.objects.all()), settings.SEARCH_CANDIDATES
        )
        if not quotes and form.has_words:
            speakers = quoted.speakers_named(form.cleaned_data["q"], request.user)
    page = Paginator(quotes, QUOTES_PER_PAGE).get_page(request.GET.get("page"))
    template = "annotations/quote_explorer.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "lines": quoted.lines(page.object_list),
            "capped": capped,
            "speakers": speakers,
        },
    )


@require_safe
def quotes_csv(request: HtmxHttpRequest) -> StreamingHttpResponse:
    """Every quote the explorer's search finds, as CSV."""
    form = _valid(QuoteSearchForm(request.GET))
    rows = quoted.csv_rows(form.filter(CuratedQuote.objects.all()))
    response = StreamingHttpResponse(
        interchange.quotes_csv(rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="quotes.csv"'
    return response


SPEAKERS_RANKED = 20
# More outlets than this make the small multiples a long scroll.
OUTLETS_CHARTED = 4
# The outlets with the most quotes whose reach is shown, unless all are asked for.
OUTLETS_REACHED = 25


@require_safe
def stats(request: HtmxHttpRequest) -> HttpResponse:
    """Who is quoted, and where: charts of the curated quotes, each with
    its numbers as a table."""
    speakers = quoted.top_speakers(SPEAKERS_RANKED)
    reach = quoted.outlet_reach()
    shown = reach if request.GET.get("outlets") == "all" else reach[:OUTLETS_REACHED]
    context = {
        "speakers": charts.bar_rows((entity, entity.quoted) for entity in speakers),
        "outlets": charts.small_multiples(
            quoted.outlet_monthly_counts(OUTLETS_CHARTED)
        ),
        "reach": charts.bar_rows(((row, row.top_ten_share) for row in shown), 1),
        "outlets_left": len(reach) - len(shown),
    }
    return render(request, "annotations/stats.html", context)
