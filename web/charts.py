"""Charts as inline SVG written on the server (issue 11 item 7, issue 12 item 7): no script, no
library from a CDN. Each chart is ``role="img"`` with a ``<title>`` and a ``<desc>`` that
``aria-labelledby`` names, the page puts a caption under it and a table with the same numbers
beside it (the text alternative). Every label comes in already translated (gettext) and is
escaped here.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

FONT = 13
ROW = 26
BAR = 16
COLOURS = {
    "bar": "#2f6db5",
    "met": "#2e7d32",
    "late": "#c62828",
    "overdue": "#ef6c00",
    "pending": "#9e9e9e",
    "paused": "#fbc02d",
    "running": "#2f6db5",
    "waiting": "#9e9e9e",
    "grid": "#d0d0d0",
    "text": "#1a1a1a",
}


def text_width(text: str, size: float = FONT) -> float:
    """About the width of ``text`` in the sans-serif font: a CJK character is as wide as the
    font is high, a Latin one a little over half of it."""
    return sum(size if ord(ch) >= 0x2E80 else size * 0.6 for ch in text)


def _open(chart_id: str, title: str, desc: str, width: float, height: float, css: str = "chart") -> str:
    return (
        f'<svg class="{css}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" style="max-width:100%;height:auto" '
        f'font-family="sans-serif" font-size="{FONT}">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = FONT, cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{COLOURS["text"]}"{klass}>{escape(text)}</text>'
    )


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the table shows it


def bar_chart(chart_id: str, title: str, desc: str, bars: Sequence[Bar], *, width: int = 640) -> SafeString:
    """Horizontal bars, one per row, the value written after each bar."""
    label_w = max((text_width(b.label) for b in bars), default=0) + 12
    value_w = max((text_width(b.text) for b in bars), default=0) + 12
    plot = max(width - label_w - value_w, 80)
    top = max((b.value for b in bars), default=0) or 1
    height = ROW * len(bars) + 8
    parts = [_open(chart_id, title, desc, label_w + plot + value_w, height)]
    for i, b in enumerate(bars):
        y = 4 + i * ROW
        w = plot * max(b.value, 0) / top
        parts.append(_text(label_w - 8, y + BAR - 3, b.label, anchor="end"))
        parts.append(
            f'<rect x="{label_w:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{COLOURS["bar"]}"/>'
        )
        parts.append(_text(label_w + w + 6, y + BAR - 3, b.text))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above went through escape()


@dataclass(frozen=True)
class Stack:
    label: str
    parts: tuple[tuple[str, float], ...]  # (colour key, value)
    text: str


def stacked_chart(
    chart_id: str,
    title: str,
    desc: str,
    stacks: Sequence[Stack],
    legend: Sequence[tuple[str, str]],
    *,
    width: int = 640,
) -> SafeString:
    """Horizontal stacked bars of equal length (shares of each row's total), a legend on top."""
    label_w = max((text_width(s.label) for s in stacks), default=0) + 12
    value_w = max((text_width(s.text) for s in stacks), default=0) + 12
    plot = max(width - label_w - value_w, 80)
    head = ROW
    height = head + ROW * len(stacks) + 8
    out = [_open(chart_id, title, desc, label_w + plot + value_w, height)]
    x = label_w
    for key, name in legend:
        out.append(f'<rect x="{x:.1f}" y="6" width="12" height="12" fill="{COLOURS[key]}"/>')
        out.append(_text(x + 16, 17, name))
        x += 16 + text_width(name) + 16
    for i, s in enumerate(stacks):
        y = head + 4 + i * ROW
        total = sum(v for _k, v in s.parts)
        out.append(_text(label_w - 8, y + BAR - 3, s.label, anchor="end"))
        x = label_w
        if not total:
            out.append(
                f'<rect x="{x:.1f}" y="{y}" width="{plot:.1f}" height="{BAR}" fill="none" '
                f'stroke="{COLOURS["grid"]}"/>'
            )
        for key, value in s.parts:
            if total and value:
                w = plot * value / total
                out.append(
                    f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{BAR}" fill="{COLOURS[key]}"/>'
                )
                x += w
        out.append(_text(label_w + plot + 6, y + BAR - 3, s.text))
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through escape()


# ---------------------------------------------------------------- clock timeline


@dataclass(frozen=True)
class Span:
    start: datetime.date
    end: datetime.date
    key: str  # colour key


@dataclass(frozen=True)
class Lane:
    label: str
    start: datetime.date
    due: datetime.date
    end: datetime.date | None  # stopped on, or None while running
    outcome: str  # met | late | overdue | running | paused | waiting
    pauses: tuple[Span, ...] = ()


def timeline(
    chart_id: str,
    title: str,
    desc: str,
    lanes: Sequence[Lane],
    today: datetime.date,
    *,
    today_label: str,
    due_label: str,
    width: int = 720,
) -> SafeString:
    """One lane per clock on a common date axis: the counted time as a bar (coloured by its
    outcome), the pauses over it, the deadline as a tick, today as a dashed line."""
    if not lanes:
        return mark_safe("")
    first = min(lane.start for lane in lanes)
    last = max(max(lane.due, lane.end or lane.due, today) for lane in lanes)
    first = min(first, today)
    span = max((last - first).days, 1)
    label_w = max(text_width(lane.label) for lane in lanes) + 12
    plot = max(width - label_w - 20, 120)
    axis = 22

    def x(day: datetime.date) -> float:
        return label_w + plot * (day - first).days / span

    height = axis + ROW * len(lanes) + 10
    out = [_open(chart_id, title, desc, label_w + plot + 20, height)]
    for day, anchor in ((first, "start"), (last, "end")):
        out.append(_text(x(day), 14, day.isoformat(), anchor=anchor, size=11))
    tx = x(today)
    out.append(
        f'<line x1="{tx:.1f}" y1="{axis - 4}" x2="{tx:.1f}" y2="{height - 4}" stroke="{COLOURS["text"]}" '
        f'stroke-dasharray="4 3"><title>{escape(today_label)} {today.isoformat()}</title></line>'
    )
    for i, lane in enumerate(lanes):
        y = axis + 4 + i * ROW
        end = lane.end or today
        out.append(_text(label_w - 8, y + BAR - 3, lane.label, anchor="end"))
        key = lane.outcome if lane.outcome in COLOURS else "running"
        x0, x1 = x(lane.start), x(max(end, lane.start))
        out.append(
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 2):.1f}" height="{BAR}" fill="{COLOURS[key]}" '
            f'opacity="0.85"/>'
        )
        for p in lane.pauses:
            px0, px1 = x(p.start), x(max(p.end, p.start))
            out.append(
                f'<rect x="{px0:.1f}" y="{y + 3}" width="{max(px1 - px0, 2):.1f}" height="{BAR - 6}" '
                f'fill="{COLOURS["paused"]}"/>'
            )
        dx = x(lane.due)
        out.append(
            f'<line x1="{dx:.1f}" y1="{y - 2}" x2="{dx:.1f}" y2="{y + BAR + 2}" stroke="{COLOURS["text"]}" '
            f'stroke-width="2"><title>{escape(due_label)} {lane.due.isoformat()}</title></line>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above went through escape()
