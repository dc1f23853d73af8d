"""Which history (audit) rows a person may read, wherever history appears (issue 10).

A department sees the history of what is its own: the rows about projects it may see
(its own and those it takes part in, 办法第十三条) and the rows about no project that its
own people wrote or that a provincial agency wrote (a plan's compilation, a call opened);
never another department's actors and reasons. The agencies, which act on every project
(办法第四、五条), and 审计厅 (第三十七条) read every row. Every page that shows history
reads it through ``visible_history``; ``plan_history`` is the plan page's own trail.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lifecycle.models import AuditEntry

from . import access
from .models import AnnualPlan, OrgKind, User
from .selectors import visible_projects


def reads_every_row(user: User) -> bool:
    """The agencies (and 审计厅, and a superuser without an organisation) read every row."""
    if getattr(user, "is_superuser", False) and not getattr(user, "organisation_id", None):
        return True
    return access.is_agency(user) or access.kind_of(user) == OrgKind.AUDIT


def visible_history(user: User, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    """``entries`` narrowed to the rows ``user`` may read (see the module's docstring): a
    department reads its own projects' rows and those of projects it takes part in (办法第十三条
    参建部门), never other departments' actors and reasons."""
    if reads_every_row(user):
        return entries
    if not getattr(user, "organisation_id", None):
        return entries.none()
    about_own = Q(project__in=visible_projects(user).values("pk"))
    no_project = Q(project__isnull=True) & (
        Q(organisation_id=user.organisation_id) | ~Q(organisation__kind=OrgKind.OWNER)
    )
    return entries.filter(about_own | no_project)


def plan_history(plan: AnnualPlan, user: User) -> QuerySet[AuditEntry]:
    """The plan's own trail (办法第十一、十二条): the rows about the plan itself and its
    compilation clock, not every project's row that carries the plan; oldest first. The
    partial index ``audit_plan_level`` (lifecycle migration ``*_scale``) serves it."""
    rows = (
        AuditEntry.objects.filter(plan=plan, project__isnull=True)
        .select_related("organisation")
        .order_by("at", "pk")
    )
    if reads_every_row(user) or not getattr(user, "organisation_id", None):
        return visible_history(user, rows)
    # Rows about no project: ``visible_history``'s rule for those alone (its clause about
    # the department's projects would make SQLite list them for nothing; issue 10).
    return rows.filter(Q(organisation_id=user.organisation_id) | ~Q(organisation__kind=OrgKind.OWNER))
