from django import template

from core import formatting
from lifecycle.stepdata import document_no as _document_no

register = template.Library()


@register.filter
def document_no(data):
    """The 文号 a step recorded (audit row data), for the history (办法第二十六、三十六条)."""
    return _document_no(data if isinstance(data, dict) else None)


@register.filter
def wan(yuan):
    """Money is stored in 元 and shown in 万元 with two decimals and thousands separators
    ("1,234.56"; core.formatting.wan_text, the one look of money). A value that is not a
    finite amount shows as "—" instead of breaking the page."""
    return formatting.wan_text(yuan) or "—"


@register.filter
def pct(value):
    """A share already in percent, rounded to two places ("16.00%"; core.formatting.percent_text)."""
    return formatting.percent_text(value) or "—"


@register.filter
def ratio(value):
    """A ratio shown in percent with two places: 0.1 → "10.00%" (办法第二十八条's cumulative
    change ratio; core.formatting.pct_text), never "0.1000"."""
    return formatting.pct_text(value) or "—"


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
