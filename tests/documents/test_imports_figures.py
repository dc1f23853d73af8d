"""Filings that hold real figures (issue 15 item 4): the annual plan of the realistic 60-item
list, and the same table with the largest figures it is laid out for (amounts of ten digits
before the decimal point, 序号 up to 9999), read back from the rendered pages: no amount and no
序号 split across lines or running out of its cell, the 合计 row present and equal to the sum
computed by hand; the application form's yearly table has its 合计 row."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from documents import pdf, snapshots
from documents.imports import applications_import
from projects.models import AnnualPlan, Project

from . import layout, pdfcheck
from .import_list import items
from .test_imports_preview import sixty_items

MAX_AMOUNT = "9,999,999,999.99"


@pytest.fixture
def plan_of_sixty(orgs, people, call_2026):
    result = applications_import(
        sixty_items(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer, partial=True
    )
    assert len(result.projects) == 52
    plan = AnnualPlan.objects.create(year=2027)
    Project.objects.filter(pk__in=[p.pk for p in result.projects]).update(plan=plan)
    return plan


def _cells(doc):
    """The text of every table cell: (cell box id, lines, classes)."""
    found: dict[int, list[layout.Line]] = {}
    for line in layout.lines(doc):
        if line.cell is not None:
            found.setdefault(line.block, []).append(line)
    return found


def _faults(doc, *, first_column_texts=()):
    faults = list(layout.problems(doc))
    for group in _cells(doc).values():
        whole = "".join(line.text for line in group)
        numeric = re.fullmatch(r"-?[\d,]+(\.\d+)?", whole)
        if numeric and len(group) > 1:
            faults.append(f"“{whole}”折成{len(group)}行")
    return faults


@pytest.mark.layout
def test_the_plan_of_the_sixty_items_is_readable(plan_of_sixty):
    snapshot = snapshots.annual_plan(plan_of_sixty)
    doc = layout.document(snapshot["template"], snapshot)
    assert _faults(doc) == []
    # 合计: the sum computed by hand from the amounts of the list (元 → 万元).
    expected = sum((yuan for _t, _a, _y, yuan, status, _c, _m in items() if status != "error"), Decimal(0))
    cells = ["".join(line.text for line in group) for group in _cells(doc).values()]
    assert "合计（52个项目）" in cells
    total_row = next(r for r in snapshot["sections"][0]["rows"] if r["style"] == "total")
    assert total_row["cells"][5] == f"{expected / 10000:,.2f}" == "659,933.24"
    assert f"{expected / 10000:,.2f}" in cells


@pytest.mark.layout
def test_the_plan_table_holds_the_largest_figures_on_one_line(plan_of_sixty):
    snapshot = snapshots.annual_plan(plan_of_sixty)
    table = next(sec for sec in snapshot["sections"] if sec.get("type") == "table")
    money = table["numeric"]
    rows = [r for r in table["rows"] if r["style"] == ""]
    for row, number in zip(rows, (10, 99, 100, 999, 1000, 9999), strict=False):
        row["cells"][0] = str(number)
    for row in rows[:3]:
        for i in money:
            row["cells"][i] = MAX_AMOUNT
    doc = layout.document(snapshot["template"], snapshot)
    assert _faults(doc) == []
    texts = [line.text for line in layout.lines(doc)]
    for number in ("10", "99", "100", "999", "1000", "9999"):
        assert number in texts
    assert texts.count(MAX_AMOUNT) == 3 * len(money)


@pytest.mark.layout
def test_the_application_forms_money_tables_have_their_total_row(orgs, people, call_2026):
    applications_import(
        sixty_items(), call=call_2026, organisation=orgs["owner"], actor=people.owner_preparer, partial=True
    )
    project = Project.objects.get(name="省一体化政务服务平台升级改造")
    snapshot = snapshots.application_form(project, facts=snapshots.Facts(preview=True))
    data, _pages = pdf.render(snapshot["template"], snapshot)
    text = re.sub(r"[ \t]+", " ", pdfcheck.text(data))
    # 2027 and 2028 年 137,123.10 万元 each, as typed in the list: 合计 274,246.20 (by hand).
    assert "2027 137,123.10" in text and "2028 137,123.10" in text
    assert "合计 274,246.20" in text
    assert "省级财政资金 274,246.20" in text
    assert text.count("合计 274,246.20") == 2  # yearly investment and funding sources
    doc = layout.document(snapshot["template"], snapshot)
    assert _faults(doc) == []
