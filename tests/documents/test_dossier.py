"""The audit dossier: every material version and filing, the history PDF, a manifest whose
digests match the bytes in the zip; 404 for outsiders; each download recorded."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile

from django.urls import reverse

from core import timeutil
from documents import filings, services
from documents.dossier import dossier_build
from lifecycle.models import AuditEntry
from projects.models import Job
from tests.conftest import at

from . import pdfcheck
from .conftest import PDF, put_in_plan, reviewed, through_joint_review, upload


def open_zip(handle) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(handle.read()))


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_dossier_holds_every_version_filing_snapshot_and_history(project, people, bureau_code):
    services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("申报书.pdf", PDF)
    )
    services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("申报书.pdf", PDF + b"% v2\n")
    )
    reviewed(through_joint_review(project, people), people)
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)

    handle, filename = dossier_build(project, actor=people.audit_reviewer)
    zf = open_zip(handle)
    names = set(zf.namelist())

    assert filename == f"全省教育督导信息平台_审计档案_{timeutil.today().isoformat()}.zip"
    assert {"材料/申报材料/第1版_申报书.pdf", "材料/申报材料/第2版_申报书.pdf"} <= names
    assert zf.read("材料/申报材料/第2版_申报书.pdf") == PDF + b"% v2\n"
    pdf_name = f"文书/{filing.pk:05d}_联合审核意见书_黑营商〔2025〕1号.pdf"
    assert hashlib.new("sm3", zf.read(pdf_name)).hexdigest() == filing.sm3
    snapshot = json.loads(zf.read(pdf_name.replace(".pdf", ".snapshot.json")))
    assert snapshot == filing.snapshot
    assert "项目全过程记录.pdf" in names and "manifest.json" in names


def test_manifest_digests_match_the_bytes_of_every_file(project, people):
    services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("申报书.pdf", PDF)
    )
    handle, _name = dossier_build(project, actor=people.owner_preparer)
    zf = open_zip(handle)
    manifest = json.loads(zf.read("manifest.json"))
    listed = {e["path"] for e in manifest["files"]}

    assert listed == set(zf.namelist()) - {"manifest.json"}
    for entry in manifest["files"]:
        data = zf.read(entry["path"])
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["sm3"] == hashlib.new("sm3", data).hexdigest()
    material = next(e for e in manifest["files"] if e["path"].startswith("材料/"))
    assert material["matches_record"] is True


def test_history_pdf_names_the_project_and_its_transitions_on_numbered_pages(project, people):
    through_joint_review(project, people)
    handle, _name = dossier_build(project, actor=people.bureau_reviewer)
    data = open_zip(handle).read("项目全过程记录.pdf")
    text = flat(pdfcheck.text(data))

    assert "项目全过程记录" in text and "全省教育督导信息平台" in text
    assert "草稿→已申报，待受理" in text  # from → to of the submission
    assert "联合审核中" in text
    pages = pdfcheck.page_texts(data)
    assert f"第1页共{len(pages)}页" in flat(pages[0])
    assert not pdfcheck.unembedded_fonts(data)


def test_history_table_repeats_its_header_on_every_page(project, people):
    for i in range(45):
        services.material_upload(
            project,
            actor=people.owner_preparer,
            kind="other",
            upload=upload(f"附件{i}.pdf", PDF + str(i).encode()),
        )
    handle, _name = dossier_build(project, actor=people.owner_preparer)
    pages = pdfcheck.page_texts(open_zip(handle).read("项目全过程记录.pdf"))

    assert len(pages) >= 2
    for page in pages:
        assert "操作人" in page and "状态变化" in page


def test_each_dossier_download_is_recorded(project, people):
    dossier_build(project, actor=people.audit_reviewer)
    entry = AuditEntry.objects.get(project=project, action="dossier.downloaded")
    assert entry.actor == people.audit_reviewer and entry.organisation == people.audit_reviewer.organisation
    assert entry.from_state == entry.to_state == "draft"
    assert len(entry.data["manifest_sha256"]) == 64


def test_dossier_view_serves_the_zip_to_whoever_may_see_the_project(client, project, people):
    put_in_plan(project)
    client.force_login(people.owner_head)
    response = client.get(reverse("documents:dossier", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert "manifest.json" in zf.namelist()
    assert AuditEntry.objects.filter(
        project=project, action="dossier.downloaded", actor=people.owner_head
    ).exists()


def test_an_outsider_gets_404_and_nothing_is_recorded(client, project, people):
    client.force_login(people.other_owner_head)
    assert client.get(reverse("documents:dossier", args=[project.pk])).status_code == 404
    assert not AuditEntry.objects.filter(project=project, action="dossier.downloaded").exists()


def test_dossier_view_requires_login_and_a_post_packs_it_in_the_background(client, project, people):
    url = reverse("documents:dossier", args=[project.pk])
    assert client.get(url).status_code == 302
    assert client.post(url).status_code == 302 and Job.objects.count() == 0  # to the sign-in page
    client.force_login(people.owner_head)
    response = client.post(url)  # issue 10: a POST queues the packing (projects/jobs.py)
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job", args=[job.pk])
    assert job.requested_by == people.owner_head and job.status == Job.Status.DONE
