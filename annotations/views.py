from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from annotations import editing
from annotations.export import web_annotations
from annotations.forms import (
    EntityChoiceForm,
    MentionForm,
    QuoteForm,
    QuoteUpdateForm,
    SelectionForm,
    error_text,
)
from annotations.linking import candidates
from annotations.models import Mention, Quote, Review, Span
from annotations.rendering import Drawn, render_body
from annotations.spans import SpanError
from newsreader.http import HtmxHttpRequest
from newsreader.models import Article, Entity, EntityKind
from newsreader.roles import can_annotate


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
        except editing.ReviewClosed as error:
            return _message(str(error), 409)

    return wrapper


def _valid[F: forms.Form](form: F) -> F:
    if not form.is_valid():
        raise BadRequest(error_text(form))
    return form


def _message(text: str, status: int) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _get_article(pk: int) -> Article:
    return get_object_or_404(Article.objects.select_related("source"), pk=pk)


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

    @property
    def words(self) -> str:
        return " … ".join(part.exact for part in self.parts)


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
    return (
        Span.objects.accepted()
        .filter(visible, article=article)
        .order_by("start", "-end")
    )


def _span_rows(spans: QuerySet[Span], *, with_reviewer: bool) -> list[Any]:
    """Spans as plain rows: no model instance per span and relation.

    Building Span, Review, User, Mention, Entity and Quote objects for each
    of 2,000 spans was most of the page's time; the few distinct entities
    and quotes are fetched once instead (``workspace_context``).
    """
    fields = ["pk", "start", "end", "exact", "review_id", "quote_id"]
    fields += ["mention__entity", "cue_of"]
    if with_reviewer:
        fields.append("review__reviewer__username")
    return list(spans.values_list(*fields, named=True))


def workspace_context(
    request: HtmxHttpRequest,
    article: Article,
    *,
    selected_quote: int | None = None,
    selected_mention: int | None = None,
    toast: str = "",
    undo_token: str = "",
) -> dict:
    """Everything the article page draws: one query for the spans, one each
    for the entities and the quotes they draw."""
    annotator = can_annotate(request.user)
    show_others = request.GET.get("others") == "1" or request.POST.get("others") == "1"
    review = (
        Review.objects.filter(article=article, reviewer=request.user).first()
        if annotator
        else None
    )
    visible = visible_spans(request, article, annotator=annotator, others=show_others)
    spans = _span_rows(visible, with_reviewer=annotator and show_others)
    entities = Entity.objects.in_bulk(
        {s.mention__entity for s in spans if s.mention__entity is not None}
    )
    quote_pks = {s.quote_id or s.cue_of for s in spans if s.quote_id or s.cue_of}
    quote_by_pk = Quote.objects.select_related("speaker").in_bulk(quote_pks)
    kinds, types = dict(EntityKind.choices), dict(Quote.Type.choices)
    mention_label = {pk: f"{kinds[e.kind]}: {e.name}" for pk, e in entities.items()}
    speaker = {pk: _speaker(quote) for pk, quote in quote_by_pk.items()}

    drawn, quotes, entity_counts, first_mention = [], {}, Counter(), {}
    for span in spans:
        mine = review is not None and span.review_id == review.pk
        whose = "" if mine or not annotator else f" — {span.review__reviewer__username}"
        if (entity_pk := span.mention__entity) is not None:
            if mine or not annotator:
                entity_counts[entity_pk] += 1
                first_mention.setdefault(entity_pk, span.pk)
            drawn.append(
                Drawn(
                    span.pk,
                    span.start,
                    span.end,
                    "mention",
                    mention_label[entity_pk] + whose,
                    css=f"kind-{entities[entity_pk].kind.lower()}",
                    mine=mine,
                )
            )
        elif (quote_pk := span.quote_id) is not None:
            quote = quote_by_pk[quote_pk]
            row = quotes.setdefault(quote_pk, QuoteRow(quote, mine=mine))
            row.parts.append(span)
            drawn.append(
                Drawn(
                    span.pk,
                    span.start,
                    span.end,
                    "quote",
                    f"{types[quote.type]} quote by {speaker[quote_pk]}{whose}",
                    quote=quote_pk,
                    mine=mine,
                )
            )
        elif (quote_pk := span.cue_of) is not None:
            quote = quote_by_pk[quote_pk]
            quotes.setdefault(quote_pk, QuoteRow(quote, mine=mine)).cue = span
            drawn.append(
                Drawn(
                    span.pk,
                    span.start,
                    span.end,
                    "cue",
                    f"Cue of a quote by {speaker[quote_pk]}{whose}",
                    quote=quote_pk,
                    mine=mine,
                )
            )

    quote_rows = sorted(
        (row for row in quotes.values() if row.parts),
        key=lambda row: row.parts[0].start,
    )
    entity_rows = sorted(
        (
            (entities[pk], count, first_mention[pk])
            for pk, count in entity_counts.items()
        ),
        key=lambda row: (-row[1], row[0].name),
    )
    return {
        "article": article,
        "body_html": render_body(article.body, drawn),
        "annotator": annotator,
        "review": review,
        "show_others": show_others,
        "quote_rows": quote_rows,
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
        "toast": toast,
        "undo_token": undo_token,
    }


