"""Bar charts drawn on the server as SVG, with their numbers beside them
as a table: no script draws them, and a screen reader reads the table.
A ranking is the table itself, with a bar drawn in each row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

# The viewBox; the picture scales to the width of its column, so its
# text is 12 units of 480 (9 px on a phone).
WIDTH, HEIGHT = 480, 160
# Room for the value axis on the left and the month labels below.
LEFT, BOTTOM, TOP = 28, 22, 8
# A month's group of bars is no wider than this, however few months.
WIDEST_GROUP = 60
# A label's width a character at a phone's text size (16 units), roughly,
# and the room kept between two labels.
CHARACTER, GAP = 9.5, 6
# Months from one label to the next: one, a quarter, a year, or years.
LABEL_STEPS = (1, 3, 12, 24, 60, 120)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # which series: its colour
    title: str  # what hovering shows: "March 2026, quotes: 4"


@dataclass(frozen=True)
class Chart:
    series: list[str]
    rows: list[tuple[str, list[int]]]  # the table: a label, a value per series
    bars: list[Bar]
    labels: list[tuple[float, str]]  # x, text under the bars
    top: int  # the value at the top of the axis
    right: float  # where the bars end
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    ceiling: int = TOP
    baseline: int = HEIGHT - BOTTOM


@dataclass(frozen=True)
class Multiples:
    """Small multiples: a chart for each series, over the same months and to
    the same scale, and every series' numbers in one table."""

    charts: list[Chart]
    series: list[str]
    rows: list[tuple[str, list[int]]]


@dataclass(frozen=True)
class BarRow[T]:
    """A row of a table drawn with a bar: what it is about, its number, and
    the bar's length in percent of the table's scale."""

    item: T
    value: float | None
    length: float


def bar_rows[T](
    rows: Iterable[tuple[T, float | None]], scale: float | None = None
) -> list[BarRow[T]]:
    """Bars for ``rows`` of an item and its value, each as long as its value
    in percent of ``scale`` (by default the largest value). No value (None),
    or one below zero, draws no bar; nor does any when the scale is zero.

    >>> [row.length for row in bar_rows([("AP", 8), ("BBC", 2), ("DW", 0)])]
    [100.0, 25.0, 0.0]
    >>> [row.length for row in bar_rows([("a", 0.5), ("b", None), ("c", -0.2)], 1)]
    [50.0, 0.0, 0.0]
    >>> [row.length for row in bar_rows([("AP", 0)])]
    [0.0]
    """
    rows = list(rows)
    if scale is None:
        scale = max((value for _, value in rows if value is not None), default=0)
    return [
        BarRow(
            item,
            value,
            round(100 * max(value or 0, 0) / scale, 1) if scale > 0 else 0.0,
        )
        for item, value in rows
    ]


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _scale(counts: dict[str, dict[dt.date, int]]) -> tuple[list[dt.date], int] | None:
    """The months from the first to the last with a count, and the largest
    count; None with no count above zero, so that nothing divides by it."""
    dates = [
        month for by_month in counts.values() for month, n in by_month.items() if n
    ]
    if not dates:
        return None
    top = max(max(by_month.values(), default=0) for by_month in counts.values())
    return _months(min(dates), max(dates)), top


def monthly(counts: dict[str, dict[dt.date, int]]) -> Chart | None:
    """Bars for each month from the first to the last with any count, a
    group of one bar per series; ``counts`` maps each series (its name, in
    the plural) to counts by the first day of a month. None with no counts.

    >>> chart = monthly({"quotes": {dt.date(2026, 1, 1): 2, dt.date(2026, 3, 1): 1}})
    >>> [(label, values) for label, values in chart.rows]
    [('January 2026', [2]), ('February 2026', [0]), ('March 2026', [1])]
    """
    scale = _scale(counts)
    return _draw(counts, *scale) if scale else None


