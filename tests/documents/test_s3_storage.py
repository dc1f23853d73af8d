"""The S3-compatible storage option of docs/storage.md, tried for real: django-storages'
S3Storage against an in-process S3 (moto), configured only through settings, as a deployment
does with DOCUMENTS_STORAGE_BACKEND / DOCUMENTS_STORAGE_OPTIONS.

Materials and filings must land in the bucket byte for byte with the digests recorded in the
database, come back through the permission-checked download views, and nothing of them may
reach the local disk."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from documents import filings, services
from documents.models import Filing
from tests.conftest import at

from .conftest import PDF, upload
from .test_filings import submit_all

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

BUCKET = "zwxx-documents"
ROOT = Path(__file__).resolve().parents[2]
OPTIONS = {
    "bucket_name": BUCKET,
    "region_name": "cn-north-1",
    "access_key": "testing",
    "secret_key": "testing",
    "default_acl": "private",
    "querystring_auth": True,
    "file_overwrite": False,
}


@pytest.fixture
def bucket(settings, monkeypatch, tmp_path):
    """An empty private bucket as the documents storage; the local folder of the other tests
    is kept as a place that must stay empty."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with moto.mock_aws():
        client = boto3.client("s3", region_name="cn-north-1")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "cn-north-1"})
        settings.STORAGES = {
            **settings.STORAGES,
            "documents": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": OPTIONS},
        }
        yield client


def stored(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_a_material_goes_to_the_bucket_with_its_recorded_digests(bucket, project, people, documents_storage):
    version = services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("建设方案.pdf", PDF)
    )
    data = stored(bucket, version.storage_key)
    assert data == PDF
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.sm3 == hashlib.new("sm3", data).hexdigest()
    assert not documents_storage.exists() or not any(documents_storage.rglob("*"))


def test_two_uploads_of_the_same_name_never_overwrite_each_other(bucket, project, people):
    first = services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("方案.pdf", PDF)
    )
    second = services.material_upload(
        project,
        actor=people.owner_preparer,
        kind="application",
        upload=upload("方案.pdf", PDF + b"% 2\n"),
    )
    assert first.storage_key != second.storage_key
    assert stored(bucket, first.storage_key) == PDF
    assert stored(bucket, second.storage_key) == PDF + b"% 2\n"


def test_downloads_come_from_the_bucket_through_the_permission_check(bucket, client, project, people):
    version = services.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=upload("方案.pdf", PDF)
    )
    url = reverse("documents:material_download", args=[version.pk])
    client.force_login(people.other_owner_head)
    assert client.get(url).status_code == 404
    client.force_login(people.owner_preparer)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]


def test_a_filing_is_issued_into_the_bucket_and_verifies_from_it(bucket, client, project, people):
    submit_all(project, people)
    with at(2025, 6, 21):
        filing = filings.generate("application_form", actor=people.owner_preparer, project=project)
    data = stored(bucket, filing.storage_key)
    assert data[:5] == b"%PDF-" and hashlib.new("sm3", data).hexdigest() == filing.sm3
    assert filings.filing_verify(filing) == {"stored_intact": True, "reproducible": True}
    client.force_login(people.owner_preparer)
    response = client.get(reverse("documents:filing_download", args=[filing.pk]))
    assert b"".join(response.streaming_content) == data


def test_an_object_changed_in_the_bucket_is_reported_as_not_intact(bucket, project, people):
    submit_all(project, people)
    with at(2025, 6, 21):
        filing = filings.generate("application_form", actor=people.owner_preparer, project=project)
    bucket.put_object(Bucket=BUCKET, Key=filing.storage_key, Body=b"%PDF-1.4 forged")
    assert filings.filing_verify(Filing.objects.get(pk=filing.pk))["stored_intact"] is False


def test_the_environment_alone_selects_and_configures_the_s3_storage():
    """What docs/storage.md tells an operator to set, read by the real settings module."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DOCUMENTS_ROOT")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="1",
        DOCUMENTS_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        DOCUMENTS_STORAGE_OPTIONS=json.dumps(
            {**OPTIONS, "endpoint_url": "https://minio.example.gov.cn:9000"}
        ),
    )
    code = (
        "import django; django.setup();"
        "from django.core.files.storage import storages;"
        "s = storages['documents'];"
        "print(type(s).__module__ + '.' + type(s).__name__, s.bucket_name, s.endpoint_url, s.file_overwrite)"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == [
        "storages.backends.s3.S3Storage",
        BUCKET,
        "https://minio.example.gov.cn:9000",
        "False",
    ]


@pytest.mark.parametrize(
    "backend, options, words",
    [
        ("storages.backends.s4.S4Storage", OPTIONS, "Could not find backend"),
        ("storages.backends.s3.S3Storage", {**OPTIONS, "bucket": BUCKET}, "bucket"),
    ],
)
def test_a_storage_that_cannot_be_built_stops_the_server_at_start(settings, backend, options, words):
    from web.checks import documents_storage_usable

    settings.STORAGES = {**settings.STORAGES, "documents": {"BACKEND": backend, "OPTIONS": options}}
    errors = documents_storage_usable()
    assert [e.id for e in errors] == ["web.E003"] and words in errors[0].msg


def test_the_configured_storages_pass_the_start_up_check(bucket):
    from web.checks import documents_storage_usable

    assert documents_storage_usable() == []
