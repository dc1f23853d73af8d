"""Line-breaking and column widths for the filings, as a typesetter would set them
(GB/T 9704-2012 for letters; the forms follow the same habits).

WeasyPrint breaks Chinese text after any character, which is right for body text but not for
a title (a last line of one character: "批/复"), nor for the cells of a table whose column is
narrower than a short word ("同/意", a vertical "建设工期（月）", an amount running into the
next column). Widths here are in *em* (the width of one Chinese character at the table's
font size): a CJK or full-width character is 1 em, Latin letters, digits and ASCII
punctuation are about half of that in the Noto CJK faces and in 仿宋/宋体.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import mark_safe

#: Latin letters, digits and ASCII punctuation in the CJK faces (Noto Serif CJK SC's digits
#: are 0.5 em; a little more keeps a margin for the bold 黑体 of headers).
NARROW_EM = 0.6
#: What a word needs beyond its measured width: rounding of the table's widths and the
#: proportional punctuation of the faces never push its last character to a new line.
SLACK_EM = 0.5

#: A cell whose content is at most this wide is a word, a number or a short phrase: its column
#: is made wide enough to hold it on one line.
WORD_EM = 10.0

#: Words up to this wide are never broken, even when a table is crowded ("无条件共享", "序号").
WHOLE_EM = 6.0

#: Longer texts wrap; their column still gets at least this much, so a line holds a phrase.
TEXT_MIN_EM = 6.0


#: The thousands separator and the decimal point of an amount ("9,999,999,999.99"): about a
#: third of an em in the faces (measured 0.28–0.33 em in 宋体 and 黑体; issue 15).
POINT_EM = 0.35
_POINTS = frozenset(",.")


def text_width(text: str) -> float:
    """Width of ``text`` on one line, in em."""
    width = 0.0
    for char in str(text):
        if unicodedata.east_asian_width(char) in ("W", "F", "A"):
            width += 1.0
        elif char in _POINTS:
            width += POINT_EM
        elif not unicodedata.combining(char):
            width += NARROW_EM
    return width


#: A body cell of these is a sequence number or a count (序号 up to 9999, 建设工期): set on one
#: line like an amount.
_WHOLE_NUMBER = re.compile(r"^\d{1,6}$")


def number_columns(rows: Sequence[Sequence[object]]) -> list[int]:
    """The columns whose every filled body cell is a whole number (序号, months)."""
    found: dict[int, bool] = {}
    for row in rows:
        for i, value in enumerate(row):
            text = str(value).strip() if value is not None else ""
            if text:
                found[i] = found.get(i, True) and bool(_WHOLE_NUMBER.match(text))
    return sorted(i for i, ok in found.items() if ok)


# ---------------------------------------------------------------- titles

#: Do not break right after these (an opening bracket stays with what it opens) …
_NO_BREAK_AFTER = set("《（(“‘〔[【")
#: … nor right before these (a closing bracket or a punctuation mark stays with its word).
_NO_BREAK_BEFORE = set("》）)”’〕]】，。、；：！？")


#: Breaks a reader prefers (词意完整): after a particle or a closing bracket, before an opening
#: one; a break there may be this much further from the even split than an arbitrary one.
_GOOD_AFTER = set("的和与及、）》”")
_GOOD_BEFORE = set("《（“")
GOOD_BREAK_BONUS_EM = 2.0


def _breakable(text: str, i: int) -> bool:
    """Whether a line may end before ``text[i]``."""
    before, after = text[i - 1], text[i]
    if before in _NO_BREAK_AFTER or after in _NO_BREAK_BEFORE:
        return False
    # never inside a number or a Latin word ("2026", "GB/T")
    return not (before.isascii() and after.isascii() and before.isalnum() and after.isalnum())


def balanced_lines(text: str, capacity_em: float) -> list[str]:
    """Break a title into the fewest lines that fit ``capacity_em``, of nearly equal length
    (GB/T 9704-2012 7.3.1: 回行时要做到词意完整，排列对称，长短适宜), never leaving one character
    on a line of its own."""
    text = str(text)
    total = text_width(text)
    if total <= capacity_em or len(text) < 4:
        return [text]
    count = math.ceil(total / capacity_em)
    while count <= len(text) // 2:
        lines = _split_evenly(text, count, capacity_em)
        if lines is not None:
            return lines
        count += 1
    return [text]


def _split_evenly(text: str, count: int, capacity_em: float) -> list[str] | None:
    target = text_width(text) / count
    lines: list[str] = []
    start = 0
    for _line in range(count - 1):
        # the break nearest the target width that fits, preferring allowed break points
        best, best_gap, width = None, math.inf, 0.0
        for i in range(start + 1, len(text)):
            width += text_width(text[i - 1])
            if width > capacity_em:
                break
            if _breakable(text, i):
                gap = abs(width - target)
                if text[i - 1] in _GOOD_AFTER or text[i] in _GOOD_BEFORE:
                    gap -= GOOD_BREAK_BONUS_EM
                if gap < best_gap:
                    best, best_gap = i, gap
        if best is None:
            return None
        lines.append(text[start:best])
        start = best
    lines.append(text[start:])
    if text_width(lines[-1]) > capacity_em or any(len(line.strip()) < 2 for line in lines):
        return None
    return lines


# ---------------------------------------------------------------- table columns


def column_widths(
    columns: int,
    cells: Sequence[tuple[int, int, str, bool]],
    *,
    total_em: float,
    padding_em: float,
    nowrap: Sequence[int] = (),
    strict: bool = True,
) -> list[float] | None:
    """Percentages of the table width for each column, measured from the content; None when
    even the floors (below) do not fit — the table needs a smaller type (``strict=False``: the
    best that can be done at this size). A cell never ends in a line of one character whatever
    the width: the templates keep the last two characters together (``keep_tail``).

    ``cells`` are (column, colspan, text, is_header) of every header and body cell. Each column has what
    it *needs* — its longest word-like cell on one line (numbers and the ``nowrap`` columns:
    their longest cell, however long), ``TEXT_MIN_EM`` when it holds longer text — and a
    *floor* it is never squeezed below: numbers and words of up to six characters whole,
    longer words on two balanced lines (never one character alone). When the needs fit, what
    is left goes to the columns of longer text in proportion to how much more they would like;
    when they do not, every column gets its floor and a share of the rest."""
    need = [0.0] * columns
    floor = [0.0] * columns
    like = [0.0] * columns
    for column, span, text, header in cells:
        if span > 1:
            continue  # a group label spans its columns and wraps over them
        width = text_width(text)
        if (column in nowrap and not header) or width <= WHOLE_EM:
            one, least = width, width
        elif width <= WORD_EM:
            one, least = width, math.ceil(width / 2) + 1.0
        else:
            one, least = TEXT_MIN_EM, min(TEXT_MIN_EM, math.ceil(width / 2) + 1.0)
        need[column] = max(need[column], one)
        floor[column] = max(floor[column], least)
        like[column] = max(like[column], width)
    pad = padding_em + SLACK_EM
    need = [n + pad for n in need]
    floor = [f + pad for f in floor]
    like = [max(lk + pad, n) for lk, n in zip(like, need, strict=True)]
    room = total_em - sum(need)
    if room >= 0:
        extra = [lk - n for lk, n in zip(like, need, strict=True)]
        spare = sum(extra)
        widths = [
            n + (room * e / spare if spare > 0 else room / columns) for n, e in zip(need, extra, strict=True)
        ]
    elif sum(floor) > total_em and strict:
        return None
    else:
        left = max(total_em - sum(floor), 0.0)
        give = [n - f for n, f in zip(need, floor, strict=True)]
        share = sum(give)
        widths = [f + (left * g / share if share > 0 else 0.0) for f, g in zip(floor, give, strict=True)]
        if left == 0.0:
            widths = _numbers_first(widths, need, nowrap, total_em)
    scale = sum(widths)
    return [round(100 * w / scale, 2) for w in widths]


def _numbers_first(
    widths: list[float], need: list[float], nowrap: Sequence[int], total_em: float
) -> list[float]:
    """An over-full table (even the floors do not fit at the smallest size; the 办法第十一条
    plan table of a province): the amounts and numbers (``nowrap``) keep their full width —
    an amount or a 序号 is never split or run into the next column (issue 15) — and the text
    columns share what is left in proportion to their floors (they wrap more)."""
    keep = set(nowrap)
    fixed = sum(need[i] for i in keep if i < len(need))
    rest = sum(w for i, w in enumerate(widths) if i not in keep)
    left = total_em - fixed
    if left <= 0 or rest <= 0:
        return widths
    return [need[i] if i in keep else w * left / rest for i, w in enumerate(widths)]


# ---------------------------------------------------------------- the page sizes of the templates

MM_PT = 72 / 25.4
#: templates/documents/form.css: 11 pt cells with 1.8 mm padding and 0.6 pt rules; A4 with
#: 18 mm side margins, or landscape with 12 mm; titles in 20 pt 黑体.
FORM = {"font_pt": 11.0, "padding_mm": 3.6, "rule_pt": 0.6, "title_pt": 20.0}
#: A crowded table is set smaller (form.css: table.dense, table.denser) rather than broken.
FORM_SIZES = ((11.0, ""), (9.5, "dense"), (8.5, "denser"), (7.5, "densest"))
FORM_WIDTH_MM = {False: 210 - 36, True: 297 - 24}
#: A landscape form whose snapshot says ``"paper": "A3"`` (form.css: @page wide-a3).
A3_LANDSCAPE_WIDTH_MM = 420 - 24
#: templates/documents/letter.css: the 156 mm text block, tables in 12 pt with 1.5 mm padding,
#: titles in 22 pt 小标宋.
LETTER = {"font_pt": 12.0, "padding_mm": 3.0, "rule_pt": 0.5, "title_pt": 22.0, "width_mm": 156}


def _widths(columns, cells, *, width_mm, sizes, padding_mm, rule_pt, nowrap) -> tuple[list[float], str]:
    """Column widths at the largest of ``sizes`` (pt, CSS class) the table fits in; at the
    smallest, the best that can be done, when it fits in none."""
    tries = [(font_pt, css, True) for font_pt, css in sizes] + [(*sizes[-1], False)]
    for font_pt, css, strict in tries:
        widths = column_widths(
            columns,
            cells,
            total_em=_em(width_mm, font_pt),
            padding_em=(padding_mm * MM_PT + rule_pt) / font_pt,
            nowrap=nowrap,
            strict=strict,
        )
        if widths is not None:
            return widths, css
    return [round(100 / columns, 2)] * columns, sizes[-1][1]


def _compact_widths(
    columns, cells, *, width_mm, sizes, padding_mm, rule_pt, nowrap
) -> tuple[list[float], str]:
    """For a table of thousands of rows (a ``splittable`` one): of the sizes it fits at, the
    one whose typical row is the shortest — the font size times the lines of its tallest cell
    at the mean width of each column's body cells. At the largest size a dozen columns with
    ten-digit totals leave a long text a few characters a line (six lines a row); a point
    smaller gives it three times the width. ``_widths`` when it fits at none."""
    body = [(c, text_width(t)) for c, span, t, header in cells if not header and span == 1]
    sums, counts = [0.0] * columns, [0] * columns
    for c, w in body:
        sums[c] += w
        counts[c] += 1
    means = [sums[c] / counts[c] if counts[c] else 0.0 for c in range(columns)]
    tried: list[tuple[float, float, list[float], str]] = []
    for font_pt, css in sizes:
        widths = column_widths(
            columns,
            cells,
            total_em=_em(width_mm, font_pt),
            padding_em=(padding_mm * MM_PT + rule_pt) / font_pt,
            nowrap=nowrap,
        )
        if widths is None:
            continue
        total, pad = _em(width_mm, font_pt), (padding_mm * MM_PT + rule_pt) / font_pt
        lines = max(
            math.ceil(m / max(w * total / 100 - pad, 1.0)) if m else 1
            for m, w in zip(means, widths, strict=True)
        )
        tried.append((font_pt * lines, font_pt, widths, css))
    if not tried:
        return _widths(
            columns,
            cells,
            width_mm=width_mm,
            sizes=sizes,
            padding_mm=padding_mm,
            rule_pt=rule_pt,
            nowrap=nowrap,
        )
    # The largest type whose rows are within a fifth of the shortest: a point less to save
    # a line in ten is not worth the reading.
    shortest = min(height for height, *_rest in tried)
    _height, _pt, widths, css = max((t for t in tried if t[0] <= shortest * 1.2), key=lambda t: t[1])
    return widths, css


def _em(width_mm: float, font_pt: float) -> float:
    return width_mm * MM_PT / font_pt


def _table_cells(header_rows, rows) -> list[tuple[int, int, str, bool]]:
    cells: list[tuple[int, int, str, bool]] = []
    taken: dict[tuple[int, int], bool] = {}
    for r, header in enumerate(header_rows):
        column = 0
        for h in header:
            while taken.get((r, column)):
                column += 1
            for dr in range(h.get("rowspan", 1)):
                for dc in range(h.get("colspan", 1)):
                    taken[(r + dr, column + dc)] = True
            cells.append((column, h.get("colspan", 1), str(h["label"]), True))
            column += h.get("colspan", 1)
    for row in rows:
        cells.extend((i, 1, str(v), False) for i, v in enumerate(row))
    return cells


def prepare(snapshot: dict) -> dict:
    """The snapshot as the template sets it: title lines and column widths measured from the
    content (computed at every rendering from the stored snapshot, so a filing reproduces)."""
    s = dict(snapshot)
    if s.get("template") == "documents/letter.html":
        capacity = _em(LETTER["width_mm"], LETTER["title_pt"])
        s["title_lines"] = balanced_lines(s.get("title", ""), capacity - 0.5)
        body = []
        for block in s.get("body", []):
            if block.get("type") == "table":
                header = [{"label": h} for h in block.get("header", [])]
                widths, css = _widths(
                    len(header),
                    _table_cells([header], block.get("rows", [])),
                    width_mm=LETTER["width_mm"],
                    sizes=((LETTER["font_pt"], ""), (10.5, "dense")),
                    padding_mm=LETTER["padding_mm"],
                    rule_pt=LETTER["rule_pt"],
                    nowrap=block.get("numeric", []),
                )
                block = {**block, "widths": widths, "css": css}
            body.append(block)
        s["body"] = body
        return s
    landscape = bool(s.get("landscape"))
    width_mm = A3_LANDSCAPE_WIDTH_MM if landscape and s.get("paper") == "A3" else FORM_WIDTH_MM[landscape]
    s["title_lines"] = balanced_lines(s.get("title", ""), _em(width_mm, FORM["title_pt"]) - 0.5)
    total = _em(width_mm, FORM["font_pt"])
    sections = []
    for sec in s.get("sections", []):
        if sec.get("type") == "table":
            body = [r["cells"] for r in sec.get("rows", [])]
            widths, css = (_compact_widths if sec.get("splittable") else _widths)(
                sec.get("width", 1),
                _table_cells(sec.get("header_rows", []), body),
                width_mm=width_mm,
                sizes=FORM_SIZES,
                padding_mm=FORM["padding_mm"],
                rule_pt=FORM["rule_pt"],
                nowrap=sorted({*sec.get("numeric", []), *number_columns(body)}),
            )
            sec = {**sec, "widths": widths, "css": css}
            sec["rows"] = _marked_rows(sec, width_mm)
        elif sec.get("type") == "fields":
            longest = max((text_width(str(f[0])) for f in sec.get("fields", [])), default=0.0)
            padding_em = (FORM["padding_mm"] * MM_PT + FORM["rule_pt"]) / FORM["font_pt"]
            label = min(max((longest + padding_em + SLACK_EM) / total, 0.18), 0.4)
            sec = {**sec, "label_width": round(100 * label, 2)}
        sections.append(sec)
    s["sections"] = sections
    return s


def _marked_rows(sec: dict, width_mm: float) -> list[dict]:
    """The body rows of a form's table, each with ``marked``: its cells as (CSS class, HTML).
    Only a cell that may wrap goes through ``keep_tail``: an amount (``td.num`` is set on one
    line) or a text narrower than its column by the safe measure of ``text_width`` is escaped
    as it is. A cell without the extra ``<span>`` is about a quarter cheaper to lay out, which
    is most of a plan of thousands of rows (issue 10)."""
    font_pt = next((pt for pt, css in FORM_SIZES if css == sec.get("css", "")), FORM["font_pt"])
    total_em = _em(width_mm, font_pt)
    pad_em = (FORM["padding_mm"] * MM_PT + FORM["rule_pt"]) / font_pt
    capacity = [w * total_em / 100 - pad_em for w in sec.get("widths") or []]
    numeric, centred = set(sec.get("numeric", [])), set(sec.get("centred", []))
    classes = ["num" if i in numeric else "c" if i in centred else "" for i in range(len(capacity))]
    rows = []
    for row in sec.get("rows", []):
        marked = []
        for i, cell in enumerate(row["cells"]):
            text = str(cell)
            cls = classes[i] if i < len(classes) else ""
            fits = cls == "num" or (
                i < len(capacity) and "\n" not in text and text_width(text) + SLACK_EM <= capacity[i]
            )
            marked.append((cls, mark_safe(escape(text) if fits else keep_tail(text))))  # both escape the text
        rows.append({**row, "marked": marked})
    return rows


def keep_tail(text) -> str:
    """HTML of ``text`` (escaped) whose last two characters cannot be parted by a line break:
    a cell, a title or a paragraph never ends in a line of one character ("同/意", "批/复")."""
    text = str(text)
    stripped = text.rstrip()
    if len(stripped) < 3 or "\n" in stripped[-2:]:
        return escape(text)
    head, tail = stripped[:-2], stripped[-2:]
    return f'{escape(head)}<span class="nb">{escape(tail)}</span>{escape(text[len(stripped) :])}'
