"""A long form rendered in parts and joined (issue 10; documents/pdf.py ``render_long``): the
annual plan of a province (办法第十一条) is thousands of pages, set part by part so memory stays
bounded. Read back, the joined PDF must be one document as a reader expects it: the title
once on the first page, every row once and in order, the signatures once at the end, the form
code on every page and "第 X 页 共 Y 页" counting the whole document on every page."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from documents import pdf

from .pdfcheck import page_texts, sizes_mm

DEPARTMENTS = 7
PER_DEPARTMENT = 6


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _snapshot(departments: int = DEPARTMENTS, per_department: int = PER_DEPARTMENT) -> dict:
    rows = []
    n = 0
    for d in range(1, departments + 1):
        for _i in range(per_department):
            n += 1
            rows.append({"style": "", "cells": [str(n), f"项目R{n:04d}", f"第{d}厅", "1,000.00"]})
        rows.append({"style": "subtotal", "cells": ["", f"第{d}厅小计", "", f"{per_department * 1000:,.2f}"]})
    rows.append({"style": "total", "cells": ["", "合计", "", f"{n * 1000:,.2f}"]})
    header = [
        [{"label": h, "colspan": 1, "rowspan": 1} for h in ("序号", "项目名称", "项目建设单位", "合计")]
    ]
    return {
        "template": "documents/form.html",
        "title": "2026年度省级政务信息化项目建设计划表",
        "subtitle": "（单位：万元）",
        "meta": ["状态：已批准"],
        "form_code": "黑营商发〔2026〕9号",
        "landscape": True,
        "document_no": "",
        "sections": [
            {"type": "text", "heading": "说明", "text": "前置说明文字"},
            {
                "type": "table",
                "heading": "",
                "header_rows": header,
                "rows": rows,
                "splittable": True,
                "numeric": [3],
                "centred": [0],
                "width": 4,
            },
            {"type": "text", "heading": "", "text": "表后附注文字"},
        ],
        "signatures": ["编制单位（盖章）：省营商环境局"],
    }


def test_split_cuts_after_a_subtotal_and_keeps_what_precedes_and_follows_the_table():
    s = _snapshot()
    parts = pdf.split(s, 10)
    assert len(parts) > 1
    tables = [next(sec for sec in p["sections"] if sec.get("splittable")) for p in parts]
    # every row exactly once, in order
    assert [r for t in tables for r in t["rows"]] == s["sections"][1]["rows"]
    for t in tables[:-1]:
        assert t["rows"][-1]["style"] in ("subtotal", "total") or len(t["rows"]) >= 20
        assert len(t["rows"]) >= 10
    assert parts[0]["sections"][0]["text"] == "前置说明文字" and not parts[0]["continuation"]
    assert all(p["continuation"] for p in parts[1:])
    assert parts[-1]["sections"][-1]["text"] == "表后附注文字" and parts[-1]["signatures"]
    assert all(not p["signatures"] for p in parts[:-1])
    # one part is no split at all
    assert pdf.split(s, 10_000) == [s]


def test_split_cuts_a_department_longer_than_twice_a_part_anyway():
    s = _snapshot(departments=1, per_department=45)
    parts = pdf.split(s, 10)
    assert [len(next(sec for sec in p["sections"] if sec.get("splittable"))["rows"]) for p in parts] == [
        20,
        20,
        7,  # 5 rows, the subtotal and the total
    ]


@override_settings(PDF_PART_ROWS=8, PDF_PROCESSES=1)
def test_the_joined_document_reads_as_one():
    seen = []
    data, pages = pdf.render_long("documents/form.html", _snapshot(), progress=lambda *a: seen.append(a))
    texts = [_flat(t) for t in page_texts(data)]
    assert len(texts) == pages > 1
    assert set(sizes_mm(data)) == {(297.0, 210.0)}
    for i, text in enumerate(texts, start=1):
        assert f"第{i}页共{pages}页" in text, (i, text[-40:])
        assert "黑营商发〔2026〕9号" in text  # the form code on every page
    whole = "".join(texts)
    assert whole.count("2026年度省级政务信息化项目建设计划表") == 1 and "2026年度省级" in texts[0]
    assert whole.count("编制单位（盖章）") == 1 and "编制单位（盖章）" in texts[-1]
    assert whole.count("前置说明文字") == 1 and whole.count("表后附注文字") == 1
    found = re.findall(r"项目R(\d{4})", whole)
    assert found == [f"{n:04d}" for n in range(1, DEPARTMENTS * PER_DEPARTMENT + 1)]
    # progress: parts first, then the joining, ending at total/total
    assert seen[-1][0] == seen[-1][1] and len(seen) >= 3


@override_settings(PDF_PART_ROWS=8, PDF_PROCESSES=2)
def test_parts_rendered_in_two_processes_give_the_same_pages():
    one, pages_one = pdf.render_long("documents/form.html", _snapshot())
    with override_settings(PDF_PROCESSES=1):
        two, pages_two = pdf.render_long("documents/form.html", _snapshot())
    assert pages_one == pages_two
    assert [_flat(t) for t in page_texts(one)] == [_flat(t) for t in page_texts(two)]


@override_settings(PDF_PART_ROWS=8, PDF_PROCESSES=2)
def test_a_part_that_fails_in_its_process_fails_the_form_and_leaves_no_process(monkeypatch):
    """A part that cannot be laid out (here: part 2 raises in its child) fails the whole form
    with an error naming the part, instead of a file with a part missing; every child process
    is ended and reaped, and the next form renders again."""
    import multiprocessing

    real = pdf._render_part

    def broken(html, folder, n):
        if n == 2:
            raise ValueError("排版失败")
        return real(html, folder, n)

    monkeypatch.setattr(pdf, "_render_part", broken)
    with pytest.raises(RuntimeError, match=r"PDF part 2: ValueError: 排版失败"):
        pdf.render_long("documents/form.html", _snapshot())
    assert multiprocessing.active_children() == []
    monkeypatch.setattr(pdf, "_render_part", real)
    data, pages = pdf.render_long("documents/form.html", _snapshot())
    assert pages > 1 and data[:5] == b"%PDF-"


@override_settings(PDF_PART_ROWS=10_000)
def test_a_short_form_is_rendered_whole():
    data, pages = pdf.render_long("documents/form.html", _snapshot(departments=2))
    whole, _pages = pdf.render("documents/form.html", _snapshot(departments=2))
    assert pages == _pages
    assert [_flat(t) for t in page_texts(data)] == [_flat(t) for t in page_texts(whole)]


@override_settings(PDF_PART_ROWS=8, PDF_PROCESSES=2)
@pytest.mark.django_db
def test_inside_a_transaction_the_parts_are_laid_out_here_and_the_transaction_survives():
    """Forking closes the connections first; inside a transaction that would break it (seen on
    PostgreSQL; SQLite's in-memory test database ignores a close)."""
    from projects.models import Organisation

    Organisation.objects.create(kind="bureau", name="省营商环境局")
    data, pages = pdf.render_long("documents/form.html", _snapshot())
    assert pages > 1 and data[:5] == b"%PDF-"
    assert Organisation.objects.filter(name="省营商环境局").count() == 1  # the connection still works


@override_settings(PDF_PART_ROWS=8, PDF_PROCESSES=1)
def test_on_a3_the_parts_and_their_page_numbers_are_all_a3():
    """The annual plan is set on A3 landscape (issue 10): the page-number pages laid over the
    joined parts must be the same paper, or the numbers would land off the page."""
    data, pages = pdf.render_long("documents/form.html", {**_snapshot(), "paper": "A3"})
    assert pages > 1 and set(sizes_mm(data)) == {(420.0, 297.0)}
    for i, text in enumerate((_flat(t) for t in page_texts(data)), start=1):
        assert f"第{i}页共{pages}页" in text, (i, text[-40:])


def test_a_long_table_is_set_for_short_rows_and_a_short_one_for_the_largest_type():
    """A splittable table takes the size whose typical row is shortest; any other table keeps
    the largest size it fits at (documents/typeset.py)."""
    from documents import typeset

    long_text = "建设内容和规模的说明文字较长，包括平台、数据、安全和运维等多项内容，每行都有。" * 2
    s = _snapshot(departments=2)
    table = s["sections"][1]
    table["rows"] = [
        {"style": r["style"], "cells": [*r["cells"][:2], long_text, r["cells"][3]]} for r in table["rows"]
    ]
    table["header_rows"] = [
        [
            *table["header_rows"][0][:2],
            {"label": "建设内容", "colspan": 1, "rowspan": 1},
            table["header_rows"][0][3],
        ]
    ]
    many = [{"label": f"金额{i}", "colspan": 1, "rowspan": 1} for i in range(4)]
    table["header_rows"][0] += many
    table["width"] = 8
    table["numeric"] = list(range(3, 8))
    for r in table["rows"]:
        r["cells"] += ["12,345,678.90"] * 4
    s["paper"] = "A3"
    short = typeset.prepare({**s, "sections": [{**table, "splittable": False}]})["sections"][0]
    long = typeset.prepare(s)["sections"][1]
    assert short["css"] == ""  # 11 pt: it fits
    assert long["css"] in ("dense", "denser") and long["widths"][2] > short["widths"][2]


def test_a_cell_that_fits_is_written_plain_and_no_wrapped_cell_ends_in_one_character():
    """Issue 10: a form's table cell goes through ``keep_tail`` (its last two characters held
    together) only when it may wrap; one that fits its column is written as plain text, which
    is a quarter cheaper to lay out. Read back from the laid-out pages, for texts of every
    length from 1 to 80 characters: no cell that wraps ends in a line of one character, and no
    amount is broken."""
    from django.utils.html import escape

    from documents import typeset

    from .layout import document, lines

    text = "建设统一受理、业务办理、监督管理、统计分析子系统，覆盖省市县三级约3000名用户。" * 3
    rows = [
        {"style": "", "cells": [str(n), text[:n], f"第{n % 7}厅", f"{n * 1234.5:,.2f}"]} for n in range(1, 81)
    ]
    s = _snapshot()
    s["sections"][1] = {**s["sections"][1], "rows": rows}
    table = typeset.prepare(s)["sections"][1]
    marked = [html for row in table["rows"] for _cls, html in row["marked"]]
    plain = [html for html in marked if "<span" not in html]
    # Every cell keeps its text; the short ones (序号, amounts, a department) are plain.
    assert [str(h).replace('<span class="nb">', "").replace("</span>", "") for h in marked] == [
        escape(c) for row in rows for c in row["cells"]
    ]
    assert len(plain) >= 3 * len(rows)
    assert len(plain) < len(marked), "the long texts still keep their last two characters together"

    groups: dict[int, list] = {}
    for line in lines(document("documents/form.html", s)):
        if line.cell is not None:
            groups.setdefault(line.block, []).append(line)
    wrapped = [g for g in groups.values() if len(g) > 1]
    assert wrapped, "some of the longer texts wrap"
    single = ["".join(x.text for x in g) for g in wrapped if len(g[-1].text.strip()) == 1]
    assert not single, single
    assert not [g for g in wrapped if "num" in g[0].classes], "an amount broken over lines"
