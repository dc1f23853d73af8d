"""Issue 10: the workbook's styles are made once per column kind, not per cell — and the file
says the same as when each cell was styled on its own: the same values, text kept as text
(formula injection: the quote prefix on the cells that need it, and only on them), the same
fonts, fills, borders and number formats."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from core.tables import Column, Exporter, Row
from exports import base

COLUMNS = [
    Column("名称"),
    Column("金额", kind="money"),
    Column("日期", kind="date"),
    Column("比例", kind="pct"),
    Column("个数", kind="int"),
]
VALUES = [
    ['=HYPERLINK("http://x")', Decimal("1234.50"), datetime.date(2026, 3, 1), 0.25, 3],
    ["普通文本", Decimal("0.00"), None, None, 0],
    ["－全角减号开头", Decimal("99999999.99"), datetime.date(2027, 12, 31), 1, 12],
    ["@SUM(A1)", None, datetime.date(2026, 1, 1), 0.5, None],
]


class Table(Exporter):
    def rows(self):
        for i, values in enumerate(VALUES * 3):
            yield Row(list(values), style="subtotal" if i % 4 == 3 else "")


def per_cell_body(exporter, fh):
    """The body styled cell by cell, as the writer did before (the reference)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("t")
    for row in exporter.rows():
        cells = []
        for col, value in zip(exporter.columns, row.values, strict=False):
            c = base._cell(ws, value)
            c.font, c.border = (base.BOLD if row.style else base.PLAIN), base.BORDER
            if row.style:
                c.fill = base.SUB_FILL
            if col.kind in base.NUMBER_FORMATS:
                c.number_format = base.NUMBER_FORMATS[col.kind]
            cells.append(c)
        ws.append(cells)
    wb.save(fh)


def described(cell):
    return (
        cell.value,
        cell.data_type,
        cell.quotePrefix,
        cell.number_format,
        (cell.font.name, cell.font.bold, cell.font.size),
        cell.fill.fgColor.rgb if cell.fill.fill_type else None,
        tuple(getattr(cell.border, side).style for side in ("left", "right", "top", "bottom")),
    )


def test_the_body_is_the_same_as_styled_cell_by_cell():
    exporter = Table(title="测试表", columns=COLUMNS)
    ours, reference = io.BytesIO(), io.BytesIO()
    base.write_xlsx(exporter, ours)
    per_cell_body(exporter, reference)
    ws = load_workbook(io.BytesIO(ours.getvalue())).active
    ref = load_workbook(io.BytesIO(reference.getvalue())).active
    first = 3 + exporter.header_depth
    body = [[described(c) for c in row] for row in ws.iter_rows(min_row=first)]
    expected = [[described(c) for c in row] for row in ref.iter_rows()]
    assert body == expected and len(body) == len(VALUES) * 3


def test_formula_injection_is_still_refused_and_styles_are_not_shared():
    exporter = Table(title="测试表", columns=COLUMNS)
    out = io.BytesIO()
    base.write_xlsx(exporter, out)
    ws = load_workbook(io.BytesIO(out.getvalue())).active
    names = [row[0] for row in ws.iter_rows(min_row=3 + exporter.header_depth)]
    for cell in names:
        assert cell.data_type == "s"  # never a live formula
        assert cell.quotePrefix == cell.value.startswith(base.INJECTION_PREFIXES), cell.value
    # The quote prefix of one cell did not leak into its neighbours of the same style.
    assert [c.quotePrefix for c in names[:4]] == [True, False, True, True]
