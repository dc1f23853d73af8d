"""The storage for materials and filings, and the digests of what goes into it.

``settings.STORAGES["documents"]`` is a private local folder by default; an S3-compatible
store (MinIO, OSS, OBS …) is configured there without code changes (docs/storage.md).
The storage is looked up on every use (not bound at import), so tests and deployments can
swap it through settings.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils.translation import gettext_lazy as _

from lifecycle.errors import RuleViolation

ALIAS = "documents"
CHUNK = 1024 * 1024

logger = logging.getLogger(__name__)


class StorageUnavailable(RuleViolation):
    """The storage failed to keep or give back a file (disk full, no permission, the S3 store
    unreachable …). Raised before anything of the act is committed, so nothing was kept: the
    web answers 503 with this sentence (config.middleware, documents.views), never a 500."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "文件存储暂时不可用，本次操作没有完成，也没有保存任何内容（未上传文件、未出具文书、未占用文号）。"
                "请稍后重试；如果问题持续出现，请联系系统管理员。"
            ),
            code="storage",
        )


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
    """Store ``fileobj`` under ``key``; returns the key the storage actually used.
    StorageUnavailable when the storage fails (whatever its backend raises: OSError for the
    local folder, botocore's errors for S3)."""
    fileobj.seek(0)
    try:
        return storage().save(key, fileobj)
    except Exception as exc:
        logger.exception("documents storage: saving %s failed", key)
        raise StorageUnavailable() from exc


def save_bytes(key: str, data: bytes) -> str:
    return save(key, ContentFile(data))


def open_file(key: str):
    """The stored file, open for reading; StorageUnavailable when the storage cannot give it."""
    try:
        return storage().open(key, "rb")
    except Exception as exc:
        logger.exception("documents storage: opening %s failed", key)
        raise StorageUnavailable(
            _(
                "文件暂时无法读取（文件存储不可用或文件缺失），本次下载没有完成。请稍后重试；如果问题持续出现，请联系系统管理员。"
            )
        ) from exc


def delete(key: str) -> None:
    storage().delete(key)


def discard(key: str) -> None:
    """Delete a file stored by an act that then failed. Never raises: the act's own error is the
    one to report; a file the storage could not delete is logged (and is no one's: no row
    points at it, docs/reliability.md)."""
    try:
        storage().delete(key)
    except Exception:
        logger.exception("documents storage: could not remove %s after a failed act", key)
