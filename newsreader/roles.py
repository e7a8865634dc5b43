"""Who may do what. Roles are groups; the server checks them on every write."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q, Value

REVIEWER = "reviewer"
CURATOR = "curator"


class RolesBackend(ModelBackend):
    """Django's own backend, but the signed-in user of each request comes
    with their roles: one query where a write made two, before any work."""

    def get_user(self, user_id):
        roles = ArrayAgg(
            "groups__name",
            filter=Q(groups__name__in=[REVIEWER, CURATOR]),
            default=Value([]),
        )
        user = (
            get_user_model()
            ._default_manager.filter(pk=user_id)
            .annotate(role_names=roles)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._newsreader_roles = frozenset(user.role_names)
        return user


def _roles(user) -> frozenset[str]:
    # One query a request at most, however many checks a page makes.
    if not hasattr(user, "_newsreader_roles"):
        user._newsreader_roles = frozenset(
            user.groups.filter(name__in=[REVIEWER, CURATOR]).values_list(
                "name", flat=True
            )
        )
    return user._newsreader_roles


def can_annotate(user) -> bool:
    """Reviewers annotate; curators may too."""
    return user.is_authenticated and bool(_roles(user))


def can_curate(user) -> bool:
    """Curators clean up and settle the data: imports, merges, adjudication."""
    return user.is_authenticated and (user.is_superuser or CURATOR in _roles(user))
