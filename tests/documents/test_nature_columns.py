"""建设性质 (issue 15) in what the system hands out: the annual plan table (workbook, CSV,
PDF, the plan page), the ledger, the application form PDF and the import template."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from core.nature import ProjectNature as N
from core.states import ProjectState as S
from documents import filings, storage
from documents.imports import NATURE_WORDS, PROJECT_SHEET, template_workbook
from exports.base import write_xlsx
from exports.reports import LedgerExporter
from projects.models import Project
from projects.plan import PlanExporter
from tests.lifecycle.builders import nature_project_in

from . import pdfcheck

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def planned(orgs, people, call_2026):
    """An O&M item in the approved and issued 2026 plan (the short path's first point)."""
    project, _on = nature_project_in(S.IN_PLAN, orgs, people, call_2026, N.OPERATION, name="教育专网运行维护")
    return project


def test_the_plan_table_has_a_nature_column(planned):
    exporter = PlanExporter(planned.plan.year)
    names = [c.label for c in exporter.columns]
    assert "建设性质" in names
    column = names.index("建设性质")
    row = next(r for r in exporter.rows() if r.style == "")
    assert row.values[1] == "教育专网运行维护" and row.values[column] == "运维"
    buf = io.BytesIO()
    write_xlsx(PlanExporter(planned.plan.year), buf)
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    header = [ws.cell(3, c).value for c in range(1, ws.max_column + 1)]
    assert "建设性质" in header and ws.cell(5, header.index("建设性质") + 1).value == "运维"


def test_the_plan_pdf_and_page_show_the_nature(client, people, planned):
    filing = filings.generate("annual_plan", actor=people.bureau_reviewer, plan=planned.plan)
    with storage.open_file(filing.storage_key) as fh:
        text = flat(pdfcheck.text(fh.read()))
    assert "建设性质" in text and "运维" in text
    client.force_login(people.bureau_head)
    body = client.get(
        reverse("plan", args=[planned.plan.year]) + f"?owner={planned.owner_id}"
    ).content.decode()
    assert '<th scope="col">建设性质</th>' in body and "<td>运维</td>" in body


def test_the_ledger_and_the_application_form_show_the_nature(people, planned):
    rows = list(LedgerExporter(Project.objects.filter(pk=planned.pk)).rows())
    assert rows[0].values[3] == "运维"
    filing = filings.generate("application_form", actor=people.owner_preparer, project=planned)
    with storage.open_file(filing.storage_key) as fh:
        text = flat(pdfcheck.text(fh.read()))
    assert "建设性质运维" in text and "涉及的已建政务信息系统" in text


def test_the_import_template_offers_the_natures():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    header = [c.value for c in wb[PROJECT_SHEET][1]]
    assert "建设性质（新建/续建/扩建·升级改造/运维/购买服务）" in header
    validations = [dv.formula1 for dv in wb[PROJECT_SHEET].data_validations.dataValidation]
    assert '"新建,续建,扩建·升级改造,运维,购买服务"' in validations
    # as published plans write them
    assert NATURE_WORDS["扩建升级改造"] == NATURE_WORDS["升级改造"] == N.UPGRADE
    assert NATURE_WORDS["运行维护"] == N.OPERATION and NATURE_WORDS["政府购买服务"] == N.SERVICE
