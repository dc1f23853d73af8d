"""Every English page cites the 办法 the same way (issue 11): "Measures 第十条" → "Art. 10",
"第十条第二款" → "Art. 10(2)", "第十七条（一）" → "Art. 17(1)" (core.articles.englished).

Article references reach a page from many places — a guard's refusal, a step's label, a
clock, an audit row, a filing's name — each interpolating the Chinese reference the code
cites into a translated sentence. Rewriting them here, once, on the way out of every English
response (HTML, plain text, JSON), covers them all; Chinese pages are left exactly as they are.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils import translation

from core.articles import englished

_TEXT_TYPES = ("text/html", "text/plain")

#: What a person typed and may post again — a textarea's text, an input's value — is theirs:
#: left as it is, so that saving an English page never rewrites the stored Chinese text.
_TYPED = re.compile(
    r"<textarea\b.*?</textarea>|\bvalue=\"[^\"]*\"|\bvalue='[^']*'", re.DOTALL | re.IGNORECASE
)


def english_page(html: str) -> str:
    """``html`` with the references written in English, outside what a person typed."""
    out, last = [], 0
    for typed in _TYPED.finditer(html):
        out.append(englished(html[last : typed.start()]))
        out.append(typed.group(0))
        last = typed.end()
    out.append(englished(html[last:]))
    return "".join(out)


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return englished(value)
    if isinstance(value, list):
        return [_walk(v) for v in value]
    if isinstance(value, dict):
        return {k: _walk(v) for k, v in value.items()}
    return value


class EnglishArticlesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (translation.get_language() or "").startswith("zh") or getattr(response, "streaming", False):
            return response
        kind = response.get("Content-Type", "").split(";")[0].strip()
        charset = response.charset or "utf-8"
        if kind in _TEXT_TYPES:
            text = response.content.decode(charset, errors="replace")
            new = english_page(text) if kind == "text/html" else englished(text)
        elif kind == "application/json":
            try:
                new = json.dumps(_walk(json.loads(response.content.decode(charset))))
            except ValueError:
                return response
            text = ""
        else:
            return response
        if new != text:
            response.content = new.encode(charset)
            if response.has_header("Content-Length"):
                response["Content-Length"] = str(len(response.content))
        return response
