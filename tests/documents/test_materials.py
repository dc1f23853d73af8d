"""Materials: versions with digests, checks by content, locking, sign-off coverage, downloads."""

from __future__ import annotations

import hashlib

import pytest
from django.urls import reverse

from documents import services
from documents.checks import UploadRejected
from documents.models import MaterialVersion, SignOff
from lifecycle import services as lifecycle
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from tests.conftest import at

from .conftest import DOCX, EXE, JPG, OFD, PDF, PNG, XLSX, ZIP, put_in_plan, upload


def test_every_upload_is_a_new_version_with_both_digests(project, people, documents_storage):
    project = put_in_plan(project)  # 办法第十五条: the FSR is uploaded once the project is in the plan
    first = services.material_upload(
        project, actor=people.owner_preparer, kind="fsr", upload=upload("可研报告.pdf", PDF)
    )
    second = services.material_upload(
        project,
        actor=people.owner_preparer,
        kind="fsr",
        upload=upload("可研报告（修订）.pdf", PDF + b"% rev 2\n"),
    )
    assert (first.number, second.number) == (1, 2)
    assert first.sha256 == hashlib.sha256(PDF).hexdigest()
    assert first.sm3 == hashlib.new("sm3", PDF).hexdigest()
    assert first.size == len(PDF) and first.uploaded_by == people.owner_preparer
    assert MaterialVersion.objects.filter(project=project, kind="fsr").count() == 2
    stored = documents_storage / first.storage_key
    assert stored.read_bytes() == PDF
    entry = AuditEntry.objects.filter(project=project, action="material.uploaded").last()
    assert entry.data["sm3"] == second.sm3 and entry.data["number"] == 2


@pytest.mark.parametrize(
    "name, data, file_type",
    [
        ("a.pdf", PDF, "pdf"),
        ("a.ofd", OFD, "ofd"),
        ("a.docx", DOCX, "docx"),
        ("a.xlsx", XLSX, "xlsx"),
        ("a.jpg", JPG, "jpg"),
        ("a.jpeg", JPG, "jpg"),
        ("a.png", PNG, "png"),
        ("a.zip", ZIP, "zip"),
    ],
)
def test_it_accepts_each_allowed_type_by_content(project, people, name, data, file_type):
    version = services.material_upload(
        project, actor=people.owner_preparer, kind="other", upload=upload(name, data)
    )
    assert version.file_type == file_type


@pytest.mark.parametrize(
    "name, data, words",
    [
        ("setup.pdf", EXE, "不是可接受的类型"),
        ("方案.docx", XLSX, "内容与扩展名不符"),
        ("方案.pdf", DOCX, "内容与扩展名不符"),
        ("目录.xlsx", ZIP, "内容与扩展名不符"),
        ("run.exe", PDF, "不接受“.exe”"),
        ("报告\x00.pdf", PDF, "控制字符"),
        (".hidden.pdf", PDF, "不能以“.”开头"),
        ("a<b>.pdf", PDF, "不能包含字符"),
        ("空.pdf", b"", "文件为空"),
        ("坏.zip", b"PK\x03\x04broken", "已损坏"),
    ],
)
def test_it_rejects_bad_uploads_and_says_why_in_chinese(project, people, name, data, words):
    with pytest.raises(UploadRejected, match=words):
        services.material_upload(
            project, actor=people.owner_preparer, kind="other", upload=upload(name, data)
        )
    assert not MaterialVersion.objects.exists()


def test_a_name_with_a_path_is_refused_even_if_the_client_sends_one():
    from documents.checks import safe_filename

    for name in ("../../etc/passwd.pdf", "C:\\tmp\\a.pdf"):
        with pytest.raises(UploadRejected, match="路径分隔符"):
            safe_filename(name)
    assert safe_filename(" 可研报告（第2版）.pdf ") == "可研报告（第2版）.pdf"


def test_it_rejects_a_zip_with_an_escaping_path(project, people):
    from .conftest import _zip

    with pytest.raises(UploadRejected, match="不安全的路径"):
        services.material_upload(
            project,
            actor=people.owner_preparer,
            kind="other",
            upload=upload("a.zip", _zip({"../evil.sh": b"x"})),
        )


