from __future__ import annotations

import contextlib
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import InterfaceError, OperationalError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import Resolver404, resolve, reverse
from django.views import defaults
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from newsreader.forms import ArticleSearchForm, EntitySearchForm
from newsreader.http import HtmxHttpRequest
from newsreader.models import Alias, ApiToken, Article, Entity
from newsreader.roles import can_annotate


@require_safe
@vary_on_headers("HX-Request")
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    form = ArticleSearchForm(request.GET)
    articles = Article.objects.select_related("source").defer("search_vector")
    query = ""
    annotator = can_annotate(request.user)
    if form.is_valid():
        articles = form.filter(articles, reviewer=request.user if annotator else None)
        if form.has_words:
            query = form.cleaned_data["q"]
            articles = articles.with_headlines(query)
    else:
        articles = articles.none()
    if annotator:
        articles = articles.with_review_status(request.user)

    page = Paginator(articles, settings.ARTICLES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    template = "newsreader/article_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query,
            "capped": bool(query)
            and page.paginator.count >= settings.SEARCH_CANDIDATES,
            "annotator": annotator,
        },
    )


@require_safe
@vary_on_headers("HX-Request")
def entity_list(request: HtmxHttpRequest) -> HttpResponse:
    form = EntitySearchForm(request.GET)
    # The suggester's proposed speakers wait for a reviewer to confirm them.
    entities = Entity.objects.canonical().filter(status=Entity.Status.CONFIRMED)
    entities = entities.order_by("name")
    if form.is_valid():
        if query := form.cleaned_data["q"].strip():
            entities = entities.search(query)
    else:
        entities = entities.none()
    entities = entities.prefetch_related(
        Prefetch("aliases", queryset=Alias.objects.public().only("entity_id", "name"))
    ).with_article_counts()
    page = Paginator(entities, 50).get_page(request.GET.get("page"))
    template = "newsreader/entity_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, {"form": form, "page": page})


@require_safe
def article_text(request: HttpRequest, pk: int) -> HttpResponse:
    """The article's body as plain text: what the W3C selectors of its
    annotations count their offsets in."""
    body = get_object_or_404(Article.objects.only("body"), pk=pk).body
    return HttpResponse(body, content_type="text/plain; charset=utf-8")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API token: whether they have one, and a button
    that makes a new one (shown once, on the answer to that POST)."""
    key = ApiToken.issue(request.user) if request.method == "POST" else ""
    token = ApiToken.objects.filter(user=request.user).first()
    return render(request, "newsreader/api_token.html", {"token": token, "key": key})


def favicon(request: HtmxHttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on pages that name no icon (the admin's).
    return redirect(static("favicon.svg"), permanent=True)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 400 page. Django's own checks the CSRF token first, which reads
    the body again: for a body it cannot decode (a form in latin-1), that
    raised once more and the client got a 500."""
    return HttpResponseBadRequest(render_to_string("400.html"))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 page; for the API, its JSON errors, and the path without the
    trailing slash an API client often adds, when that path exists."""
    if not request.path.startswith(reverse("api:api-root")):
        return defaults.page_not_found(request, exception)
    detail = f"No such endpoint: {request.path}"
    bare = request.path.rstrip("/")
    with contextlib.suppress(Resolver404):
        if bare != request.path and resolve(bare):
            detail += f". The API's paths end without a slash: {bare}"
    return JsonResponse({"detail": detail}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page; a 503 that says to retry when the database is what
    failed (down, restarting, out of connections), which is no bug here."""
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponse(render_to_string("500.html"), status=500)
