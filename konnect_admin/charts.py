"""Small, dependency-free SVG charts, served as images from our own host.

Only presentation attributes (no `style`), so they pass the CSP and render the same anywhere.
Every chart has a title, labelled axes and its values printed, so it reads without colour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape  # escapes text we write; parses nothing  # nosec B406

FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK, MUTED, GRID, BAR, LINE, ALERT = (
    "#17212b",
    "#5a6675",
    "#e3e8ee",
    "#1f4e79",
    "#1f4e79",
    "#b42318",
)


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: int = 12,
    anchor: str = "start",
    fill: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" '
        f'text-anchor="{anchor}" fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def _axis(x1: float, x2: float, y: float) -> str:
    return f'<line x1="{x1}" y1="{y:.1f}" x2="{x2}" y2="{y:.1f}" stroke="{MUTED}"/>'


def _y_scale(value: float) -> tuple[int, int]:
    """(axis maximum, gridline step) for counts up to `value`: a step of 1, 2 or 5 times a
    power of ten giving at most four gridlines above zero, so every label is a round number."""
    if value <= 0:
        return 1, 1
    power = 1
    while True:
        for factor in (1, 2, 5):
            step = power * factor
            if step * 4 >= value:
                return step * math.ceil(value / step), step
        power *= 10


def _gridlines(left: int, right: float, top: int, plot_h: int, axis: tuple[int, int]) -> list[str]:
    top_value, step = axis
    lines = []
    for value in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * value / top_value
        lines.append(f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}"/>')
        lines.append(_text(left - 6, y + 4, f"{value:,}", size=11, anchor="end", fill=MUTED))
    return lines


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    highlight: Sequence[bool] = (),
    width: int = 640,
    height: int = 300,
) -> str:
    """Vertical bars with the value above each bar and the label below it."""
    left, right, top, bottom = 44, 12, 24, 58
    plot_w, plot_h = width - left - right, height - top - bottom
    axis = _y_scale(max(values, default=0))
    top_value = axis[0]
    body = _gridlines(left, width - right, top, plot_h, axis)
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = min(56.0, slot * 0.62)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        h = plot_h * value / top_value
        colour = ALERT if i < len(highlight) and highlight[i] else BAR
        body.append(
            f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{colour}" rx="2"/>'
        )
        body.append(
            _text(
                x + bar_w / 2,
                top + plot_h - h - 5,
                f"{value:,}",
                size=12,
                anchor="middle",
                weight="bold",
            )
        )
        for line_no, part in enumerate(_wrap(label, 12)):
            body.append(
                _text(
                    x + bar_w / 2,
                    top + plot_h + 16 + 13 * line_no,
                    part,
                    size=11,
                    anchor="middle",
                    fill=MUTED,
                )
            )
    body.append(_axis(left, width - right, top + plot_h))
    return _frame(width, height, title, body)


def line_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    width: int = 640,
    height: int = 300,
    label_every: int = 5,
) -> str:
    """A line over time with dots, the last value printed, and every `label_every`-th x label."""
    left, right, top, bottom = 44, 40, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    axis = _y_scale(max(values, default=0))
    top_value = axis[0]
    body = _gridlines(left, width - right, top, plot_h, axis)
    n = len(values)
    step = plot_w / max(n - 1, 1)
    points = [
        (left + step * i, top + plot_h - plot_h * v / top_value) for i, v in enumerate(values)
    ]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2.5" '
            f'stroke-linejoin="round"/>'
        )
        for x, y in points:
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.6" fill="{LINE}"/>')
        last_x, last_y = points[-1]
        body.append(_text(last_x + 6, last_y + 4, f"{values[-1]:,}", size=12, weight="bold"))
        peak = max(range(n), key=lambda i: values[i])
        if peak != n - 1 and values[peak] > 0:
            body.append(
                _text(
                    points[peak][0],
                    points[peak][1] - 8,
                    f"{values[peak]:,}",
                    size=11,
                    anchor="middle",
                    fill=MUTED,
                )
            )
    for i, label in enumerate(labels):
        if i % label_every == 0 or i == n - 1:
            body.append(
                _text(
                    left + step * i, top + plot_h + 18, label, size=11, anchor="middle", fill=MUTED
                )
            )
    body.append(_axis(left, width - right, top + plot_h))
    return _frame(width, height, title, body)


def _wrap(text: str, width: int) -> list[str]:
    words, lines, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    return [*lines, current][:2]
