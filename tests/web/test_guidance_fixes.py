"""Each refusal names the field or page that fixes it and links there (issue 11).

Walks every guard of every transition (and every Guard object of lifecycle/guards.py): each
has a place in lifecycle/fixes.py; each place resolves to a real URL for a real object, and
the page, opened by a person who works there, carries the anchor the link jumps to."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from lifecycle import guards, services
from lifecycle.fixes import _APPLICATION_ROWS, FIXES, Fix, _application_anchor, fix_for
from lifecycle.models import ChangeRequest
from lifecycle.policy import get_policy
from lifecycle.rules import Guard
from lifecycle.webforms import StepForm
from projects.models import AnnualPlan, Project
from tests.conftest import at
from tests.factories import ProjectFactory
from tests.web.conftest import go
from web.templatetags.guidance import blocks_of, fix_url, may_open

MACHINES = (Project, AnnualPlan, ChangeRequest)
LOOKBACK = get_policy().unfinished_plan_lookback_years


def _transition_guards() -> dict[str, set[str]]:
    """guard name → the steps it can refuse."""
    steps: dict[str, set[str]] = {}
    for model in MACHINES:
        for t in model._meta.get_field("state").get_all_transitions(model):
            for gd in t.conditions:
                steps.setdefault(gd.name, set()).add(t.name)
    return steps


ALL_GUARDS = sorted(name for name, value in vars(guards).items() if isinstance(value, Guard))


def test_every_guard_that_can_refuse_a_step_has_a_fix():
    refusing = _transition_guards()
    assert refusing, "no guards found on the machines"
    assert set(refusing) <= set(ALL_GUARDS)
    missing = [name for name in ALL_GUARDS if name not in FIXES]
    assert missing == []


def test_the_mapping_names_only_real_guards_and_steps():
    steps = {t.name for m in MACHINES for t in m._meta.get_field("state").get_all_transitions(m)}
    for key in FIXES:
        step, _dot, name = key.rpartition(".")
        assert name in ALL_GUARDS, key
        assert not step or step in steps, key


# ---------------------------------------------------------------- every fix opens at its anchor


def _fixes(scene):
    """Every Fix the mapping can give, with the object it is given for."""
    draft = scene.draft
    out = []
    for key, entry in FIXES.items():
        if isinstance(entry, Fix):
            obj = {
                "_year": scene.plan_2027,
                "_previous_plan_year": SimpleNamespace(year=2026 + LOOKBACK),
            }.get(entry.args.__name__, draft)
            out.append((key, entry, obj))
    # the fixes computed from the object: both branches of the catalogue's, the application's
    for chapter in ("fsr_sharing_chapter", "design_sharing_chapter"):
        for ticked in (False, True):
            project = Project.objects.get(pk=draft.pk)
            setattr(project, chapter, ticked)
            guard_name = "fsr_catalogue_ready" if chapter.startswith("fsr") else "design_catalogue_ready"
            out.append((f"{guard_name}[{ticked}]", fix_for(guard_name, project), project))
    out.append(("application_complete", fix_for("application_complete", draft), draft))
    return out


#: Who opens each page, and on which object of the scene (the owner's pages on the draft or
#: the project in construction, the agencies' on the one in joint review).
def _opener(page, people, scene):
    return {
        "application_edit": (people.owner_preparer, scene.draft),
        "call_submit": (people.other_owner_head, scene.other_draft),
        "records_edit": (people.owner_preparer, scene.draft),
        "contract_new": (people.owner_preparer, scene.building),
        "rectification_report": (people.owner_preparer, scene.building),
        "evaluation_targets": (people.owner_preparer, scene.draft),
        "joint_review": (people.bureau_reviewer, scene.reviewing),
        "opinion_new": (people.bureau_reviewer, scene.reviewing),
        "supervision": (people.bureau_head, scene.draft),
        "project": (people.owner_preparer, scene.building),
        "plan": (people.bureau_head, scene.plan_2027),
        "plan_list": (people.bureau_head, scene.draft),
    }[page]


@pytest.fixture
def world(scene, orgs, people, call_2026):
    # a department that has not yet submitted to the call: its submission page asks for the 项目责任人
    scene["other_draft"] = ProjectFactory(owner=orgs["other_owner"], call=call_2026, name="卫生健康系统")
    with at(2026, 3, 3):  # the project in construction is ordered to rectify (办法第三十六条)
        go(scene.building, "order_rectification", people.bureau_head, reason="限期整改", working_days=10)
    return scene


def test_every_fix_resolves_to_a_page_that_has_its_anchor(client, world, people):
    checked = set()
    for key, fix, obj in _fixes(world):
        if fix.page == "project_step":
            continue  # the step's own form: test_step_page_fixes_point_at_fields_of_the_step
        person, target = _opener(fix.page, people, world)
        target = obj if fix.page == "plan" else target
        url = fix_url(fix, target)
        assert url, key
        path, _hash, anchor = url.partition("#")
        assert anchor == fix.anchor
        client.force_login(person)
        response = client.get(path)
        assert response.status_code == 200, (key, url, response.status_code)
        assert f'id="{anchor}"' in response.content.decode(), (key, url)
        assert may_open(fix, target, person), (key, person)
        checked.add(fix.page)
    assert {
        "application_edit",
        "records_edit",
        "project",
        "joint_review",
        "contract_new",
        "call_submit",
    } <= checked


def test_the_previous_plan_fix_opens_the_plan_of_the_year_before(world):
    """办法第十二条 (上一年度建设计划): a project of the 2027 plan, called in June 2026, is held
    against the plan of 2025 — the year before the call is held (lifecycle.policy)."""
    project = Project(plan=world.plan_2027)
    fix = fix_for("previous_plan_finished", project)
    assert fix_url(fix, project) == reverse("plan", args=[2025]) + "#rows"


def test_every_gap_of_the_application_check_has_its_anchor(client, world, people):
    """办法第九条: the application check names the first gap; the link jumps to its field."""
    client.force_login(people.owner_preparer)
    body = client.get(reverse("application_edit", args=[world.draft.pk]) + "?check=1").content.decode()
    # every gap the check can name: all of them, for an empty application
    names = {name for name, _message in Project(owner=world.draft.owner).missing_application_items()}
    names |= set(_APPLICATION_ROWS)
    for name in names:
        assert f'id="{_application_anchor(name)}"' in body, name
    empty = Project(owner=world.draft.owner)
    fix = fix_for("application_complete", empty)
    assert fix.anchor == "id_name" and fix.query == "check=1"


@pytest.mark.parametrize(
    "key", [k for k, v in FIXES.items() if isinstance(v, Fix) and v.page == "project_step"]
)
def test_step_page_fixes_point_at_fields_of_the_step(key, world):
    """A fix on a step's own page (the 审定金额 of 省政府审定, the 项目责任人 of an emergency
    request) names a field that step's form renders."""
    fix = FIXES[key]
    project = world.draft
    _pk, step_name = fix.args(project)
    t, _possible = services.transition_of(project, step_name)
    step = {"name": step_name, "needs_reason": False, "fields": t.custom["fields"], "overridable": True}
    html = render_to_string("_form.html", {"form": StepForm(obj=project, step=step)})
    assert f'id="{fix.anchor}"' in html
    assert fix_url(fix, project) == reverse("project_step", args=[project.pk, step_name]) + f"#{fix.anchor}"


