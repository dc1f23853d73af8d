from decimal import ROUND_HALF_UP, Decimal

from django import template

register = template.Library()


@register.filter
def wan(yuan):
    """Money is stored in 元 and shown in 万元 with two decimals (CONVENTIONS.md)."""
    if yuan in (None, ""):
        return "—"
    return f"{(Decimal(yuan) / Decimal(10000)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def pct(value):
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
