"""The data the steps recorded, with a 更正 link for those who may correct it."""

from django import template

from lifecycle import corrections

register = template.Library()


@register.simple_tag
def recorded_step_data(project, user):
    """Rows of ``corrections.recorded``: label, value, kind, may_correct."""
    return corrections.recorded(project, user)
