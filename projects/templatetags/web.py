from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

from core.validation import yuan_to_wan_text

register = template.Library()


@register.filter
def wan(yuan):
    """Money is stored in 元 and shown in 万元 with two decimals and thousands separators
    ("1,234.56", CONVENTIONS.md). A value that is not a finite amount shows as "—" instead of
    breaking the page."""
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
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
