"""One access helper per object type, used by every view of that object: 404 to whoever
has no relation to the object, 403 to whoever sees it but holds the wrong role for the page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.kept_sql import KeptQueries
from core.states import ChangeState, PlanState
from core.vocabulary import AGENCY_KINDS, OrgKind, Role
from lifecycle.models import ChangeRequest
from lifecycle.rules import STAFF

from .models import AnnualPlan, Call, Project
from .selectors import visibility_key, visible_projects


def kind_of(user) -> str | None:
    return user.organisation.kind if getattr(user, "organisation_id", None) else None


def is_admin(user) -> bool:
    return user.is_superuser or getattr(user, "role", "") == Role.ADMIN


def is_agency(user) -> bool:
    """A person of a provincial agency (core.vocabulary.AGENCY_KINDS), or a superuser."""
    return bool(getattr(user, "is_superuser", False)) or kind_of(user) in AGENCY_KINDS


#: Issue 10: the SQL of "this project, if ``user`` may see it", kept per kind of visibility
#: (``visibility_key``): a project's hundred columns took longer to compile than to read.
_VISIBLE_PROJECT = KeptQueries(512)


def get_project_for_user(user, pk) -> Project:
    """Any project ``user`` may read (审计厅 reads everything, 办法第三十七条)."""

    def visible(pk):
        return (
            visible_projects(user).select_related("owner", "call", "plan", "responsible_person").filter(pk=pk)
        )

    # An id no column holds, or not a whole number, is asked of Django as it comes (KeptQueries).
    found = _VISIBLE_PROJECT.list(("project", *visibility_key(user)), visible, pk)
    if len(found) != 1:
        raise Http404
    return found[0]


def get_project_for_owner_staff(user, pk) -> Project:
    """A project the user's own department builds, for its 经办人 or 负责人 to edit.

    A participating department sees the project but does not edit the lead's application
    (办法第十三条): 403, like every agency.
    """
    project = get_project_for_user(user, pk)
    if not is_owner_staff(user, project):
        raise PermissionDenied
    return project


def is_owner_staff(user, project: Project) -> bool:
    """The 经办人 or 负责人 of the department that builds ``project`` (办法第十三条: not a
    participating department)."""
    return kind_of(user) == OrgKind.OWNER and user.organisation_id == project.owner_id and user.role in STAFF


def require_owner_staff(user):
    if not (kind_of(user) == OrgKind.OWNER and user.role in STAFF):
        raise PermissionDenied


_PLAN = KeptQueries(8)


def _plan(year):
    return AnnualPlan.objects.filter(year=year).select_related("finance_concurred_by")


def get_plan_for_user(user, year) -> AnnualPlan:
    """Plans are compiled by the agencies (办法第十一条); a department sees a plan once it is
    issued (下达) to it."""
    # Issue 10: with who concurred for 财政厅 (the page names them), SQL kept per process.
    found = _PLAN.list(_plan, _plan, year)
    if not found:
        raise Http404
    plan = found[0]
    if kind_of(user) == OrgKind.OWNER and plan.state != PlanState.ISSUED:
        raise Http404
    if kind_of(user) is None and not user.is_superuser:
        raise Http404
    return plan


def get_change_for_user(user, pk) -> ChangeRequest:
    change = get_object_or_404(ChangeRequest.objects.select_related("project", "project__owner"), pk=pk)
    if not visible_projects(user).filter(pk=change.project_id).exists():
        raise Http404
    # A change still in draft is the department's own working paper.
    if change.state == ChangeState.DRAFT and not (
        kind_of(user) == OrgKind.OWNER and user.organisation_id == change.project.owner_id
    ):
        raise Http404
    return change


def get_call_for_owner_head(user, year) -> Call:
    """办法第八条: the department's head signs the one consolidated submission."""
    call = get_object_or_404(Call, year=year)
    if kind_of(user) != OrgKind.OWNER:
        raise Http404
    if user.role not in STAFF:
        raise PermissionDenied
    return call
