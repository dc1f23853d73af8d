"""One writer per format (xlsx, csv) turns any table (core/tables.py) into a file.

The xlsx writer streams (openpyxl write-only mode), the csv writer escapes formula
injection; the annual plan PDF renders the very same rows (documents.snapshots.annual_plan).
"""

from __future__ import annotations

import csv
import datetime
from copy import copy
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import formatting
from core.tables import Exporter

MONEY_FORMAT = formatting.MONEY_NUMBER_FORMAT  # 万元 as the pages show it: "1,234.56"
#: Leading characters that make a spreadsheet read a cell as a formula (=, +, -, @, tab, CR,
#: LF and the full-width forms), for CSV and xlsx alike (OWASP CSV injection).
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
DATE_FORMAT = "yyyy-mm-dd"


# ---------------------------------------------------------------- xlsx

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FONT = Font(name="黑体", bold=True, size=10)
TITLE_FONT = Font(name="方正小标宋简体", size=16)
BOLD = Font(name="宋体", bold=True, size=10)
PLAIN = Font(name="宋体", size=10)
HEAD_FILL = PatternFill("solid", fgColor="E7E6E6")
SUB_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
RIGHT = Alignment(horizontal="right", vertical="center")
#: Body text wraps within its column (issue 11: long 建设内容 ran across the sheet on one line);
#: with no height set, Excel and WPS fit each row's height to its wrapped lines.
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


NUMBER_FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "pct": formatting.PERCENT_NUMBER_FORMAT}


class BodyStyles:
    """The styles of the body's cells, made once per column kind and row weight (plain or a
    bold subtotal) instead of once per cell (issue 10: openpyxl looks every font, border,
    fill and number format up in the workbook's tables each time one is set, which costs
    more than writing the cell). Each is openpyxl's own style record of a cell styled the
    usual way, copied onto each new cell (``Cell._style``, the array of indexes into those
    tables that every styled cell holds); the file is the same as styling each cell."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self._made: dict[tuple[str, bool], object] = {}

    def of(self, kind: str, bold: bool):
        key = (kind, bold)
        if key not in self._made:
            proto = WriteOnlyCell(self.ws)
            proto.font, proto.border = (BOLD if bold else PLAIN), BORDER
            if bold:
                proto.fill = SUB_FILL
            if kind in NUMBER_FORMATS:
                proto.number_format = NUMBER_FORMATS[kind]
            proto.alignment = TOP if kind in NUMBER_FORMATS or kind == "int" else WRAP
            self._made[key] = proto._style
        return self._made[key]


def _cell(ws, value, style=None) -> WriteOnlyCell:
    """A cell whose text is only ever text: openpyxl would store "=HYPERLINK(…)" as a live
    formula and "#N/A" as an error value, so every string is typed as a string ("s"). Text a
    spreadsheet would read as a formula when re-entered (the CSV prefixes below) also gets
    Excel's own quote prefix: shown as typed, and still text after editing the cell. Numbers,
    dates and percentages stay numbers. ``style``: one of ``BodyStyles`` (copied, so that the
    quote prefix of one cell is never another's)."""
    c = WriteOnlyCell(ws, value)
    if style is not None:
        c._style = copy(style)
    if isinstance(value, str):
        c.data_type = "s"
        if value.startswith(INJECTION_PREFIXES):
            c.quotePrefix = True
    return c


def write_xlsx(exporter: Exporter, fh) -> None:
    """Stream ``exporter`` into an .xlsx written to ``fh`` (a path or binary file object).

    Title row, unit row, a one- or two-row header with merged cells, frozen below the header,
    A4 landscape fitted to the page width with the header rows repeated on every page.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(exporter.title[:31] or "Sheet1")
    ncols = len(exporter.columns)
    last = get_column_letter(ncols)
    for i, col in enumerate(exporter.columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = col.width

    # Sheet views are written with the first row, so the panes are frozen before any append.
    ws.freeze_panes = f"C{3 + exporter.header_depth}"

    title = _cell(ws, exporter.title)
    title.font, title.alignment = TITLE_FONT, CENTRE
    ws.append([title])
    ws.merged_cells.add(f"A1:{last}1")
    unit = _cell(ws, exporter.unit)
    unit.alignment = RIGHT
    ws.append([None] * (ncols - 1) + [unit])

    depth = exporter.header_depth
    first_header = 3
    grid = [[None] * ncols for _ in range(depth)]
    for hrow in exporter.header_cells():
        for h in hrow:
            grid[h.row][h.col] = h.label
            if h.colspan > 1 or h.rowspan > 1:
                r0 = first_header + h.row
                ws.merged_cells.add(
                    f"{get_column_letter(h.col + 1)}{r0}:"
                    f"{get_column_letter(h.col + h.colspan)}{r0 + h.rowspan - 1}"
                )
    for values in grid:
        cells = []
        for v in values:
            c = _cell(ws, v)
            c.font, c.alignment, c.fill, c.border = HEAD_FONT, CENTRE, HEAD_FILL, BORDER
            cells.append(c)
        ws.append(cells)
    first_data = first_header + depth
    ws.print_title_rows = f"{first_header}:{first_data - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True

    kinds = [c.kind for c in exporter.columns]
    styles = BodyStyles(ws)
    plain = [styles.of(kind, False) for kind in kinds]
    bold = [styles.of(kind, True) for kind in kinds]
    for row in exporter.rows():
        row_styles = bold if row.style else plain
        ws.append([_cell(ws, value, style) for style, value in zip(row_styles, row.values, strict=False)])
    wb.save(fh)


# ---------------------------------------------------------------- csv


def csv_safe(value) -> str:
    """A cell as CSV text. Text that a spreadsheet would read as a formula (=, +, -, @, tab,
    CR, also their full-width forms) is prefixed with an apostrophe (OWASP CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(INJECTION_PREFIXES):
        return "'" + text
    return text


def write_csv(exporter: Exporter, fh) -> None:
    """Write ``exporter`` as UTF-8 CSV with a BOM (so Excel shows the Chinese) to a text file."""
    fh.write("\ufeff")
    writer = csv.writer(fh)
    writer.writerow(exporter.flat_labels())
    for row in exporter.rows():
        writer.writerow([csv_safe(v) for v in row.values])


class Echo:
    """A file-like object whose write returns the text, for StreamingHttpResponse."""

    def write(self, value):
        return value


def stream_csv(exporter: Exporter):
    """Yield the CSV line by line (for a StreamingHttpResponse)."""
    writer = csv.writer(Echo())
    yield "\ufeff"
    yield writer.writerow(exporter.flat_labels())
    for row in exporter.rows():
        yield writer.writerow([csv_safe(v) for v in row.values])
