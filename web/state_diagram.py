"""The project's state diagram on its page, with the current state and the path taken
highlighted (issue 11 item 7), drawn from the machine's own transitions
(lifecycle/machine.py, read through django-fsm) — the same graph ``make diagram`` draws.

Graphviz ``dot`` (a Debian package, scripts/ensure-system-packages.sh) lays the graph out once
per language and process (``-Tplain``: the positions of the boxes and the curves of the
arrows); the SVG is then written here, in Python, with the project's highlights, and kept for
each (language, state, path) — a page view spawns no process and reads nothing from the
database: the path comes from the history rows the page has already loaded
(web/project_page.py). Without ``dot`` the page keeps its text diagram only.
"""

from __future__ import annotations

import functools
import logging
import shlex
import shutil
import subprocess
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.states import ProjectState
from projects.models import Project

from .charts import text_width

log = logging.getLogger(__name__)

POINTS = 72  # dot's inches → SVG user units
FONT = 12
FONTNAME = "Noto Sans CJK SC"


def transitions() -> list[tuple[str, str]]:
    """(source, target) of every transition of the project's machine, once each."""
    edges: dict[tuple[str, str], None] = {}
    for t in Project._meta.get_field("state").get_all_transitions(Project):
        targets = getattr(t.target, "allowed_states", None) or [t.target]
        for target in targets:
            if t.source in ProjectState.values and target in ProjectState.values and t.source != target:
                edges[(str(t.source), str(target))] = None
    return list(edges)


def _lines(label: str) -> list[str]:
    """A state's label on lines short enough for a box: 9 characters of Chinese, ~20 of Latin."""
    if all(ord(ch) < 0x2E80 for ch in label):
        return textwrap.wrap(label, 20) or [label]
    return [label[i : i + 9] for i in range(0, len(label), 9)] or [label]


@dataclass(frozen=True)
class Node:
    name: str
    x: float
    y: float
    w: float
    h: float
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    width: float
    height: float
    nodes: dict[str, Node]
    edges: dict[tuple[str, str], str]  # (source, target) → SVG path data


def _dot_source(labels: dict[str, list[str]], edges: Iterable[tuple[str, str]]) -> str:
    out = [
        "digraph G {",
        f'graph [rankdir=TB, nodesep=0.25, ranksep=0.35, fontname="{FONTNAME}"];',
        f'node [shape=box, style=rounded, fontname="{FONTNAME}", fontsize={FONT}, margin="0.08,0.04"];',
    ]
    for name, lines in labels.items():
        text = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in lines)
        out.append(f'"{name}" [label="{text}"];')
    out += [f'"{a}" -> "{b}";' for a, b in edges]
    out.append("}")
    return "\n".join(out)


def _parse_plain(plain: str, labels: dict[str, list[str]]) -> Layout:
    height = width = 0.0
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str], str] = {}
    for raw in plain.splitlines():
        parts = shlex.split(raw)
        if not parts:
            continue
        if parts[0] == "graph":
            width, height = float(parts[2]) * POINTS, float(parts[3]) * POINTS
        elif parts[0] == "node":
            name = parts[1]
            x, y, w, h = (float(v) * POINTS for v in parts[2:6])
            nodes[name] = Node(name, x, height - y, w, h, tuple(labels[name]))
        elif parts[0] == "edge":
            tail, head, n = parts[1], parts[2], int(parts[3])
            pts = [
                (float(parts[4 + 2 * i]) * POINTS, height - float(parts[5 + 2 * i]) * POINTS)
                for i in range(n)
            ]
            d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
            for i in range(1, n - 2, 3):
                (x1, y1), (x2, y2), (x3, y3) = pts[i : i + 3]
                d += f" C{x1:.1f},{y1:.1f} {x2:.1f},{y2:.1f} {x3:.1f},{y3:.1f}"
            edges[(tail, head)] = d
    return Layout(width, height, nodes, edges)


