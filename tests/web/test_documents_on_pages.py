"""Materials, filings and exports are reachable from the screens (issue 3 × issue 4)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from documents.models import Filing, MaterialVersion
from tests.lifecycle.builders import project_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_upload(name="可研报告.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_the_owner_uploads_a_material_from_the_project_page(client, orgs, people, call_2026):
    project, _ = project_in(S.IN_PLAN, orgs, people, call_2026)
    page = reverse("project", args=[project.pk])
    client.force_login(people.owner_preparer)
    assert "上传新版本" in client.get(page).content.decode()
    response = client.post(
        reverse("documents:material_upload", args=[project.pk]),
        {"kind": "fsr", "file": pdf_upload(), "next": page},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page
    body = response.content.decode()
    assert "第1版" in body and "可研报告.pdf" in body
    assert MaterialVersion.objects.get(project=project).uploaded_by == people.owner_preparer


def test_a_rejected_upload_comes_back_to_the_page_with_the_reason(client, orgs, people, call_2026):
    project, _ = project_in(S.IN_PLAN, orgs, people, call_2026)
    page = reverse("project", args=[project.pk])
    client.force_login(people.owner_preparer)
    fake = io.BytesIO(b"MZ\x90\x00 not a pdf")
    fake.name = "病毒.pdf"
    response = client.post(
        reverse("documents:material_upload", args=[project.pk]),
        {"kind": "fsr", "file": fake, "next": page},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page
    assert not MaterialVersion.objects.exists()
    assert "error" in response.content.decode()


def test_the_bureau_generates_the_joint_review_opinion_from_the_page(client, orgs, people, call_2026):
    project, _ = project_in(S.REVIEW_PASSED, orgs, people, call_2026)
    orgs["bureau"].code = "黑营商"
    orgs["bureau"].save()
    page = reverse("project", args=[project.pk])
    # 办法第十条: the letter records the decision of the bureau's 负责人, who issues it.
    client.force_login(people.bureau_reviewer)
    assert "出具《联合审核意见书》" not in client.get(page).content.decode()
    client.force_login(people.bureau_head)
    assert "出具《联合审核意见书》" in client.get(page).content.decode()
    response = client.post(
        reverse("documents:filing_generate", args=[project.pk, "joint_review_opinion"]),
        {"next": page},
        follow=True,
    )
    filing = Filing.objects.get(project=project)
    assert filing.document_no.startswith("黑营商〔")
    assert filing.document_no in response.content.decode()


def test_an_outsider_sees_neither_page_nor_upload(client, orgs, people, call_2026):
    project, _ = project_in(S.IN_PLAN, orgs, people, call_2026)
    client.force_login(people.other_owner_preparer)
    assert client.get(reverse("project", args=[project.pk])).status_code == 404
    response = client.post(
        reverse("documents:material_upload", args=[project.pk]), {"kind": "fsr", "file": pdf_upload()}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("persona, shown", [("bureau_reviewer", True), ("owner_preparer", False)])
def test_the_plan_page_offers_the_plan_workbook_to_agencies(client, orgs, people, call_2026, persona, shown):
    project, _ = project_in(S.IN_PLAN, orgs, people, call_2026)
    client.force_login(people[persona])
    body = client.get(reverse("plan", args=[project.plan.year])).content.decode()
    assert (reverse("exports:plan", args=[project.plan.year]) in body) is shown


def test_a_sign_off_over_an_older_version_is_shown_as_such(client, orgs, people, call_2026):
    from core.timeutil import as_of
    from documents import services as document_services
    from lifecycle import services

    project, on = project_in(
        S.IN_PLAN, orgs, people, call_2026, platform_code="2601-230000-04-01-000009", fsr_sharing_chapter=True
    )
    with as_of(on):
        document_services.material_upload(
            project, actor=people.owner_preparer, kind="fsr", upload=pdf_upload()
        )
        document_services.material_upload(
            project, actor=people.owner_preparer, kind="catalogue", upload=pdf_upload("信息资源目录.pdf")
        )
        services.perform(project, "submit_fsr", actor=people.owner_preparer)
        services.perform(
            project,
            "approve_fsr",
            actor=people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕5号",
            fsr_estimate_yuan=project.total_investment_yuan,
        )
        # 办法第十六条: the catalogue brought up to date for the design, after the FSR approval.
        project.refresh_from_db()
        document_services.material_upload(
            project,
            actor=people.owner_preparer,
            kind="catalogue",
            upload=pdf_upload("信息资源目录（修订）.pdf"),
        )
    client.force_login(people.bureau_reviewer)
    body = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "签署后已上传第2版" in body
