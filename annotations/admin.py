from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from annotations.models import Mention, Quote, Review, Span


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["article", "reviewer", "status", "submitted_at"]
    list_filter = ["status", "reviewer"]
    list_select_related = ["article", "reviewer"]
    search_fields = ["article__title", "reviewer__username"]
    raw_id_fields = ["article"]


@admin.register(Span)
class SpanAdmin(SimpleHistoryAdmin):
    list_display = ["exact", "article", "start", "end", "status", "origin", "review"]
    list_filter = ["status", "origin"]
    list_select_related = ["article", "review__reviewer", "review__article"]
    search_fields = ["exact"]
    raw_id_fields = ["article", "review", "quote"]


@admin.register(Mention)
class MentionAdmin(SimpleHistoryAdmin):
    list_display = ["span", "entity"]
    list_select_related = ["span", "entity"]
    search_fields = ["span__exact", "entity__name"]
    raw_id_fields = ["span", "entity"]


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "article", "speaker", "type", "review"]
    list_filter = ["type"]
    list_select_related = ["article", "speaker", "review__reviewer", "review__article"]
    search_fields = ["speaker__name", "parts__exact"]
    raw_id_fields = ["article", "review", "speaker", "speaker_mention", "cue"]
