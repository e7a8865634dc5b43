from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from annotations.management.commands.seed import ensure_groups


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A slow password hash is the point in production and a waste here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs collectstatic first; tests of pages only need
    # the URLs to resolve, and test_settings.py checks the real storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    }


@pytest.fixture
def users(db) -> dict[str, User]:
    """A reader, two reviewers, a curator, and an outsider who belongs nowhere."""
    groups = ensure_groups()
    made = {}
    for name, group, staff in [
        ("reader", None, False),
        ("reviewer", groups["reviewer"], False),
        ("reviewer2", groups["reviewer"], False),
        ("curator", groups["curator"], True),
        ("outsider", None, False),
    ]:
        user = User.objects.create_user(name, password="pw-" + name, is_staff=staff)
        if group:
            user.groups.add(group)
        made[name] = user
    return made
