from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from newsreader.models import Alias

BEFORE_REFOLD = [("newsreader", "0011_entity_name_fold")]


@pytest.mark.django_db(transaction=True)
def test_aliases_stored_before_the_new_fold_get_its_keys_one_per_entity():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_REFOLD)
    old = executor.loader.project_state(BEFORE_REFOLD).apps
    entity = old.get_model("newsreader", "Entity")
    alias = old.get_model("newsreader", "Alias")
    lodz = entity.objects.create(name="Łódź", slug="lodz", kind="PLACE")
    # As the fold before stored them: Ł and ’ kept.
    alias.objects.create(entity=lodz, name="Lodz", normalized="lodz")
    alias.objects.create(entity=lodz, name="Łódź", normalized="łodz")
    obrien = entity.objects.create(name="Conan O’Brien", slug="o-brien", kind="PERSON")
    alias.objects.create(entity=obrien, name="O’Brien", normalized="o’brien")
    try:
        call_command("migrate", "newsreader", verbosity=0)
        assert sorted(Alias.objects.values_list("name", "normalized")) == [
            ("Lodz", "lodz"),
            ("O’Brien", "o'brien"),
        ]
    finally:
        call_command("migrate", verbosity=0)
