"""Charts as inline SVG, drawn here on the server: no script, no CDN.

Colours are SVG attributes (not style), so the pages' Content-Security-Policy
needs no inline styles. Every bar has a <title> (its figure, read out by
screen readers and shown on hover), and each chart a label.
"""

from __future__ import annotations

from datetime import date
from typing import Dict, List, Sequence, Tuple

from markupsafe import Markup, escape

COLOURS = ["#1d70b8", "#00703c", "#f47738", "#6f72af", "#b58840"]


def _nice_top(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return max(step * 4, 4)
    return value


def stacked_days(
    label: str, days: List[date], counts: Dict[date, Dict[str, int]], channels: Sequence[str], bar_title: str
) -> Markup:
    """Bars per day, stacked by channel, with a legend."""
    width, height, left, bottom, top = 720, 260, 40, 40, 16
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_value = _nice_top(max([sum(counts[day].values()) for day in days] + [1]))
    slot = plot_w / max(len(days), 1)
    bar_w = max(min(slot * 0.7, 48), 2)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 24}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in range(5):
        value = top_value * tick // 4
        y = top + plot_h - plot_h * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b1b4b6" '
            f'stroke-width="{1 if tick else 1.5}"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{value}</text>')
    every = max(1, len(days) // 10)
    for n, day in enumerate(days):
        x = left + slot * n + (slot - bar_w) / 2
        y = top + plot_h
        for c, channel in enumerate(channels):
            value = counts[day].get(channel, 0)
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            title = escape(bar_title.format(count=value, day=day.strftime("%d %b"))) + " (" + escape(channel) + ")"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[c % len(COLOURS)]}"><title>{title}</title></rect>'
            )
        if n % every == 0:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 16}" text-anchor="middle" '
                f'font-size="12">{day.strftime("%d %b")}</text>'
            )
    x = left
    for c, channel in enumerate(channels):
        parts.append(f'<rect x="{x}" y="{height + 6}" width="12" height="12" fill="{COLOURS[c % len(COLOURS)]}"/>')
        parts.append(f'<text x="{x + 16}" y="{height + 16}" font-size="12">{escape(channel)}</text>')
        x += 24 + 8 * len(channel)
    parts.append("</svg>")
    return Markup("".join(parts))


def horizontal_bars(label: str, rows: List[Tuple[str, int]]) -> Markup:
    """One bar per row (a name and a count), longest first as given."""
    width, row_h, left = 720, 26, 260
    height = max(len(rows), 1) * row_h + 8
    most = max([count for _, count in rows] + [1])
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for n, (name, count) in enumerate(rows):
        y = 4 + n * row_h
        w = (width - left - 60) * count / most
        parts.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" font-size="13">{escape(name)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{COLOURS[0]}">'
            f"<title>{escape(name)}: {count}</title></rect>"
        )
        parts.append(f'<text x="{left + w + 6:.1f}" y="{y + 16}" font-size="13">{count}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
