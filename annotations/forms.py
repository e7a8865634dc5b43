from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet

from annotations import quoted
from annotations.models import CuratedQuote, Mention, Quote
from annotations.spans import check_span, from_utf16
from newsreader.forms import SearchForm, search_field
from newsreader.models import Article, Entity, EntityKind, visible_entity
from newsreader.roles import CURATOR, REVIEWER

# The kind of speaker of a quote whose source is described, not named.
DESCRIBED = "described"
# The explorer's speaker filter: the quotes of the entities a name fits best.
SPEAKERS_SEARCHED = 50


class SelectionForm(forms.Form):
    """A selection as the browser sends it: UTF-16 positions and the text.

    ``span(body)`` converts to code points and checks the text is there.
    """

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=0)
    exact = forms.CharField(strip=False, max_length=20_000)

    def span(self, body: str) -> tuple[int, int]:
        start = from_utf16(body, self.cleaned_data["start"])
        end = from_utf16(body, self.cleaned_data["end"])
        check_span(body, start, end, self.cleaned_data["exact"])
        return start, end


# The longest name a new entity may have: a selection of a sentence or
# more is a mistake, not a name (the longest in the seed's gold is 36).
NAME_LIMIT = 100


NO_SUCH_ENTITY = "That entity does not exist (any more)."


