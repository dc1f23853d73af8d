"""办法第九、十条: the department revises its application during 陈述和补正, as the edit page
posts it — for the demo and the scenario walker (web/scenarios.py), so a 补正 round of the
demo has a change the review pages show (web/aspect_views.py)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from core.timeutil import as_of
from projects import services as project_services
from projects.forms import ApplicationForm, application_formsets
from projects.models import Project, User


def posted(form: forms.BaseForm) -> dict[str, Any]:
    """What the page would post back for ``form`` unchanged."""
    data: dict[str, Any] = {}
    for bf in form:
        value = bf.value()
        widget = bf.field.widget
        if isinstance(widget, forms.CheckboxInput):
            if value:
                data[bf.html_name] = "on"
            continue
        if value is None:
            continue
        data[bf.html_name] = value if isinstance(widget, forms.Select) else widget.format_value(value)
    return data


def revise_application(project: Project, actor: User, on: datetime.date, **changes: Any) -> Project:
    """Post the application of ``project`` back with ``changes`` (page names: ``crypto_plan``,
    ``data-0-update_cycle`` …) through the application service, on ``on``."""
    data = {**posted(ApplicationForm(instance=project)), "action": "save"}
    for _prefix, formset, _heading, _key in application_formsets(instance=project):
        data.update(posted(formset.management_form))
        for row in formset.forms:
            data.update(posted(row))
    data.update(changes)
    form = ApplicationForm(data, instance=project)
    sets = [fs for _p, fs, _h, _k in application_formsets(data, instance=project, application=form)]
    if not (form.is_valid() and all(fs.is_valid() for fs in sets)):
        raise ValueError(f"the revised application is refused: {form.errors} {[fs.errors for fs in sets]}")
    with as_of(on):
        return project_services.application_save(actor=actor, form=form, formsets=sets)
