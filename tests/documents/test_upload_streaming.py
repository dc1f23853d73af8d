"""The upload cap holds while the body streams in (issue 9): a file past the cap, or any file
from someone not signed in, is not read to its end, never reaches memory or a temporary file,
and the page says why."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from documents import uploads
from documents.models import MaterialVersion

from .conftest import PDF, upload

MIB = 1 << 20


class CountingStream(io.BytesIO):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.consumed += len(line)
        return line


def request_with(body_fields: dict, user) -> tuple[WSGIRequest, CountingStream]:
    body = encode_multipart(BOUNDARY, body_fields)
    stream = CountingStream(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_TYPE": MULTIPART_CONTENT,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": stream,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "PATH_INFO": "/",
        "wsgi.url_scheme": "http",
    }
    request = WSGIRequest(environ)
    request.user = user
    return request, stream


@pytest.fixture
def spooled(monkeypatch):
    """Every temporary file the upload handlers start."""
    made = []
    original = TemporaryUploadedFile.__init__

    def record(self, *args, **kwargs):
        made.append(args)
        original(self, *args, **kwargs)

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", record)
    return made


def test_a_file_past_the_cap_is_not_read_to_its_end(settings, people, spooled):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1 * MIB
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (8 * MIB))
    big.name = "big.pdf"
    request, stream = request_with({"kind": "application", "file": big}, people.owner_preparer)
    assert request.POST["kind"] == "application"  # the fields before the file are read
    assert "file" not in request.FILES
    assert "超过上限 1 MB" in uploads.refusal(request)
    assert stream.consumed < 2 * MIB  # not the 8 MiB sent
    assert spooled == []


def test_a_file_declared_past_the_cap_is_stopped_before_its_first_byte(settings, people, spooled):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1 * MIB
    big = io.BytesIO(b"x" * (4 * MIB))
    big.name = "big.zip"
    request, stream = request_with({"file": big}, people.owner_preparer)
    assert request.FILES.get("file") is None and uploads.refusal(request)
    assert stream.consumed < 300 * 1024 and spooled == []


def test_nobody_uploads_without_signing_in(people, spooled):
    big = io.BytesIO(b"y" * (5 * MIB))
    big.name = "x.pdf"
    request, stream = request_with({"username": "bureau_head", "file": big}, AnonymousUser())
    assert request.POST["username"] == "bureau_head" and not request.FILES
    assert uploads.refusal(request) == "请先登录后再上传文件。"
    assert stream.consumed < 300 * 1024 and spooled == []


def test_a_file_within_the_cap_is_received_whole(settings, people):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1 * MIB
    data = b"%PDF-1.4\n" + b"0" * (MIB - 100)
    ok = io.BytesIO(data)
    ok.name = "ok.pdf"
    request, _stream = request_with({"file": ok}, people.owner_preparer)
    assert request.FILES["file"].read() == data and uploads.refusal(request) is None


def test_the_upload_page_answers_413_with_the_reason_and_stores_nothing(client, settings, project, people):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1 * MIB
    client.force_login(people.owner_preparer)
    url = reverse("documents:material_upload", args=[project.pk])
    response = client.post(url, {"kind": "application", "file": upload("a.pdf", PDF + b"0" * (2 * MIB))})
    assert response.status_code == 413 and "超过上限" in response.json()["error"]
    assert not MaterialVersion.objects.filter(project=project).exists()
    response = client.post(url, {"kind": "application", "file": upload("a.pdf", PDF)})
    assert response.status_code == 201


def test_the_login_page_takes_no_file(client, people, spooled):
    response = client.post(
        reverse("login"),
        {"username": "owner_preparer", "password": "wrong", "file": upload("x.pdf", b"z" * (3 * MIB))},
    )
    assert response.status_code == 200 and spooled == []
