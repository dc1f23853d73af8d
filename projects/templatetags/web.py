from decimal import Decimal, InvalidOperation

from django import template

from core.validation import yuan_to_wan_text
from lifecycle.policy import percent_text
from lifecycle.stepdata import document_no as _document_no

register = template.Library()


@register.filter
def document_no(data):
    """The 文号 a step recorded (audit row data), for the history (办法第二十六、三十六条)."""
    return _document_no(data if isinstance(data, dict) else None)


@register.filter
def wan(yuan):
    """Money is stored in 元 and shown in 万元 with two decimals and thousands separators
    ("1,234.56"; core.validation.yuan_to_wan_text). A value that is not a finite amount
    shows as "—" instead of breaking the page."""
    if yuan in (None, ""):
        return "—"
    try:
        value = Decimal(str(yuan)) if isinstance(yuan, float) else Decimal(yuan)
        if not value.is_finite():
            return "—"
        return yuan_to_wan_text(value)
    except (InvalidOperation, TypeError, ValueError):
        return "—"


@register.filter
def pct(value):
    """A measured share in percent, rounded to two places ("16.00%"); lifecycle.policy.percent_text."""
    if value is None:
        return "—"
    return percent_text(value, places=2)


@register.simple_tag
def control(field, missing=None):
    """The input of ``field`` (a BoundField). Django 5.2 already points its
    ``aria-describedby`` at ``<auto_id>_helptext`` and ``<auto_id>_error`` and sets
    ``aria-invalid`` when the field has errors; a gap listed by the 办法第九条 check
    (``missing``) is shown in the same ``<auto_id>_error`` element (templates/_field.html),
    so the input is marked the same way for it."""
    if not missing or field.errors or not field.auto_id:
        return str(field)
    described = [f"{field.auto_id}_helptext"] if field.help_text else []
    described.append(f"{field.auto_id}_error")
    html = field.as_widget(attrs={"aria-invalid": "true", "aria-describedby": " ".join(described)})
    if field.field.show_hidden_initial:
        html += field.as_hidden(only_initial=True)
    return html
