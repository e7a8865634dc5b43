from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from newsreader.models import Alias, Article, DistinctPair, Entity, Source
from newsreader.text import canonical_body, normalize_name


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "domain", "article_count"]
    search_fields = ["name", "domain"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Source]:
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(ordering="article_count", description="Articles")
    def article_count(self, source: Source) -> int:
        return source.article_count


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = "__all__"

    def clean_body(self) -> str:
        body = canonical_body(self.cleaned_data["body"])
        if not body:
            raise forms.ValidationError("An article needs some text.")
        return body


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["title", "source", "published_at", "byline"]
    list_filter = ["source", "published_at", "language"]
    list_select_related = ["source"]
    date_hierarchy = "published_at"
    search_fields = ["title"]
    search_help_text = "Searches titles and text, as the reader's search does."
    readonly_fields = ["body_sha256", "created_at"]
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Article], search_term: str
    ) -> tuple[QuerySet[Article], bool]:
        # Full-text search uses the GIN index; icontains over bodies would scan.
        if not search_term.strip():
            return queryset, False
        return queryset.filter(
            pk__in=Article.objects.search(search_term).values("pk")
        ), False

    def save_model(self, request, obj: Article, form, change: bool) -> None:
        obj.body_sha256 = Article.hash_body(obj.body)
        super().save_model(request, obj, form, change)


class AliasInlineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            if not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            key = normalize_name(form.cleaned_data.get("name", ""))
            if key in seen:
                form.add_error("name", "This entity already has that alias.")
            seen.add(key)


class AliasInline(admin.TabularInline):
    model = Alias
    formset = AliasInlineFormSet
    # "Proposed by": a reviewer's alias, private until confirmed (the
    # entities' "Confirm" action) or curated into the gold.
    fields = ["name", "normalized", "proposed_by"]
    readonly_fields = ["normalized", "proposed_by"]
    extra = 1


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "status", "wikidata_id", "merged_into"]
    # "Suggested": names the suggester proposed; "Draft": a reviewer's new
    # entity; both private, for a curator to check and confirm.
    list_filter = ["kind", "status", ("merged_into", admin.EmptyFieldListFilter)]
    list_select_related = ["merged_into"]
    search_fields = ["name", "aliases__normalized", "aliases__name"]
    search_help_text = "Searches names and aliases."
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["merged_into"]
    inlines = [AliasInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Entity], search_term: str
    ) -> tuple[QuerySet[Entity], bool]:
        # Aliases are stored without accents, so search for them that way too.
        queryset, may_have_duplicates = super().get_search_results(
            request, queryset, search_term
        )
        if search_term:
            queryset |= self.model.objects.filter(
                aliases__normalized__contains=normalize_name(search_term)
            )
            may_have_duplicates = True
        return queryset, may_have_duplicates


@admin.register(DistinctPair)
class DistinctPairAdmin(admin.ModelAdmin):
    """Pairs the duplicate finder no longer offers; deleting one offers it again."""

    list_display = ["one", "two", "decided_by", "created_at"]
    list_select_related = ["one", "two", "decided_by"]
    search_fields = ["one__name", "two__name"]
    readonly_fields = ["one", "two", "decided_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # made from the duplicate finder, "Not the same"