class EntityChoiceForm(forms.Form):
    """An existing entity, or the name and kind of a new one."""

    entity = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        error_messages=dict.fromkeys(
            ["invalid", "min_value", "max_value"], NO_SUCH_ENTITY
        ),
    )
    new_name = forms.CharField(
        required=False,
        max_length=NAME_LIMIT,
        error_messages={
            "max_length": "A name has at most %(limit_value)d characters: "
            "select the name alone."
        },
    )
    kind = forms.ChoiceField(choices=EntityKind.choices, required=False)

    def __init__(self, *args, reviewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reviewer = reviewer

    def clean_entity(self) -> Entity | None:
        pk = self.cleaned_data["entity"]
        if pk is None:
            return None
        # Not another reviewer's draft, even by its number.
        if (entity := visible_entity(pk, self.reviewer)) is None:
            raise forms.ValidationError(NO_SUCH_ENTITY)
        return entity

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("entity") and not cleaned.get("new_name", "").strip():
            raise forms.ValidationError("Choose an entity, or name a new one.")
        if (
            cleaned.get("new_name")
            and not cleaned.get("entity")
            and not cleaned.get("kind")
        ):
            raise forms.ValidationError(
                "Say whether the new entity is a person, organisation or place."
            )
        return cleaned

    def chosen_entity(self) -> Entity:
        """The entity chosen, or a new one: the reviewer's draft."""
        if entity := self.cleaned_data.get("entity"):
            return entity
        return Entity.objects.create_named(
            name=self.cleaned_data["new_name"],
            kind=self.cleaned_data["kind"],
            status=Entity.Status.DRAFT,
            proposed_by=self.reviewer,
        )


class MentionForm(SelectionForm, EntityChoiceForm):
    pass


class QuoteForm(SelectionForm):
    type = forms.ChoiceField(choices=Quote.Type.choices, required=False)


class QuoteUpdateForm(EntityChoiceForm):
    """Any of: a new type, a speaker entity, a speaker mention in the text,
    or a description of a source no entity stands for ("officials")."""

    type = forms.ChoiceField(choices=Quote.Type.choices, required=False)
    speaker_mention = forms.ModelChoiceField(
        Mention.objects.none(),
        required=False,
        error_messages={"invalid_choice": "That is not one of your mentions."},
    )
    speaker_description = forms.CharField(
        max_length=Quote._meta.get_field("speaker_description").max_length,
        required=False,
    )

    def __init__(self, *args, mentions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["speaker_mention"].queryset = mentions

    def clean(self) -> dict:
        cleaned = forms.Form.clean(self)
        if not any(
            cleaned.get(name)
            for name in (
                "type",
                "speaker_mention",
                "entity",
                "new_name",
                "speaker_description",
            )
        ):
            raise forms.ValidationError("Nothing to change.")
        if cleaned.get("new_name") and not cleaned.get("kind"):
            raise forms.ValidationError(
                "Say whether the speaker is a person or an organisation."
            )
        said_by = cleaned.get("speaker_mention")
        chosen = said_by.entity if said_by else cleaned.get("entity")
        kind = chosen.kind if chosen else cleaned.get("kind")
        if kind == EntityKind.PLACE:
            raise forms.ValidationError(
                "A place cannot be the speaker: choose a person or an organisation."
            )
        return cleaned

    def speaker(self) -> Entity | None:
        if self.cleaned_data.get("entity") or self.cleaned_data.get("new_name"):
            return self.chosen_entity()
        return None


def error_text(form: forms.Form) -> str:
    """A form's errors as one line a person can read."""
    messages = []
    for field, errors in form.errors.items():
        label = "" if field == "__all__" else f"{field}: "
        messages.extend(f"{label}{error}" for error in errors)
    return " ".join(messages)


class DecideForm(forms.Form):
    """Many suggestions at once: those of one entity (given by one of its
    suggestions), of one kind, or all that are left."""

    verb = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    kind = forms.ChoiceField(
        choices=[("", "All"), *EntityKind.choices, ("QUOTE", "Quotes")],
        required=False,
    )
    like = forms.IntegerField(required=False, min_value=1)

    def chosen(self, pending: list) -> list[int]:
        """The pks of the ``pending`` suggestion rows asked for: mentions, and
        each quote by its first part (its other parts and cue go with it)."""
        kind, like = self.cleaned_data["kind"], self.cleaned_data["like"]
        entity = next((r.mention__entity for r in pending if r.pk == like), None)
        if like is not None and entity is None:
            return []  # decided already, or not a mention
        quotes, chosen = set(), []
        for row in pending:
            if row.mention__entity is not None:
                if entity is not None:
                    wanted = row.mention__entity == entity
                else:
                    wanted = kind in ("", row.mention__entity__kind)
            elif row.quote_id is not None and row.quote_id not in quotes:
                quotes.add(row.quote_id)
                wanted = entity is None and kind in ("", "QUOTE")
            else:
                wanted = False
            if wanted:
                chosen.append(row.pk)
        return chosen


def article_ids(raw: str) -> list[int] | None:
    """The article numbers in ``raw`` ("12,15,40"); None if it holds
    anything else."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(part.isascii() and part.isdecimal() for part in parts):
        return None
    return [int(part) for part in parts]


class AssignForm(forms.Form):
    """Articles for a reviewer's queue: those listed, or the newest that no
    one has been given yet."""

    reviewer = forms.ModelChoiceField(
        User.objects.filter(groups__name__in=[REVIEWER, CURATOR])
        .distinct()
        .order_by("username"),
        empty_label="Choose a reviewer",
    )
    articles = forms.CharField(required=False, widget=forms.HiddenInput)
    newest = forms.IntegerField(
        label="or the newest articles no one has been given, this many",
        required=False,
        min_value=1,
        max_value=1000,
    )

    def clean_articles(self) -> list[int]:
        ids = article_ids(self.cleaned_data["articles"])
        if ids is None:
            raise forms.ValidationError("Those are not article numbers.")
        return ids

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("articles") and not cleaned.get("newest"):
            raise forms.ValidationError(
                "Choose articles in the admin's list, or say how many of the "
                "newest to give."
            )
        return cleaned

    def chosen(self) -> QuerySet[Article]:
        if ids := self.cleaned_data["articles"]:
            return Article.objects.filter(pk__in=ids).only("pk")
        newest = Article.objects.filter(assignments__isnull=True).only("pk")
        return newest[: self.cleaned_data["newest"]]


class QuoteSearchForm(SearchForm):
    """The quote explorer's search: the quoted words, who said them, where
    and when, and how."""

    q = search_field("Search what was said…")
    speaker = forms.CharField(
        label="Speaker",
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Name…", "autocomplete": "off"}),
        error_messages={"max_length": "Names are shorter than that: 200 at most."},
    )
    kind = forms.ChoiceField(
        label="Who",
        required=False,
        choices=[
            ("", "Anyone"),
            (EntityKind.PERSON, "A person"),
            (EntityKind.ORG, "An organisation"),
            (DESCRIBED, "A source described, not named"),
        ],
    )
    type = forms.ChoiceField(
        label="Type", required=False, choices=[("", "Any"), *Quote.Type.choices]
    )

    @property
    def has_filters(self) -> bool:
        filters = ("speaker", "kind", "source", "type", "date_from", "date_to")
        return any(self.cleaned_data.get(name) for name in filters)

    def filter(self, quotes: QuerySet[CuratedQuote]) -> QuerySet[CuratedQuote]:
        """``quotes`` narrowed by a valid form's filters and words."""
        data = self.cleaned_data
        if name := data["speaker"].strip():
            # A speaker's page links their quotes by slug; else whoever the
            # name or an alias fits, by any spelling, as the entity list finds.
            speakers = list(
                Entity.objects.filter(slug=name).values_list("pk", flat=True)
            )
            if not speakers:
                found = Entity.objects.canonical().search(name)[:SPEAKERS_SEARCHED]
                speakers = list(found.values_list("pk", flat=True))
            # Their ids, not a subquery: the planner cannot tell how few
            # quotes a name search leaves, and walked every quote by date.
            quotes = quotes.filter(speaker__in=speakers)
        if data["kind"] == DESCRIBED:
            quotes = quotes.filter(described=True)
        elif data["kind"]:
            quotes = quotes.filter(speaker__kind=data["kind"])
        if data["source"]:
            quotes = quotes.filter(source=data["source"])
        if data["type"]:
            quotes = quotes.filter(type=data["type"])
        quotes = self.published_between(quotes, "published_at")
        if self.has_words:
            quotes = quoted.saying(quotes, data["q"])
        return quotes
