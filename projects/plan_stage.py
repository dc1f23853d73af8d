"""办法第十一条, issue 11 ("a project already in the plan still shows 待编入计划"): a project that
passed joint review keeps the state ``review_passed`` while the bureau compiles the plan it
was put in (``Project.plan``) — only the government's approval of the whole plan moves it to
``in_plan``. Its label says where it is: "已列入2027年度…计划（编制中）", with what comes next.

``state_label`` and ``next_step`` take the plan's year and state as plain values, so that a
list reads them in its own query (``with_plan``: two joined columns, no query per row).
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from core.states import STAGES, PlanState, ProjectState as S


def state_label(state: str, plan_year: int | None, plan_state: str | None) -> StrOrPromise:
    """The label of ``state``; for a project that passed review and sits in a plan not yet
    approved (办法第十一条), the plan it is in and how far the plan has come."""
    if in_unapproved_plan(state, plan_year):
        return _("已编入《%(plan)s》（%(plan_state)s）") % {
            "plan": _("%(year)s年度省级政务信息化建设计划") % {"year": plan_year},
            "plan_state": PlanState(plan_state).label if plan_state in PlanState.values else "",
        }
    return S(state).label if state in S.values else state


def in_unapproved_plan(state: str, plan_year: int | None) -> bool:
    return state == S.REVIEW_PASSED and plan_year is not None


def stage(state: str, plan_year: int | None) -> StrOrPromise | None:
    """The stage 计划编制 for a project in a plan not yet approved, or None (its own stage)."""
    if not in_unapproved_plan(state, plan_year):
        return None
    return next((label for label, states in STAGES.items() if S.IN_PLAN in states), None)


def next_step(state: str, plan_year: int | None, plan_state: str | None) -> str | None:
    """What comes next for a project in a plan not yet approved (办法第十一条), or None to
    use the state's own next step."""
    if not in_unapproved_plan(state, plan_year):
        return None
    if plan_state == PlanState.COMPILING:
        return _("省营商环境局会同省财政厅编制计划后报省政府批准（办法第十一条）")
    return _("等待省政府批准年度建设计划（办法第十一条）")


def with_plan(qs: QuerySet[Any]) -> QuerySet[Any]:
    """``qs`` with each project's plan year and plan state (``plan_year``, ``plan_state``)."""
    return qs.annotate(plan_year=F("plan__year"), plan_state=F("plan__state"))


def of(project: Any) -> tuple[int | None, str | None]:
    """The plan year and state of ``project``: annotated by ``with_plan``, else from its plan
    (already loaded with it where the page reads one project)."""
    if hasattr(project, "plan_year"):
        return project.plan_year, project.plan_state
    if not getattr(project, "plan_id", None):
        return None, None
    return project.plan.year, project.plan.state
