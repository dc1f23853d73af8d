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
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext

from core.kept_sql import KeptPages, KeptQueries, together
from core.states import PlanState, ProjectState as S
from core.vocabulary import Role
from documents.models import Filing
from lifecycle import acting, services
from lifecycle.models import Clock, ClockKind
from projects import access, history, params as params_mod, plan as plan_rows, plan_stage, selectors
from projects.models import AnnualPlan, FundingLine, OrgKind, PlanSourceTally, PlanTally, Project
from projects.models_tally import yuan
from web import read_ahead
from web.evaluation_views import plan_track_records

#: Project rows per page of the plan (the 年度建设计划表 itself is the export).
ROWS_PER_PAGE = 25
#: History rows per page.
HISTORY_PER_PAGE = 25
#: Candidates (通过联合审核) per page of the bureau's include form.
CANDIDATES_PER_PAGE = 50
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


#: Issue 10: the SQL of the plan page's queries, compiled once per process and run with the
#: plan's (and department's) id bound (core.kept_sql): compiling them took longer than the
#: database answering most of them.
_KEPT = KeptQueries(1024)


def _by_owner(plan_id: int) -> QuerySet[Any, Any]:
    # The plan's tally (projects/models_tally.py): per department, a few rows per stage.
    return (
        PlanTally.objects.filter(plan_id=plan_id)
        .values("owner_id", "owner__name")
        .annotate(n=Sum("projects"), fen=Sum("total_fen"))
        .order_by("owner__name", "owner_id")
    )


def _rows(plan_id: int, owner_id: int) -> QuerySet[Project]:
    return (
        Project.objects.filter(plan_id=plan_id, owner_id=owner_id)
        .select_related("owner")
        .only(*ROW_COLUMNS)
        .order_by("name", "pk")
    )


def _by_source(plan_id: int) -> QuerySet[Any, Any]:
    return PlanSourceTally.objects.filter(plan_id=plan_id).values("source", "total_fen").order_by("source")


_EMERGENCY = (S.EMERGENCY_REQUESTED, S.EMERGENCY_FORWARDED)


def _emergencies(plan_id: int) -> QuerySet[Project]:
    return (
        Project.objects.filter(state__in=_EMERGENCY, plan_id=plan_id)
        .select_related("owner")
        .only(*ROW_COLUMNS)
        .order_by("name", "pk")
    )


def _compilation_clock(plan_id: int) -> QuerySet[Clock]:
    return Clock.objects.filter(plan_id=plan_id, kind=ClockKind.PLAN_COMPILATION)[:1]


def _latest_filings(plan_id: int) -> QuerySet[Filing]:
    # Not the snapshot: an issued plan's holds every row of the plan (megabytes of JSON).
    return Filing.objects.filter(plan_id=plan_id).defer("snapshot").order_by("-generated_at")[:3]


def latest_filings(plan: AnnualPlan) -> list[Filing]:
    """The plan's three latest filings (the agencies' download links)."""
    return _KEPT.list(_latest_filings, _latest_filings, plan.pk)


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


def _visible(user: Any, ids: list[int]) -> set[int]:
    """Which of ``ids`` ``user`` may open (an issued plan lists every department's projects)."""

    def build(*ids: int) -> QuerySet[Any, Any]:
        return selectors.visible_projects(user).filter(pk__in=ids).values_list("pk", flat=True)

    return set(_KEPT.list_in(("visible", *selectors.visibility_key(user)), build, ids))


