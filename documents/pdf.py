"""Rendering a filing: a Django template over a saved snapshot → PDF bytes (WeasyPrint).

Fonts: the templates name the faces an official document asks for — 仿宋, 宋体, 黑体, 楷体,
小标宋 — and templates/documents/fonts.css maps each name, with @font-face ``local()``
rules resolved by fontconfig at run time, to the first installed face of a list: the real
Windows/Founder faces where a machine has them, else Noto Serif/Sans CJK SC from the Debian
package fonts-noto-cjk (scripts/ensure-system-packages.sh). No path of this machine is
committed, and no character falls back to a box.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import connections
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .typeset import prepare

_font_config = None
_fetcher = None

#: The only images a filing may carry inline (we generate none today; a later seal or QR code
#: would be one of these).
DATA_IMAGES = ("data:image/png;", "data:image/jpeg;")


#: Where fontconfig finds the faces templates/documents/fonts.css names with ``local()``:
#: WeasyPrint reads the matched font file through the URL fetcher too. Fonts only, by suffix.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts")
FONT_SUFFIXES = frozenset({".ttf", ".otf", ".ttc", ".otc", ".woff", ".woff2"})


def static_root() -> Path:
    """The only folder a filing may read from: the project's own static files."""
    return Path(settings.BASE_DIR, "static").resolve()


def allowed(url: str) -> bool:
    """Whether a filing may fetch ``url`` while rendering. Only the project's own static files
    (a ``file:`` URL inside static/, after resolving ``..`` and symbolic links) and inline
    PNG/JPEG images; never another file (/etc/passwd, the database, uploaded materials), never
    the network (http:, https:, ftp:), never other data: content. The one exception is a font
    file of the system's font folders, which fontconfig matched for a ``local()`` face of
    templates/documents/fonts.css."""
    if url.startswith(DATA_IMAGES):
        return True
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(os.path.realpath(unquote(parts.path)))
    if not path.is_file():
        return False
    if path.suffix.lower() in FONT_SUFFIXES and any(path.is_relative_to(d) for d in FONT_DIRS):
        return True
    return path.is_relative_to(static_root())


class FetchRefused(ValueError):
    pass


def _url_fetcher():
    global _fetcher
    if _fetcher is None:
        # deferred: weasyprint takes about half a second to import; pages without a PDF skip it
        from weasyprint.urls import URLFetcher

        class LocalOnly(URLFetcher):
            def fetch(self, url, headers=None):
                if not allowed(url):
                    raise FetchRefused(f"文书不得引用外部资源：{url[:200]}")
                return super().fetch(url, headers)

        _fetcher = LocalOnly(allowed_protocols=("file", "data"), allow_redirects=False)
    return _fetcher


