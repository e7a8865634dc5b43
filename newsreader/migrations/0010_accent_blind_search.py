import django.contrib.postgres.operations
import django.contrib.postgres.search
from django.db import migrations, models

# search_vector as Django writes it, for a text search configuration.
_VECTOR = (
    "setweight(to_tsvector('{config}'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('{config}'::regconfig, COALESCE(body, '')), 'B')"
)


def _regenerate(config: str) -> list[str]:
    # Django can only drop a generated column and add it again (AlterField on
    # one raises). Done in one ALTER TABLE, the column is STORAGE MAIN (see
    # 0002) before the table is rewritten, so every row's tsvector is written
    # into the row at once, not into TOAST until a VACUUM FULL.
    return [
        "ALTER TABLE newsreader_article DROP COLUMN search_vector,"
        " ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
        + _VECTOR.format(config=config)
        + ") STORED, ALTER COLUMN search_vector SET STORAGE MAIN",
        "CREATE INDEX article_search_gin ON newsreader_article"
        " USING gin (search_vector)",
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("newsreader", "0009_api_tokens"),
    ]

    operations = [
        django.contrib.postgres.operations.UnaccentExtension(),
        # english, but the words with letters beyond ASCII lose their accents
        # before they are stemmed: "Peña" is indexed, queried and highlighted
        # as "pena". unaccent is a dictionary here, not a function around the
        # text, so ts_headline still finds and marks the accented word.
        migrations.RunSQL(
            [
                "CREATE TEXT SEARCH CONFIGURATION newsreader_english (COPY = english)",
                "ALTER TEXT SEARCH CONFIGURATION newsreader_english"
                " ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem",
            ],
            "DROP TEXT SEARCH CONFIGURATION newsreader_english",
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    _regenerate("newsreader_english"), _regenerate("english")
                ),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="article",
                    name="search_vector",
                    field=models.GeneratedField(
                        db_persist=True,
                        expression=django.contrib.postgres.search.CombinedSearchVector(
                            django.contrib.postgres.search.SearchVector(
                                "title", config="newsreader_english", weight="A"
                            ),
                            "||",
                            django.contrib.postgres.search.SearchVector(
                                "body", config="newsreader_english", weight="B"
                            ),
                            django.contrib.postgres.search.SearchConfig(
                                "newsreader_english"
                            ),
                        ),
                        output_field=django.contrib.postgres.search.SearchVectorField(),
                    ),
                ),
            ],
        ),
    ]
