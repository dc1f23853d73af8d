"""Writes of the web application that are not state transitions: the application
material (办法第九条) and the facts a department records on its project later (project
code 第十五条, sharing chapters 第十六条, 监理 第二十四条, archive and crypto reports
第二十三、三十一条 …). Each writes one audit row in the same transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from lifecycle import audit
from lifecycle.errors import RuleViolation
from lifecycle.states import ProjectState as S

#: 办法第九、十条: material is edited while drafting and during 陈述和补正 only.
EDITABLE_STATES = frozenset({S.DRAFT, S.CORRECTING})


def application_save(*, actor, form, formsets):
    """Save the application form and its rows (catalogue, yearly amounts, funding,
    participants, level relations). Side effects: audit row ``application.saved`` listing
    the changed fields."""
    project = form.instance
    created = project.pk is None
    if not created and project.state not in EDITABLE_STATES:
        raise RuleViolation(_("当前阶段不能修改申报材料（办法第九、十条）。"), code="state", article="第九条")
    with transaction.atomic():
        project = form.save(commit=False)
        if created:
            project.owner = actor.organisation
        project.save()
        for formset in formsets:
            formset.instance = project
            formset.save()
        audit.record(actor=actor, action="application.saved", obj=project,
                     label=_("创建申报材料") if created else _("修改申报材料"), article="第九条",
                     from_state=project.state, to_state=project.state,
                     data={"fields": sorted(form.changed_data),
                           "rows": {fs.prefix: len(fs.forms) for fs in formsets if fs.has_changed()}})
    return project


def project_records_update(*, actor, form):
    """Save the facts the department records during approval, construction and acceptance.
    Side effects: audit row ``records.updated`` with old and new values."""
    project = form.instance
    if project.state in {S.CLOSED, S.TERMINATED, S.WITHDRAWN}:
        raise RuleViolation(_("项目已结束，不能再修改。"), code="state")
    changed = {name: form.cleaned_data[name] for name in form.changed_data}
    with transaction.atomic():
        form.save()
        audit.record(actor=actor, action="records.updated", obj=project, label=_("登记项目信息"),
                     from_state=project.state, to_state=project.state, data={"changed": changed})
    return project
