from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.db.models import QuerySet

from newsreader.models import ArticleQuerySet, Entity, Source

_WORD = re.compile(r"\w")


def search_field(placeholder: str) -> forms.CharField:
    return forms.CharField(
        label="Search",
        required=False,
        max_length=settings.SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": "That search is too long: keep it under "
            f"{settings.SEARCH_MAX_LENGTH} characters."
        },
        widget=forms.SearchInput(
            attrs={"placeholder": placeholder, "autocomplete": "off"}
        ),
    )


class SearchForm(forms.Form):
    """Words to search for, an outlet and a range of publication dates: what
    the article list and the quote explorer both filter by."""

    q = search_field("Search…")
    source = forms.ModelChoiceField(
        Source.objects.all(), required=False, empty_label="All sources"
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    @property
    def has_words(self) -> bool:
        """Whether the search text has anything Postgres can search for."""
        return bool(_WORD.search(self.cleaned_data.get("q", "")))

    def published_between(self, queryset: QuerySet, published: str) -> QuerySet:
        """``queryset`` of what the ``published`` field dates, within the
        date filters (both days included)."""
        start, end = (
            self.cleaned_data.get("date_from"),
            self.cleaned_data.get("date_to"),
        )
        if start:
            start = dt.datetime.combine(start, dt.time.min, dt.UTC)
            queryset = queryset.filter(**{f"{published}__gte": start})
        if end:
            end = dt.datetime.combine(end, dt.time.max, dt.UTC)
            queryset = queryset.filter(**{f"{published}__lte": end})
        return queryset


class ArticleSearchForm(SearchForm):
    q = search_field("Search titles and text…")
    entity = forms.ModelChoiceField(
        Entity.objects.canonical().in_any_article().order_by("name"),
        label="Mentioning",
        to_field_name="slug",
        required=False,
        empty_label="Anyone or anywhere",
        error_messages={
            "invalid_choice": "No article mentions that person, organisation or place."
        },
    )
    # For reviewers: where their own review of each article stands.
    mine = forms.ChoiceField(
        label="My review",
        required=False,
        choices=[
            ("", "Any"),
            ("none", "Not started"),
            ("in_progress", "In progress"),
            ("submitted", "Submitted"),
        ],
    )

    @property
    def has_filters(self) -> bool:
        """Whether anything besides the words narrows the list."""
        filters = ("source", "entity", "date_from", "date_to", "mine")
        return any(self.cleaned_data.get(name) for name in filters)

    def filter(self, articles: ArticleQuerySet, *, reviewer=None) -> ArticleQuerySet:
        """``articles`` with the filters, then the search, of a valid form:
        the search ranks the newest matches of the filtered ones. "My review"
        filters by ``reviewer``'s reviews, and only when one is given."""
        data = self.cleaned_data
        if data.get("mine") == "none" and reviewer is not None:
            articles = articles.exclude(reviews__reviewer=reviewer)
        elif data.get("mine") and reviewer is not None:
            statuses = [data["mine"]]
            if data["mine"] == "submitted":  # a curator's gold is past submitted
                statuses.append("adjudicated")
            articles = articles.filter(
                reviews__reviewer=reviewer, reviews__status__in=statuses
            )
        if data["source"]:
            articles = articles.filter(source=data["source"])
        if data["entity"]:
            articles = articles.mentioning(data["entity"])
        articles = self.published_between(articles, "published_at")
        if self.has_words:
            articles = articles.search(data["q"])
        return articles


class EntitySearchForm(forms.Form):
    q = forms.CharField(
        label="Find a person, organisation or place",
        required=False,
        max_length=200,
        error_messages={
            "max_length": "Names are shorter than that: 200 characters at most."
        },
        widget=forms.SearchInput(
            attrs={"placeholder": "Name or alias…", "autocomplete": "off"}
        ),
    )


class ImportForm(forms.Form):
    """An upload (JSONL, .txt, .html or a saved feed), or URLs of pages or feeds."""

    upload = forms.FileField(
        label="File",
        required=False,
        help_text="JSONL (one article a line), a .txt or .html article, or a feed.",
    )
    urls = forms.CharField(
        label="Or URLs",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "https://…"}),
        help_text="One a line: article pages, or RSS and Atom feeds.",
    )

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload and upload.size > settings.IMPORT_MAX_UPLOAD_BYTES:
            megabytes = settings.IMPORT_MAX_UPLOAD_BYTES // 1_000_000
            raise forms.ValidationError(
                f"That file is {upload.size / 1_000_000:.1f} MB; "
                f"the limit is {megabytes} MB. Split it, or use "
                "manage.py import_articles."
            )
        return upload

    def clean_urls(self) -> list[str]:
        urls = self.cleaned_data["urls"].split()
        if len(urls) > settings.IMPORT_MAX_URLS:
            raise forms.ValidationError(
                f"At most {settings.IMPORT_MAX_URLS} URLs at a time, please."
            )
        validate = URLValidator(schemes=["http", "https"])
        for url in urls:
            try:
                validate(url)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"“{url[:100]}” is not an http or https address."
                ) from None
        return urls

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("upload")) == bool(data.get("urls")):
            raise forms.ValidationError("Choose a file or give URLs, one or the other.")
        return data
