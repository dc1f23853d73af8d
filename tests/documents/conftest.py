"""Sample files of every accepted type (and some impostors), a private storage per test,
and projects at the stages the tests need."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.states import PlanState
from projects import services as project_services
from projects.models import AnnualPlan, Project
from tests.factories import ProjectFactory, complete_application
from web.scenarios import Walker


@pytest.fixture(autouse=True)
def documents_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "docs")},
        },
    }
    return tmp_path / "docs"


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
OFD = _zip({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
ZIP = _zip({"readme.txt": b"hello"})
EXE = b"MZ\x90\x00" + b"\x00" * 60


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


@pytest.fixture
def project(orgs, people, call_2026):
    return complete_application(
        ProjectFactory(owner=orgs["owner"], call=call_2026, name="全省教育督导信息平台")
    )


def put_in_plan(project: Project) -> Project:
    """Move a complete application into an approved 2026 plan, as after 办法第十一条."""
    plan, _ = AnnualPlan.objects.get_or_create(year=2026)
    AnnualPlan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    Project.objects.filter(pk=project.pk).update(
        state="in_plan",
        plan=plan,
        platform_code="2601-230000-04-01-123456",
        fsr_sharing_chapter=True,
        approved_estimate_yuan=Decimal("5000000"),
    )
    return Project.objects.get(pk=project.pk)


def go(obj, name, person, **kwargs):
    from lifecycle import services

    services.perform(obj, name, actor=person, **kwargs)
    obj.refresh_from_db()
    return obj


def through_joint_review(project, people):
    """Submit in June 2025 and give the three opinions of 办法第十条 (state: joint_review)."""
    import datetime

    from lifecycle import services
    from projects.models import CallSubmission
    from tests.conftest import at

    with at(2025, 6, 20):
        submission, _ = CallSubmission.objects.get_or_create(call=project.call, organisation=project.owner)
        project_services.call_submit(
            submission,
            actor=people.owner_head,
            letter="申报函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
    project.refresh_from_db()
    with at(2025, 6, 23):
        go(project, "accept_application", people.bureau_reviewer)
        services.opinion_give(
            project,
            actor=people.bureau_reviewer,
            aspect="intensive",
            conclusion="approve",
            text="符合集约化建设要求，数据共享目录完整。",
        )
        services.opinion_give(
            project,
            actor=people.cac_reviewer,
            aspect="security",
            conclusion="approve",
            text="网络安全建设内容符合要求。",
        )
        services.opinion_give(
            project,
            actor=people.crypto_reviewer,
            aspect="crypto",
            conclusion="conditional",
            text="密码应用方案基本符合GB/T 39786要求，请补充密钥管理设计。",
        )
    assert datetime  # keep import for readers
    return project


def reviewed(project, people, *, passed=True, day=(2025, 6, 24)):
    """The bureau's head decides the joint review (办法第十条): state review_passed / review_rejected."""
    from tests.conftest import at

    with at(*day):
        if passed:
            go(project, "pass_review", people.bureau_head)
        else:
            go(
                project,
                "reject_review",
                people.bureau_head,
                reason="与已建系统功能重复，不符合集约化建设要求。",
            )
    return project


def through_construction(project, people):
    """From the plan to construction along 办法第十五至二十四条 (state: construction)."""
    import datetime

    from tests.conftest import at

    D = datetime.date
    from documents import services as documents

    project = put_in_plan(project)
    with at(2026, 1, 12):
        # 办法第十五条: the FSR itself goes with the submission.
        documents.material_upload(
            project, actor=people.owner_preparer, kind="fsr", upload=upload("可研报告.pdf", PDF)
        )
        go(project, "submit_fsr", people.owner_preparer)
    with at(2026, 2, 2):
        go(
            project,
            "approve_fsr",
            people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕8号",
            fsr_estimate_yuan=Decimal("5000000.00"),
        )
    with at(2026, 2, 9):
        project.design_sharing_chapter = True
        project.save()
        # 办法第十八条: the design goes with the FSR approval document.
        documents.material_upload(
            project, actor=people.owner_preparer, kind="design", upload=upload("初步设计方案.pdf", PDF)
        )
        documents.material_upload(
            project,
            actor=people.owner_preparer,
            kind="fsr_approval",
            upload=upload("可研批复.pdf", PDF),
            issued_on=D(2026, 2, 2),
            issuing_body="黑龙江省发展和改革委员会",
        )
        go(project, "submit_design", people.owner_preparer)
    with at(2026, 3, 2):
        go(
            project,
            "approve_design",
            people.bureau_head,
            design_approval_no="黑营商审〔2026〕3号",
            approved_estimate_yuan=Decimal("5000000.00"),
            design_evaluation="experts",
        )
    with at(2026, 3, 5):
        go(project, "submit_ratification", people.bureau_head)
        go(
            project,
            "ratify",
            people.government_head,
            ratification_no="黑政审〔2026〕5号",
            ratified_on=D(2026, 3, 5),
            decided_amount_yuan=Decimal("5000000.00"),
            decided_funding_source="省级财政资金",
        )
    Walker(people).contracts(project, D(2026, 3, 10))
    with at(2026, 3, 10):
        go(project, "start_construction", people.owner_preparer, construction_started_on=D(2026, 3, 10))
    return project


@pytest.fixture
def bureau_code(orgs):
    orgs["bureau"].code = "黑营商"
    orgs["bureau"].save()
    return orgs["bureau"]
