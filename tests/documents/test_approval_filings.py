"""Filings of the approval chapter (办法第十一、十八条), written from the 办法:

* 初步设计方案不予批复意见 — 第十八条: the body evaluating the design (省营商环境局, or 省内网办
  for an intranet project) refuses; its 负责人 signs the letter, after the refusal only, once,
  with the reason recorded. A refused design never gets the approval letter (初步设计方案批复).
* 年度建设计划 — 第十一条: once approved, the table names the government's approval document.
"""

from __future__ import annotations

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from documents import filings
from lifecycle import services
from tests.lifecycle.builders import project_in

from .test_filing_steps import assert_issued_once, pdf_text, refused_without_trace

R = "技术路线不可行，评估论证结论为不予批复。"


@pytest.fixture
def codes(orgs):
    for kind, code in (("bureau", "黑营商"), ("intranet", "黑内网")):
        orgs[kind].code = code
        orgs[kind].save()
    return orgs


def test_a_refused_design_gets_a_refusal_letter_and_never_the_approval(orgs, people, call_2026, codes):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    refused_without_trace("design_refusal", people.bureau_head, project, "step")
    with as_of(on):
        services.perform(project, "refuse_design", actor=people.bureau_head, reason=R)
    project.refresh_from_db()
    refused_without_trace("design_approval", people.bureau_head, project, "step")
    refused_without_trace("design_refusal", people.bureau_reviewer, project, "permission")
    refused_without_trace("design_refusal", people.owner_head, project, "permission")
    kinds = {(a["kind"], a["mode"]) for a in filings.actions_for(people.bureau_head, project)}
    assert ("design_refusal", "issue") in kinds and not {k for k, _m in kinds if k == "design_approval"}
    with as_of(on):
        filing = filings.generate("design_refusal", actor=people.bureau_head, project=project)
    text = pdf_text(filing)
    assert filing.document_no.startswith("黑营商") and "不予批复" in text and R in text
    assert "核定项目概算总投资" not in text and "原则同意" not in text
    assert_issued_once("design_refusal", people.bureau_head, project, filing)


def test_an_intranet_design_refusal_is_the_intranet_offices_letter(orgs, people, call_2026, codes):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026, network="intranet")
    with as_of(on):
        services.perform(project, "refuse_design", actor=people.intranet_head, reason=R)
    project.refresh_from_db()
    refused_without_trace("design_refusal", people.bureau_head, project, "permission")
    with as_of(on):
        filing = filings.generate("design_refusal", actor=people.intranet_head, project=project)
    assert filing.document_no.startswith("黑内网")


def test_the_approved_plan_table_names_the_governments_approval(orgs, people, call_2026):
    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)
    plan = project.plan
    assert plan.approval_no  # recorded by the walker's approval (web.scenarios)
    filing = filings.generate("annual_plan", actor=people.bureau_head, plan=plan)
    assert plan.approval_no in pdf_text(filing)