# ---------------------------------------------------------------- the pages show them


def test_the_project_page_links_a_refusal_to_its_field(client, world, people):
    """The example of the issue: 报送可行性研究报告 refused for the 共享篇章 — the refusal
    links to the checkbox on 登记项目信息."""
    project = world.building
    project.fsr_sharing_chapter = False
    steps = [{"name": "submit_fsr", "blocked_by": ["x（办法第十六条）"], "guards": ["fsr_catalogue_ready"]}]
    blocks = blocks_of(steps[0], project, people.owner_preparer)
    assert blocks[0]["where"] and blocks[0]["url"].endswith("#id_fsr_sharing_chapter")
    # someone who may not open the records page reads where, without a link
    blocks = blocks_of(steps[0], project, people.bureau_head)
    assert blocks[0]["where"] and blocks[0]["url"] == ""


def test_the_step_page_shows_the_refusal_with_its_link(client, world, people):
    """The department's draft cannot apply for emergency insertion without a mandate and a
    项目责任人: the step page links each refusal to the field that fixes it."""
    draft = world.draft
    draft.emergency_mandate = ""
    draft.save()
    client.force_login(people.owner_head)
    response = client.get(reverse("project_step", args=[draft.pk, "request_emergency"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "处理位置" in body
    edit = reverse("application_edit", args=[draft.pk])
    assert f'href="{edit}#id_emergency_mandate"' in body
    own = reverse("project_step", args=[draft.pk, "request_emergency"])
    assert f'href="{own}#id_responsible_person"' in body


def test_the_project_page_shows_where_to_fix(client, world, people):
    client.force_login(people.owner_head)
    body = client.get(reverse("project", args=[world.draft.pk])).content.decode()
    assert "处理位置" in body
