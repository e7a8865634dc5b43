"""Who may do what. Roles are groups; the server checks them on every write."""

from __future__ import annotations

REVIEWER = "reviewer"
CURATOR = "curator"


def _roles(user) -> frozenset[str]:
    # One query a request, however many checks a page makes.
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
