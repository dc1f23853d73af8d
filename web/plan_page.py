"""The annual plan's page (办法第十一、十二条), bounded by what a person reads (issue 10).

A plan of a province holds thousands of projects and every one of them has a history; the
page shows one page of project rows at a time (optionally one department's), the totals per
department and per source of funds summed by the database, and the plan's own trail
(``projects.history.plan_history``: the plan's rows, not every project's, and for a
department only what it may read), paginated. The number of queries is the same whatever
the size of the plan (tests/web/test_scalepages_queries.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, Sum
from django.http import HttpRequest

from core.states import PlanState, ProjectState as S
from core.vocabulary import Role
from lifecycle import acting, services
from lifecycle.models import ClockKind
from projects import access, history, params as params_mod, plan_stage, selectors
from projects.models import FundingLine, Organisation, OrgKind, Project
from web.evaluation_views import plan_track_records

#: Project rows per page of the plan (the 年度建设计划表 itself is the export).
ROWS_PER_PAGE = 25
#: History rows per page.
HISTORY_PER_PAGE = 25
#: Candidates (通过联合审核) per page of the bureau's include form.
CANDIDATES_PER_PAGE = 50
#: Sums of many amounts exceed one column's bound (core.validation.MONEY): read them through
#: a wider decimal, else SQLite's decimal converter fails on a large plan.
WIDE = DecimalField(max_digits=20, decimal_places=2)
#: The columns the rows of the plan page show.
ROW_COLUMNS: tuple[str, ...] = (
    "pk",
    "name",
    "state",
    "total_investment_yuan",
    "owner_id",
    "owner__name",
    "plan_id",
)
ROW_COLUMNS += ("nature",)  # 建设性质 (issue 15)


def query_without(request: HttpRequest, *names: str) -> str:
    """The page's query string without ``names`` (the pager adds its own page number)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def paginate(qs: Any, size: int, request: HttpRequest, param: str) -> Page:
    return Paginator(qs, size).get_page(request.GET.get(param))


#: Emergency applications (办法第十二条) per page.
EMERGENCIES_PER_PAGE = 10


def _department_in_view(request: HttpRequest, by_owner: list[dict[str, Any]], user: Any) -> int | None:
    """The department whose rows the page shows: the one asked for (``?owner=``), else the
    person's own department when it has projects in the plan, else the first by name."""
    asked = request.GET.get("owner")
    if asked:
        return params_mod.row_id(asked)
    ids = [row["owner_id"] for row in by_owner]
    if getattr(user, "organisation_id", None) in ids:
        return user.organisation_id
    return ids[0] if ids else None


def context(request, plan):
    """The plan page's context (the view adds the filings of documents). 办法第十一条: the
    totals per department, per source and for the plan are the database's sums over the
    whole plan; the rows are those of one department at a time (issue 10: grouped by
    department), a page at a time, with that department's record (办法第三十八条)."""
    user = request.user
    kind = access.kind_of(user)
    is_bureau = kind == OrgKind.BUREAU
    # Grouped on the index (plan, owner, name); the names are read for the ≤ 100 departments.
    by_owner = list(
        plan.projects.order_by()
        .values("owner_id")
        .annotate(n=Count("*"), total=Sum("total_investment_yuan", output_field=WIDE))
    )
    names = dict(
        Organisation.objects.filter(pk__in=[r["owner_id"] for r in by_owner]).values_list("pk", "name")
    )
    for row in by_owner:
        row["owner__name"] = names.get(row["owner_id"], "")
    by_owner.sort(key=lambda r: (r["owner__name"], r["owner_id"]))
    owner_id = _department_in_view(request, by_owner, user)
    rows = plan.projects.filter(owner_id=owner_id) if owner_id is not None else plan.projects.none()
    rows = rows.select_related("owner").only(*ROW_COLUMNS).order_by("name", "pk")
    page = paginate(rows, ROWS_PER_PAGE, request, "page")
    selectors.attach_state_labels(page.object_list)
    for row in page.object_list:  # 办法第十一条 (issue 11): a row of a plan not yet approved is in it.
        if plan_stage.in_unapproved_plan(row.state, plan.year):
            row.state_label = plan_stage.state_label(row.state, plan.year, plan.state)
    by_source = list(
        FundingLine.objects.filter(project__plan=plan)
        .values("source")
        .annotate(total=Sum("amount_yuan", output_field=WIDE))
        .order_by("source")
    )
    labels = dict(FundingLine._meta.get_field("source").choices)
    for row in by_source:
        row["label"] = labels.get(row["source"], row["source"])
    candidates = []
    if is_bureau and plan.state == PlanState.COMPILING:
        waiting = Project.objects.filter(state=S.REVIEW_PASSED, call__year=plan.year, plan__isnull=True)
        candidates = paginate(
            waiting.select_related("owner").only(*ROW_COLUMNS).order_by("owner__name", "name", "pk"),
            CANDIDATES_PER_PAGE,
            request,
            "candidates",
        )
    emergencies = paginate(
        Project.objects.filter(state__in=[S.EMERGENCY_REQUESTED, S.EMERGENCY_FORWARDED], plan=plan)
        .select_related("owner")
        .only(*ROW_COLUMNS)
        .order_by("name", "pk"),
        EMERGENCIES_PER_PAGE,
        request,
        "emergencies",
    )
    selectors.attach_state_labels(emergencies.object_list)
    shown = [p.pk for p in page] + [p.pk for p in emergencies]
    # 办法第十一条: the plan's total is the sum of the departments' sums (one query for both).
    total = sum((row["total"] or 0 for row in by_owner), Decimal(0))
    in_view = next((r for r in by_owner if r["owner_id"] == owner_id), None)
    return {
        # 第三十八条: the record of the department in view (each is one click away).
        "track_records": plan_track_records(plan, user, [owner_id] if in_view else []),
        "plan": plan,
        "projects": page,
        "page": page,
        "owner_filter": in_view,
        "by_owner": by_owner,
        "by_source": by_source,
        "total": total,
        "candidates": candidates,
        "emergencies": emergencies,
        "clock": plan.clocks.filter(kind=ClockKind.PLAN_COMPILATION).first(),
        "steps": services.available(plan, user),
        "is_bureau": is_bureau,
        "may_concur": (
            kind == OrgKind.FINANCE
            and acting.holds(user, {Role.HEAD})
            and plan.state == PlanState.COMPILING
            and not plan.finance_concurred_at
        ),
        "history": paginate(history.plan_history(plan, user), HISTORY_PER_PAGE, request, "history"),
        # An issued plan lists every department's projects; a department opens only its own.
        "visible": set(selectors.visible_projects(user).filter(pk__in=shown).values_list("pk", flat=True)),
        "query_rows": query_without(request, "page"),
        "query_history": query_without(request, "history"),
        "query_candidates": query_without(request, "candidates"),
        "query_emergencies": query_without(request, "emergencies"),
    }
