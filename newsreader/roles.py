"""Who may do what. Roles are groups; the server checks them on every write."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User

from newsreader import prepared

REVIEWER = "reviewer"
CURATOR = "curator"


_USER = prepared.Columns(User, table="auth_user")
_USER_WITH_ROLES = f"""
SELECT {_USER.sql}, ARRAY(
    SELECT g.name
    FROM auth_user_groups m JOIN auth_group g ON g.id = m.group_id
    WHERE m.user_id = auth_user.id AND g.name IN (%s, %s)
)
FROM auth_user
WHERE id = %s
"""


class RolesBackend(ModelBackend):
    """Django's own backend, but the signed-in user of each request comes
    with their roles: one query where a write made two, before any work.

    Written in SQL: every signed-in request pays for it, and the ORM took
    longer to build the query than PostgreSQL to answer it.
    """

    def get_user(self, user_id):
        with prepared.cursor() as cursor:
            cursor.execute(_USER_WITH_ROLES, [REVIEWER, CURATOR, user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = _USER.load(row[:-1])
        if not self.user_can_authenticate(user):
            return None
        user._newsreader_roles = frozenset(row[-1])
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