def _speaker(quote: Quote) -> str:
    return quote.speaker.name if quote.speaker_id else "an unknown speaker"


@require_GET
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


@require_GET
def annotations_jsonld(request: HtmxHttpRequest, pk: int) -> JsonResponse:
    article = _get_article(pk)
    spans = visible_spans(
        request,
        article,
        annotator=can_annotate(request.user),
        others=request.GET.get("others") == "1",
    ).select_related("review__reviewer", "mention__entity", "quote__speaker")
    return JsonResponse(
        web_annotations(article, spans, request.build_absolute_uri),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@require_POST
@annotator_required
def mention_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _get_article(pk)
    form = _valid(MentionForm(request.POST))
    start, end = form.span(article.body)
    entity = form.chosen_entity()
    review = editing.start_review(article=article, reviewer=request.user)
    mention = editing.create_mention(review=review, start=start, end=end, entity=entity)
    return _workspace(
        request, article, toast=f"“{mention.span.exact}” linked to {entity.name}."
    )


@require_POST
@annotator_required
def mention_update(request: HtmxHttpRequest, pk: int, span_pk: int) -> HttpResponse:
    article = _get_article(pk)
    span = _get_own_span(request, article, span_pk)
    mention = get_object_or_404(Mention, span=span)
    form = _valid(EntityChoiceForm(request.POST))
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
    article = _get_article(pk)
    form = _valid(QuoteForm(request.POST))
    start, end = form.span(article.body)
    review = editing.start_review(article=article, reviewer=request.user)
    quote = editing.create_quote(
        review=review, parts=[(start, end)], type=form.cleaned_data["type"] or "direct"
    )
    return _workspace(
        request,
        article,
        selected_quote=quote.pk,
        toast="Quote marked. Now choose who said it.",
    )


@require_POST
@annotator_required
def quote_update(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    form = _valid(
        QuoteUpdateForm(
            request.POST, mentions=Mention.objects.filter(span__review=quote.review)
        )
    )
    editing.update_quote(
        quote=quote,
        type=form.cleaned_data["type"] or None,
        speaker=form.speaker(),
        speaker_mention=form.cleaned_data["speaker_mention"],
    )
    return _workspace(request, article, selected_quote=quote.pk, toast="Quote saved.")


@require_POST
@annotator_required
def quote_part_create(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    form = _valid(SelectionForm(request.POST))
    start, end = form.span(article.body)
    editing.add_quote_part(quote=quote, start=start, end=end)
    return _workspace(
        request, article, selected_quote=quote.pk, toast="Part added to the quote."
    )


@require_POST
@annotator_required
def quote_cue(request: HtmxHttpRequest, pk: int, quote_pk: int) -> HttpResponse:
    article = _get_article(pk)
    quote = _get_own_quote(request, article, quote_pk)
    form = _valid(SelectionForm(request.POST))
    start, end = form.span(article.body)
    cue = editing.set_quote_cue(quote=quote, start=start, end=end)
    return _workspace(
        request, article, selected_quote=quote.pk, toast=f"Cue set: “{cue.exact}”."
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
    if not editing.undo(token=token, user=request.user, article=article):
        return _message(
            "There is nothing of yours to undo there (or it was undone already).", 404
        )
    return _workspace(request, article, toast="Restored.")


@require_POST
@annotator_required
def review_submit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    article = _get_article(pk)
    review = editing.start_review(article=article, reviewer=request.user)
    editing.submit_review(review=review)
    return _workspace(request, article, toast="Review submitted. Thank you.")


@require_GET
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
            "kind": kind,
            "kind_label": EntityKind(kind).label if kind else "",
            "candidates": candidates(
                text, article=article, reviewer=request.user, kind=kind
            ),
        },
    )
