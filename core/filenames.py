"""Download file names (issue 15): a filing or an export downloads under a name that says what
it is, about which project, and of which day — not every application form as the same
"政务信息化项目建设需求申报表.pdf" — and reaches every browser intact (RFC 6266 with the
RFC 5987 ``filename*`` for Chinese, and a plain-ASCII ``filename`` for old clients).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from urllib.parse import quote

#: Characters no file system or browser accepts in a name (Windows' list and controls).
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
#: A name's length without its extension: the Windows path limit leaves room for a folder.
STEM_MAX = 120


def _clean(text: str) -> str:
    text = _FORBIDDEN.sub("_", unicodedata.normalize("NFC", str(text or "")))
    return re.sub(r"\s+", " ", text).strip(" ._")


def download_name(title: str, *, subject: str = "", day: datetime.date | None = None, ext: str) -> str:
    """ "{title}_{subject}_{YYYY-MM-DD}.{ext}": the subject (a project's name) is left out when
    the title already holds it and shortened first when the name is too long."""
    title, subject = _clean(title) or "download", _clean(subject)
    if subject and subject in title:
        subject = ""
    when = day.isoformat() if day else ""
    fixed = len(title) + len(when) + 2
    if subject and fixed + len(subject) > STEM_MAX:
        subject = subject[: max(STEM_MAX - fixed - 1, 8)] + "…"
    stem = "_".join(part for part in (title, subject, when) if part)
    if len(stem) > STEM_MAX:
        stem = stem[: STEM_MAX - len(when) - 2] + "…_" + when if when else stem[:STEM_MAX]
    return f"{stem}.{ext.lstrip('.')}"


def ascii_fallback(name: str) -> str:
    """The name in plain ASCII for clients that do not read ``filename*``: what survives of
    it, or "download" with its date and extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._")
    if not re.search(r"[A-Za-z]", plain):
        date = re.search(r"\d{4}-\d{2}-\d{2}", stem)
        plain = "download" + (f"_{date.group(0)}" if date else "")
    ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:10]
    return f"{plain[:100]}.{ext}" if ext else plain[:100]


def content_disposition(name: str, *, inline: bool = False) -> str:
    """The Content-Disposition header for ``name`` (RFC 6266; ``filename*`` per RFC 5987)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
