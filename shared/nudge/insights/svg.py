"""Small SVG pieces for the week's charts: escaped text, bars, fill patterns, the palette.

Every colour is dark enough on white for text (4.5:1) and for shapes (3:1, WCAG 1.4.11), and
each series also has its own pattern, so no meaning rests on colour alone.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

BACKGROUND = "#ffffff"
INK = "#1a1a1a"
MUTED = "#4a4a4a"
GRID = "#767676"


@dataclass(frozen=True)
class Series:
    """One kind of bar: its colour and the pattern that tells it apart without colour."""

    key: str
    colour: str
    pattern: str  # solid, stripes, dots, crosshatch, lines


DONE = Series("done", "#1d5b8f", "solid")
SNOOZED = Series("snoozed", "#8a5300", "stripes")
SKIPPED = Series("skipped", "#5e3f8f", "dots")
NO_REPLY = Series("no-reply", "#595959", "lines")
MISSED = Series("missed", "#1f6b5c", "crosshatch")
REMINDERS_ANSWERED = Series("answered", "#8a5300", "stripes")

ALL_SERIES = (DONE, SNOOZED, SKIPPED, NO_REPLY, MISSED, REMINDERS_ANSWERED)
TEXT_COLOURS = (INK, MUTED)

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def esc(value: object) -> str:
    """Text for HTML or inline SVG: everything a person typed goes through here."""
    return html.escape(str(value), quote=True)


def safe_id(value: str) -> str:
    cleaned = _ID_UNSAFE.sub("-", value).strip("-")
    return cleaned if cleaned and cleaned[0].isalpha() else f"w-{cleaned}"


def pattern_id(prefix: str, series: Series) -> str:
    return f"{prefix}-fill-{series.key}"


def pattern_defs(prefix: str, series: tuple[Series, ...]) -> str:
    """<defs> with one <pattern> per patterned series (solid ones need none)."""
    shapes = {
        "stripes": '<path d="M-1,1 l2,-2 M0,6 l6,-6 M5,7 l2,-2" stroke="{c}" stroke-width="1.6"/>',
        "dots": '<circle cx="3" cy="3" r="1.6" fill="{c}"/>',
        "lines": '<path d="M0,1.5 H6 M0,4.5 H6" stroke="{c}" stroke-width="1.2"/>',
        "crosshatch": '<path d="M0,0 L6,6 M6,0 L0,6" stroke="{c}" stroke-width="1.2"/>',
    }
    patterns = []
    for item in series:
        if item.pattern == "solid":
            continue
        shape = shapes[item.pattern].format(c=item.colour)
        patterns.append(
            f'<pattern id="{pattern_id(prefix, item)}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{BACKGROUND}"/>'
            f"{shape}</pattern>"
        )
    return f"<defs>{''.join(patterns)}</defs>" if patterns else ""


def bar(prefix: str, series: Series, x: float, y: float, width: float, height: float) -> str:
    """A bar filled with its series' colour or pattern and outlined in its colour."""
    if width <= 0 or height <= 0:
        return ""
    fill = series.colour if series.pattern == "solid" else f"url(#{pattern_id(prefix, series)})"
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{fill}" stroke="{series.colour}" stroke-width="1.5"/>'
    )


def text(
    x: float,
    y: float,
    content: object,
    *,
    anchor: str = "start",
    size: int = 12,
    colour: str = INK,
    weight: str = "normal",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-weight="{weight}" fill="{colour}">{esc(content)}</text>'
    )


def line(x1: float, y1: float, x2: float, y2: float, colour: str = GRID) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="1"/>'
    )


def chart(prefix: str, width: int, height: int, title: str, desc: str, body: str) -> str:
    """The <svg>: an image named by its <title> (aria-labelledby) and described by its <desc>
    (aria-describedby), so a screen reader says the name, then the numbers; it scales to its
    container's width (the viewBox keeps its proportions)."""
    return (
        f'<svg role="img" aria-labelledby="{prefix}-title" aria-describedby="{prefix}-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'xmlns="http://www.w3.org/2000/svg" focusable="false">'
        f'<title id="{prefix}-title">{esc(title)}</title>'
        f'<desc id="{prefix}-desc">{esc(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="{BACKGROUND}"/>{body}</svg>'
    )
