from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from newsreader.models import HEADLINE_START, HEADLINE_STOP
from newsreader.roles import can_annotate

register = template.Library()


@register.filter
def headline(text: str) -> SafeString:
    """Escape a ts_headline snippet, then turn its hit markers into <mark>.

    >>> headline("a \\x02<b>\\x03 c")
    'a <mark>&lt;b&gt;</mark> c'
    """
    escaped = escape(text)
    return mark_safe(  # noqa: S308 - everything from the article was escaped above
        escaped.replace(HEADLINE_START, "<mark>").replace(HEADLINE_STOP, "</mark>")
    )


@register.filter
def annotates(user) -> bool:
    """Whether ``user`` reviews: for the links only reviewers need."""
    return can_annotate(user)
