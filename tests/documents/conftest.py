"""Sample files of every accepted type (and some impostors), a private storage per test,
and projects at the stages the tests need."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lifecycle.states import PlanState
from projects.models import AnnualPlan, Project
from tests.factories import ProjectFactory, complete_application


@pytest.fixture(autouse=True)
def documents_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path / "docs")}}}
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
    return complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026, name="全省教育督导信息平台"))


def put_in_plan(project: Project) -> Project:
    """Move a complete application into an approved 2026 plan, as after 办法第十一条."""
    plan, _ = AnnualPlan.objects.get_or_create(year=2026)
    AnnualPlan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    Project.objects.filter(pk=project.pk).update(state="in_plan", plan=plan, platform_code="2601-230000-04-01-123456",
                                                 fsr_sharing_chapter=True, approved_estimate_yuan=Decimal("5000000"))
    return Project.objects.get(pk=project.pk)