def small_multiples(counts: dict[str, dict[dt.date, int]]) -> Multiples | None:
    """``monthly`` as one chart per series, for more series than colours
    tell apart in one chart. None with no counts.

    >>> few = small_multiples({"AP": {dt.date(2026, 1, 1): 4},
    ...                        "BBC": {dt.date(2026, 2, 1): 1}})
    >>> [(chart.series, chart.top, len(chart.bars)) for chart in few.charts]
    [(['AP'], 4, 2), (['BBC'], 4, 2)]
    >>> few.rows
    [('January 2026', [4, 0]), ('February 2026', [0, 1])]
    """
    scale = _scale(counts)
    if scale is None:
        return None
    whole = _draw(counts, *scale)
    charts = [_draw({name: by_month}, *scale) for name, by_month in counts.items()]
    return Multiples(charts, whole.series, whole.rows)


def _draw(
    counts: dict[str, dict[dt.date, int]], months: list[dt.date], top: int
) -> Chart:
    series = list(counts)
    plot = WIDTH - LEFT
    group = min(plot / len(months), WIDEST_GROUP)
    bar = group * 0.8 / len(series)
    height = HEIGHT - BOTTOM - TOP
    rows, bars = [], []
    for i, month in enumerate(months):
        values = [counts[name].get(month, 0) for name in series]
        rows.append((f"{month:%B %Y}", values))
        for j, value in enumerate(values):
            tall = height * value / top
            bars.append(
                Bar(
                    x=round(LEFT + i * group + group * 0.1 + j * bar, 1),
                    y=round(HEIGHT - BOTTOM - tall, 1),
                    width=round(bar, 1),
                    height=round(tall, 1),
                    series=j,
                    title=f"{month:%B %Y}, {series[j]}: {value}",
                )
            )
    right = round(LEFT + len(months) * group, 1)
    return Chart(series, rows, bars, _labels(months, group), top=top, right=right)


def _labels(months: list[dt.date], group: float) -> list[tuple[float, str]]:
    """Names under the months, each centred under its month, as many as fit
    at a phone's text size: every month's, else every quarter's, else every
    year's or every few years'. The first and January's name the year; the
    first is left out when it would touch the next.

    >>> def texts(first: dt.date, last: dt.date) -> list[str]:
    ...     months = _months(first, last)
    ...     group = min((WIDTH - LEFT) / len(months), WIDEST_GROUP)
    ...     return [text for _, text in _labels(months, group)]
    >>> texts(dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    ['Jan 2026', 'Feb', 'Mar']
    >>> texts(dt.date(2025, 11, 1), dt.date(2026, 8, 1))
    ['Nov 2025', 'Jan 2026', 'Apr', 'Jul']
    >>> texts(dt.date(2015, 10, 1), dt.date(2026, 3, 1))
    ['2016', '2018', '2020', '2022', '2024', '2026']
    """

    def room(a: str, b: str) -> float:
        return CHARACTER * (len(a) + len(b)) / 2 + GAP

    # The nearest two labels can be: a month's beside a January's, or two
    # years'. When no step is wide enough, the widest.
    for step in LABEL_STEPS:
        nearest = room("Dec", "Jan 2026") if step < 12 else room("2025", "2026")
        if step * group >= nearest:
            break
    labels = []
    for i, month in enumerate(months):
        # Months counted from year 0: a step of years falls on the Januaries
        # of even years, or of years ending in 0 or 5.
        if i and (month.year * 12 + month.month - 1) % step:
            continue
        if step >= 12:
            text = f"{month:%Y}"
        else:
            text = f"{month:%b %Y}" if i == 0 or month.month == 1 else f"{month:%b}"
        labels.append((round(LEFT + (i + 0.5) * group, 1), text))
    if len(labels) > 1 and labels[1][0] - labels[0][0] < room(
        labels[0][1], labels[1][1]
    ):
        labels.pop(0)
    return labels