@functools.lru_cache(maxsize=8)
def layout(language: str) -> Layout | None:
    """The machine laid out by ``dot`` with the labels of ``language`` (once per process and
    language); None without ``dot``."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    with translation.override(language):
        labels = {s.value: _lines(str(s.label)) for s in ProjectState}
    try:
        done = subprocess.run(  # a fixed program and arguments, our own input
            [exe, "-Tplain"],
            input=_dot_source(labels, transitions()).encode(),
            capture_output=True,
            timeout=30,
            check=True,
        )
        return _parse_plain(done.stdout.decode(), labels)
    except (OSError, subprocess.SubprocessError, ValueError, IndexError, KeyError):
        log.warning("state diagram: dot failed", exc_info=True)
        return None


def path_taken(entries: Sequence) -> list[tuple[str, str]]:
    """The transitions the project went through, in order, from its history rows (audit rows
    with a from- and a to-state)."""
    return [
        (e.from_state, e.to_state)
        for e in entries
        if e.from_state and e.to_state and e.from_state != e.to_state and e.to_state in ProjectState.values
    ]


@functools.lru_cache(maxsize=512)
def _render(language: str, current: str, path: tuple[tuple[str, str], ...], current_label: str = "") -> str:
    laid = layout(language)
    if laid is None:
        return ""
    with translation.override(language):
        taken = set(path)
        visited = {a for a, _b in path} | {b for _a, b in path} | {current}
        label = {s.value: str(s.label) for s in ProjectState}
        if current_label:
            # 办法第十一条 (issue 11): a project in a plan not yet approved is named by that plan.
            label[current] = current_label
        steps = [label[path[0][0]]] + [label[b] for _a, b in path] if path else [label[current]]
        title = _("流程图：当前状态和已经过的路径")
        desc = _("当前状态：%(state)s。已经过的状态：%(path)s。") % {
            "state": label[current],
            "path": " → ".join(steps),
        }
        legend = [("current", _("当前状态")), ("visited", _("已经过")), ("other", _("未经过"))]
    pad = 8.0
    top = 26.0
    w, h = laid.width + 2 * pad, laid.height + 2 * pad + top
    out = [
        (
            f'<svg class="state-diagram" xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-labelledby="state-diagram-title state-diagram-desc" viewBox="0 0 {w:.0f} {h:.0f}" '
            f'width="{w:.0f}" height="{h:.0f}" style="max-width:100%;height:auto" font-family="sans-serif">'
        ),
        f'<title id="state-diagram-title">{escape(title)}</title>',
        f'<desc id="state-diagram-desc">{escape(desc)}</desc>',
        (
            '<defs><marker id="sd-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a8a8a"/></marker>'
            '<marker id="sd-arrow-taken" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="6" markerHeight="6" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1b5e20"/></marker></defs>'
        ),
    ]
    styles = {
        "current": ('fill="#0b4f9c" stroke="#06305e" stroke-width="3"', "#ffffff"),
        "visited": ('fill="#dcedc8" stroke="#1b5e20" stroke-width="2"', "#1a1a1a"),
        "other": ('fill="#ffffff" stroke="#9e9e9e" stroke-width="1"', "#424242"),
    }
    x = pad
    for key, name in legend:
        fill, _colour = styles[key]
        out.append(f'<rect x="{x:.1f}" y="6" width="14" height="14" rx="3" {fill}/>')
        out.append(f'<text x="{x + 18:.1f}" y="18" font-size="{FONT}" fill="#1a1a1a">{escape(name)}</text>')
        x += 18 + text_width(name, FONT) + 18
    out.append(f'<g transform="translate({pad:.1f},{pad + top:.1f})">')
    for (a, b), d in laid.edges.items():
        if (a, b) in taken:
            continue
        out.append(
            f'<path d="{d}" fill="none" stroke="#b0b0b0" stroke-width="1" marker-end="url(#sd-arrow)"/>'
        )
    for (a, b), d in laid.edges.items():
        if (a, b) in taken:
            out.append(
                f'<path class="taken" d="{d}" fill="none" stroke="#1b5e20" stroke-width="3" '
                f'marker-end="url(#sd-arrow-taken)"/>'
            )
    for node in laid.nodes.values():
        kind = "current" if node.name == current else "visited" if node.name in visited else "other"
        fill, colour = styles[kind]
        extra = ' aria-current="step"' if kind == "current" else ""
        out.append(
            f'<g class="state {kind}"{extra}>'
            f'<rect x="{node.x - node.w / 2:.1f}" y="{node.y - node.h / 2:.1f}" width="{node.w:.1f}" '
            f'height="{node.h:.1f}" rx="6" {fill}/>'
        )
        lines = _lines(label[current]) if node.name == current and current_label else node.lines
        first = node.y - (len(lines) - 1) * (FONT + 2) / 2 + FONT * 0.35
        for i, line in enumerate(lines):
            out.append(
                f'<text x="{node.x:.1f}" y="{first + i * (FONT + 2):.1f}" text-anchor="middle" '
                f'font-size="{FONT}" fill="{colour}">{escape(line)}</text>'
            )
        out.append("</g>")
    out.append("</g></svg>")
    return "".join(out)


def diagram(current: str, entries: Sequence, current_label: str = "") -> SafeString | None:
    """The SVG for a project in ``current`` whose history rows are ``entries``; None when no
    layout could be made (no ``dot``)."""
    svg = _render(
        translation.get_language() or "zh-hans", current, tuple(path_taken(entries)), str(current_label)
    )
    return mark_safe(svg) if svg else None  # every text in it went through escape()
