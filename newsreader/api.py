"""The JSON API for scripts, at /api/ (schema: /api/openapi.json, browsable at
/api/docs).

django-ninja: typed request and response schemas from which the OpenAPI
document follows, on plain Django views. Every write goes through the same
functions as the pages (``annotations.editing``, ``newsreader.importing``)
and the same role checks.

Authentication is a bearer token only (``Authorization: Bearer <key>``, made
on /account/token/). The session cookie is ignored, so a page on another
site cannot make a signed-in browser write through the API; without a
token, requests are anonymous and may read what anonymous visitors read.
Offsets are code point indexes into the article's body, and every span
states its words (``text``), so that a script with a stale copy of the text
gets a 400, never a span on the wrong words.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security import HttpBearer
from pydantic import AfterValidator

from annotations import editing
from annotations.forms import error_text
from annotations.interchange import review_record, with_annotations
from annotations.models import Mention, Quote, Review, Span
from annotations.spans import SpanError, check_span
from annotations.tasks import queue_suggestions
from newsreader.forms import ArticleSearchForm
from newsreader.importing import import_upload
from newsreader.models import Alias, ApiToken, Article, Entity, EntityKind
from newsreader.roles import can_annotate, can_curate


class BearerToken(HttpBearer):
    """The user an API token stands for; 401 for a key that is no one's.
    With ``anonymous``, a request without an Authorization header is let in
    as anonymous (for reads); else it is a 401 before its input is read."""

    def __init__(self, *, anonymous: bool) -> None:
        super().__init__()
        self.anonymous = anonymous

    def __call__(self, request: HttpRequest):
        request.user = AnonymousUser()  # not the session's: see the module
        if self.anonymous and "HTTP_AUTHORIZATION" not in request.META:
            return request.user
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token))
            .first()
        )
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or now - found.last_used_at > dt.timedelta(
            minutes=1
        ):
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="Newsreader API",
    version="1",
    description=(
        "Read articles and entities; annotate mentions and quotes in your "
        "own review; read the curated gold. Authenticate with "
        "`Authorization: Bearer <token>` (make a token at /account/token/); "
        "reads work without one. Offsets are Unicode code points into the "
        "article's `body`, and each span gives its `text`, which must be "
        'the body\'s words there. Errors are `{"detail": ...}` with 400 '
        "(bad input), 401, 403 (role), 404 or 409 (done already, or the "
        "review is submitted)."
    ),
    auth=BearerToken(anonymous=True),
    urls_namespace="api",
)
# Writes: a token, or 401.
SIGNED_IN = BearerToken(anonymous=False)


# Errors: a message a person can read, with the status the pages use.


def _detail(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return api.create_response(request, {"detail": message}, status=status)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    problems = []
    for item in error.errors:
        where = ".".join(str(part) for part in item.get("loc", ())[1:])
        problems.append(f"{where}: {item['msg']}" if where else item["msg"])
    return api.create_response(
        request, {"detail": "; ".join(problems), "errors": error.errors}, status=400
    )


@api.exception_handler(SpanError)
@api.exception_handler(BadRequest)
def bad_request(request: HttpRequest, error: Exception) -> HttpResponse:
    return _detail(request, str(error), 400)


@api.exception_handler(editing.AlreadyDone)
@api.exception_handler(editing.ReviewClosed)
def conflict(request: HttpRequest, error: Exception) -> HttpResponse:
    return _detail(request, str(error), 409)


def _annotator(request: HttpRequest):
    if not can_annotate(request.user):
        raise HttpError(
            403,
            "Only reviewers can annotate. Ask a curator to add you to the "
            "reviewer group.",
        )
    return request.user


def _curator(request: HttpRequest):
    if not can_curate(request.user):
        raise HttpError(403, "Only curators can do that.")
    return request.user


# Schemas ----------------------------------------------------------------------


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not hold a NUL character")
    return text


# Text that goes into the database, which takes no NUL character.
Text = Annotated[str, AfterValidator(_no_nul)]


class Page(Schema):
    count: int
    items: list


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    source: str | None
    byline: str
    published_at: dt.datetime | None

    @staticmethod
    def resolve_source(article: Article) -> str | None:
        return article.source.name if article.source_id else None


class ArticleDetail(ArticleOut):
    body: str


class ArticlePage(Page):
    items: list[ArticleOut]


class ArticleIn(Schema):
    title: str = Field(min_length=1, max_length=500)
    text: str = Field(min_length=1)
    url: str = ""
    source: str = ""
    byline: str = ""
    published: str = Field("", description="a date, ISO 8601 or as feeds write it")


class EntityRef(Schema):
    id: int
    name: str
    kind: str


class EntityOut(EntityRef):
    slug: str
    status: str
    wikidata_id: str
    aliases: list[str]


class EntityPage(Page):
    items: list[EntityOut]


class SpanIn(Schema):
    start: int = Field(ge=0, description="code point offset into the body")
    end: int = Field(ge=0)
    text: str = Field(description="the words at start–end, checked")


class SpanOut(Schema):
    start: int
    end: int
    text: str


class NewEntity(Schema):
    name: Text = Field(min_length=1, max_length=300)
    kind: EntityKind


class MentionIn(SpanIn):
    entity_id: int | None = None
    new_entity: NewEntity | None = Field(
        None, description="instead of entity_id: a new entity, your draft"
    )


class MentionOut(SpanOut):
    id: int
    entity: EntityRef


class QuoteIn(Schema):
    parts: list[SpanIn] = Field(min_length=1, max_length=50)
    type: Literal["direct", "partial", "indirect"] = "direct"
    speaker_id: int | None = None
    speaker_description: Text = Field("", max_length=300)
    cue: SpanIn | None = None


class QuoteOut(Schema):
    id: int
    type: str
    parts: list[SpanOut]
    cue: SpanOut | None
    speaker: EntityRef | None
    speaker_description: str


class ReviewOut(Schema):
    article_id: int
    status: str
    submitted_at: dt.datetime | None


class Message(Schema):
    detail: str


# Articles ---------------------------------------------------------------------


def _page(queryset, limit: int, offset: int) -> dict:
    return {"count": queryset.count(), "items": list(queryset[offset : offset + limit])}


@api.get("/articles", response=ArticlePage, tags=["articles"])
def list_articles(
    request: HttpRequest,
    q: str = "",
    source: int | None = None,
    entity: str = Query("", description="an entity's slug"),
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
):
    """Articles, newest first, or the best matches of ``q``: the same search
    and filters as the article list page."""
    form = ArticleSearchForm(
        {
            "q": q,
            "source": source or "",
            "entity": entity,
            "date_from": date_from or "",
            "date_to": date_to or "",
        }
    )
    if not form.is_valid():
        raise BadRequest(error_text(form))
    articles = Article.objects.select_related("source").defer("search_vector", "body")
    return _page(form.filter(articles), limit, offset)


@api.get("/articles/{article_id}", response=ArticleDetail, tags=["articles"])
def get_article(request: HttpRequest, article_id: int):
    return _article(article_id)


@api.post(
    "/articles",
    response={201: ArticleDetail, 409: Message},
    tags=["articles"],
    auth=SIGNED_IN,
)
def create_article(request: HttpRequest, payload: ArticleIn):
    """Import one article (curators): checked, deduplicated (same URL or
    same text: 409) and searchable at once, as an import from the page;
    suggestions are queued for it."""
    _curator(request)
    line = json.dumps(payload.dict(), ensure_ascii=False).encode("utf-8")
    summary = import_upload(line, name="api.jsonl")
    if summary.duplicates:
        return Status(409, {"detail": summary.duplicates[0].reason})
    if summary.failed or not summary.imported:
        problem = (summary.failed or summary.skipped)[0]
        raise BadRequest(problem.reason)
    [article_id] = summary.article_ids
    queue_suggestions([article_id])
    return Status(201, Article.objects.select_related("source").get(pk=article_id))


# Entities ---------------------------------------------------------------------


def _entities(request: HttpRequest):
    """What the user may see: confirmed entities for readers, as on
    /entities/; for reviewers also the suggester's proposals and their own
    drafts, as in their picker."""
    entities = Entity.objects.canonical()
    if can_annotate(request.user):
        return entities.visible_to(request.user)
    return entities.filter(status=Entity.Status.CONFIRMED)


def _with_aliases(entities, user):
    """``entities`` with the aliases ``user`` may see, in one more query."""
    shown = Alias.objects.visible_to(user).only("entity_id", "name")
    return entities.prefetch_related(
        Prefetch("aliases", queryset=shown, to_attr="shown_aliases")
    )


def _entity_ref(entity: Entity) -> dict:
    return {"id": entity.pk, "name": entity.name, "kind": entity.kind}


def _entity_out(entity: Entity) -> dict:
    return {
        **_entity_ref(entity),
        "slug": entity.slug,
        "status": entity.status,
        "wikidata_id": entity.wikidata_id,
        "aliases": [alias.name for alias in entity.shown_aliases],
    }


@api.get("/entities", response=EntityPage, tags=["entities"])
def list_entities(
    request: HttpRequest,
    q: str = Query("", max_length=200),
    kind: EntityKind | None = None,
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0),
):
    """Entities by name or alias (accents and case aside, closest first),
    or all by name."""
    entities = _entities(request)
    if kind:
        entities = entities.filter(kind=kind)
    text = q.replace("\x00", "").strip()
    entities = (
        entities.search(text, user=request.user) if text else entities.order_by("name")
    )
    page = _page(_with_aliases(entities, request.user), limit, offset)
    page["items"] = [_entity_out(entity) for entity in page["items"]]
    return page


@api.get("/entities/{entity_id}", response=EntityOut, tags=["entities"])
def get_entity(request: HttpRequest, entity_id: int):
    entities = _with_aliases(_entities(request), request.user)
    return _entity_out(get_object_or_404(entities, pk=entity_id))


# The signed-in user's review of an article -------------------------------------


def _article(article_id: int) -> Article:
    return get_object_or_404(Article.objects.select_related("source"), pk=article_id)


def _span_out(span: Span) -> dict:
    return {"start": span.start, "end": span.end, "text": span.exact}


def _mention_out(mention: Mention) -> dict:
    return {
        **_span_out(mention.span),
        "id": mention.span_id,
        "entity": _entity_ref(mention.entity),
    }


def _quote_out(quote: Quote) -> dict:
    return {
        "id": quote.pk,
        "type": quote.type,
        "parts": [_span_out(part) for part in quote.parts.all()],
        "cue": _span_out(quote.cue) if quote.cue_id else None,
        "speaker": _entity_ref(quote.speaker) if quote.speaker_id else None,
        "speaker_description": quote.speaker_description,
    }


def _checked(article: Article, span: SpanIn) -> tuple[int, int]:
    check_span(article.body, span.start, span.end, span.text)
    return span.start, span.end


def _chosen_entity(request: HttpRequest, entity_id: int | None, new: NewEntity | None):
    if (entity_id is None) == (new is None):
        raise BadRequest("Give entity_id or new_entity, one of the two.")
    if new is not None:
        return Entity.objects.create_named(
            name=new.name,
            kind=new.kind,
            status=Entity.Status.DRAFT,
            proposed_by=request.user,
        )
    entity = Entity.objects.visible_to(request.user).filter(pk=entity_id).first()
    if entity is None:
        raise BadRequest(f"There is no entity {entity_id}.")
    return entity


@api.get(
    "/articles/{article_id}/mentions",
    response=list[MentionOut],
    tags=["review"],
    auth=SIGNED_IN,
)
def list_mentions(request: HttpRequest, article_id: int):
    """Your mentions in the article (your review's, accepted)."""
    user = _annotator(request)
    mentions = Mention.objects.filter(
        span__article=_article(article_id),
        span__review__reviewer=user,
        span__status=Span.Status.ACCEPTED,
    ).select_related("span", "entity")
    return [_mention_out(m) for m in mentions.order_by("span__start", "span__end")]


@api.post(
    "/articles/{article_id}/mentions",
    response={201: MentionOut},
    tags=["review"],
    auth=SIGNED_IN,
)
def create_mention(request: HttpRequest, article_id: int, payload: MentionIn):
    """Link words to an entity in your review (409 if they are linked
    already; 400 if the words are not at those offsets)."""
    user = _annotator(request)
    article = _article(article_id)
    start, end = _checked(article, payload)
    with transaction.atomic():
        entity = _chosen_entity(request, payload.entity_id, payload.new_entity)
        review = editing.start_review(article=article, reviewer=user)
        mention = editing.create_mention(
            review=review, start=start, end=end, entity=entity
        )
    return Status(201, _mention_out(mention))


@api.delete(
    "/articles/{article_id}/mentions/{mention_id}",
    response={204: None},
    tags=["review"],
    auth=SIGNED_IN,
)
def delete_mention(request: HttpRequest, article_id: int, mention_id: int):
    user = _annotator(request)
    article = _article(article_id)
    mention = get_object_or_404(
        Mention.objects.select_related("span__review"),
        span_id=mention_id,
        span__article=article,
        span__review__reviewer=user,
    )
    mention.span.article = mention.span.review.article = article
    editing.delete_span(span=mention.span)
    return Status(204, None)


@api.get(
    "/articles/{article_id}/quotes",
    response=list[QuoteOut],
    tags=["review"],
    auth=SIGNED_IN,
)
def list_quotes(request: HttpRequest, article_id: int):
    """Your quotes in the article."""
    user = _annotator(request)
    quotes = (
        Quote.objects.filter(article=_article(article_id), review__reviewer=user)
        .select_related("speaker", "cue")
        .prefetch_related("parts")  # in order: Span's own ordering
    )
    return [_quote_out(quote) for quote in quotes.order_by("pk")]


@api.post(
    "/articles/{article_id}/quotes",
    response={201: QuoteOut},
    tags=["review"],
    auth=SIGNED_IN,
)
def create_quote(request: HttpRequest, article_id: int, payload: QuoteIn):
    """Mark a quote in your review: its parts, type, cue, and who said it
    (an entity, or a source the text describes: "a senior official")."""
    user = _annotator(request)
    article = _article(article_id)
    parts = [_checked(article, part) for part in payload.parts]
    cue = _checked(article, payload.cue) if payload.cue else None
    speaker = None
    if payload.speaker_id is not None:
        speaker = _chosen_entity(request, payload.speaker_id, None)
        if speaker.kind == EntityKind.PLACE:
            raise BadRequest("A place cannot be the speaker.")
    with transaction.atomic():
        review = editing.start_review(article=article, reviewer=user)
        quote = editing.create_quote(
            review=review,
            parts=parts,
            type=payload.type,
            speaker=speaker,
            speaker_description=payload.speaker_description.strip(),
            cue=cue,
        )
    return Status(201, _quote_out(quote))


@api.delete(
    "/articles/{article_id}/quotes/{quote_id}",
    response={204: None},
    tags=["review"],
    auth=SIGNED_IN,
)
def delete_quote(request: HttpRequest, article_id: int, quote_id: int):
    user = _annotator(request)
    article = _article(article_id)
    quote = get_object_or_404(
        Quote.objects.select_related("review"),
        pk=quote_id,
        article=article,
        review__reviewer=user,
    )
    quote.article = quote.review.article = article
    editing.delete_quote(quote=quote)
    return Status(204, None)


@api.post(
    "/articles/{article_id}/review/submit",
    response=ReviewOut,
    tags=["review"],
    auth=SIGNED_IN,
)
def submit_review(request: HttpRequest, article_id: int):
    """Submit your review of the article: it can no longer change, and
    curators can adjudicate it (409 if it was submitted already)."""
    user = _annotator(request)
    article = _article(article_id)
    with transaction.atomic():
        review = editing.start_review(article=article, reviewer=user)
        editing.submit_review(review=review)
    return {
        "article_id": article.pk,
        "status": review.status,
        "submitted_at": review.submitted_at,
    }


@api.get("/articles/{article_id}/gold", response=dict, tags=["articles"])
def gold(request: HttpRequest, article_id: int):
    """The article's curated (adjudicated) annotations, in the export's
    JSONL shape: ``quotes`` (a part an item, parts of one quote sharing
    ``group``) and ``entities`` with their ``mentions``."""
    article = _article(article_id)
    review = with_annotations(
        Review.objects.filter(article=article, status=Review.Status.ADJUDICATED)
    ).first()
    if review is None:
        raise HttpError(404, "This article has no curated annotations yet.")
    return review_record(review)
