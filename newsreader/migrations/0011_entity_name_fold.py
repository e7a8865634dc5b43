import django.contrib.postgres.indexes
from django.db import migrations

import newsreader.models


class Migration(migrations.Migration):
    dependencies = [
        ("newsreader", "0010_accent_blind_search"),
    ]

    operations = [
        # unaccent() is only STABLE (its rules file could change), so no index
        # may hold it; a wrapper declared IMMUTABLE may, as long as the rules
        # do not change under it. The body is SQL-standard, bound to unaccent's
        # function and dictionary when created, so it works whatever the
        # search_path of the session that evaluates it.
        migrations.RunSQL(
            "CREATE FUNCTION newsreader_fold(text) RETURNS text"
            " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE"
            " RETURN lower(unaccent('unaccent'::regdictionary, $1))",
            "DROP FUNCTION newsreader_fold(text)",
        ),
        migrations.RemoveIndex(
            model_name="entity",
            name="entity_name_trgm",
        ),
        migrations.AddIndex(
            model_name="entity",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    newsreader.models.Folded("name"), name="gin_trgm_ops"
                ),
                name="entity_name_folded_trgm",
            ),
        ),
    ]
