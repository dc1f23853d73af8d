"""The application import is bounded before openpyxl parses anything (issue 9): a small file
that unpacks to a huge sheet or shared-strings table is refused, nothing is created."""

from __future__ import annotations

import io
import resource
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from documents import imports
from projects.models import Project

from .test_imports import two_projects


def bomb(member: str, size: int) -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("xl/workbook.xml", b"<workbook/>")
        z.writestr(member, b"<sst>" + b"<si><t>AAAAAAAAAAAAAAAA</t></si>" * (size // 30) + b"</sst>")
    return SimpleUploadedFile("申报.xlsx", buf.getvalue())


def run(upload, orgs, people, call):
    return imports.applications_import(upload, call=call, organisation=orgs["owner"], actor=people.owner_head)


def test_a_shared_strings_bomb_is_refused_before_parsing(orgs, people, call_2026):
    upload = bomb("xl/sharedStrings.xml", 256 << 20)  # 256 MiB of XML in well under 1 MiB
    assert upload.size < 1 << 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run(upload, orgs, people, call_2026)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert not result.ok and ("压缩比异常" in str(result.errors[0]) or "解压后超过" in str(result.errors[0]))
    assert grown_kib < 64 * 1024  # never unpacked
    assert not Project.objects.exists()


def test_the_unpacked_total_is_bounded_even_at_an_ordinary_ratio(orgs, people, call_2026, monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_MAX_UNPACKED_BYTES", 1000)
    result = run(two_projects(), orgs, people, call_2026)
    assert not result.ok and "解压后超过" in str(result.errors[0])


def test_a_file_above_the_import_cap_is_refused(orgs, people, call_2026, monkeypatch):
    monkeypatch.setattr(imports, "IMPORT_MAX_BYTES", 1000)
    result = run(two_projects(), orgs, people, call_2026)
    assert not result.ok and "文件超过" in str(result.errors[0])
    assert not Project.objects.exists()


def test_the_filled_template_is_within_the_limits(orgs, people, call_2026):
    assert run(two_projects(), orgs, people, call_2026).ok
