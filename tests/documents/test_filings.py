"""Generated filings read back: title, document number, amounts, page geometry, fonts,
page numbers; gap-free numbering; reproduction from the snapshot."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from documents import filings, numbering, storage
from documents.models import DocumentCounter, Filing
from lifecycle import services as lifecycle
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import services as project_services
from tests.conftest import at

from . import pdfcheck
from .conftest import reviewed, through_construction, through_joint_review

A4 = (210.0, 297.0)


def pdf_of(filing: Filing) -> bytes:
    with storage.open_file(filing.storage_key) as fh:
        return fh.read()


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_letter_layout(data: bytes):
    """GB/T 9704-2012: A4, text block starts 37 mm from the top and 28 mm from the left,
    stays 35 mm above the bottom (26 mm right margin → 156 mm wide); page numbers "— N —"
    in the bottom margin, right on odd pages and left on even pages."""
    assert set(pdfcheck.sizes_mm(data)) == {A4}
    reader = pdfcheck.reader(data)
    for number, page in enumerate(reader.pages, 1):
        positions = pdfcheck.text_positions(page)
        body = [p for p in positions if p[1] < 297 - 35]
        left = min(x for x, _y, _t in body)
        assert left == pytest.approx(28.0, abs=0.2) if number == 1 else left >= 27.8
        assert min(y for _x, y, _t in body) > 37.0  # baselines below the top of the text block
        footer = [p for p in positions if p[1] > 297 - 35]
        assert flat("".join(t for _x, _y, t in footer)) == f"—{number}—"
        footer_x = min(x for x, _y, _t in footer)
        assert (footer_x > 150) if number % 2 else (footer_x < 60)
    assert not pdfcheck.unembedded_fonts(data)


def test_joint_review_opinion_reads_back_with_title_number_and_amount(project, people, bureau_code):
    reviewed(through_joint_review(project, people), people)
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    data = pdf_of(filing)
    text = flat(pdfcheck.text(data))
    assert filing.document_no == "黑营商〔2025〕1号"
    assert "关于全省教育督导信息平台联合审核意见书" in text
    assert "黑营商〔2025〕1号" in text and "500.00万元" in text
    assert "网络安全审核意见" in text and "密码应用审核意见" in text and "原则同意，按意见修改" in text
    assert "2025年6月27日" in text  # 成文日期 in Arabic numerals
    assert_letter_layout(data)
    assert {"仿宋", "黑体", "小标宋-Bold", "宋体"} <= {n.split("+")[-1] for n in pdfcheck.font_names(data)}
    entry = AuditEntry.objects.get(action="filing.generated", project=project)
    assert entry.data["document_no"] == "黑营商〔2025〕1号" and entry.data["sm3"] == filing.sm3


def test_design_approval_states_the_estimate_and_goes_to_the_design_reviewer(project, people, bureau_code):
    project = through_construction(project, people)
    with pytest.raises(RuleViolation, match="省营商环境局"):
        filings.generate("design_approval", actor=people.drc_head, project=project)
    with at(2026, 3, 2):
        filing = filings.generate("design_approval", actor=people.bureau_head, project=project)
    text = flat(pdfcheck.text(pdf_of(filing)))
    assert "关于全省教育督导信息平台初步设计方案的批复" in text
    assert "核定项目概算总投资500.00万元" in text and filing.document_no in text
    # The letter carries the 批复文号 approve_design recorded, not a second number.
    assert filing.document_no == "黑营商审〔2026〕3号" and filing.number is None
    assert "经组织相关部门、专家对初步设计方案进行评估论证" in text
    assert "（一）严格按批复实施" in text and "1.依法委托工程监理单位" in text
    assert_letter_layout(pdf_of(filing))


def test_change_form_and_receipt_show_amounts_and_cumulative_ratio(project, people, bureau_code):
    project = through_construction(project, people)
    with at(2026, 5, 6):
        change = lifecycle.change_create(
            project,
            actor=people.owner_preparer,
            title="调整数据治理模块",
            reason="按省委部署调整",
            ground="deployment",
            items=[{"from_content": "移动端", "to_content": "数据治理", "amount_yuan": Decimal("500000.00")}],
        )
        lifecycle.change_submit(change, actor=people.owner_head)
        form = filings.generate("change_form", actor=people.owner_preparer, project=project)
        receipt = filings.generate("change_receipt", actor=people.bureau_reviewer, project=project)
    form_text = flat(pdfcheck.text(pdf_of(form)))
    assert "项目变更备案表" in form_text
    assert "本次变更金额（万元）50.00" in form_text and "累计变更比例（含本次）10.00%" in form_text
    assert "概算总投资（万元）500.00" in form_text and "根据国家和省委、省政府部署" in form_text
    assert form.document_no == ""  # forms carry no 发文字号
    receipt_text = flat(pdfcheck.text(pdf_of(receipt)))
    assert "关于全省教育督导信息平台项目变更备案的回执" in receipt_text
    assert "累计调整比例10.00%" in receipt_text and receipt.document_no == "黑营商〔2026〕1号"


def submit_all(project, people):
    from projects.models import CallSubmission

    with at(2025, 6, 20):
        submission, _ = CallSubmission.objects.get_or_create(call=project.call, organisation=project.owner)
        project_services.call_submit(
            submission, actor=people.owner_head, letter="申报函", responsible_person=people.owner_head
        )
    project.refresh_from_db()
    return project


def test_application_form_has_every_item_of_article_9_and_page_x_of_y(project, people):
    from projects.models import DataResource

    DataResource.objects.bulk_create(
        [
            DataResource(
                project=project,
                name=f"教育督导数据资源{i}",
                provider="黑龙江省教育厅",
                data_format="数据库",
                update_cycle="每日",
                sharing_type="conditional",
                sharing_condition="仅限教育督导业务使用",
                open_type="closed",
            )
            for i in range(40)
        ]
    )
    submit_all(project, people)
    with at(2025, 6, 21):
        filing = filings.generate("application_form", actor=people.owner_preparer, project=project)
    data = pdf_of(filing)
    pages = pdfcheck.page_texts(data)
    assert len(pages) >= 2 and filing.pages == len(pages)
    for n, page in enumerate(pages, 1):
        assert flat(f"第 {n} 页 共 {len(pages)} 页") in flat(page)
        # The header of the catalogue table repeats on every page it runs over.
    catalogue_pages = [p for p in pages if "教育督导数据资源" in flat(p)]
    assert len(catalogue_pages) >= 2 and all("共享条件或不予共享依据" in flat(p) for p in catalogue_pages)
    text = flat("".join(pages))
    for item in (
        "项目名称",
        "项目建设单位",
        "建设依据和必要性",
        "建设内容和规模",
        "建设工期",
        "项目总投资",
        "年度投资额",
        "资金来源",
        "项目绩效目标",
        "数据资源目录",
        "政务云需求方案",
        "等级保护或分级保护方案",
        "安全保障方案",
        "产品安全可靠情况",
        "密码应用方案",
    ):
        assert item in text, item
    assert "500.00" in text and "政务信息化项目建设需求申报表" in text
    assert set(pdfcheck.sizes_mm(data)) == {A4}
    assert not pdfcheck.unembedded_fonts(data)


def test_a_filing_can_be_produced_again_from_its_snapshot(project, people):
    submit_all(project, people)
    with at(2025, 6, 21):
        filing = filings.generate("application_form", actor=people.owner_preparer, project=project)
    project.name = "改名后的项目"
    project.save()
    assert filings.filing_verify(filing) == {"stored_intact": True, "reproducible": True}
    assert filing.snapshot["sections"][0]["fields"][0][1] == "全省教育督导信息平台"


def test_document_numbers_are_per_organisation_and_year_and_gap_free(
    project, people, bureau_code, monkeypatch
):
    from projects.models import Project
    from tests.factories import ProjectFactory, complete_application

    second_project, third_project = (
        complete_application(ProjectFactory(owner=project.owner, call=project.call, name=name))
        for name in ("全省教育资助管理平台", "全省学籍管理平台")
    )
    through_joint_review(project, people)  # submits all three (办法第八条) and reviews the first
    for other in (second_project, third_project):
        other = Project.objects.get(pk=other.pk)
        with at(2025, 6, 23):
            go_review(other, people)
    for p in (project, second_project, third_project):
        reviewed(Project.objects.get(pk=p.pk), people)
    with at(2025, 6, 27):
        first = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)

        def broken(*a, **kw):
            raise RuntimeError("renderer crashed")

        monkeypatch.setattr(filings.pdf, "render", broken)
        with pytest.raises(RuntimeError):
            filings.generate("joint_review_opinion", actor=people.bureau_head, project=second_project)
        monkeypatch.undo()
        assert DocumentCounter.objects.get(organisation=bureau_code, year=2025).last_number == 1
        second = filings.generate("joint_review_opinion", actor=people.bureau_head, project=third_project)
    with at(2026, 1, 5):
        next_year = filings.generate("joint_review_opinion", actor=people.bureau_head, project=second_project)
    assert [first.number, second.number, next_year.number] == [1, 2, 1]
    assert next_year.document_no == "黑营商〔2026〕1号"
    assert DocumentCounter.objects.get(organisation=bureau_code, year=2025).last_number == 2


def go_review(project, people):
    from .conftest import go

    go(project, "accept_application", people.bureau_reviewer)
    for person, aspect in (
        (people.bureau_reviewer, "intensive"),
        (people.cac_reviewer, "security"),
        (people.crypto_reviewer, "crypto"),
    ):
        lifecycle.opinion_give(project, actor=person, aspect=aspect, conclusion="approve", text="同意。")


def test_numbering_refuses_an_organisation_without_a_code(project, people):
    reviewed(through_joint_review(project, people), people)
    with pytest.raises(RuleViolation, match="机关代字"):
        filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    assert not Filing.objects.exists()
    assert numbering.format_document_no("黑营商", 2026, 7) == "黑营商〔2026〕7号"


def test_an_owner_cannot_issue_a_letter_and_an_outsider_cannot_generate(project, people, bureau_code):
    reviewed(through_joint_review(project, people), people)
    with pytest.raises(RuleViolation) as refused:
        filings.generate("joint_review_opinion", actor=people.owner_head, project=project)
    assert refused.value.code == "permission" and "省营商环境局" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        filings.generate("application_form", actor=people.other_owner_head, project=project)
    assert refused.value.code == "permission"


def test_filing_views_check_access_and_record_downloads(client, project, people):
    submit_all(project, people)
    url = reverse("documents:filing_generate", args=[project.pk, "application_form"])
    client.force_login(people.other_owner_preparer)
    assert client.post(url).status_code == 404
    client.force_login(people.owner_preparer)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 201
    filing = Filing.objects.get(pk=response.json()["id"])
    download = reverse("documents:filing_download", args=[filing.pk])
    client.force_login(people.other_owner_head)
    assert client.get(download).status_code == 404
    client.force_login(people.audit_reviewer)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content)[:5] == b"%PDF-"
    assert AuditEntry.objects.filter(action="filing.downloaded", actor=people.audit_reviewer).exists()


def test_annual_plan_pdf_is_a3_landscape_with_the_workbook_totals(orgs, people, call_2026):
    from core.states import ProjectState as S
    from tests.lifecycle.builders import project_in

    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)  # the plan approved and issued
    plan = project.plan
    with pytest.raises(RuleViolation):
        filings.generate("annual_plan", actor=people.owner_head, plan=plan)
    with pytest.raises(RuleViolation) as refused:
        filings.generate("annual_plan", actor=people.finance_reviewer, plan=plan)
    assert refused.value.code == "permission"
    filing = filings.generate("annual_plan", actor=people.bureau_reviewer, plan=plan)
    assert filing.step_entry.action == "issue"
    data = pdf_of(filing)
    # A3 landscape (420 × 297 mm): thirteen columns and ten-digit totals (issue 10).
    assert set(pdfcheck.sizes_mm(data)) == {(420.0, 297.0)}
    text = flat(pdfcheck.text(data))
    assert "2026年度省级政务信息化项目建设计划表" in text and "合计（1个项目）" in text and "500.00" in text
    assert "第1页共1页" in text and "样稿" not in text
