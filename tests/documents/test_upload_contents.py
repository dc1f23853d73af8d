"""What an upload holds is looked at before it is stored (issue 9): no zip bomb, no link or
path out of the folder, no program or macro, no PDF that runs something or carries a file."""

from __future__ import annotations

import io
import stat
import zipfile
import zlib

import pytest
from django.urls import reverse

from documents import contents, services
from documents.checks import UploadRejected
from documents.models import MaterialVersion

from .conftest import DOCX, PDF, _zip, upload


def zip_of(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            z.writestr(info, data)
    return buf.getvalue()


def symlink(name: str, target: bytes) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def refused(data: bytes, words: str):
    with pytest.raises(UploadRejected, match=words):
        contents.inspect_zip(io.BytesIO(data))


@pytest.mark.parametrize(
    "name", ["/etc/cron.d/x", "C:/Windows/System32/x.txt", "c:\\boot.ini", "..\\..\\x.txt", "a/../../x.txt"]
)
def test_a_path_out_of_the_folder_is_refused(name):
    refused(zip_of([(name, b"x")]), "不安全的路径")


def test_a_symbolic_link_is_refused():
    refused(zip_of([symlink("docs/passwd", b"/etc/passwd")]), "符号链接")


@pytest.mark.parametrize("name", ["setup.exe", "tools/run.BAT", "a.ps1", "x.jar", "macro.docm", "x.lnk"])
def test_a_program_by_name_is_refused(name):
    refused(zip_of([("readme.txt", b"hi"), (name, b"anything")]), "可执行程序")


@pytest.mark.parametrize("head", [b"MZ\x90\x00", b"\x7fELF\x02", b"#!/bin/sh\n", b"\xcf\xfa\xed\xfe"])
def test_a_program_by_content_is_refused_whatever_its_name(head):
    refused(zip_of([("report.txt", head + b"\x00" * 64)]), "可执行程序")


def test_a_document_with_an_embedded_program_or_macros_is_refused():
    docx = [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")]
    refused(zip_of([*docx, ("word/embeddings/oleObject1.bin", b"MZ\x90\x00" + b"\x00" * 60)]), "可执行程序")
    refused(zip_of([*docx, ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]), "宏")


def test_a_zip_bomb_is_refused_by_its_ratio():
    bomb = zip_of([("zeros.bin.txt", b"\x00" * (32 << 20))])  # 32 MiB of zeros in ~32 KiB
    assert len(bomb) < 100_000
    refused(bomb, "压缩比异常")


def test_the_total_unpacked_size_and_the_number_of_entries_are_bounded(monkeypatch):
    monkeypatch.setattr(contents, "MAX_UNPACKED_BYTES", 1000)
    refused(zip_of([("a.txt", b"x" * 600), ("b.txt", b"y" * 600)]), "解压后超过")
    monkeypatch.setattr(contents, "MAX_ENTRIES", 3)
    refused(zip_of([(f"{i}.txt", b"x") for i in range(4)]), "文件过多")


def test_an_ordinary_zip_and_an_ordinary_docx_pass():
    assert contents.inspect_zip(io.BytesIO(_zip({"readme.txt": b"hello", "data/a.csv": b"1,2"}))) == [
        "readme.txt",
        "data/a.csv",
    ]
    assert "word/document.xml" in contents.inspect_zip(io.BytesIO(DOCX))
    # Well-compressible XML under the floor is not judged by its ratio.
    contents.inspect_zip(io.BytesIO(zip_of([("word/document.xml", b"<w:p/>" * 100_000)])))


def test_a_damaged_zip_is_refused():
    refused(b"PK\x03\x04" + b"\x00" * 40, "已损坏")


# ---------------------------------------------------------------- PDF


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj<<" + body + b">>endobj\ntrailer<<>>\n%%EOF\n"


def objstm(inner: bytes) -> bytes:
    packed = zlib.compress(inner)
    return (
        b"%PDF-1.7\n5 0 obj<</Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b">>stream\n"
        + packed
        + b"\nendstream\nendobj\ntrailer<<>>\n%%EOF\n"
    )


@pytest.mark.parametrize(
    "data, what",
    [
        (pdf_with(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "JavaScript"),
        (pdf_with(b"/AA<</O<</S/Launch/F(cmd.exe)>>>>"), "启动外部程序"),
        (pdf_with(b"/Names<</EmbeddedFiles<</Names[(a.exe)2 0 R]>>>>"), "嵌入的文件"),
        (pdf_with(b"/OpenAction<</S/#4A#61vaScript/#4A#53(x)>>"), "JavaScript"),
        (objstm(b"1 0 <</S/JavaScript/JS(app.alert(1))>>"), "JavaScript"),
        (pdf_with(b"/AcroForm<</XFA 3 0 R>>"), "XFA"),
    ],
)
def test_a_pdf_that_runs_something_or_carries_a_file_is_refused(data, what):
    with pytest.raises(UploadRejected, match=what):
        contents.inspect_pdf(io.BytesIO(data))


def test_an_ordinary_pdf_passes():
    contents.inspect_pdf(io.BytesIO(PDF))
    contents.inspect_pdf(io.BytesIO(objstm(b"1 0 <</Type/Page/Contents 2 0 R>>")))


# ---------------------------------------------------------------- through the service and the page


def test_the_service_stores_nothing_refused(project, people):
    bomb = zip_of([("zeros.txt", b"\x00" * (32 << 20))])
    with pytest.raises(UploadRejected, match="压缩比异常"):
        services.material_upload(
            project, actor=people.owner_preparer, kind="other", upload=upload("a.zip", bomb)
        )
    js = pdf_with(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>")
    with pytest.raises(UploadRejected, match="JavaScript"):
        services.material_upload(
            project, actor=people.owner_preparer, kind="application", upload=upload("a.pdf", js)
        )
    assert not MaterialVersion.objects.filter(project=project).exists()


def test_the_page_says_why_in_chinese(client, project, people):
    client.force_login(people.owner_preparer)
    url = reverse("documents:material_upload", args=[project.pk])
    evil = zip_of(
        [("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>"), ("word/x.exe", b"MZ")]
    )
    response = client.post(url, {"kind": "application", "file": upload("申报书.docx", evil)})
    assert response.status_code == 400 and "可执行程序" in response.json()["error"]
