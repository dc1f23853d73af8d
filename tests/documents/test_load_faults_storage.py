"""Storage and database faults around a stored file (issue 9, "load and faults"). Both databases.

* The storage fails while a material is uploaded or a filing issued (``save`` raises OSError,
  as a full disk or a read-only mount does): no row points at a missing file, no audit row,
  no 发文字号 taken, the project unchanged; the person is told in Chinese, 503, never a 500.
* The database fails after the file was stored (the audit row's insert is refused by the
  database): no row, and the stored file is removed again (documents.storage.discard) — no
  orphan file either.
* The storage cannot give a file back on download: 503 in Chinese, and no "downloaded" row.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from documents import filings, services
from documents.models import DocumentCounter, Filing, MaterialVersion
from documents.storage import StorageUnavailable
from lifecycle.models import AuditEntry
from tests.conftest import at

from .conftest import PDF, reviewed, through_joint_review, upload


def database_error(*args, **kwargs):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM injected_fault_no_such_table")


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot(project):
    project.refresh_from_db()
    return {
        "state": project.state,
        "audit": AuditEntry.objects.filter(project=project).count(),
        "materials": MaterialVersion.objects.filter(project=project).count(),
        "filings": Filing.objects.filter(project=project).count(),
        "counters": sorted(DocumentCounter.objects.values_list("organisation_id", "year", "last_number")),
    }


def disk_full(*args, **kwargs):
    raise OSError(28, "No space left on device")


# ---------------------------------------------------------------- materials


def test_a_storage_failure_during_an_upload_keeps_nothing_and_says_so(project, people, documents_storage):
    before = snapshot(project)
    client = Client(raise_request_exception=False)
    client.force_login(people.owner_preparer)
    url = reverse("documents:material_upload", args=[project.pk])
    with mock.patch.object(storages["documents"], "save", side_effect=disk_full):
        response = client.post(url, {"kind": "application", "file": upload("申报书.pdf", PDF)})
        page = client.post(
            url,
            {"kind": "application", "file": upload("申报书.pdf", PDF), "next": f"/projects/{project.pk}/"},
            follow=True,
        )
    assert response.status_code == 503
    assert "文件存储暂时不可用" in response.json()["error"] and "没有保存任何内容" in response.json()["error"]
    assert "文件存储暂时不可用" in page.content.decode()  # the form on the project page: told there
    assert snapshot(project) == before
    assert files_in(documents_storage) == []
    # Storage back: the upload goes through, as version 1 (no number was used up).
    response = client.post(url, {"kind": "application", "file": upload("申报书.pdf", PDF)})
    assert response.status_code == 201 and response.json()["number"] == 1


def test_a_database_failure_after_the_file_was_stored_leaves_no_row_and_no_file(
    project, people, documents_storage
):
    before = snapshot(project)
    with (
        mock.patch("documents.services.audit.record", side_effect=database_error),
        pytest.raises(DatabaseError),
    ):
        services.material_upload(
            project, actor=people.owner_preparer, kind="application", upload=upload("申报书.pdf", PDF)
        )
    assert snapshot(project) == before
    assert files_in(documents_storage) == []  # stored, then removed when the row was rolled back

    # Through the page: the Chinese 500 page ("您的操作没有完成"), no stack trace.
    client = Client(raise_request_exception=False)
    client.force_login(people.owner_preparer)
    url = reverse("documents:material_upload", args=[project.pk])
    with mock.patch("documents.services.audit.record", side_effect=database_error):
        response = client.post(url, {"kind": "application", "file": upload("申报书.pdf", PDF)})
    assert response.status_code == 500
    body = response.content.decode()
    assert "您的操作没有完成" in body and "Traceback" not in body
    assert snapshot(project) == before and files_in(documents_storage) == []


def test_a_file_the_storage_cannot_give_back_is_not_recorded_as_downloaded(project, people):
    version = services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("申报书.pdf", PDF)
    )
    before = snapshot(project)
    client = Client(raise_request_exception=False)
    client.force_login(people.owner_preparer)
    with mock.patch.object(storages["documents"], "open", side_effect=FileNotFoundError(2, "gone")):
        response = client.get(reverse("documents:material_download", args=[version.pk]))
    assert response.status_code == 503
    assert "文件暂时无法读取" in response.content.decode()
    assert snapshot(project) == before
    assert not AuditEntry.objects.filter(project=project, action="material.downloaded").exists()


# ---------------------------------------------------------------- filings


@pytest.fixture
def passed(project, people, bureau_code):
    """A joint review passed (办法第十条): the bureau's head may issue its 联合审核意见书."""
    return reviewed(through_joint_review(project, people), people)


def issue_page(client, project):
    url = reverse("documents:filing_generate", args=[project.pk, "joint_review_opinion"])
    return client.post(url, {})


def test_a_storage_failure_while_issuing_takes_no_number_and_stores_nothing(
    passed, people, documents_storage
):
    project = passed
    before = snapshot(project)
    client = Client(raise_request_exception=False)
    client.force_login(people.bureau_head)
    with at(2025, 6, 27), mock.patch.object(storages["documents"], "save", side_effect=disk_full):
        response = issue_page(client, project)
        with pytest.raises(StorageUnavailable):
            filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    assert response.status_code == 503 and "未占用文号" in response.json()["error"]
    assert snapshot(project) == before
    assert files_in(documents_storage / "filings") == []
    # Storage back: issued with the first number of the year — the failures took none (gap-free).
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    assert filing.document_no == "黑营商〔2025〕1号"


def test_a_database_failure_after_the_pdf_was_stored_leaves_no_filing_and_no_file(
    passed, people, documents_storage
):
    project = passed
    before = snapshot(project)
    with (
        at(2025, 6, 27),
        mock.patch("documents.filings.audit.record", side_effect=database_error),
        pytest.raises(DatabaseError),
    ):
        filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    assert snapshot(project) == before  # no Filing row, no number taken, no audit row
    assert files_in(documents_storage / "filings") == []  # the PDF stored, then removed
    with at(2025, 6, 27):
        filing = filings.generate("joint_review_opinion", actor=people.bureau_head, project=project)
    assert filing.document_no == "黑营商〔2025〕1号"
    assert len(files_in(documents_storage / "filings")) == 1
