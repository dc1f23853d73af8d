"""Preconditions rest on the uploaded documents and, where the 办法 gives an agency the
role, on that agency's own confirmation — not on dates the department types (issue 7,
"preconditions on the owner's say-so")."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from documents import services as documents
from documents.evidence import evidence_confirm
from documents.models import EvidenceConfirmation, MaterialVersion, SignOff
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects.models import Project
from tests.documents.conftest import PDF, upload
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "docs")},
        },
    }


def refused(project, name, person, on, **data) -> str:
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, name, actor=person, **data)
    assert Project.objects.get(pk=project.pk).state == project.state
    return exc.value.message


def put(project, kind, person, on, *, issued_on=None, issuing_body=""):
    with as_of(on):
        return documents.material_upload(
            project,
            actor=person,
            kind=kind,
            upload=upload(f"{kind}.pdf", PDF),
            issued_on=issued_on,
            issuing_body=issuing_body,
        )


def acceptance_opinions(project, people, on):
    aspects = [
        ("cac", "cac_acceptance"),
        ("crypto", "crypto_acceptance"),
        ("drc", "drc_acceptance"),
        ("police", "police_acceptance"),
        ("secrecy", "secrecy_acceptance"),
    ]
    with as_of(on):
        for who, aspect in aspects:
            moot = aspect == "secrecy_acceptance" and not project.classified
            services.opinion_give(
                project,
                actor=people[f"{who}_reviewer"],
                aspect=aspect,
                conclusion="not_applicable" if moot else "approve",
                text="同意通过验收。",
            )


# ------------------------------------------------------------------ 第十五条 可行性研究报告


def test_the_fsr_is_submitted_only_with_the_report_itself(orgs, people, call_2026):
    project, on = project_in(
        S.IN_PLAN, orgs, people, call_2026, platform_code="2601-230000-04-01-000001", fsr_sharing_chapter=True
    )
    message = refused(project, "submit_fsr", people.owner_preparer, on)
    assert "尚未上传“可行性研究报告”" in message and "本项目建设单位" in message and "办法第十五条" in message
    put(project, "fsr", people.owner_preparer, on)
    with as_of(on):
        services.perform(project, "submit_fsr", actor=people.owner_preparer)
    assert Project.objects.get(pk=project.pk).state == S.FSR_REVIEW


# ------------------------------------------------------------------ 第十八条 初步设计方案 and 批复文件


def test_the_design_goes_with_the_design_and_the_fsr_approval_document(orgs, people, call_2026):
    project, on = project_in(S.FSR_APPROVED, orgs, people, call_2026, design_sharing_chapter=True)
    message = refused(project, "submit_design", people.owner_preparer, on)
    assert "“初步设计方案”" in message and "“可行性研究报告批复文件”" in message and "办法第十八条" in message
    put(project, "design", people.owner_preparer, on)
    message = refused(project, "submit_design", people.owner_preparer, on)
    assert "“初步设计方案”" not in message and "“可行性研究报告批复文件”" in message
    put(
        project,
        "fsr_approval",
        people.owner_preparer,
        on,
        issued_on=on - DAY,
        issuing_body="黑龙江省发展和改革委员会",
    )
    with as_of(on):
        services.perform(project, "submit_design", actor=people.owner_preparer)
    assert Project.objects.get(pk=project.pk).state == S.DESIGN_REVIEW


def test_a_design_resubmitted_after_correction_needs_the_documents_too(orgs, people, call_2026):
    project, on = project_in(S.FSR_APPROVED, orgs, people, call_2026, design_sharing_chapter=True)
    Project.objects.filter(pk=project.pk).update(state=S.DESIGN_CORRECTING)
    project.refresh_from_db()
    assert "办法第十八条" in refused(project, "resubmit_design", people.owner_preparer, on)
    put(project, "design", people.owner_preparer, on)
    put(
        project,
        "fsr_approval",
        people.owner_preparer,
        on,
        issued_on=on,
        issuing_body="黑龙江省发展和改革委员会",
    )
    with as_of(on):
        services.perform(project, "resubmit_design", actor=people.owner_preparer)
    assert Project.objects.get(pk=project.pk).state == S.DESIGN_REVIEW


# ------------------------------------------------------------------ 第二十三、三十一条 验收


@pytest.mark.parametrize(
    "missing, words, article",
    [
        ("archive_opinion", "尚未上传“档案验收意见”", "第三十一条"),
        ("crypto_assessment", "尚未上传“密码应用安全性评估报告”", "第二十三条"),
    ],
)
def test_acceptance_needs_the_archive_opinion_and_the_crypto_assessment_report(
    orgs, people, call_2026, missing, words, article
):
    project, on = project_in(S.COMPLETED, orgs, people, call_2026)
    issuers = {"archive_opinion": "黑龙江省档案馆", "crypto_assessment": "黑龙江省商用密码检测中心"}
    for kind, issuer in issuers.items():
        if kind != missing:
            put(project, kind, people.owner_preparer, on, issued_on=on - DAY, issuing_body=issuer)
    Walker(people).step(project, "apply_acceptance", people.owner_head, on)
    acceptance_opinions(project, people, on)
    message = refused(project, "accept", people.bureau_head, on, accepted_on=on)
    assert words in message and "本项目建设单位" in message and f"办法{article}" in message
    put(project, missing, people.owner_preparer, on, issued_on=on - DAY, issuing_body=issuers[missing])
    project.refresh_from_db()
    # The dates come from the documents, not from typing.
    assert project.archive_accepted_on == on - DAY and project.crypto_assessment_on == on - DAY
    with as_of(on):
        services.perform(project, "accept", actor=people.bureau_head, accepted_on=on)
    assert Project.objects.get(pk=project.pk).state == S.ACCEPTED


# ------------------------------------------------------------------ 第三十二条 保密测评审查


def test_a_classified_system_needs_the_secrecy_offices_opinion_and_its_confirmation(orgs, people, call_2026):
    project, on = project_in(S.COMPLETED, orgs, people, call_2026, classified=True)
    for kind, issuer in (("archive_opinion", "黑龙江省档案馆"), ("crypto_assessment", "密评机构")):
        put(project, kind, people.owner_preparer, on, issued_on=on - DAY, issuing_body=issuer)
    Walker(people).step(project, "apply_acceptance", people.owner_head, on)
    acceptance_opinions(project, people, on)
    message = refused(project, "accept", people.bureau_head, on, accepted_on=on)
    assert "尚未上传“保密测评审查意见”" in message and "省委保密办" in message and "办法第三十二条" in message
    version = put(
        project,
        "secrecy_evaluation",
        people.secrecy_reviewer,
        on,
        issued_on=on - DAY,
        issuing_body="中共黑龙江省委保密委员会办公室",
    )
    message = refused(project, "accept", people.bureau_head, on, accepted_on=on)
    assert "尚待省委保密办确认保密测评审查合格" in message and "办法第三十二条" in message
    with as_of(on):
        evidence_confirm(project, "secrecy_evaluation", actor=people.secrecy_head)
    project.refresh_from_db()
    assert project.secrecy_evaluated_on == on - DAY
    confirmation = EvidenceConfirmation.objects.get(project=project)
    assert confirmation.version == version and confirmation.confirmed_by == people.secrecy_head
    entry = AuditEntry.objects.get(project=project, action="evidence.confirmed")
    assert entry.actor == people.secrecy_head and entry.article == "第三十二条"
    assert entry.data["sm3"] == version.sm3
    with as_of(on):
        services.perform(project, "accept", actor=people.bureau_head, accepted_on=on)
    assert Project.objects.get(pk=project.pk).state == S.ACCEPTED


def test_a_project_without_secrets_needs_no_secrecy_evaluation(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    acceptance_opinions(project, people, on)
    with as_of(on):
        services.perform(project, "accept", actor=people.bureau_head, accepted_on=on)
    with pytest.raises(RuleViolation, match="不涉及国家秘密"):
        evidence_confirm(Project.objects.get(pk=project.pk), "secrecy_evaluation", actor=people.secrecy_head)


def test_a_newer_version_needs_a_new_confirmation(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026, classified=True)
    walker = Walker(people)
    walker.upload(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body="验收组"
    )
    walker.confirm(project, "acceptance_report", people.bureau_reviewer, on)
    put(project, "secrecy_evaluation", people.secrecy_reviewer, on, issued_on=on, issuing_body="省委保密办")
    project.refresh_from_db()
    assert project.secrecy_evaluated_on is None  # the newest opinion is not confirmed yet
    assert "尚待省委保密办确认" in refused(project, "go_live", people.owner_preparer, on, went_live_on=on)
    with as_of(on):
        evidence_confirm(project, "secrecy_evaluation", actor=people.secrecy_reviewer)
        services.perform(project, "go_live", actor=people.owner_preparer, went_live_on=on)
    assert Project.objects.get(pk=project.pk).state == S.OPERATION


# ------------------------------------------------------------------ 第二十九条 验收报告备案


def test_going_live_needs_the_acceptance_report_received_by_the_bureau(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026)
    message = refused(project, "go_live", people.owner_preparer, on, went_live_on=on)
    assert "尚未上传“验收报告”" in message and "办法第二十九条" in message
    version = put(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body="黑龙江省教育厅"
    )
    message = refused(project, "go_live", people.owner_preparer, on, went_live_on=on)
    assert "尚待省营商环境局确认验收报告已备案" in message
    received = on + 2 * DAY
    with as_of(received):
        evidence_confirm(project, "acceptance_report", actor=people.bureau_reviewer)
    project.refresh_from_db()
    assert project.acceptance_report_filed_on == received
    signoff = SignOff.objects.get(project=project, version=version)
    assert signoff.label == "确认验收报告已备案"
    with as_of(received):
        services.perform(project, "go_live", actor=people.owner_preparer, went_live_on=received)
    assert Project.objects.get(pk=project.pk).state == S.OPERATION


# ------------------------------------------------------------------ who confirms (web view)

#: From the 办法: 第二十九条 验收报告…报省营商环境局备案 (the bureau's 审核人 or 负责人 receives
#: it); 第三十二条 省级保密行政管理部门组织的测评审查 (省委保密办's 审核人 or 负责人).
CONFIRMERS = {
    "acceptance_report": {("bureau", "reviewer"), ("bureau", "head")},
    "secrecy_evaluation": {("secrecy", "reviewer"), ("secrecy", "head")},
}
PERSONAS = [("owner", r) for r in ("preparer", "head")] + [
    (a, r)
    for a in (
        "bureau",
        "cac",
        "crypto",
        "drc",
        "finance",
        "police",
        "intranet",
        "secrecy",
        "audit",
        "government",
        "expert",
    )
    for r in ("preparer", "reviewer", "head")
]


@pytest.mark.parametrize("kind", list(CONFIRMERS))
def test_exactly_the_named_agency_confirms(client, orgs, people, call_2026, kind):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026, classified=True)
    # A new version (the walk to 已通过验收 filed and confirmed the first ones).
    if kind == "acceptance_report":
        version = put(project, kind, people.owner_preparer, on, issued_on=on, issuing_body="黑龙江省教育厅")
    else:
        version = put(project, kind, people.secrecy_reviewer, on, issued_on=on, issuing_body="省委保密办")
    url = reverse("documents:evidence_confirm", args=[project.pk, kind])
    allowed = CONFIRMERS[kind]
    for org, role in PERSONAS:
        if (org, role) in allowed:
            continue
        client.force_login(people[f"{org}_{role}"])
        response = client.post(url)
        assert response.status_code in (403, 404), (org, role)
        if response.status_code == 403:
            assert "办法" in response.json()["error"]
    assert not EvidenceConfirmation.objects.filter(version=version).exists()
    org, role = sorted(allowed)[0]
    client.force_login(people[f"{org}_{role}"])
    assert client.post(url).status_code == 201
    assert EvidenceConfirmation.objects.get(version=version).confirmed_by == people[f"{org}_{role}"]
    # The same version is not confirmed twice.
    assert client.post(url).status_code == 400


def test_the_confirm_button_is_shown_to_the_confirming_agency_only(client, orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026)
    put(project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body="黑龙江省教育厅")
    page = reverse("project", args=[project.pk])
    client.force_login(people.bureau_reviewer)
    assert "确认验收报告已备案" in client.get(page).content.decode()
    client.force_login(people.owner_head)
    assert "确认验收报告已备案</button>" not in client.get(page).content.decode()


def test_a_confirmation_needs_the_document_first(orgs, people, call_2026):
    project, _on = project_in(S.ACCEPTED, orgs, people, call_2026)
    with pytest.raises(RuleViolation, match="尚未上传“验收报告”"):
        evidence_confirm(project, "acceptance_report", actor=people.bureau_reviewer)
    assert not MaterialVersion.objects.filter(kind="acceptance_report").exists()


def test_a_confirmed_version_can_no_longer_be_deleted(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTED, orgs, people, call_2026)
    version = put(
        project, "acceptance_report", people.owner_preparer, on, issued_on=on, issuing_body="黑龙江省教育厅"
    )
    with as_of(on):
        evidence_confirm(project, "acceptance_report", actor=people.bureau_reviewer)
    version.refresh_from_db()
    assert version.locked and version.locked_by_action == "确认验收报告已备案"
    with pytest.raises(RuleViolation, match="不能删除"):
        documents.material_delete(version, actor=people.owner_preparer)
    assert MaterialVersion.objects.filter(pk=version.pk).exists()
