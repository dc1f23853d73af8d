"""The storage for materials and filings, and the digests of what goes into it.

``settings.STORAGES["documents"]`` is a private local folder by default; an S3-compatible
store (MinIO, OSS, OBS …) is configured there without code changes (docs/storage.md).
The storage is looked up on every use (not bound at import), so tests and deployments can
swap it through settings.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import storages

ALIAS = "documents"
CHUNK = 1024 * 1024


def storage():
    return storages[ALIAS]


def digests_of_file(fileobj) -> tuple[str, str, int]:
    """(SHA-256, SM3, size) of a file-like object, read in chunks from the start."""
    sha, sm3, size = hashlib.sha256(), hashlib.new("sm3"), 0
    fileobj.seek(0)
    while chunk := fileobj.read(CHUNK):
        sha.update(chunk)
        sm3.update(chunk)
        size += len(chunk)
    fileobj.seek(0)
    return sha.hexdigest(), sm3.hexdigest(), size


def digests(data: bytes) -> tuple[str, str]:
    return hashlib.sha256(data).hexdigest(), hashlib.new("sm3", data).hexdigest()


def save(key: str, fileobj) -> str:
    """Store ``fileobj`` under ``key``; returns the key the storage actually used."""
    fileobj.seek(0)
    return storage().save(key, fileobj)


def save_bytes(key: str, data: bytes) -> str:
    return storage().save(key, ContentFile(data))


def open_file(key: str):
    return storage().open(key, "rb")


def delete(key: str) -> None:
    storage().delete(key)
