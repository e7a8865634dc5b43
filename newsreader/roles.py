"""Who may do what. Roles are groups; the server checks them on every write."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

REVIEWER = "reviewer"
CURATOR = "curator"


class RolesBackend(ModelBackend):
    """Django's own backend, but the signed-in user of each request comes
    with their roles: one query where a write made two, before any work.

    Written in SQL: every signed-in request pays for it, and the ORM took
    longer to build the query than PostgreSQL to answer it.
    """

    def get_user(self, user_id):
        users = User.objects.raw(
            """
            SELECT auth_user.*, ARRAY(
                SELECT g.name
                FROM auth_user_groups m JOIN auth_group g ON g.id = m.group_id
                WHERE m.user_id = auth_user.id AND g.name IN (%s, %s)
            ) AS role_names
            FROM auth_user
            WHERE id = %s
            """,
            [REVIEWER, CURATOR, user_id],
        )
        user = next(iter(users), None)
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
