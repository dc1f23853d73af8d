"""Rendering a filing: a Django template over a saved snapshot → PDF bytes (WeasyPrint).

Fonts: the templates name the faces an official document asks for — 仿宋, 宋体, 黑体, 楷体,
小标宋 — and templates/documents/fonts.css maps each name, with @font-face ``local()``
rules resolved by fontconfig at run time, to the first installed face of a list: the real
Windows/Founder faces where a machine has them, else Noto Serif/Sans CJK SC from the Debian
package fonts-noto-cjk (scripts/ensure-system-packages.sh). No path of this machine is
committed, and no character falls back to a box.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

_font_config = None


def _fonts():
    global _font_config
    if _font_config is None:
        # deferred: weasyprint takes about half a second to import; pages without a PDF skip it
        from weasyprint.text.fonts import FontConfiguration

        _font_config = FontConfiguration()
    return _font_config


def render_html(template: str, snapshot: dict) -> str:
    return render_to_string(template, {"s": snapshot})


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """(PDF bytes, number of pages)."""
    # deferred: weasyprint takes about half a second to import; pages without a PDF skip it
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(font_config=_fonts())
    return document.write_pdf(), len(document.pages)


def render(template: str, snapshot: dict) -> tuple[bytes, int]:
    return html_to_pdf(render_html(template, snapshot))
