"""Checks on an uploaded file: size, type by content (magic bytes), and a safe name.

A rejected upload raises ``UploadRejected`` whose message says why, in Chinese. The type is
decided by what the bytes are, not by what the name says; the extension must agree with it.
"""

from __future__ import annotations

import os
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

from . import contents
from .contents import UploadRejected

#: detected type → (label, extensions that may carry it, MIME type)
TYPES = {
    "pdf": ("PDF", (".pdf",), "application/pdf"),
    "ofd": ("OFD", (".ofd",), "application/ofd"),
    "docx": ("DOCX", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("XLSX", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": ("JPG", (".jpg", ".jpeg"), "image/jpeg"),
    "png": ("PNG", (".png",), "image/png"),
    "zip": ("ZIP", (".zip",), "application/zip"),
}
ALLOWED_EXTENSIONS = {ext: kind for kind, (_l, exts, _m) in TYPES.items() for ext in exts}
FORBIDDEN_NAME_CHARS = set('<>:"|?*')
MAX_NAME_LENGTH = 120


def allowed_label() -> str:
    return "、".join(label for label, _e, _m in TYPES.values())


def max_upload_bytes() -> int:
    return int(settings.DOCUMENTS_MAX_UPLOAD_BYTES)


def safe_filename(name: str) -> str:
    """The name as it will be shown and offered on download, or UploadRejected.

    The stored object gets a generated key; this name never becomes a path, but it still
    must not smuggle a path, control characters or characters Windows refuses.
    """
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name:
        raise UploadRejected(_("文件名为空。"))
    if "/" in name or "\\" in name or any(unicodedata.category(c) in ("Cc", "Cf") for c in name):
        raise UploadRejected(
            _("文件名“%(name)s”含有路径分隔符或控制字符，请重命名后上传。") % {"name": name[:60]}
        )
    if name.startswith(".") or name.endswith((".", " ")):
        raise UploadRejected(_("文件名不能以“.”开头，也不能以“.”或空格结尾。"))
    bad = sorted(FORBIDDEN_NAME_CHARS & set(name))
    if bad:
        raise UploadRejected(_("文件名不能包含字符 %(chars)s。") % {"chars": " ".join(bad)})
    if len(name) > MAX_NAME_LENGTH:
        raise UploadRejected(_("文件名过长（不超过%(n)s个字符）。") % {"n": MAX_NAME_LENGTH})
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise UploadRejected(
            _("不接受“%(ext)s”类型的文件，只接受 %(allowed)s 文件。")
            % {"ext": ext or _("无扩展名"), "allowed": allowed_label()}
        )
    return name


def sniff(fileobj) -> str:
    """The type of the content (a key of TYPES), or UploadRejected. Leaves the file at 0."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _sniff_zip(fileobj)
    raise UploadRejected(_("文件内容不是可接受的类型（只接受 %(allowed)s）。") % {"allowed": allowed_label()})


def _sniff_zip(fileobj) -> str:
    names = contents.inspect_zip(fileobj)
    if "OFD.xml" in names:
        return "ofd"
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return "docx"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
    return "zip"


def check_upload(fileobj, name: str, size: int) -> tuple[str, str]:
    """(safe display name, detected type) for an upload, or UploadRejected saying why."""
    display = safe_filename(name)
    limit = max_upload_bytes()
    if size <= 0:
        raise UploadRejected(_("文件为空。"))
    if size > limit:
        raise UploadRejected(
            _("文件大小 %(size).1f MB 超过上限 %(limit).0f MB。")
            % {"size": size / 1048576, "limit": limit / 1048576}
        )
    detected = sniff(fileobj)
    if detected == "pdf":
        contents.inspect_pdf(fileobj)
    ext = os.path.splitext(display)[1].lower()
    if ext not in TYPES[detected][1]:
        raise UploadRejected(
            _("文件内容与扩展名不符：扩展名为“%(ext)s”，内容是 %(kind)s 文件。")
            % {"ext": ext, "kind": TYPES[detected][0]}
        )
    return display, detected