def _fonts():
    global _font_config
    if _font_config is None:
        # deferred: weasyprint takes about half a second to import; pages without a PDF skip it
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_html(template: str, snapshot: dict) -> str:
    return render_to_string(template, {"s": prepare(snapshot)})


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, number of pages)."""
    # deferred: weasyprint takes about half a second to import; pages without a PDF skip it
    from weasyprint import HTML

    # A relative reference resolves inside static/ (never the project root), and every fetch
    # goes through the local-only fetcher: only template autoescaping stood between a user's
    # text and an <img src="file:///etc/passwd"> before.
    document = HTML(string=html, base_url=f"{static_root().as_uri()}/", url_fetcher=_url_fetcher()).render(
        font_config=_fonts()
    )
    return document.write_pdf(), len(document.pages)


def render(template: str, snapshot: dict) -> tuple[bytes, int]:
    return html_to_pdf(render_html(template, snapshot))


# ---------------------------------------------------------------- long forms, in parts (issue 10)
#
# The annual plan of a province (办法第十一条) runs to thousands of pages; WeasyPrint lays a
# document out whole, so one document of 7,800 rows took minutes and gigabytes. A form whose
# snapshot marks one table ``splittable`` is set once (documents/typeset.py: one set of column
# widths for every part), cut into parts of about ``settings.PDF_PART_ROWS`` rows after a
# department's subtotal, each part rendered on its own (in up to ``settings.PDF_PROCESSES``
# processes) and written to a temporary file, and the parts joined (pikepdf, i.e. qpdf). Only the running
# "第 X 页 共 Y 页" needs the whole: the parts are rendered without it, and a second document of
# as many empty pages carrying only the page numbers, in the same @page rules, is laid over
# them. Memory is bounded by one part per process.

PartProgress = Callable[[int, int, str], None]


def no_progress(done: int, total: int, stage: str) -> None:
    return None


def split(prepared: dict, rows_per_part: int) -> list[dict]:
    """The snapshot (already prepared) as parts: the first with the title and what precedes
    the table, the last with what follows it (signatures, note); one part when short."""
    index = next(
        (i for i, sec in enumerate(prepared.get("sections", [])) if sec.get("splittable")),
        None,
    )
    if index is None or rows_per_part <= 0:
        return [prepared]
    sections = prepared["sections"]
    table = sections[index]
    chunks: list[list] = []
    chunk: list = []
    for row in table["rows"]:
        chunk.append(row)
        at_subtotal = row.get("style") in ("subtotal", "total")
        if (len(chunk) >= rows_per_part and at_subtotal) or len(chunk) >= 2 * rows_per_part:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    if len(chunks) <= 1:
        return [prepared]
    parts = []
    for n, rows in enumerate(chunks):
        first, last = n == 0, n == len(chunks) - 1
        part = {**prepared, "parted": True, "continuation": not first}
        part["sections"] = [
            *(sections[:index] if first else []),
            {**table, "rows": rows},
            *(sections[index + 1 :] if last else []),
        ]
        if not last:
            part["signatures"], part["note"] = [], ""
        parts.append(part)
    return parts


def _child(html: str, folder: str, n: int, send: Connection) -> None:
    """In a forked child: lay out part ``n`` into its file and send back (path, pages), or the
    error. The child ends with ``os._exit`` (multiprocessing's fork start), so it never runs
    the parent's finalisers (its database connections are the parent's sockets)."""
    try:
        send.send(("ok", _render_part(html, folder, n)))
    except BaseException as exc:  # sent to the parent, which raises it
        send.send(("error", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        send.close()


def _render_in_children(
    htmls: Sequence[str], folder: str, processes: int
) -> Iterator[tuple[int, tuple[str, int]]]:
    """Each part in a fresh child forked from this warmed process, at most ``processes`` at a
    time; yields (part number, (path, pages)) as they finish. A fresh child per part: what a
    part leaves behind in a child's heap never adds up over the next parts. (Not
    ``multiprocessing.Pool(maxtasksperchild=1)``: its worker handler thread forks replacements
    while another thread may hold a lock, and its terminate at the end hung a worker, measured
    once in three runs of the province's plan.)"""
    context = multiprocessing.get_context("fork")
    waiting = list(range(len(htmls)))
    running: dict[Any, tuple[Any, int, Connection]] = {}
    try:
        while waiting or running:
            while waiting and len(running) < processes:
                n = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                child = context.Process(target=_child, args=(htmls[n], folder, n, send), daemon=True)
                child.start()
                send.close()
                running[child.sentinel] = (child, n, receive)
            for sentinel in wait(list(running)):
                child, n, receive = running.pop(sentinel)
                try:
                    status, value = receive.recv()
                except EOFError:
                    status, value = "error", "the process ended without a result"
                finally:
                    receive.close()
                child.join()
                if status != "ok" or child.exitcode != 0:
                    raise RuntimeError(f"PDF part {n}: {value} (exit code {child.exitcode})")
                yield n, value
    finally:
        for child, _n, receive in running.values():
            child.terminate()
            child.join()
            receive.close()


def _render_part(html: str, folder: str, n: int) -> tuple[str, int]:
    data, pages = html_to_pdf(html)
    path = os.path.join(folder, f"part-{n:05d}.pdf")
    with open(path, "wb") as fh:
        fh.write(data)
    return path, pages


def _warm_up(template: str, part: dict) -> None:
    """Lay out a few rows of ``part`` here, before the children are forked: the faces,
    fontconfig's and Pango's caches are then loaded once and shared by every child instead of
    loaded again in each (about 120 MB a process)."""
    sections = [
        {**sec, "rows": sec["rows"][:3]} if sec.get("splittable") else sec for sec in part["sections"]
    ]
    html_to_pdf(render_to_string(template, {"s": {**part, "sections": sections}}))


