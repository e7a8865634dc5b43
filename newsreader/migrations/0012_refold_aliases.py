from django.db import migrations
from django.db.models import F

from newsreader.text import normalize_name


def refold(apps, schema_editor):
    """Store each alias under the key ``normalize_name`` gives now.

    Lookups fold Ł, Đ, Ø, Þ and curly apostrophes since this migration, so
    a key stored before ("łodz") would no longer be found. Two aliases of
    one entity that now share a key ("Łódź" and "Lodz") break the rule of
    one alias per key and entity: the public one is kept (else the oldest),
    the other deleted. Matching loses nothing, as both had the same key.
    """
    Alias = apps.get_model("newsreader", "Alias")
    kept: set[tuple[int, str]] = set()
    duplicates, changed = [], []
    aliases = Alias.objects.order_by(
        "entity_id", F("proposed_by").asc(nulls_first=True), "pk"
    ).only("entity_id", "name", "normalized", "proposed_by")
    for alias in aliases.iterator(chunk_size=2000):
        key = normalize_name(alias.name)
        if (alias.entity_id, key) in kept:
            duplicates.append(alias.pk)
            continue
        kept.add((alias.entity_id, key))
        if key != alias.normalized:
            alias.normalized = key
            changed.append(alias)
    Alias.objects.filter(pk__in=duplicates).delete()
    Alias.objects.bulk_update(changed, ["normalized"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("newsreader", "0011_entity_name_fold"),
    ]

    # Backwards the keys stay: the code before this misses an alias with Ł,
    # Đ, Ø, Þ or ’ in it until the alias is saved again.
    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
