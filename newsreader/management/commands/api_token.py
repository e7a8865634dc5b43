"""Make a user's API token from the shell: ``manage.py api_token USERNAME``."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from newsreader.models import ApiToken


class Command(BaseCommand):
    help = (
        "Print a new API token for a user (as /account/token/ makes one); "
        "it replaces the token they had."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")

    def handle(self, *, username: str, **options) -> None:
        users = get_user_model().objects
        user = users.filter(**{users.model.USERNAME_FIELD: username}).first()
        if user is None or not user.is_active:
            raise CommandError(f"There is no active user {username!r}.")
        self.stdout.write(ApiToken.issue(user))
