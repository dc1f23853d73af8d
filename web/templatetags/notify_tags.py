"""Issue 12: the choices of the notification settings (a group of checkboxes or radio
buttons, templates/projects/notification_settings.html): every input of the group names the
group's help and, when the group has errors, its error text (``aria-describedby``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def choice_group(field: BoundField) -> SafeString:
    described = [f"{field.auto_id}_helptext"] if field.help_text else []
    if field.errors:
        described.append(f"{field.auto_id}_error")
    attrs: dict[str, Any] = {"aria-describedby": " ".join(described)} if described else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
