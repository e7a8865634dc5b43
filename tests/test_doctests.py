"""Run the docstring examples of the modules that have them."""

from __future__ import annotations

import doctest

import pytest

import annotations.charts
import annotations.evaluation
import annotations.formats.tokens
import annotations.spans
import annotations.suggest.detect
import annotations.suggest.gazetteer
import annotations.suggest.quotes
import newsreader.database
import newsreader.templatetags.newsreader
import newsreader.text


@pytest.mark.parametrize(
    "module",
    [
        annotations.charts,
        annotations.evaluation,
        annotations.formats.tokens,
        annotations.spans,
        annotations.suggest.detect,
        annotations.suggest.gazetteer,
        annotations.suggest.quotes,
        newsreader.database,
        newsreader.text,
        newsreader.templatetags.newsreader,
    ],
    ids=lambda module: module.__name__,
)
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