def _trim() -> None:
    """Give the memory freed so far back to the system (glibc keeps freed blocks of up to
    32 MB, such as the copies of the faces WeasyPrint makes to subset them, for reuse): the
    children forked next start from a smaller parent. Nothing where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def render_long(template: str, snapshot: dict, *, progress: PartProgress = no_progress) -> tuple[bytes, int]:
    """``render`` for a form that may be long: in parts when its splittable table is longer
    than ``settings.PDF_PART_ROWS`` rows, else in one piece. (PDF bytes, number of pages)."""
    prepared = prepare(snapshot)
    parts = split(prepared, settings.PDF_PART_ROWS)
    if len(parts) == 1:
        progress(0, 1, _("正在排版"))
        result = render(template, snapshot)
        progress(1, 1, _("排版完成"))
        return result
    total = len(parts) + 1  # the parts, then joining
    progress(0, total, _("共 %(n)d 部分，正在排版") % {"n": len(parts)})
    with tempfile.TemporaryDirectory(prefix="pdf-parts-") as folder:
        htmls = [render_to_string(template, {"s": part}) for part in parts]
        results: list[tuple[str, int] | None] = [None] * len(parts)
        processes = max(1, min(settings.PDF_PROCESSES, len(parts)))
        if any(conn.in_atomic_block for conn in connections.all(initialized_only=True)):
            # Closing the connections before forking would break the caller's transaction:
            # inside one, the parts are laid out here, one after the other.
            processes = 1
        if processes == 1:
            for n, html in enumerate(htmls):
                results[n] = _render_part(html, folder, n)
                progress(n + 1, total, _("已排版 %(done)d/%(n)d 部分") % {"done": n + 1, "n": len(parts)})
        else:
            # The children only lay out HTML into files: no database, no request. Connections
            # are closed first; the one ``progress`` opens again is inherited by the children
            # forked later, which never use it and end with os._exit (never closing it).
            connections.close_all()
            _warm_up(template, parts[-1])
            _trim()
            # What the parent holds now (Django, WeasyPrint, the faces) is shared with the
            # children as long as nothing writes to it: frozen, the collector of a child never
            # walks (and so never copies) the parent's objects.
            gc.freeze()
            try:
                for done, (n, rendered) in enumerate(_render_in_children(htmls, folder, processes), start=1):
                    results[n] = rendered
                    stage = _("已排版 %(done)d/%(n)d 部分") % {"done": done, "n": len(parts)}
                    progress(done, total, stage)
            finally:
                gc.unfreeze()
        paths = [r[0] for r in results if r is not None]
        pages = sum(r[1] for r in results if r is not None)
        progress(len(parts), total, _("正在合并 %(pages)d 页") % {"pages": pages})
        data = _join(paths, _page_numbers(prepared, pages), title=prepared.get("title", ""))
    progress(total, total, _("排版完成"))
    return data, pages


def _page_numbers(prepared: dict, pages: int) -> bytes:
    """A document of ``pages`` empty pages in the form's own @page rules, carrying only
    "第 X 页 共 Y 页"."""
    html = render_to_string("documents/page_numbers.html", {"s": prepared, "pages": range(pages)})
    data, count = html_to_pdf(html)
    if count != pages:
        raise RuntimeError(f"page numbers: {count} pages for {pages}")
    return data


def _join(paths: list[str], numbers: bytes, *, title: str) -> bytes:
    """The parts as one PDF, each page with its page number laid over it (qpdf through
    pikepdf: pages are copied and overlaid as form XObjects, without parsing their content)."""
    # deferred: pikepdf is needed only to join a long form's parts
    import pikepdf

    with pikepdf.Pdf.new() as joined, pikepdf.open(io.BytesIO(numbers)) as overlay:
        opened = []
        try:
            for path in paths:
                part = pikepdf.open(path)
                opened.append(part)
                joined.pages.extend(part.pages)
            for page, number in zip(joined.pages, overlay.pages, strict=True):
                page.add_overlay(number, None)
            if title:
                with joined.open_metadata(set_pikepdf_as_editor=False) as meta:
                    meta["dc:title"] = title
                joined.docinfo["/Title"] = title
            out = io.BytesIO()
            joined.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
            return out.getvalue()
        finally:
            for part in opened:
                part.close()
