"""The fair baselines the benchmarks compare against, in the same process (issue 10).

* a page: a bare Django view (login required, like every page) rendering 25 projects with
  their owner from one query, through the same client and middleware as ours;
* a workbook: bare openpyxl in write-only mode writing the same rows (computed beforehand,
  outside the measurement) with the same fonts, borders, fills and number formats, each style
  made ONCE per column kind and copied to each cell (openpyxl's cheapest way);
* a CSV: the csv module writing the same rows;
* a PDF: bare WeasyPrint on the same HTML, reusing ONE FontConfiguration for every document
  (building one per document re-reads the CJK faces and made ours look twice as fast).
"""

from __future__ import annotations

import copy
import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from projects.models import Project

PAGE = engines["django"].from_string(
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>项目</title></head><body>'
    "<table>{% for p in projects %}<tr><td>{{ p.name }}</td><td>{{ p.owner.name }}</td>"
    "<td>{{ p.get_state_display }}</td><td>{{ p.total_investment_yuan }}</td></tr>{% endfor %}"
    "</table></body></html>"
)


@login_required
def bare_page(request):
    projects = Project.objects.select_related("owner").order_by("-created_at", "-pk")[:25]
    return HttpResponse(PAGE.render({"projects": projects}))


URLS = [path("bench/bare/", bare_page, name="bench_bare")]


# ---------------------------------------------------------------- workbooks


def xlsx_rows(exporter) -> tuple[list[str], list[tuple[list, bool]]]:
    """The exporter's rows, computed once before the measurement."""
    return [c.kind for c in exporter.columns], [(list(r.values), bool(r.style)) for r in exporter.rows()]


def bare_xlsx(kinds: list[str], rows: list[tuple[list, bool]]) -> bytes:
    # deferred: openpyxl is only needed by this baseline
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    from exports import base

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("bare")
    formats = {"money": base.MONEY_FORMAT, "date": base.DATE_FORMAT, "pct": "0.00%"}
    styles = {}
    for kind in set(kinds):
        for emphasised in (False, True):
            proto = WriteOnlyCell(ws, None)
            proto.font, proto.border = (base.BOLD if emphasised else base.PLAIN), base.BORDER
            if emphasised:
                proto.fill = base.SUB_FILL
            if kind in formats:
                proto.number_format = formats[kind]
            styles[kind, emphasised] = proto._style
    for values, emphasised in rows:
        cells = []
        for kind, value in zip(kinds, values, strict=False):
            c = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                c.data_type = "s"
            c._style = copy.copy(styles[kind, emphasised])
            cells.append(c)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def bare_csv(labels: list[str], rows: list[tuple[list, bool]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(labels)
    for values, _emphasised in rows:
        writer.writerow(["" if v is None else v for v in values])
    return out.getvalue().encode()


# ---------------------------------------------------------------- PDFs

_fonts = None


def bare_pdf(html: str, base_url: str) -> bytes:
    # deferred: weasyprint takes about half a second to import
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    global _fonts
    if _fonts is None:
        _fonts = FontConfiguration()
    return HTML(string=html, base_url=base_url).render(font_config=_fonts).write_pdf()
