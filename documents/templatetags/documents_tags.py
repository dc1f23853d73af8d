"""What the person looking at a project page may do with its materials now."""

from django import template
from django.utils.safestring import mark_safe

from documents.evidence import confirmable_kinds
from documents.registry import UPLOADS, MaterialKind
from documents.services import uploadable_kinds as kinds
from documents.typeset import keep_tail

register = template.Library()


@register.filter(name="keep_tail")
def keep_tail_filter(value):
    """The text with its last two characters kept on one line (documents/typeset.py)."""
    return mark_safe(keep_tail(value))  # keep_tail escapes every part of the text


@register.simple_tag
def uploadable_kinds(project, user):
    """(value, label) of the kinds ``user`` may upload now (documents.registry.UPLOADS)."""
    return kinds(project, user) if user.is_authenticated else []


@register.simple_tag
def dated_kinds():
    """Labels of the kinds whose upload records the document's date and issuing body."""
    return [(k, str(MaterialKind(k).label)) for k, rule in UPLOADS.items() if rule.dated]


@register.simple_tag
def confirmable_evidence(project, user):
    """(kind, step label, version) ``user``'s agency may confirm now (办法第二十九、三十二条)."""
    return confirmable_kinds(project, user) if user.is_authenticated else []
