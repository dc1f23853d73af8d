"""Each step form names its own reason box (issue 11: every step form used one generic
"理由或意见"): lifecycle/step_wording.py, one mapping keyed by transition name."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from lifecycle import services
from lifecycle.models import ChangeRequest
from lifecycle.step_wording import REASONS, reason_wording
from lifecycle.webforms import StepForm
from projects.models import AnnualPlan, Project

GENERIC = "理由或意见"
MACHINES = (Project, AnnualPlan, ChangeRequest)


def _transitions():
    for model in MACHINES:
        for name in dict.fromkeys(t.name for t in model._meta.get_field("state").get_all_transitions(model)):
            yield model, name


@pytest.mark.parametrize(("model", "name"), list(_transitions()), ids=lambda v: getattr(v, "__name__", v))
def test_every_transition_names_its_own_reason(model, name):
    """Every transition takes a reason (required or not): each has a label of its own, not the
    generic one, and a help text saying what to write."""
    wording = reason_wording(model, name)
    assert wording is not None, f"{model.__name__}.{name} has no reason wording in lifecycle/step_wording.py"
    with translation.override("zh-hans"):
        assert str(wording.label).strip() and str(wording.label) != GENERIC
        assert str(wording.help).strip()


def test_the_mapping_names_only_real_transitions():
    names = {name for _m, name in _transitions()} | {f"{m.__name__}.{n}" for m, n in _transitions()}
    assert set(REASONS) - names == set()


def test_the_refusals_and_returns_read_as_written_in_the_issue():
    """The examples the issue gives (退回补正, 审核通过, 不予批复, 撤回)."""
    with translation.override("zh-hans"):
        assert str(reason_wording(Project, "request_correction").label) == "需补正的内容"
        assert str(reason_wording(Project, "return_design").label) == "需补正的内容"
        assert str(reason_wording(Project, "pass_review").label) == "审核意见"
        assert str(reason_wording(Project, "refuse_fsr").label) == "不予批复的理由"
        assert str(reason_wording(Project, "refuse_design").label) == "不予批复的理由"
        assert str(reason_wording(Project, "withdraw").label) == "撤回原因"
        assert str(reason_wording(ChangeRequest, "withdraw").label) == "撤回原因"
        # the change's own submit and approve are worded for a change
        assert str(reason_wording(ChangeRequest, "submit").label) == "提交说明"


@pytest.mark.parametrize(("model", "name"), list(_transitions()), ids=lambda v: getattr(v, "__name__", v))
def test_the_step_form_carries_the_wording(model, name):
    obj = model()
    step = {"name": name, "needs_reason": False, "fields": (), "overridable": False}
    with translation.override("zh-hans"):
        form = StepForm(obj=obj, step=step)
        assert str(form.fields["reason"].label) == str(reason_wording(model, name).label)
        assert str(form.fields["reason"].help_text) == str(reason_wording(model, name).help)


def test_the_step_page_shows_the_step_s_label(client, people, scene):
    client.force_login(people.bureau_reviewer)
    response = client.get(reverse("project_step", args=[scene.reviewing.pk, "request_correction"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "需补正的内容" in body and GENERIC not in body
    assert "补正期间联合审核时限暂停" in body
    # a refusal without the required reason names the box by its label
    response = client.post(reverse("project_step", args=[scene.reviewing.pk, "request_correction"]), {})
    assert response.status_code == 400
    assert "需补正的内容" in response.content.decode()


def test_the_admin_step_form_carries_the_wording():
    from django.contrib import admin

    model_admin = admin.site._registry[Project]
    transition = next(t for t in services.transitions_named(Project(), "refuse_fsr"))
    form = model_admin.get_fsm_transition_form(transition)()
    with translation.override("zh-hans"):
        assert str(form.fields["reason"].label) == "不予批复的理由"
