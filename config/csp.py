"""Content-Security-Policy on every page (issue 9): scripts, styles, images, fonts and forms
from this server only; no inline script at all; no plugins, no framing, no <base> elsewhere.

The pages load one stylesheet and one script from /static/ and carry no inline script, event
attribute or style attribute. The only inline styles are the self-contained <style> blocks of
the 409 and 500 pages (they must render when nothing else works); they are allowed by their
SHA-256, computed from the templates when the server starts, so they cannot be altered or
joined by another inline style."""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from django.conf import settings

SELF_CONTAINED = ("409.html", "500.html")


@cache
def _style_hashes() -> tuple[str, ...]:
    hashes = []
    for name in SELF_CONTAINED:
        text = Path(settings.BASE_DIR, "templates", name).read_text(encoding="utf-8")
        for block in re.findall(r"<style>(.*?)</style>", text, re.S):
            digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
            hashes.append(f"'sha256-{digest}'")
    return tuple(hashes)


@cache
def policy() -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' " + " ".join(_style_hashes()),
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", policy())
        return response