def context(request, plan):
    """The plan page's context (the view adds the filings of documents). 办法第十一条: the
    totals per department, per source and for the plan are the database's sums over the
    whole plan; the rows are those of one department at a time (issue 10: grouped by
    department), a page at a time, with that department's record (办法第三十八条)."""
    user = request.user
    kind = access.kind_of(user)
    is_bureau = kind == OrgKind.BUREAU
    # Issue 10: the plan's figures, read together (one round trip to PostgreSQL).
    asked = [
        _KEPT.ask(_by_owner, _by_owner, plan.pk),
        plan_rows.per_state_ask(plan),
        _KEPT.ask(_by_source, _by_source, plan.pk),
        _KEPT.ask(_compilation_clock, _compilation_clock, plan.pk),
    ]
    # The plan's own history (its count read with the figures).
    history_pages = KeptPages(
        _KEPT,
        ("history", *selectors.visibility_key(user)),
        lambda plan_id: history.plan_history(AnnualPlan(pk=plan_id), user),
        plan.pk,
    )
    asked += [history_pages.count_ask(), *read_ahead.person_asks(user)]
    by_owner, counts, by_source, clock, *_others = together(asked)
    for row in by_owner:  # A total of none but empty amounts is shown empty, as SUM gives it.
        row["total"] = yuan(row["fen"]) if row["fen"] else None
        row["count_label"] = ngettext("%(n)s个项目", "%(n)s个项目", row["n"]) % {"n": row["n"]}
    owner_id = _department_in_view(request, by_owner, user)
    in_view = next((r for r in by_owner if r["owner_id"] == owner_id), None)
    # How many rows each list has is in the plan's tally (projects/models_tally.py).
    rows = (
        KeptPages(_KEPT, _rows, _rows, plan.pk, owner_id, known=in_view["n"] if in_view else 0)
        if owner_id is not None
        else Project.objects.none()
    )
    page = paginate(rows, ROWS_PER_PAGE, request, "page")
    selectors.attach_state_labels(page.object_list)
    for row in page.object_list:
        row.url = reverse("project", args=[row.pk])
        # 办法第十一条 (issue 11): a row of a plan not yet approved is in it.
        if plan_stage.in_unapproved_plan(row.state, plan.year):
            row.state_label = plan_stage.state_label(row.state, plan.year, plan.state)
    labels = dict(FundingLine._meta.get_field("source").choices)
    for row in by_source:
        row["label"] = labels.get(row["source"], row["source"])
        row["total"] = yuan(row["total_fen"])
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
        KeptPages(
            _KEPT, _emergencies, _emergencies, plan.pk, known=sum(counts.get(s, 0) for s in _EMERGENCY)
        ),
        EMERGENCIES_PER_PAGE,
        request,
        "emergencies",
    )
    selectors.attach_state_labels(emergencies.object_list)
    for row in emergencies.object_list:
        row.url = reverse("project", args=[row.pk])
    shown = [p.pk for p in page] + [p.pk for p in emergencies]
    # 办法第十一条: the plan's total is the sum of the departments' sums.
    total = sum((row["total"] or 0 for row in by_owner), Decimal(0))
    return {
        # 第三十八条: the record of the department in view (each is one click away).
        "track_records": plan_track_records(
            plan, user, [owner_id] if in_view else [], {r["owner_id"]: r["owner__name"] for r in by_owner}
        ),
        "plan": plan,
        "per_state": counts,
        "projects": page,
        "page": page,
        "owner_filter": in_view,
        "by_owner": by_owner,
        "by_source": by_source,
        "total": total,
        "candidates": candidates,
        "emergencies": emergencies,
        "clock": next(iter(clock), None),
        "steps": services.available(plan, user),
        "is_bureau": is_bureau,
        "may_concur": (
            kind == OrgKind.FINANCE
            and acting.holds(user, {Role.HEAD})
            and plan.state == PlanState.COMPILING
            and not plan.finance_concurred_at
        ),
        "history": paginate(history_pages, HISTORY_PER_PAGE, request, "history"),
        # An issued plan lists every department's projects; a department opens only its own.
        "visible": _visible(user, shown),
        "query_rows": query_without(request, "page"),
        "query_history": query_without(request, "history"),
        "query_candidates": query_without(request, "candidates"),
        "query_emergencies": query_without(request, "emergencies"),
    }
