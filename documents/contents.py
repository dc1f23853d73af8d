"""What is inside an uploaded container, looked at without unpacking it (issue 9).

A material is stored exactly as uploaded and downloaded by reviewers on government machines,
so a file that would run something there, or exhaust a disk when unpacked, is refused at the
upload with a reason in Chinese:

* ZIP and the formats built on it (DOCX, XLSX, OFD): read from the central directory only —
  no symbolic links, no absolute, drive-letter or ``..`` paths, at most ``MAX_ENTRIES``
  entries, at most ``MAX_UNPACKED_BYTES`` unpacked in all and a compression ratio of at most
  ``MAX_RATIO`` (a zip bomb of 1 GiB in 1 MiB is 1000:1); no programs (by name, and by the
  first bytes of each entry: ``MZ`` Windows, ``\\x7fELF`` Linux, ``#!`` scripts, Mach-O); no
  Office macros (``vbaProject.bin``).
* PDF: no JavaScript, no launch or other automatic actions that run something, no embedded
  files, no rich media — the name tokens a PDF uses for them, also written with ``#xx``
  escapes and also inside compressed object streams (a reduced pdfid).

The numbers are limits of this system, not of the 办法.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib

from django.utils.translation import gettext as _

from lifecycle.errors import RuleViolation

MAX_ENTRIES = 10_000
MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB in all
MAX_RATIO = 200
#: Below this an entry's ratio is not judged (a few KiB of repeated XML compress very well).
RATIO_FLOOR_BYTES = 1 << 20

PROGRAM_SUFFIXES = frozenset(
    {
        ".exe", ".dll", ".com", ".scr", ".pif", ".msi", ".msp", ".bat", ".cmd", ".ps1", ".psm1",
        ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".hta", ".cpl", ".jar", ".sh", ".bin",
        ".elf", ".so", ".dylib", ".app", ".lnk", ".reg", ".docm", ".xlsm", ".pptm", ".dotm",
    }
)  # fmt: skip
PROGRAM_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")
MACROS = re.compile(r"(^|/)vbaProject\.bin$", re.IGNORECASE)
DRIVE = re.compile(r"^[A-Za-z]:")


class UploadRejected(RuleViolation):
    """An upload refused for what it is (documents/checks.py) or what it holds (here)."""

    def __init__(self, message):
        super().__init__(message, code="upload")


def _member_problem(info: zipfile.ZipInfo) -> str | None:
    name = info.filename
    path = name.replace("\\", "/")
    if path.startswith("/") or DRIVE.match(path) or ".." in path.split("/") or "\x00" in path:
        return _("压缩文件中含有不安全的路径“%(member)s”。") % {"member": name[:80]}
    if stat.S_ISLNK(info.external_attr >> 16):
        return _("压缩文件中含有符号链接“%(member)s”。") % {"member": name[:80]}
    if MACROS.search(path):
        return _("文件中含有宏（%(member)s），请另存为不含宏的文档后上传。") % {"member": name[:80]}
    suffix = ("." + path.rsplit(".", 1)[-1].lower()) if "." in path.rsplit("/", 1)[-1] else ""
    if suffix in PROGRAM_SUFFIXES:
        return _("压缩文件中含有可执行程序或脚本“%(member)s”。") % {"member": name[:80]}
    return None


def inspect_zip(fileobj, *, max_unpacked: int | None = None) -> list[str]:
    """The names of a ZIP container's entries, or UploadRejected saying what is wrong.
    Reads the central directory and, of each entry, only its first bytes. ``max_unpacked``
    lowers the bound on the unpacked total (the application import's is far below a
    material's)."""
    limit = MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked
    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise UploadRejected(
                    _("压缩文件中的文件过多（%(n)s个，上限%(max)s个）。")
                    % {"n": len(infos), "max": MAX_ENTRIES}
                )
            total = 0
            for info in infos:
                problem = _member_problem(info)
                if problem:
                    raise UploadRejected(problem)
                total += info.file_size
                if total > limit:
                    raise UploadRejected(_("文件解压后超过%(mib)s MB，不予接收。") % {"mib": limit >> 20})
                if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(
                    info.compress_size, 1
                ):
                    raise UploadRejected(
                        _("压缩文件中的“%(member)s”压缩比异常（可能是压缩炸弹），不予接收。")
                        % {"member": info.filename[:80]}
                    )
            for info in infos:
                if info.is_dir() or info.file_size == 0:
                    continue
                with archive.open(info) as member:
                    head = member.read(4)
                if head.startswith(PROGRAM_MAGIC):
                    raise UploadRejected(
                        _("压缩文件中含有可执行程序或脚本“%(member)s”。") % {"member": info.filename[:80]}
                    )
            return [info.filename for info in infos]
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise UploadRejected(_("压缩文件已损坏，无法读取。")) from None
    except RuntimeError:  # an encrypted entry
        raise UploadRejected(_("压缩文件已加密，无法检查，请上传未加密的文件。")) from None
    finally:
        fileobj.seek(0)


# ---------------------------------------------------------------- PDF

#: Name tokens of active content, after #xx escapes are decoded.
PDF_ACTIVE = {
    b"JavaScript": "JavaScript脚本",
    b"JS": "JavaScript脚本",
    b"Launch": "启动外部程序的动作",
    b"EmbeddedFile": "嵌入的文件",
    b"EmbeddedFiles": "嵌入的文件",
    b"RichMedia": "多媒体内容",
    b"XFA": "XFA动态表单",
    b"ImportData": "导入数据的动作",
    b"SubmitForm": "提交表单的动作",
}
PDF_NAME = re.compile(rb"/([A-Za-z0-9#_.\-]+)")
PDF_OBJSTM = re.compile(rb"/Type\s*/ObjStm(?P<rest>.{0,200}?)>>\s*stream\r?\n", re.DOTALL)
MAX_INFLATED_BYTES = 64 << 20


def _names(data: bytes) -> set[bytes]:
    found = set()
    for m in PDF_NAME.finditer(data):
        name = m.group(1)
        if b"#" in name:
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), name)
        found.add(name)
    return found


def _object_streams(data: bytes):
    """The inflated content of each compressed object stream (where a PDF may hide its
    dictionaries), at most MAX_INFLATED_BYTES in all."""
    budget = MAX_INFLATED_BYTES
    for m in PDF_OBJSTM.finditer(data):
        if b"/Fl" not in m.group("rest"):  # /FlateDecode or its abbreviation /Fl
            continue
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            continue
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data[start:end], budget)
        except zlib.error:
            continue
        budget -= len(chunk)
        yield chunk
        if budget <= 0:
            return


def pdf_active_content(data: bytes) -> list[str]:
    """What in a PDF would run or carry something when opened (labels in Chinese), empty when
    nothing."""
    names = _names(data)
    for inflated in _object_streams(data):
        names |= _names(inflated)
    return sorted({label for token, label in PDF_ACTIVE.items() if token in names})


def inspect_pdf(fileobj) -> None:
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    found = pdf_active_content(data)
    if found:
        raise UploadRejected(
            _("PDF文件含有%(what)s，请另存或打印为不含脚本和附件的PDF后上传。") % {"what": "、".join(found)}
        )
