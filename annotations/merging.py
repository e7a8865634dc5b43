"""Merging duplicate entities and splitting one apart, undoably.

A merge moves every alias and every reference (mentions, quotes as speaker,
any other foreign key to ``Entity``) from the sources to the target, and
keeps each source as a pointer (``merged_into``); nothing is deleted. Every
row it changes goes through django-simple-history with the change reason
``merge <token>``, so ``undo_merge`` can put each one back exactly as it was.
A split does the same in the other direction, marked ``split <token>``.

Permission checks are the caller's (the admin's, the command's).
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import Count, Q
from simple_history.models import HistoricalChanges
from simple_history.utils import bulk_update_with_history

from annotations.models import Mention, Quote
from newsreader.models import Alias, DistinctPair, Entity
from newsreader.text import normalize_name

TOKEN = re.compile(r"[0-9a-f]{32}")


class MergeError(Exception):
    """A merge, split or undo that must not happen; the message says why."""


_MERGED_INTO = Entity._meta.get_field("merged_into")
_NOT_MOVED = (
    Alias._meta.get_field("entity"),
    _MERGED_INTO,
    DistinctPair._meta.get_field("one"),
    DistinctPair._meta.get_field("two"),
)


def _references() -> list[models.ForeignObjectRel]:
    """Every foreign key to ``Entity`` that a merge moves to the target.

    Aliases move by their own rule (one name per entity), and entities merged
    earlier into a source keep pointing at it: the chain leads to the target.
    A judgement that a source differs from some entity stays with the source:
    the merged target is a new question for the duplicate finder.
    """
    return [
        relation
        for relation in Entity._meta.related_objects
        if relation.field not in _NOT_MOVED
    ]


def canonical(entity: Entity) -> Entity:
    """The entity that ``entity`` was merged into, followed to the end."""
    seen = {entity.pk}
    while entity.merged_into_id:
        entity = entity.merged_into
        if entity.pk in seen:  # A loop cannot be made by merge_entities.
            raise MergeError(f"{entity} is in a loop of merged entities.")
        seen.add(entity.pk)
    return entity


@dataclass
class ArticleCounts:
    article_id: int
    title: str
    mentions: int = 0
    quotes: int = 0


@dataclass
class MergePlan:
    """What a merge of ``sources`` into ``target`` would move."""

    target: Entity
    sources: list[Entity]
    aliases: list[Alias]  # move to the target
    kept_aliases: list[Alias]  # stay on their source: the target has that name
    new_names: list[str]  # sources' names that become aliases of the target
    mentions: int
    quotes: int
    other: dict[str, int]  # references by any other foreign key, by model
    articles: list[ArticleCounts]


@dataclass
class MergeResult:
    token: str
    target: Entity
    sources: list[Entity]
    aliases_moved: int
    aliases_added: int
    moved: dict[str, int] = field(default_factory=dict)  # rows per model label


def _check(
    target: Entity, sources: Sequence[Entity], allow_different_kinds: bool
) -> tuple[Entity, list[Entity]]:
    target = canonical(target)
    if not sources:
        raise MergeError("Choose at least one entity to merge into the target.")
    unique: dict[int, Entity] = {}
    for source in sources:
        if source.merged_into_id:
            raise MergeError(
                f"{source} was already merged into {source.merged_into}; "
                "merge that one instead."
            )
        if source.pk == target.pk:
            raise MergeError(f"{source} cannot be merged into itself.")
        if source.kind != target.kind and not allow_different_kinds:
            raise MergeError(
                f"{source} is a {source.get_kind_display().lower()} and "
                f"{target} a {target.get_kind_display().lower()}; "
                "confirm to merge entities of different kinds."
            )
        unique[source.pk] = source
    return target, list(unique.values())


def _alias_moves(
    target: Entity, sources: Sequence[Entity]
) -> tuple[list[Alias], list[Alias], list[str]]:
    """Aliases to move, aliases to leave, and source names to add to the target."""
    taken = {normalize_name(target.name)} | set(
        target.aliases.values_list("normalized", flat=True)
    )
    move, keep = [], []
    for alias in Alias.objects.filter(entity__in=sources).order_by("entity", "pk"):
        if alias.normalized in taken:
            keep.append(alias)
        else:
            taken.add(alias.normalized)
            move.append(alias)
    names = []
    for source in sources:
        key = normalize_name(source.name)
        if key and key not in taken:
            taken.add(key)
            names.append(source.name)
    return move, keep, names


def plan_merge(
    *, target: Entity, sources: Sequence[Entity], allow_different_kinds: bool = False
) -> MergePlan:
    """What ``merge_entities`` would do, for the confirmation page; changes nothing."""
    target, sources = _check(target, sources, allow_different_kinds)
    move, keep, names = _alias_moves(target, sources)
    articles: dict[int, ArticleCounts] = {}
    for key, rows in [
        (
            "mentions",
            Mention.objects.filter(entity__in=sources).values(
                "span__article", "span__article__title"
            ),
        ),
        (
            "quotes",
            Quote.objects.filter(speaker__in=sources).values(
                "article", "article__title"
            ),
        ),
    ]:
        for row in rows.annotate(n=Count("pk")):
            article_id, title = (
                row.get("span__article", row.get("article")),
                row.get("span__article__title", row.get("article__title")),
            )
            counts = articles.setdefault(article_id, ArticleCounts(article_id, title))
            setattr(counts, key, row["n"])
    other = {}
    for relation in _references():
        if relation.related_model in (Mention, Quote):
            continue
        n = relation.related_model._default_manager.filter(
            **{f"{relation.field.name}__in": sources}
        ).count()
        if n:
            other[relation.related_model._meta.verbose_name_plural] = n
    return MergePlan(
        target=target,
        sources=sources,
        aliases=move,
        kept_aliases=keep,
        new_names=names,
        mentions=sum(a.mentions for a in articles.values()),
        quotes=sum(a.quotes for a in articles.values()),
        other=other,
        articles=sorted(
            articles.values(), key=lambda a: (-a.mentions - a.quotes, a.title)
        ),
    )


def _save(row: models.Model, reason: str, user) -> None:
    row._change_reason = reason
    if user is not None:
        row._history_user = user
    row.save()


def _move_references(
    rows_of: Iterable[tuple[models.ForeignObjectRel, models.QuerySet]],
    to: Entity,
    reason: str,
    user,
) -> dict[str, int]:
    moved: dict[str, int] = {}
    for relation, queryset in rows_of:
        rows = list(queryset)
        for row in rows:
            old = getattr(row, relation.field.attname)
            # Each history record carries the old value, for undo.
            row._change_reason = _reason(reason, relation.field, old)
            setattr(row, relation.field.name, to)
        if rows:
            # One UPDATE and one history INSERT per batch, not per row: a
            # common name can have thousands of mentions.
            bulk_update_with_history(
                rows,
                relation.related_model,
                [relation.field.name],
                batch_size=500,
                default_user=user,
                default_change_reason=reason,
            )
        moved[relation.related_model._meta.label] = moved.get(
            relation.related_model._meta.label, 0
        ) + len(rows)
    return moved


@transaction.atomic
def merge_entities(
    *,
    target: Entity,
    sources: Sequence[Entity],
    user=None,
    allow_different_kinds: bool = False,
) -> MergeResult:
    """Merge ``sources`` into ``target`` (followed to its canonical entity).

    Raises ``MergeError`` for a merge into itself, an already merged source,
    or different kinds unless ``allow_different_kinds``. Returns the token
    that ``undo_merge`` takes.
    """
    # Lock the entities so two curators cannot merge the same ones at once.
    ids = [target.pk, *(s.pk for s in sources)]
    locked = {e.pk: e for e in Entity.objects.select_for_update().filter(pk__in=ids)}
    target, sources = _check(
        locked[target.pk], [locked[s.pk] for s in sources], allow_different_kinds
    )
    if target.pk not in locked:  # followed a merged target: lock its canonical too
        Entity.objects.select_for_update().filter(pk=target.pk).get()
    token = uuid.uuid4().hex
    reason = f"merge {token}"
    move, _keep, names = _alias_moves(target, sources)
    alias_entity = Alias._meta.get_field("entity")
    for alias in move:
        old = alias.entity_id
        alias.entity = target
        _save(alias, _reason(reason, alias_entity, old), user)
    for name in names:
        _save(
            Alias(entity=target, name=name, normalized=normalize_name(name)),
            reason,
            user,
        )
    moved = _move_references(
        (
            (
                relation,
                relation.related_model._default_manager.filter(
                    **{f"{relation.field.name}__in": sources}
                ).order_by("pk"),
            )
            for relation in _references()
        ),
        target,
        reason,
        user,
    )
    for source in sources:
        source.merged_into = target
        _save(source, _reason(reason, _MERGED_INTO, None), user)
    return MergeResult(
        token=token,
        target=target,
        sources=sources,
        aliases_moved=len(move),
        aliases_added=len(names),
        moved=moved,
    )


@dataclass
class SplitResult:
    token: str
    entity: Entity  # the new one
    aliases_moved: int
    moved: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def split_entity(
    *,
    entity: Entity,
    aliases: Iterable[Alias],
    name: str,
    user=None,
    description: str = "",
) -> SplitResult:
    """Move ``aliases`` off ``entity`` to a new entity of the same kind named ``name``.

    The mentions whose text is one of those aliases (accents and case aside)
    move with them, and so do the quotes whose speaker is one of those
    mentions. Undo with ``undo_split``.
    """
    entity = Entity.objects.select_for_update().get(pk=entity.pk)
    if entity.merged_into_id:
        raise MergeError(f"{entity} was merged into {entity.merged_into}; split that.")
    name = name.strip()
    if not name:
        raise MergeError("The new entity needs a name.")
    aliases = list(aliases)
    if not aliases:
        raise MergeError("Choose at least one alias to move to the new entity.")
    if any(alias.entity_id != entity.pk for alias in aliases):
        raise MergeError(f"Only aliases of {entity} can be split off it.")
    token = uuid.uuid4().hex
    reason = f"split {token}"
    new = Entity.objects.create_named(
        name=name, kind=entity.kind, description=description
    )
    # create_named saves without a reason; mark that first history record.
    new.history.filter(id=new.pk).update(history_change_reason=reason)
    if user is not None:
        new.history.filter(id=new.pk).update(history_user=user)
    keys = {alias.normalized for alias in aliases}
    alias_entity = Alias._meta.get_field("entity")
    for alias in aliases:
        alias.entity = new
        _save(alias, _reason(reason, alias_entity, entity.pk), user)
    mentions = [
        mention
        for mention in Mention.objects.filter(entity=entity)
        .select_related("span")
        .order_by("pk")
        if normalize_name(mention.span.exact) in keys
    ]
    speaker = Quote._meta.get_field("speaker").remote_field
    mention_rel = Mention._meta.get_field("entity").remote_field
    moved = _move_references(
        [
            (mention_rel, Mention.objects.filter(pk__in=[m.pk for m in mentions])),
            (
                speaker,
                Quote.objects.filter(
                    speaker=entity, speaker_mention__in=[m.pk for m in mentions]
                ).order_by("pk"),
            ),
        ],
        new,
        reason,
        user,
    )
    return SplitResult(token=token, entity=new, aliases_moved=len(aliases), moved=moved)


def _history_models() -> list[type[models.Model]]:
    """Entity and every model that refers to it: the rows a merge may change."""
    found = [Entity, Alias]
    for relation in _references():
        if relation.related_model not in found:
            found.append(relation.related_model)
    return found


def undo_merge(*, token: str, user=None) -> int:
    """Put back every row the merge marked ``token`` changed; returns rows restored."""
    return _undo(f"merge {_checked_token(token)}", user)


def undo_split(*, token: str, user=None) -> int:
    return _undo(f"split {_checked_token(token)}", user)


def _checked_token(token: str) -> str:
    if not TOKEN.fullmatch(token):
        raise MergeError("That is not an undo token.")
    return token


def _reason(prefix: str, field: models.Field, old) -> str:
    """The change reason of one moved row: the change's token and the old value.

    Undo reads the old value from here, so it needs no earlier history of
    the row (rows made before history was switched on have none).

    >>> _reason("merge ab12", Alias._meta.get_field("entity"), 7)
    'merge ab12 entity_id=7'
    """
    return f"{prefix} {field.attname}={'' if old is None else old}"


def _parse_old(model: type[models.Model], reason: str) -> tuple[str, object]:
    """The field and old value that ``_reason`` wrote."""
    attname, _, value = reason.rpartition(" ")[2].partition("=")
    field = model._meta.get_field(attname)
    return field.attname, (field.to_python(value) if value else None)


def _marked(prefix: str) -> Q:
    return Q(history_change_reason=prefix) | Q(
        history_change_reason__startswith=f"{prefix} "
    )


@transaction.atomic
def _undo(prefix: str, user) -> int:
    """Put the rows changed under ``prefix`` back as they were.

    Refused when any of those rows changed after: undoing then would throw
    that later work away.
    """
    undo_reason = f"undo {prefix}"
    plans: list[tuple[type[models.Model], list[HistoricalChanges]]] = []
    for model in _history_models():
        history = model.history
        records = list(history.filter(_marked(prefix)).order_by("history_id"))
        if not records:
            continue
        if history.filter(_marked(undo_reason)).exists():
            raise MergeError("That change was undone already.")
        pk_name = model._meta.pk.attname
        if changed := _changed_since(history, pk_name, records):
            raise MergeError(
                f"{model._meta.verbose_name.capitalize()} “{changed.instance}” "
                "changed since; undo that change first."
            )
        plans.append((model, records))
    if not plans:
        raise MergeError("Nothing to undo: no change is marked with that token.")
    restored = 0
    created: list[models.Model] = []
    for model, records in plans:
        pk_name = model._meta.pk.attname
        rows = model._default_manager.in_bulk([getattr(r, pk_name) for r in records])
        changed: dict[str, list[models.Model]] = defaultdict(list)
        for record in records:
            row = rows.get(getattr(record, pk_name))
            if row is None:
                raise MergeError(
                    f"{model._meta.verbose_name.capitalize()} “{record.instance}” "
                    "no longer exists; it cannot be put back."
                )
            if record.history_type == "+":
                created.append(row)
                continue
            attname, old = _parse_old(model, record.history_change_reason)
            setattr(row, attname, old)
            changed[attname].append(row)
        for attname, moved in changed.items():
            bulk_update_with_history(
                moved,
                model,
                [attname],
                batch_size=500,
                default_user=user,
                default_change_reason=undo_reason,
            )
            restored += len(moved)
    # What the change created goes last, once nothing points at it; aliases
    # before entities (_history_models lists Entity first).
    for row in reversed(created):
        _delete(row, undo_reason, user)
        restored += 1
    return restored


def _changed_since(history, pk_name: str, records: list) -> HistoricalChanges | None:
    """A later record of one of these rows that was not itself undone, if any.

    A change and its undo cancel out: merge A, merge B, undo B leaves the
    rows as A left them, so A can be undone next.
    """
    ours = {getattr(r, pk_name): r.history_id for r in records}
    later = history.filter(
        **{f"{pk_name}__in": set(ours)}, history_id__gt=min(ours.values())
    ).order_by("history_id")
    changes: list[tuple[str | None, HistoricalChanges]] = []
    undone: set[str] = set()
    for record in later:
        if record.history_id <= ours[getattr(record, pk_name)]:
            continue
        reason = record.history_change_reason or ""
        token = next((w for w in reason.split() if TOKEN.fullmatch(w)), None)
        if token and reason.startswith("undo "):
            undone.add(token)
        else:
            changes.append((token, record))
    return next((r for token, r in changes if token not in undone), None)


def _delete(row: models.Model, reason: str, user) -> None:
    row._change_reason = reason
    if user is not None:
        row._history_user = user
    row.delete()


@dataclass
class DuplicatePair:
    one: Entity
    two: Entity
    one_name: str  # the names (or aliases) that look alike
    two_name: str
    similarity: float


# Pairs of unmerged entities of one kind with alike names: for each name and
# alias of the page's entities (newest first), the names and aliases of other
# entities that contain something like it (pg_trgm word similarity, the
# ``<%`` operator: "Rogachev" is like a part of "Ilya Rogachyov"). Word
# similarity is never below plain similarity, so this finds those pairs too.
# Every branch probes a GIN trigram index (alias_normalized_trgm,
# entity_name_folded_trgm) once per name of the page instead of comparing all
# pairs, so a page costs the same however many entities there are. Names are
# compared folded, as aliases are stored: "Pena Nieto" is "Peña Nieto".
_DUPLICATES_SQL = """
WITH page AS (
    SELECT id, kind, name FROM newsreader_entity
    WHERE merged_into_id IS NULL AND (%(kind)s = '' OR kind = %(kind)s)
    ORDER BY id DESC LIMIT %(size)s OFFSET %(offset)s
), keys AS (
    SELECT id, kind, name, newsreader_fold(name) AS key FROM page
  UNION ALL
    SELECT page.id, page.kind, alias.name, alias.normalized
    FROM page JOIN newsreader_alias alias ON alias.entity_id = page.id
), matches AS (
    SELECT k.kind, k.id, e.id AS other, k.name, e.name AS other_name,
           word_similarity(k.key, newsreader_fold(e.name)) AS score
    FROM keys k JOIN newsreader_entity e
      ON newsreader_fold(e.name) %%> k.key AND e.id <> k.id
  UNION ALL
    SELECT k.kind, k.id, a.entity_id, k.name, a.name,
           word_similarity(k.key, a.normalized)
    FROM keys k JOIN newsreader_alias a
      ON a.normalized %%> k.key AND a.entity_id <> k.id
)
SELECT * FROM (
    SELECT DISTINCT ON (least(m.id, other), greatest(m.id, other))
        least(m.id, other) AS one, greatest(m.id, other) AS two,
        CASE WHEN m.id < other THEN m.name ELSE other_name END AS one_name,
        CASE WHEN m.id < other THEN other_name ELSE m.name END AS two_name,
        score
    FROM matches m JOIN newsreader_entity e ON e.id = m.other
    WHERE e.merged_into_id IS NULL AND e.kind = m.kind
      AND NOT EXISTS (
        SELECT FROM newsreader_distinctpair d
        WHERE d.one_id = least(m.id, other) AND d.two_id = greatest(m.id, other)
      )
    ORDER BY least(m.id, other), greatest(m.id, other), score DESC
) pairs
ORDER BY score DESC, two DESC, one
"""


def likely_duplicates(
    *, kind: str = "", threshold: float = 0.6, offset: int = 0, size: int = 200
) -> list[DuplicatePair]:
    """Likely duplicates of ``size`` unmerged entities, newest first, from ``offset``.

    Each of those is paired with the entities of its kind that have a name or
    alias containing something like one of its own: pg_trgm word similarity
    at least ``threshold`` ("Rogachev" in "Ilya Rogachyov": 0.67). Most alike
    first; ``one`` is the older of a pair. Pairs a curator judged different
    (``DistinctPair``) are left out.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        # What ``%`` means, for this transaction only.
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true)",
            [str(threshold)],
        )
        cursor.execute(
            _DUPLICATES_SQL,
            {"kind": kind, "size": size, "offset": offset},
        )
        rows = cursor.fetchall()
    entities = Entity.objects.in_bulk({pk for row in rows for pk in row[:2]})
    return [
        DuplicatePair(entities[one], entities[two], one_name, two_name, score)
        for one, two, one_name, two_name, score in rows
    ]
