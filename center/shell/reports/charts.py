"""Charts drawn on the server as SVG, readable without colour: each series has its own fill
pattern (bars) or line dash and marker shape (lines), every bar and point carries its value as
text, and a legend names the patterns. The same figures are always given in a data table beside
the chart, which is what screen readers read (the SVG is one labelled image)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# (pattern id suffix, pattern body): solid dark, diagonal hatching, dots, cross-hatching.
PATTERNS = (
    ("solid", '<rect width="8" height="8" fill="#1a1a1a"/>'),
    (
        "hatch",
        '<rect width="8" height="8" fill="#fff"/><path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" '
        'stroke="#1a1a1a" stroke-width="1.6"/>',
    ),
    ("dots", '<rect width="8" height="8" fill="#fff"/><circle cx="4" cy="4" r="1.8" fill="#1a1a1a"/>'),
    (
        "cross",
        '<rect width="8" height="8" fill="#fff"/>'
        '<path d="M0,4 h8 M4,0 v8" stroke="#1a1a1a" stroke-width="1.2"/>',
    ),
)
DASHES = ("", "6 4", "2 3", "10 3 2 3")
MARKERS = ("circle", "square", "triangle", "diamond")
FONT = 'font-family="IPAexGothic, sans-serif"'


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]


def _dash(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def _defs(prefix: str) -> str:
    patterns = "".join(
        f'<pattern id="{prefix}-{name}" width="8" height="8" patternUnits="userSpaceOnUse">{body}</pattern>'
        for name, body in PATTERNS
    )
    return f"<defs>{patterns}</defs>"


def _fill(prefix: str, index: int) -> str:
    if index % len(PATTERNS) == 0:
        return "#1a1a1a"  # plain solid: patterns tile with seams in some renderers
    return f"url(#{prefix}-{PATTERNS[index % len(PATTERNS)][0]})"


def _legend(prefix: str, series: Sequence[Series], y: int, kind: str) -> str:
    parts, x = [], 0
    for index, item in enumerate(series):
        if kind == "bar":
            swatch = (
                f'<rect x="{x}" y="{y - 10}" width="14" height="12" '
                f'fill="{_fill(prefix, index)}" stroke="#1a1a1a"/>'
            )
        else:
            dash = DASHES[index % len(DASHES)]
            swatch = (
                f'<line x1="{x}" y1="{y - 4}" x2="{x + 22}" y2="{y - 4}" stroke="#1a1a1a" stroke-width="2"'
                f"{_dash(dash)}/>" + _marker(index, x + 11, y - 4)
            )
        width = 28 + 13 * len(item.name)
        parts.append(f'{swatch}<text x="{x + 28}" y="{y}" font-size="12" {FONT}>{escape(item.name)}</text>')
        x += width
    return "".join(parts)


def _marker(index: int, x: float, y: float) -> str:
    shape = MARKERS[index % len(MARKERS)]
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" stroke="#1a1a1a" stroke-width="2"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="#1a1a1a"/>'
    if shape == "triangle":
        return (
            f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" '
            'fill="#1a1a1a"/>'
        )
    return (
        f'<path d="M{x:.1f},{y - 5:.1f} L{x + 5:.1f},{y:.1f} L{x:.1f},{y + 5:.1f} L{x - 5:.1f},{y:.1f} Z" '
        'fill="#fff" stroke="#1a1a1a" stroke-width="2"/>'
    )


def _open(prefix: str, title: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{prefix}-title" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
        f'<title id="{prefix}-title">{escape(title)}</title>{_defs(prefix)}'
    )


def text_width(text: str, size: int = 12) -> float:
    """About how wide a text is drawn: full-width (Japanese) characters a whole em, others 0.6 em."""
    return sum(size if unicodedata.east_asian_width(char) in "WF" else size * 0.6 for char in text)


def bar_chart(
    prefix: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str] = lambda value: f"{value:,.0f}",
    maximum: float | None = None,
) -> Markup:
    """Horizontal bars: one group per label, one bar per series, the value written after each."""
    bar_height, gap, value_space, plot = 14, 10, 80, 360
    # Wide enough for the longest label (a room name can be long), within reason.
    label_width = min(max(150, max((text_width(label) for label in labels), default=0) + 12), 320)
    per_group = bar_height * len(series) + gap
    top = 8
    height = top + per_group * max(len(labels), 1) + 30
    width = label_width + plot + value_space
    values = [v for item in series for v in item.values if v is not None]
    scale_max = maximum or max(values, default=0) or 1
    parts = [_open(prefix, title, width, height)]
    for row, label in enumerate(labels):
        y = top + row * per_group
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * len(series) / 2 + 4:.1f}" text-anchor="end" '
            f'font-size="12" {FONT}>{escape(label)}</text>'
        )
        for index, item in enumerate(series):
            value = item.values[row]
            bar_y = y + index * bar_height
            length = 0 if value is None else max(plot * value / scale_max, 0)
            parts.append(
                f'<rect x="{label_width}" y="{bar_y}" width="{length:.1f}" height="{bar_height - 2}" '
                f'fill="{_fill(prefix, index)}" stroke="#1a1a1a" stroke-width="1"/>'
            )
            text = "—" if value is None else fmt(value)
            parts.append(
                f'<text x="{label_width + length + 4:.1f}" y="{bar_y + bar_height - 4}" '
                f'font-size="11" {FONT}>'
                f"{escape(text)}</text>"
            )
    axis_bottom = top + per_group * max(len(labels), 1) - gap / 2
    parts.append(
        f'<line x1="{label_width}" y1="{top - 4}" x2="{label_width}" y2="{axis_bottom:.1f}" '
        'stroke="#1a1a1a"/>'
    )
    if len(series) > 1:
        parts.append(_legend(prefix, series, height - 8, "bar"))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(
    prefix: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[Series],
    fmt: Callable[[float], str] = lambda value: f"{value:,.0f}",
    maximum: float | None = None,
) -> Markup:
    """Lines over the months: each series with its own dash and marker, values above the points."""
    left, right, top, plot_height = 56, 24, 24, 180
    step = 48
    width = left + right + step * max(len(labels) - 1, 1)
    height = top + plot_height + 80
    values = [v for item in series for v in item.values if v is not None]
    scale_max = maximum or max(values, default=0) or 1
    bottom = top + plot_height
    parts = [_open(prefix, title, width, height)]
    parts.append(f'<line x1="{left}" y1="{bottom}" x2="{width - right}" y2="{bottom}" stroke="#1a1a1a"/>')
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#1a1a1a"/>')
    for share in (0.5, 1.0):  # a light grid line with its value, so the scale reads without colour
        y = bottom - plot_height * share
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#999" '
            f'stroke-width="0.5" stroke-dasharray="1 3"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="9" {FONT}>'
            f"{escape(fmt(scale_max * share))}</text>"
        )
    for index, label in enumerate(labels):
        x = left + index * step
        parts.append(
            f'<text x="{x}" y="{bottom + 36}" text-anchor="middle" font-size="11" {FONT}>'
            f"{escape(label)}</text>"
        )
    for number, item in enumerate(series):
        points = [
            (left + index * step, bottom - plot_height * value / scale_max, value)
            for index, value in enumerate(item.values)
            if value is not None
        ]
        dash = DASHES[number % len(DASHES)]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="#1a1a1a" stroke-width="2"{_dash(dash)}/>'
            )
        for x, y, value in points:
            parts.append(_marker(number, x, y))
            offset = -8 if number % 2 == 0 else 16
            parts.append(
                f'<text x="{x:.1f}" y="{y + offset:.1f}" text-anchor="middle" font-size="10" {FONT}>'
                f"{escape(fmt(value))}</text>"
            )
    parts.append(_legend(prefix, series, height - 8, "line"))
    parts.append("</svg>")
    return Markup("".join(parts))


def percent(value: float | None) -> str:
    """0.625 -> 62.5%; None (nothing available) -> —."""
    return "—" if value is None else f"{value * 100:.1f}%"
