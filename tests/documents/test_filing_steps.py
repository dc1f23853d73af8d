"""Filings belong to steps (issue 7, item 1).

A numbered letter records the outcome of one step of the 办法 and is issued only after that
step, only by that step's actor, once per step occurrence, from the data the step recorded.
Before the step only a sample (征求意见稿/样稿) can be had: watermarked, unnumbered, not
stored. Who acts is written here from the 办法, not read from the code:

* 联合审核意见书 — 第十条: the bureau (省营商环境局) decides the joint review; its 负责人.
* 初步设计方案批复 — 第十八条: 省营商环境局, or 省内网办 for intranet projects; 负责人.
  Not for projects whose FSR and design were merged (第十七条).
* 变更备案回执 — 第二十八条: the change is 报省营商环境局备案; the bureau's staff.
* 整改通知 — 第三十六条: issued with the order to rectify, by whoever ordered it: the bureau's
  负责人 (责令整改 is the bureau's decision).
* 竣工验收意见 — 第二十九条: the bureau organises the acceptance; its 负责人 decides.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from documents import filings, storage
from documents.evidence import latest
from documents.models import DocumentCounter, Filing, MaterialVersion, SignOff
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import services as project_services
from tests.conftest import at
from tests.lifecycle.builders import project_in, walk
from web.scenarios import Walker

from . import pdfcheck
from .conftest import reviewed, through_joint_review

D = datetime.date


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(filing: Filing) -> str:
    with storage.open_file(filing.storage_key) as fh:
        return flat(pdfcheck.text(fh.read()))


def counters() -> dict:
    return {(c.organisation_id, c.year): c.last_number for c in DocumentCounter.objects.all()}


@pytest.fixture
def codes(orgs):
    for kind, code in (("bureau", "黑营商"), ("intranet", "黑内网")):
        orgs[kind].code = code
        orgs[kind].save()
    return orgs


def refused_without_trace(kind, actor, project, code, **kw):
    """Generation refused with ``code``: no Filing row, no number taken, no generation audited."""
    before = (
        counters(),
        Filing.objects.count(),
        AuditEntry.objects.filter(action="filing.generated").count(),
    )
    with pytest.raises(RuleViolation) as exc:
        filings.generate(kind, actor=actor, project=project, **kw)
    assert exc.value.code == code, exc.value.message
    after = (counters(), Filing.objects.count(), AuditEntry.objects.filter(action="filing.generated").count())
    assert after == before
    return exc.value


def assert_issued_once(kind, actor, project, filing, **kw):
    """A second request for the same step takes no number and names the one issued."""
    before = counters()
    exc = refused_without_trace(kind, actor, project, "issued", **kw)
    assert filing.document_no in exc.message
    assert counters() == before and Filing.objects.filter(kind=kind, project=project).count() == 1


def walker_on(project, people, state, on):
    return walk(Walker(people), project, state, on)


# ---------------------------------------------------------------- 联合审核意见书 (第十条)


def test_joint_review_opinion_follows_the_heads_decision(project, people, codes):
    through_joint_review(project, people)
    # Before 联合审核通过/不通过: refused, no number.
    exc = refused_without_trace("joint_review_opinion", people.bureau_head, project, "step")
    assert "联合审核通过" in exc.message and "样稿" in exc.message
    reviewed(project, people)
    # Not the bureau, or not its 负责人.
    refused_without_trace("joint_review_opinion", people.cac_head, project, "permission")
    refused_without_trace("joint_review_opinion", people.bureau_reviewer, project, "permission")
    refused_without_trace("joint_review_opinion", people.owner_head, project, "permission")
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    assert filing.document_no == "黑营商〔2025〕1号" and filing.step_entry.action == "pass_review"
    text = pdf_text(filing)
    assert "通过联合审核，可列入年度建设计划编制范围" in text
    for heading in ("一、集约化建设和数据共享审核意见", "二、网络安全审核意见", "三、密码应用审核意见"):
        assert heading in text
    assert "符合集约化建设要求，数据共享目录完整" in text and "请补充密钥管理设计" in text
    # No expert evaluation took place: none is mentioned.
    assert "专家" not in text
    with at(2025, 6, 28):
        assert_issued_once("joint_review_opinion", people.bureau_head, project, filing)


def test_a_rejected_review_gives_a_letter_saying_so_with_the_reason(project, people, codes):
    reviewed(through_joint_review(project, people), people, passed=False)
    assert project.state == S.REVIEW_REJECTED
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    text = pdf_text(filing)
    assert "未通过联合审核" in text and "与已建系统功能重复" in text
    assert "可列入年度建设计划编制范围" not in text


def test_the_expert_evaluation_is_mentioned_only_when_held_and_never_as_one_of_the_three(
    project, people, codes
):
    from .conftest import go

    through_joint_review(project, people)
    with at(2025, 6, 23):
        go(
            project,
            "start_expert_evaluation",
            people.bureau_reviewer,
            reason="投资规模大，组织专家评估论证。",
        )
        go(
            project,
            "finish_expert_evaluation",
            people.expert_reviewer,
            reason="技术路线可行，建议加强数据治理。",
            conclusion="approve",
        )
    reviewed(project, people)
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    text = pdf_text(filing)
    assert "现将三方面审核意见函告如下" in text
    assert "四、专家评估论证情况" in text and "技术路线可行，建议加强数据治理" in text
    assert "不属于上述三方面审核意见" in text and "五、审核结论" in text


# ---------------------------------------------------------------- 初步设计方案批复 (第十八条)


def test_design_approval_only_after_approve_design_with_the_recorded_figures(orgs, people, call_2026, codes):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    refused_without_trace("design_approval", people.bureau_head, project, "step")
    with as_of(on):
        services.perform(
            project,
            "approve_design",
            actor=people.bureau_head,
            design_approval_no="黑营商审〔2026〕7号",
            approved_estimate_yuan=Decimal("4860000.00"),
            design_evaluation="third_party",
        )
    project.refresh_from_db()
    refused_without_trace("design_approval", people.bureau_reviewer, project, "permission")
    refused_without_trace("design_approval", people.drc_head, project, "permission")
    filing = filings.generate("design_approval", actor=people.bureau_head, project=project)
    text = pdf_text(filing)
    assert filing.document_no == "黑营商审〔2026〕7号" and "黑营商审〔2026〕7号" in text
    assert "核定项目概算总投资486.00万元" in text
    assert "委托具备资质的第三方咨询评估机构" in text and "专家" not in text.split("四、有关要求")[0]
    assert counters() == {}  # the recorded 批复文号 is used: no counter number taken
    assert_issued_once("design_approval", people.bureau_head, project, filing)


def test_design_approval_by_experts_says_so(orgs, people, call_2026, codes):
    project, _on = project_in(
        S.APPROVAL_COMPLETE, orgs, people, call_2026
    )  # Walker: design_evaluation=experts
    filing = filings.generate("design_approval", actor=people.bureau_head, project=project)
    assert "经组织相关部门、专家对初步设计方案进行评估论证" in pdf_text(filing)


def test_approve_design_requires_how_the_design_was_evaluated(orgs, people, call_2026):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(
            project,
            "approve_design",
            actor=people.bureau_head,
            design_approval_no="黑营商审〔2026〕7号",
            approved_estimate_yuan=Decimal("4860000.00"),
        )
    assert "评估论证方式" in exc.value.message and "第十八条" in exc.value.message
    project.refresh_from_db()
    assert project.state == S.DESIGN_REVIEW


def test_the_step_form_offers_the_evaluation_choice(client, orgs, people, call_2026):
    project, _on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    client.force_login(people.bureau_head)
    response = client.get(f"/projects/{project.pk}/steps/approve_design/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="design_evaluation"' in body and "委托具备资质的第三方咨询评估机构" in body


def test_an_intranet_design_is_approved_by_the_intranet_office(orgs, people, call_2026, codes):
    project, _on = project_in(S.APPROVAL_COMPLETE, orgs, people, call_2026, network="intranet")
    exc = refused_without_trace("design_approval", people.bureau_head, project, "permission")
    assert "省内网办" in exc.message or "内网" in exc.message
    filing = filings.generate("design_approval", actor=people.intranet_head, project=project)
    assert filing.issuer == orgs["intranet"]


def test_no_blank_estimate_the_approval_is_refused_naming_it(orgs, people, call_2026, codes):
    project, on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026)
    # The step itself refuses a blank 概算 (lifecycle.stepdata), so no approval — and no letter —
    # can exist without the amount the letter states.
    with as_of(on), pytest.raises(RuleViolation) as refused:
        services.perform(
            project,
            "approve_design",
            actor=people.bureau_head,
            design_approval_no="黑营商审〔2026〕8号",
            approved_estimate_yuan=None,
            design_evaluation="experts",
        )
    assert "概算总投资" in refused.value.message
    project.refresh_from_db()
    assert project.state == S.DESIGN_REVIEW
    exc = refused_without_trace("design_approval", people.bureau_head, project, "step")
    assert "初步设计" in exc.message


def test_a_merged_project_has_no_design_approval(orgs, people, call_2026, codes):
    # 办法第十七条（一）: the extension ground belongs to an upgrade (建设性质, issue 15).
    project, _on = project_in(
        S.APPROVAL_COMPLETE,
        orgs,
        people,
        call_2026,
        merged_fsr_design=True,
        merged_ground="extension",
        nature="upgrade",
        system_name="已建业务系统",
    )
    exc = refused_without_trace("design_approval", people.bureau_head, project, "not_applicable")
    assert "第十七条" in exc.message


# ---------------------------------------------------------------- 变更备案回执 (第二十八条)


def test_change_receipt_after_the_change_is_filed(orgs, people, call_2026, codes):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on):
        change = services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整数据治理模块",
            reason="按省委部署调整",
            ground="deployment",
            items=[{"from_content": "移动端", "to_content": "数据治理", "amount_yuan": Decimal("250000.00")}],
        )
    # A draft change: no receipt; the owner may see a sample of the change form only.
    refused_without_trace("change_receipt", people.bureau_reviewer, project, "step", object_id=change.pk)
    sample = filings.preview("change_form", actor=people.owner_preparer, project=project, object_id=change.pk)
    assert "样稿" in flat(pdfcheck.text(sample.data))
    with as_of(on):
        services.change_submit(change, actor=people.owner_head)
    change.refresh_from_db()
    assert change.state == "filed"
    refused_without_trace("change_receipt", people.owner_head, project, "permission", object_id=change.pk)
    receipt = filings.generate(
        "change_receipt", actor=people.bureau_reviewer, project=project, object_id=change.pk
    )
    text = pdf_text(receipt)
    # 25万 of a 500万 estimate = 5.00 %.
    assert "本次调整金额25.00万元" in text and "累计调整比例5.00%" in text
    assert_issued_once("change_receipt", people.bureau_head, project, receipt, object_id=change.pk)
    form = filings.generate("change_form", actor=people.owner_preparer, project=project, object_id=change.pk)
    assert form.document_no == "" and "项目变更备案表" in pdf_text(form)


# ---------------------------------------------------------------- 整改通知 (第三十六条)


def test_rectification_notice_is_part_of_the_order(orgs, people, call_2026, codes):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    refused_without_trace("rectification_notice", people.bureau_reviewer, project, "missing")
    with as_of(on):
        services.perform(
            project,
            "order_rectification",
            actor=people.bureau_head,
            reason="未按批复开展密码应用建设。",
            working_days=10,
        )
    project.refresh_from_db()
    refused_without_trace("rectification_notice", people.cac_reviewer, project, "permission")
    refused_without_trace("rectification_notice", people.owner_head, project, "permission")
    # Not the bureau's staff who did not order it: the notice is the 负责人's order (第三十六条).
    refused_without_trace("rectification_notice", people.bureau_reviewer, project, "permission")
    notice = filings.generate("rectification_notice", actor=people.bureau_head, project=project)
    text = pdf_text(notice)
    assert "未按批复开展密码应用建设" in text and notice.document_no in text
    assert_issued_once("rectification_notice", people.bureau_head, project, notice)


# ---------------------------------------------------------------- 竣工验收意见 (第二十九、三十一条)


def _with_evidence(project):
    """The Walker filed the documents before 申请竣工验收 (办法第二十三、三十一条), dated and
    with their issuing body; the letter states them from these versions."""
    for kind in ("archive_opinion", "crypto_assessment"):
        version = latest(project, kind)
        assert version is not None and version.number == 1 and version.issued_on and version.issuing_body


def test_acceptance_opinion_after_accept_states_the_archive_acceptance_from_its_evidence(
    orgs, people, call_2026, codes
):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    _with_evidence(project)
    refused_without_trace("acceptance_opinion", people.bureau_head, project, "step")
    sample = filings.preview("acceptance_opinion", actor=people.bureau_reviewer, project=project)
    pages = pdfcheck.page_texts(sample.data)
    assert all("征求意见稿" in flat(p) for p in pages) and "项目通过竣工验收" not in flat("".join(pages))
    on = walker_on(project, people, S.ACCEPTED, on)
    refused_without_trace("acceptance_opinion", people.bureau_reviewer, project, "permission")
    filing = filings.generate("acceptance_opinion", actor=people.bureau_head, project=project)
    text = pdf_text(filing)
    assert "项目通过竣工验收" in text and "已通过档案验收" in text and "档案验收意见第1版" in text
    # The opinions actually given (Walker: 网信办, 密码管理局, 发改委, 公安厅).
    for org in ("中共黑龙江省委网络安全和信息化委员会办公室", "黑龙江省公安厅"):
        assert org in text
    assert "500.00万元" in text


def test_without_the_archive_evidence_the_acceptance_opinion_is_refused(orgs, people, call_2026, codes):
    project, _on = project_in(S.ACCEPTED, orgs, people, call_2026)
    # A project accepted before its documents were kept here (records carried over): no
    # 档案验收意见 on file. The letter does not claim the archive acceptance (第三十一条).
    archive = MaterialVersion.objects.filter(project=project, kind="archive_opinion")
    SignOff.objects.filter(version__in=archive).delete()
    archive.delete()
    exc = refused_without_trace("acceptance_opinion", people.bureau_head, project, "missing_data")
    assert "档案验收意见" in exc.message


def test_a_failed_acceptance_gives_a_letter_that_says_it_failed(orgs, people, call_2026, codes):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    with as_of(on):
        services.perform(project, "fail_acceptance", actor=people.bureau_head, reason="密码应用未通过测评。")
    project.refresh_from_db()
    filing = filings.generate("acceptance_opinion", actor=people.bureau_head, project=project)
    text = pdf_text(filing)
    assert "项目未通过竣工验收" in text and "密码应用未通过测评" in text
    assert "通过档案验收" not in text and "项目通过竣工验收" not in text


# ---------------------------------------------------------------- samples


def test_a_sample_is_watermarked_unnumbered_unstored_and_audited(project, people, codes):
    through_joint_review(project, people)
    before = (counters(), Filing.objects.count())
    sample = filings.preview("joint_review_opinion", actor=people.bureau_reviewer, project=project)
    pages = pdfcheck.page_texts(sample.data)
    assert pages and all("征求意见稿" in flat(p) for p in pages)
    assert "黑营商〔" not in flat("".join(pages)) and "待定" in flat("".join(pages))
    assert (counters(), Filing.objects.count()) == before
    assert AuditEntry.objects.filter(action="filing.previewed", actor=people.bureau_reviewer).exists()
    # Others do not draft the bureau's letter.
    with pytest.raises(RuleViolation):
        filings.preview("joint_review_opinion", actor=people.owner_head, project=project)
    # After the step, no sample: the letter is issued.
    reviewed(project, people)
    with pytest.raises(RuleViolation) as exc:
        filings.preview("joint_review_opinion", actor=people.bureau_reviewer, project=project)
    assert exc.value.code == "step"


def test_the_owner_drafts_the_application_form_before_submission(client, project, people):
    url = reverse("documents:filing_generate", args=[project.pk, "application_form"])
    client.force_login(people.owner_preparer)
    assert client.post(url).status_code == 400  # not submitted: nothing to issue
    response = client.post(url, {"mode": "preview"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdfcheck.page_texts(response.content)
    assert all("样稿" in flat(p) for p in pages)
    assert not Filing.objects.exists()


# ---------------------------------------------------------------- views and pages


def test_bad_object_ids_are_errors_not_crashes(client, project, people):
    client.force_login(people.owner_preparer)
    for kind in ("change_receipt", "change_form", "rectification_notice", "performance_form"):
        url = reverse("documents:filing_generate", args=[project.pk, kind])
        for value in ("abc", "99999999999999999999", "-1"):
            assert client.post(url, {"object_id": value}).status_code in (400, 403), (kind, value)


def test_a_second_request_answers_409_with_the_number(client, project, people, codes):
    reviewed(through_joint_review(project, people), people)
    client.force_login(people.bureau_head)
    url = reverse("documents:filing_generate", args=[project.pk, "joint_review_opinion"])
    first = client.post(url)
    assert first.status_code == 201
    second = client.post(url)
    assert second.status_code == 409 and first.json()["document_no"] in second.json()["error"]


def _buttons(client, person, project):
    client.force_login(person)
    body = client.get(reverse("project", args=[project.pk])).content.decode()
    issue = set(re.findall(r"出具《([^》]+)》</button>", body))
    sample = set(re.findall(r"下载《([^》]+)》样稿</button>", body))
    return issue, sample


@pytest.mark.parametrize(
    "state, persona, issue, sample",
    [
        (S.DRAFT, "owner_preparer", set(), {"政务信息化项目建设需求申报表"}),
        (S.JOINT_REVIEW, "bureau_reviewer", set(), {"联合审核意见书"}),
        (S.JOINT_REVIEW, "bureau_head", set(), {"联合审核意见书"}),
        (S.JOINT_REVIEW, "owner_preparer", {"政务信息化项目建设需求申报表"}, set()),
        (S.JOINT_REVIEW, "cac_head", set(), set()),
        (S.REVIEW_PASSED, "bureau_head", {"联合审核意见书"}, set()),
        (S.REVIEW_PASSED, "bureau_reviewer", set(), set()),
        (S.DESIGN_REVIEW, "bureau_reviewer", set(), {"初步设计方案批复"}),
        (S.APPROVAL_COMPLETE, "bureau_head", {"联合审核意见书", "初步设计方案批复"}, set()),
        (S.APPROVAL_COMPLETE, "drc_head", set(), set()),
        (S.ACCEPTANCE_REVIEW, "bureau_head", {"联合审核意见书", "初步设计方案批复"}, {"验收意见"}),
    ],
)
def test_the_project_page_shows_only_allowed_buttons(
    client, orgs, people, call_2026, codes, state, persona, issue, sample
):
    project, _on = project_in(state, orgs, people, call_2026)
    shown_issue, shown_sample = _buttons(client, people[persona], project)
    assert (shown_issue, shown_sample) == (issue, sample)


def test_a_closed_project_offers_only_downloads(client, orgs, people, call_2026, codes):
    project, on = project_in(S.REVIEW_PASSED, orgs, people, call_2026)
    filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    walker_on(project, people, S.CLOSED, on)
    project.refresh_from_db()
    assert project.state == S.CLOSED
    for persona in ("bureau_head", "bureau_reviewer", "owner_head", "owner_preparer"):
        client.force_login(people[persona])
        body = client.get(reverse("project", args=[project.pk])).content.decode()
        assert "filings/" not in body.split('id="h-filings"')[1].split("</section>")[0].replace(
            reverse("documents:filing_download", args=[filing.pk]), ""
        )
        assert reverse("documents:filing_download", args=[filing.pk]) in body
    refused_without_trace("acceptance_opinion", people.bureau_head, project, "frozen")


def test_the_plan_table_is_a_draft_until_approved(client, orgs, people, call_2026, codes):
    project, on = project_in(S.REVIEW_PASSED, orgs, people, call_2026)
    with as_of(on):
        plan = project_services.plan_open(call_2026.year, actor=people.bureau_head)
        services.plan_include(plan, project, actor=people.bureau_reviewer)
    with pytest.raises(RuleViolation) as exc:
        filings.generate("annual_plan", actor=people.bureau_reviewer, plan=plan)
    assert exc.value.code == "step" and not Filing.objects.exists()
    sample = filings.preview("annual_plan", actor=people.finance_reviewer, plan=plan)
    assert all("样稿" in flat(p) for p in pdfcheck.page_texts(sample.data))
    client.force_login(people.bureau_reviewer)
    body = client.get(reverse("plan", args=[plan.year])).content.decode()
    assert "年度建设计划样稿" in body and "出具年度建设计划" not in body


# ---------------------------------------------------------------- the owner's tables


@pytest.mark.parametrize(
    "before, after, kind",
    [
        (S.COMPLETED, S.EXTENSION_REQUESTED, "extension_form"),
        (S.COMPLETED, S.ACCEPTANCE_REVIEW, "acceptance_form"),
        (S.OPERATION, S.SELF_EVALUATED, "self_evaluation_form"),
    ],
)
def test_the_owners_tables_follow_their_steps(orgs, people, call_2026, before, after, kind):
    project, on = project_in(before, orgs, people, call_2026)
    refused_without_trace(kind, people.owner_preparer, project, "step")
    walker_on(project, people, after, on)
    refused_without_trace(kind, people.bureau_reviewer, project, "permission")
    filing = filings.generate(kind, actor=people.owner_preparer, project=project)
    text = pdf_text(filing)
    assert filing.document_no == "" and filing.step_entry.project_id == project.pk
    if kind == "extension_form":
        from lifecycle.policy import get_policy
        from lifecycle.workdays import add_months

        # what the owner asked for (Walker: three months beyond the half-year of 第二十九条)
        due = add_months(on, get_policy().acceptance_application_months + 3)
        assert f"{due.year}年{due.month}月{due.day}日" in text
    assert "样稿" not in text
    refused_without_trace(kind, people.owner_head, project, "issued")


def test_the_performance_report_form_follows_the_report(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    refused_without_trace("performance_form", people.owner_preparer, project, "missing")
    with as_of(on):
        report = services.performance_report_submit(
            project,
            actor=people.owner_preparer,
            year=on.year,
            progress="完成需求分析和总体设计。",
            investment_executed_yuan=Decimal("1250000.00"),
            user_opinions="使用单位同意需求分析结论。",
            supervisor_opinion="监理单位确认设计文档齐全。",
        )
    refused_without_trace(
        "performance_form", people.bureau_reviewer, project, "permission", object_id=report.pk
    )
    filing = filings.generate(
        "performance_form", actor=people.owner_preparer, project=project, object_id=report.pk
    )
    text = pdf_text(filing)
    # 125万 of the 500万 estimate.
    assert "125.00" in text and "25.00%" in text and "完成需求分析和总体设计" in text
