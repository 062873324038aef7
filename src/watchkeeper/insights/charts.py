"""Server-rendered SVG bar charts, readable without JavaScript.

Each chart names itself (``<title>``, ``<desc>``), writes every value as text beside its bar, and is always shown
with a data table and a sentence saying what it shows, so nothing depends on seeing a colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

ROW = 32
LABEL_WIDTH = 96
BAR_WIDTH = 360
VALUE_WIDTH = 120


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # the value as a person reads it, e.g. "75.0% (3 of 4)"


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar], maximum: float | None = None) -> Markup:
    """Horizontal bars scaled to ``maximum`` (the largest value if not given); missing values draw no bar."""
    top = max([maximum or 0.0, *(b.value or 0.0 for b in bars)]) or 1.0
    height = ROW * max(len(bars), 1) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="wk-chart" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for index, bar in enumerate(bars):
        y = 4 + index * ROW
        length = 0.0 if bar.value is None else BAR_WIDTH * bar.value / top
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 20}" text-anchor="end" class="wk-chart__label">'
            f"{escape(bar.label)}</text>"
        )
        # A thin outline marks the full scale so a short bar still reads as "small", not "missing".
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{BAR_WIDTH}" height="{ROW - 10}" class="wk-chart__track"/>'
        )
        if length:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" height="{ROW - 10}" class="wk-chart__bar"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 20}" class="wk-chart__value">{escape(bar.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # every piece of text above is escaped
