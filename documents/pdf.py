"""Rendering a filing: a Django template over a saved snapshot → PDF bytes (WeasyPrint).

Fonts: the templates name the faces an official document asks for — 仿宋, 宋体, 黑体, 楷体,
小标宋 — and templates/documents/fonts.css maps each name, with @font-face ``local()``
rules resolved by fontconfig at run time, to the first installed face of a list: the real
Windows/Founder faces where a machine has them, else Noto Serif/Sans CJK SC from the Debian
package fonts-noto-cjk (scripts/ensure-system-packages.sh). No path of this machine is
committed, and no character falls back to a box.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string

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
