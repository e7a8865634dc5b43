"""Who may do what. Roles are groups; the server checks them on every write."""

from __future__ import annotations

REVIEWER = "reviewer"
CURATOR = "curator"


def can_annotate(user) -> bool:
    """Reviewers annotate; curators may too."""
    return (
        user.is_authenticated
        and user.groups.filter(name__in=[REVIEWER, CURATOR]).exists()
    )
