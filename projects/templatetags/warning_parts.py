"""Issue 15: which fields of two applications matched, with their part scores — the split
(办法第八条) and duplicate (办法第三条) warnings on the bureau's home page and the project page."""

from __future__ import annotations

from django import template

from projects.similarity import matched_fields

register = template.Library()


@register.filter
def warning_parts(details) -> list[dict]:
    """The part scores of a warning's ``details``, strongest first (similarity.matched_fields)."""
    return matched_fields(details if isinstance(details, dict) else {})