def test_it_enforces_the_size_limit(project, people, settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 10
    with pytest.raises(UploadRejected, match="超过上限"):
        services.material_upload(
            project, actor=people.owner_preparer, kind="application", upload=upload("a.pdf", PDF)
        )


def test_it_refuses_uploads_from_outsiders_and_auditors(project, people):
    for person in (people.other_owner_head, people.audit_head):
        with pytest.raises(RuleViolation):
            services.material_upload(project, actor=person, kind="fsr", upload=upload("a.pdf", PDF))


def test_a_version_submitted_with_a_step_can_no_longer_be_deleted(project, people):
    project = put_in_plan(project)
    draft = services.material_upload(
        project, actor=people.owner_preparer, kind="fsr", upload=upload("a.pdf", PDF)
    )
    services.material_delete(draft, actor=people.owner_preparer)  # unlocked: may go
    fsr = services.material_upload(
        project, actor=people.owner_preparer, kind="fsr", upload=upload("b.pdf", PDF)
    )
    with at(2026, 1, 12):
        lifecycle.perform(project, "submit_fsr", actor=people.owner_preparer)
    fsr.refresh_from_db()
    assert fsr.locked and fsr.locked_by_action == "报送可行性研究报告"
    with pytest.raises(RuleViolation, match="不能删除或替换"):
        services.material_delete(fsr, actor=people.owner_preparer)
    assert MaterialVersion.objects.filter(pk=fsr.pk).exists()


def test_a_newer_version_after_sign_off_marks_the_sign_off_as_covering_an_older_version(project, people):
    project = put_in_plan(project)
    services.material_upload(project, actor=people.owner_preparer, kind="fsr", upload=upload("a.pdf", PDF))
    v1 = services.material_upload(
        project, actor=people.owner_preparer, kind="catalogue", upload=upload("目录.xlsx", XLSX)
    )
    with at(2026, 1, 12):
        lifecycle.perform(project, "submit_fsr", actor=people.owner_preparer)
    with at(2026, 2, 2):
        lifecycle.perform(
            project,
            "approve_fsr",
            actor=people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕8号",
            fsr_estimate_yuan=project.total_investment_yuan,
        )
    signoff = SignOff.objects.get(project=project, version=v1)
    assert not signoff.outdated
    # 办法第十六条: the catalogue is brought up to date for the design, after the FSR approval.
    project.refresh_from_db()
    services.material_upload(
        project, actor=people.owner_preparer, kind="catalogue", upload=upload("目录2.xlsx", XLSX + b"\0")
    )
    assert signoff.outdated
    status = [row for row in services.signoff_status(project) if row["kind"] == "信息资源目录"]
    assert status[0]["covered"] == 1 and status[0]["newest"] == 2 and status[0]["outdated"]
    entry = AuditEntry.objects.filter(project=project, action="material.uploaded").last()
    assert entry.data["signoffs_now_outdated"]


def test_an_opinion_records_the_versions_it_covered(project, people):
    v = services.material_upload(
        project, actor=people.owner_preparer, kind="crypto_plan", upload=upload("密码应用方案.docx", DOCX)
    )
    from projects.models import Project

    Project.objects.filter(pk=project.pk).update(state="joint_review")
    project.refresh_from_db()
    opinion = lifecycle.opinion_give(
        project,
        actor=people.crypto_reviewer,
        aspect="crypto",
        conclusion="approve",
        text="符合GB/T 39786要求。",
    )
    assert list(opinion.covered_versions.values_list("version", flat=True)) == [v.pk]


def test_archive_and_crypto_guards_pass_on_the_uploaded_material(project, people):
    """办法第二十三、三十一条: the 档案验收意见 and 密码应用安全性评估报告 as materials."""
    import datetime

    from lifecycle.guards import archive_accepted, crypto_assessed
    from projects.models import Project

    Project.objects.filter(pk=project.pk).update(state="completed")
    project.refresh_from_db()
    assert not archive_accepted(project) and not crypto_assessed(project)
    day = datetime.date(2026, 3, 1)
    services.material_upload(
        project,
        actor=people.owner_preparer,
        kind="archive_opinion",
        upload=upload("档案.pdf", PDF),
        issued_on=day,
        issuing_body="黑龙江省档案馆",
    )
    services.material_upload(
        project,
        actor=people.owner_preparer,
        kind="crypto_assessment",
        upload=upload("密评.pdf", PDF),
        issued_on=day,
        issuing_body="密评机构",
    )
    assert archive_accepted(project) and crypto_assessed(project)


def test_the_catalogue_guard_accepts_the_uploaded_catalogue(project, people):
    from lifecycle.guards import fsr_catalogue_ready

    project.data_resources.all().delete()
    project.fsr_sharing_chapter = True
    assert not fsr_catalogue_ready(project)
    services.material_upload(
        project, actor=people.owner_preparer, kind="catalogue", upload=upload("目录.xlsx", XLSX)
    )
    assert fsr_catalogue_ready(project)


def test_download_is_for_people_who_may_see_the_project_and_is_recorded(client, project, people):
    v = services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("可研.pdf", PDF)
    )
    url = reverse("documents:material_download", args=[v.pk])
    client.force_login(people.other_owner_head)
    assert client.get(url).status_code == 404
    client.force_login(people.audit_reviewer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    entry = AuditEntry.objects.get(project=project, action="material.downloaded")
    assert entry.actor == people.audit_reviewer


def test_upload_view_says_why_in_chinese(client, project, people):
    client.force_login(people.owner_preparer)
    url = reverse("documents:material_upload", args=[project.pk])
    response = client.post(url, {"kind": "application", "file": upload("a.pdf", EXE)})
    assert response.status_code == 400 and "不是可接受的类型" in response.json()["error"]
    response = client.post(url, {"kind": "application", "file": upload("a.pdf", PDF)})
    assert response.status_code == 201 and response.json()["number"] == 1
    assert client.get(url).status_code == 405
    client.force_login(people.other_owner_preparer)
    assert client.post(url, {"kind": "application", "file": upload("a.pdf", PDF)}).status_code == 404
