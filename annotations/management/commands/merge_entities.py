"""Merge duplicate entities from the command line: the admin's merge, scripted."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.merging import MergeError, merge_entities, undo_merge
from newsreader.models import Entity


def find_entity(key: str) -> Entity:
    """The entity with this id or slug."""
    entity = Entity.objects.filter(slug=key).first()
    if entity is None and key.isdigit():
        entity = Entity.objects.filter(pk=int(key)).first()
    if entity is None:
        raise CommandError(f"No entity {key!r}: give an id or a slug.")
    return entity


class Command(BaseCommand):
    help = (
        "Merge SOURCE entities into TARGET (ids or slugs): their aliases, mentions "
        "and quotes move to TARGET; they stay as pointers to it. --undo TOKEN "
        "reverses a merge."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", nargs="?", metavar="TARGET")
        parser.add_argument("sources", nargs="*", metavar="SOURCE")
        parser.add_argument(
            "--allow-different-kinds",
            action="store_true",
            help="Merge even when the entities are of different kinds.",
        )
        parser.add_argument(
            "--undo", metavar="TOKEN", help="Undo the merge that printed TOKEN."
        )

    def handle(
        self,
        *,
        target: str | None,
        sources: list[str],
        allow_different_kinds: bool,
        undo: str | None,
        **options,
    ) -> None:
        try:
            if undo:
                if target:
                    raise CommandError(
                        "Give either --undo TOKEN or entities, not both."
                    )
                restored = undo_merge(token=undo)
                self.stdout.write(f"Undid the merge: {restored} rows restored.")
                return
            if not target:
                raise CommandError("Give TARGET and at least one SOURCE.")
            if not sources:
                raise CommandError("Give at least one SOURCE to merge into TARGET.")
            result = merge_entities(
                target=find_entity(target),
                sources=[find_entity(key) for key in sources],
                allow_different_kinds=allow_different_kinds,
            )
        except MergeError as error:
            raise CommandError(str(error)) from error
        moved = ", ".join(
            f"{n} {label.rpartition('.')[2].lower()}s"
            for label, n in result.moved.items()
            if n
        )
        self.stdout.write(
            f"Merged {len(result.sources)} "
            f"entit{'y' if len(result.sources) == 1 else 'ies'} into "
            f"{result.target} ({result.target.slug}): "
            f"{result.aliases_moved + result.aliases_added} aliases added"
            f"{', ' + moved if moved else ''}."
        )
        self.stdout.write(f"To undo: manage.py merge_entities --undo {result.token}")
