"""The Entity admin for curators: merge, split, undo, and the duplicate finder.

newsreader's ``EntityAdmin`` knows nothing of annotations; this subclass
adds what needs them, and annotations/admin.py registers it in its place.
Like the whole admin, every page and action here is for curators only:
the site (newsreader.sites.CurationSite) answers anyone else with a 403.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from annotations.forms import error_text
from annotations.merging import (
    TOKEN,
    MergeError,
    likely_duplicates,
    merge_entities,
    plan_merge,
    split_entity,
    undo_merge,
    undo_split,
)
from annotations.models import Mention
from newsreader.admin import EntityAdmin
from newsreader.models import Alias, DistinctPair, Entity, EntityKind
from newsreader.text import normalize_name

# A merge page lists every selected entity; more is a mistake, not a merge.
MAX_MERGE = 20
DUPLICATES_PER_PAGE = 200


def merge_url(ids: list[int], *, target: int | None = None) -> str:
    """The merge confirmation page for these entities."""
    query = {"ids": ids, **({"target": target} if target else {})}
    return f"{reverse('admin:newsreader_entity_merge')}?{urlencode(query, doseq=True)}"


class MergeForm(forms.Form):
    ids = forms.ModelMultipleChoiceField(
        queryset=Entity.objects.select_related("merged_into"),
        error_messages={"invalid_pk_value": "“%(pk)s” is not an entity id."},
    )
    target = forms.ModelChoiceField(queryset=Entity.objects.all(), required=False)
    allow_different_kinds = forms.BooleanField(
        required=False, label="Yes, merge entities of different kinds"
    )

    def clean_ids(self) -> list[Entity]:
        entities = list(self.cleaned_data["ids"])
        if len(entities) < 2:
            raise forms.ValidationError("Select at least two entities to merge.")
        if len(entities) > MAX_MERGE:
            raise forms.ValidationError(f"Merge at most {MAX_MERGE} at once.")
        return entities

    def clean(self) -> dict:
        data = super().clean()
        entities = data.get("ids")
        if not entities:
            return data
        target = data.get("target")
        if target is None:
            # Most likely the one to keep: confirmed rather than a machine's
            # guess, then the one reviewers linked most, then the fuller name.
            counts = dict(
                Mention.objects.filter(entity__in=entities, span__review__isnull=False)
                .values_list("entity")
                .annotate(n=Count("pk"))
            )
            target = max(
                entities,
                key=lambda e: (
                    e.status == Entity.Status.CONFIRMED,
                    counts.get(e.pk, 0),
                    len(e.name),
                    -e.pk,
                ),
            )
        elif target not in entities:
            self.add_error("target", "Choose the target among the selected entities.")
            return data
        data["target"] = target
        data["sources"] = [e for e in entities if e.pk != target.pk]
        return data


class SplitForm(forms.Form):
    aliases = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="These names and the mentions that use them move to the new one.",
    )
    name = forms.CharField(max_length=300, label="Name of the new entity")
    description = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, entity: Entity, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["aliases"].queryset = entity.aliases.all()


class DuplicatesForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("", "All kinds"), *EntityKind.choices], required=False
    )
    similarity = forms.FloatField(
        min_value=0.3,
        max_value=1.0,
        required=False,
        initial=0.6,
        widget=forms.NumberInput(attrs={"step": 0.05}),
        help_text="0.3 to 1: how alike a name must be to a part of another "
        "(Rogachev in Ilya Rogachyov: 0.67).",
    )
    page = forms.IntegerField(min_value=1, required=False)


class DifferentForm(forms.Form):
    """Two entities the duplicate finder offered, judged not to be one."""

    one = forms.ModelChoiceField(Entity.objects.canonical())
    two = forms.ModelChoiceField(Entity.objects.canonical())
    next = forms.CharField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("one") and data["one"] == data.get("two"):
            raise forms.ValidationError("Choose two different entities.")
        return data


class CuratorEntityAdmin(EntityAdmin):
    actions = ["merge_selected", "confirm_selected"]
    change_list_template = "admin/newsreader/entity/curator_change_list.html"
    change_form_template = "admin/newsreader/entity/curator_change_form.html"

    @admin.action(description="Merge into …")
    def merge_selected(
        self, request: HttpRequest, queryset: QuerySet[Entity]
    ) -> HttpResponse | None:
        ids = list(queryset.values_list("pk", flat=True)[: MAX_MERGE + 1])
        if len(ids) < 2:
            self.message_user(
                request, "Select at least two entities to merge.", messages.WARNING
            )
            return None
        return redirect(merge_url(ids))

    @admin.action(description="Confirm, with their aliases (make them public)")
    def confirm_selected(
        self, request: HttpRequest, queryset: QuerySet[Entity]
    ) -> None:
        confirmed = 0
        for entity in queryset.exclude(status=Entity.Status.CONFIRMED):
            entity.status = Entity.Status.CONFIRMED
            entity.save()
            confirmed += 1
        published = Alias.objects.filter(entity__in=queryset).exclude(proposed_by=None)
        aliases = published.update(proposed_by=None)
        self.message_user(
            request, f"Confirmed {confirmed} entities; published {aliases} aliases."
        )

    def get_urls(self):
        # The site lets only curators in (newsreader.sites.CurationSite).
        curators_only = self.admin_site.admin_view
        return [
            path(
                "merge/", curators_only(self.merge_view), name="newsreader_entity_merge"
            ),
            path(
                "undo/<str:action>/<str:token>/",
                curators_only(self.undo_view),
                name="newsreader_entity_undo",
            ),
            path(
                "duplicates/",
                curators_only(self.duplicates_view),
                name="newsreader_entity_duplicates",
            ),
            path(
                "duplicates/different/",
                curators_only(self.different_view),
                name="newsreader_entity_different",
            ),
            path(
                "<int:object_id>/split/",
                curators_only(self.split_view),
                name="newsreader_entity_split",
            ),
            *super().get_urls(),
        ]

    def _context(self, request: HttpRequest, title: str, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def merge_view(self, request: HttpRequest) -> HttpResponse:
        form = MergeForm(request.POST if request.method == "POST" else request.GET)
        plan = error = None
        different_kinds = False
        if form.is_valid():
            data = form.cleaned_data
            target, sources = data["target"], data["sources"]
            different_kinds = any(s.kind != target.kind for s in sources)
            try:
                plan = plan_merge(
                    target=target, sources=sources, allow_different_kinds=True
                )
                if request.method == "POST":
                    if different_kinds and not data["allow_different_kinds"]:
                        raise MergeError(
                            "These entities are of different kinds: tick the box "
                            "to merge them anyway."
                        )
                    result = merge_entities(
                        target=target,
                        sources=sources,
                        user=request.user,
                        allow_different_kinds=data["allow_different_kinds"],
                    )
                    self._merged_message(request, result)
                    return redirect("admin:newsreader_entity_change", result.target.pk)
            except MergeError as exc:
                error = str(exc)
        context = self._context(
            request,
            "Merge entities",
            form=form,
            plan=plan,
            error=error,
            different_kinds=different_kinds,
            selected=self._selected(form) if form.is_valid() else [],
        )
        status = 400 if (form.errors or error) else 200
        return TemplateResponse(
            request, "admin/newsreader/entity/merge.html", context, status=status
        )

    def _selected(self, form: MergeForm) -> list[tuple[Entity, str, bool, int]]:
        """Each selected entity, the link making it the target, and its mentions."""
        data = form.cleaned_data
        ids = [e.pk for e in data["ids"]]
        counts = dict(
            Mention.objects.filter(entity__in=ids)
            .values_list("entity")
            .annotate(n=Count("pk"))
        )
        return [
            (
                entity,
                merge_url(ids, target=entity.pk),
                entity.pk == data["target"].pk,
                counts.get(entity.pk, 0),
            )
            for entity in data["ids"]
        ]

    def _merged_message(self, request: HttpRequest, result) -> None:
        undo = reverse("admin:newsreader_entity_undo", args=["merge", result.token])
        moved = ", ".join(
            f"{n} {label.rpartition('.')[2].lower()}{'' if n == 1 else 's'}"
            for label, n in result.moved.items()
            if n
        )
        self.message_user(
            request,
            format_html(
                "Merged {} into {}: {} alias{} added{}. "
                '<a class="button" href="{}">Undo</a>',
                ", ".join(s.name for s in result.sources),
                result.target.name,
                result.aliases_moved + result.aliases_added,
                "" if result.aliases_moved + result.aliases_added == 1 else "es",
                f", {moved} moved" if moved else "",
                undo,
            ),
            messages.SUCCESS,
        )

    def undo_view(self, request: HttpRequest, action: str, token: str) -> HttpResponse:
        undo = {"merge": undo_merge, "split": undo_split}.get(action)
        if undo is None or not TOKEN.fullmatch(token):
            return self._undo_page(
                request, action, [], "That is not an undo link.", 404
            )
        changed = list(
            Entity.history.filter(
                history_change_reason__startswith=f"{action} {token}"
            ).order_by("history_id")
        )
        if request.method == "POST":
            try:
                undo(token=token, user=request.user)
            except MergeError as exc:
                return self._undo_page(request, action, changed, str(exc), 400)
            self.message_user(request, f"Undid the {action}.", messages.SUCCESS)
            return redirect("admin:newsreader_entity_changelist")
        if not changed:
            return self._undo_page(request, action, [], "Nothing to undo there.", 404)
        return self._undo_page(request, action, changed, None, 200)

    def _undo_page(self, request, action, changed, error, status) -> HttpResponse:
        return TemplateResponse(
            request,
            "admin/newsreader/entity/undo.html",
            self._context(
                request,
                f"Undo {action}" if action in ("merge", "split") else "Undo",
                action=action,
                changed=changed,
                error=error,
            ),
            status=status,
        )

    def split_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        entity = get_object_or_404(Entity, pk=object_id)
        if entity.merged_into_id:
            self.message_user(
                request,
                f"{entity} was merged into {entity.merged_into}: split that one.",
                messages.ERROR,
            )
            return redirect("admin:newsreader_entity_change", entity.merged_into_id)
        form = SplitForm(request.POST or None, entity=entity)
        error = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                result = split_entity(
                    entity=entity,
                    aliases=data["aliases"],
                    name=data["name"],
                    description=data["description"],
                    user=request.user,
                )
            except MergeError as exc:
                error = str(exc)
            else:
                undo = reverse(
                    "admin:newsreader_entity_undo", args=["split", result.token]
                )
                self.message_user(
                    request,
                    format_html(
                        "Split {} off {}: {} alias(es), {} mention(s). "
                        '<a class="button" href="{}">Undo</a>',
                        result.entity.name,
                        entity.name,
                        result.aliases_moved,
                        result.moved.get("annotations.Mention", 0),
                        undo,
                    ),
                    messages.SUCCESS,
                )
                return redirect("admin:newsreader_entity_change", result.entity.pk)
        # How many of the entity's mentions each alias would take along.
        per_key: dict[str, int] = {}
        for exact in Mention.objects.filter(entity=entity).values_list(
            "span__exact", flat=True
        ):
            key = normalize_name(exact)
            per_key[key] = per_key.get(key, 0) + 1
        choices = [
            (alias, per_key.get(alias.normalized, 0))
            for alias in form.fields["aliases"].queryset
        ]
        return TemplateResponse(
            request,
            "admin/newsreader/entity/split.html",
            self._context(
                request,
                f"Split {entity}",
                entity=entity,
                form=form,
                choices=choices,
                chosen={str(pk) for pk in form["aliases"].value() or []},
                error=error,
            ),
            status=400 if (form.errors or error) else 200,
        )

    def duplicates_view(self, request: HttpRequest) -> HttpResponse:
        form = DuplicatesForm({"similarity": 0.6, **request.GET.dict()})
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/newsreader/entity/duplicates.html",
                self._context(request, "Likely duplicates", form=form, pairs=[]),
                status=400,
            )
        data = form.cleaned_data
        kind = data["kind"] or ""
        threshold = data["similarity"] or form.fields["similarity"].initial
        page = data["page"] or 1
        total = Entity.objects.canonical().filter(**({"kind": kind} if kind else {}))
        total = total.count()
        offset = (page - 1) * DUPLICATES_PER_PAGE
        pairs = likely_duplicates(
            kind=kind, threshold=threshold, offset=offset, size=DUPLICATES_PER_PAGE
        )
        rows = [(pair, merge_url([pair.one.pk, pair.two.pk])) for pair in pairs]

        def page_url(number: int) -> str:
            return "?" + urlencode(
                {"kind": kind, "similarity": threshold, "page": number}
            )

        return TemplateResponse(
            request,
            "admin/newsreader/entity/duplicates.html",
            self._context(
                request,
                "Likely duplicates",
                form=form,
                rows=rows,
                first=offset + 1,
                last=min(offset + DUPLICATES_PER_PAGE, total),
                total=total,
                previous_url=page_url(page - 1) if page > 1 else "",
                next_url=page_url(page + 1)
                if offset + DUPLICATES_PER_PAGE < total
                else "",
            ),
        )

    @method_decorator(require_POST)
    def different_view(self, request: HttpRequest) -> HttpResponse:
        form = DifferentForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest(
                f"Not two entities to tell apart: {error_text(form)}",
                content_type="text/plain; charset=utf-8",
            )
        one, two = sorted(
            [form.cleaned_data["one"], form.cleaned_data["two"]], key=lambda e: e.pk
        )
        DistinctPair.objects.get_or_create(
            one=one, two=two, defaults={"decided_by": request.user}
        )
        self.message_user(
            request,
            format_html(
                "{} and {} will not be offered as duplicates again. "
                '<a href="{}">Changed your mind?</a> Delete the pair there.',
                one,
                two,
                reverse("admin:newsreader_distinctpair_changelist"),
            ),
            messages.SUCCESS,
        )
        back = form.cleaned_data["next"]
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:newsreader_entity_duplicates")
        return redirect(back)


def register(site: admin.AdminSite) -> None:
    """Put the curator's Entity admin in place of newsreader's."""
    site.unregister(Entity)
    site.register(Entity, CuratorEntityAdmin)
