import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Built without locking out writes: the span table is the largest.
    atomic = False

    dependencies = [
        ('annotations', '0007_span_review_words'),
        ('newsreader', '0010_accent_blind_search'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='span',
            index=django.contrib.postgres.indexes.GinIndex(django.contrib.postgres.search.SearchVector('exact', config='newsreader_english'), condition=models.Q(('quote__isnull', False)), name='span_quote_words'),
        ),
    ]
