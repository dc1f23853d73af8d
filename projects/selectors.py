"""Reads for the web pages: which projects a person may see, and the queues of each role.

Every function here runs a fixed number of queries whatever the number of projects: lists
use ``select_related`` for the owner and one ``prefetch_related`` for the running clocks,
and "has this agency answered?" is an ``Exists`` subquery, never a loop over projects.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    Window,
)
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.kept_sql import Ask, KeptQueries, KeptSQL, answered, compiled, then, together
from core.states import STAGES, ChangeState, PlanState, ProjectState as S
from lifecycle import workdays
from lifecycle.models import ChangeRequest, Clock, Incident, Opinion
from lifecycle.policy import get_policy
from lifecycle.workdays import WorkCalendar

from . import plan_stage
from .models import AnnualPlan, Network, OrgKind, Participant, Project, SplitWarning, User

#: Organisations that act on every project (第四、五条) and so see every submitted one.

#: What the owner does next in each state (shown on the owner's home page and lists).
NEXT_STEP: dict[str, StrOrPromise] = {
    S.DRAFT: _("完善申报材料，由负责人统一申报（办法第八、九条）"),
    S.SUBMITTED: _("等待省营商环境局受理（办法第十条）"),
    S.JOINT_REVIEW: _("等待联合审核意见（办法第十条）"),
    S.CORRECTING: _("建设单位陈述和补正（办法第十条）"),
    S.EXPERT_EVALUATION: _("等待专家评估论证（办法第十条）"),
    S.REVIEW_PASSED: _("等待编入年度建设计划（办法第十一条）"),
    S.EMERGENCY_REQUESTED: _("等待省营商环境局、省财政厅审核（办法第十二条）"),
    S.EMERGENCY_FORWARDED: _("等待省政府批准（办法第十二条）"),
    S.IN_PLAN: _("报送可行性研究报告（办法第十五条）"),
    S.FSR_REVIEW: _("等待省发改委批复可研（办法第十五条）"),
    S.FSR_APPROVED: _("报送初步设计方案（办法第十八条）"),
    S.DESIGN_REVIEW: _("等待初步设计批复（办法第十八条）"),
    S.DESIGN_CORRECTING: _("补正后重新报送初步设计（办法第十八条）"),
    S.APPROVAL_COMPLETE: _("等待报省政府审定（办法第十九条）"),
    S.RATIFICATION: _("等待省政府审定（办法第十九条）"),
    S.RATIFIED: _("登记监理后开工建设（办法第二十四条）"),
    S.CONSTRUCTION: _("建设实施，年底前报送绩效评价报告（办法第二十五条）"),
    S.RECTIFICATION: _("限期整改并报送整改情况（办法第三十六条）"),
    S.SUSPENDED: _("暂停建设，等待省营商环境局决定（办法第二十六条）"),
    S.COMPLETED: _("建成后%(acceptance_months)s个月内申请竣工验收（办法第二十九条）"),
    S.EXTENSION_REQUESTED: _("等待延期验收答复（办法第二十九条）"),
    S.ACCEPTANCE_REVIEW: _("竣工验收进行中（办法第二十九条）"),
    S.ACCEPTED: _("验收报告备案后投入运行（办法第二十九条）"),
    S.OPERATION: _(
        "运行%(self_evaluation_opens)s至%(self_evaluation_due)s个月内报送自评价（办法第三十三条）"
    ),
    S.SELF_EVALUATED: _("等待省营商环境局决定是否后评价（办法第三十三条）"),
    S.POST_EVALUATION: _("第三方后评价进行中（办法第三十三条）"),
}


def next_step(state: str) -> str:
    """What comes next for a project in ``state``, with the policy's numbers filled in."""
    text = NEXT_STEP.get(state, "")
    return str(text) % get_policy().figures() if text else ""


#: States in which the owner is the one who must act.
OWNER_TURN = frozenset(
    {
        S.DRAFT,
        S.CORRECTING,
        S.IN_PLAN,
        S.FSR_APPROVED,
        S.DESIGN_CORRECTING,
        S.RATIFIED,
        S.RECTIFICATION,
        S.COMPLETED,
        S.ACCEPTED,
        S.OPERATION,
    }
)

STAGE_CHOICES = [(str(i), label) for i, label in enumerate(STAGES)]


def stage_of(state: str) -> StrOrPromise:
    for label, states in STAGES.items():
        if state in states:
            return label
    return ""


def running_clocks() -> Prefetch[Any]:
    # Ordered by project first: SQLite then reads the few clocks of each project from the
    # index (project, stopped_on, due_on, …); ordered by due_on alone it walked every running
    # clock of the province through the (stopped_on, due_on) index (issue 10: 4–5 ms a list).
    return Prefetch(
        "clocks",
        queryset=Clock.objects.filter(stopped_on__isnull=True).order_by("project_id", "due_on", "pk"),
        to_attr="running_clocks",
    )


def choice_labels(model: Any, field: str) -> dict[str, str]:
    """``{value: label}`` of a field's choices in the active language, made once per
    language: ``get_FOO_display`` hashes every lazy label of the field (one gettext each)
    for every row, which was most of a list page's rendering time (issue 10)."""
    return _choice_labels(model, field, translation.get_language() or "")


@functools.cache
def _choice_labels(model: Any, field: str, language: str) -> dict[str, str]:
    return {str(value): str(label) for value, label in model._meta.get_field(field).flatchoices}


def attach_state_labels(items: Iterable[Any]) -> None:
    """``state_label`` on each project (a row of a table), from the per-language map."""
    labels = choice_labels(Project, "state")
    for p in items:
        p.state_label = labels.get(p.state, p.state)


def earliest_clock(clocks: list[Any]) -> Any:
    """The running clock whose (extended) deadline comes first (``Project.first_due``'s)."""
    return min(clocks, key=lambda c: (c.effective_due_on, c.due_on, c.pk)) if clocks else None


def visible_projects(user: User) -> QuerySet[Project]:
    """Projects ``user`` may see at all: an owner its own and those it takes part in
    (办法第十三条); every agency and 审计厅 (第三十七条) all but other departments' drafts."""
    qs = Project.objects.all()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if user.is_superuser and not user.organisation_id:
        return qs
    org = user.organisation
    if org is None:
        return qs.none()
    if org.kind == OrgKind.OWNER:
        # The projects it takes part in as a list (IN), not a correlated EXISTS: SQLite then
        # reads the department's rows from two indexes (MULTI-INDEX OR) instead of testing
        # every project of the province (issue 10: a department's search 40 ms → 0.3 ms).
        # A draft its department deleted (projects/drafts.py) is gone for every department.
        # On PostgreSQL ``= ANY(ARRAY(…))`` (core.lookups.AnyOf): an index condition beside the
        # owner's, where an ``IN (SELECT …)`` made it scan every project (9.3 ms → 1.5 ms).
        takes_part = Participant.objects.filter(organisation=org).values("project_id")
        return qs.filter(Q(owner=org) | Q(pk__any_of=takes_part), discarded_at__isnull=True)
    if org.kind == OrgKind.AUDIT:
        return qs  # 审计厅 reads everything, drafts included (办法第三十五、三十七条)
    if org.kind == OrgKind.EXPERT:
        # An expert body sees what it is asked to evaluate (办法第十、十八、三十三条).
        asked = Opinion.objects.filter(project=OuterRef("pk"), organisation=org)
        # 办法第三十三条: a post-evaluation only by the organisation commissioned for it.
        commissioned = Q(post_evaluator=org) & ~Q(state=S.DRAFT)
        return qs.filter(Q(Exists(asked)) | Q(state=S.EXPERT_EVALUATION) | commissioned)
    return qs.exclude(state=S.DRAFT)


def overdue_q(today: datetime.date) -> Q:
    """A running, unpaused clock whose (extended) deadline has passed. Such a project's
    earliest running deadline (``Project.first_due``, paused clocks included) has passed too:
    the database tests the clocks of those projects only, found from their index (issue 10)."""
    late = Clock.objects.filter(
        project=OuterRef("pk"), stopped_on__isnull=True, paused_on__isnull=True
    ).filter(Q(extended_to__lt=today) | Q(extended_to__isnull=True, due_on__lt=today))
    return Q(first_due__lt=today) & Q(Exists(late))


def project_list(
    user: User,
    *,
    year: int | str | None = None,
    owner: int | str | None = None,
    stage: int | str | None = None,
    overdue: bool = False,
    q: str = "",
) -> QuerySet[Project]:
    qs = visible_projects(user).select_related("owner", "call", "plan").prefetch_related(running_clocks())
    if year:
        qs = qs.filter(Q(call__year=year) | Q(plan__year=year))
    if owner:
        qs = qs.filter(owner__pk=owner)
    if stage not in (None, ""):
        labels = list(STAGES)
        try:
            qs = qs.filter(state__in=STAGES[labels[int(stage)]])
        except (ValueError, IndexError):
            qs = qs.none()
    if overdue:
        qs = qs.filter(overdue_q(timeutil.today()))
    if q:
        # A term without letters of two cases (Chinese, digits) matches the same rows
        # case-sensitively: PostgreSQL then estimates the matches from the columns'
        # statistics (UPPER(name) LIKE … was estimated at 6 rows for 3,648) and pages from the
        # newest-first index instead of sorting every match (issue 10: 17.5 → 0.2 ms).
        lookup = "contains" if q == q.upper() == q.lower() == q.casefold() else "icontains"
        qs = qs.filter(Q(**{f"name__{lookup}": q}) | Q(**{f"platform_code__{lookup}": q}))
    return qs.order_by("-created_at", "-pk")


def lacking_opinion(qs: QuerySet[Project], aspects: Iterable[str], stage: str) -> QuerySet[Project]:
    """Projects of ``qs`` on which the latest round has no opinion of ``aspects`` yet."""
    given = Opinion.objects.filter(project=OuterRef("pk"), stage=stage, aspect__in=aspects)
    return qs.exclude(Exists(given))


def queue(qs: QuerySet[Project]) -> list[Any]:
    """A queue sorted by its earliest running deadline (no deadline last): Projects, each
    with ``running_clocks`` prefetched (a list, hence Any)."""
    items: list[Any] = list(qs.select_related("owner").prefetch_related(running_clocks()))
    far = datetime.date.max
    items.sort(key=lambda p: (p.running_clocks[0].effective_due_on if p.running_clocks else far, p.pk))
    return items


def decorate(
    items: list[Any],
    *,
    today: datetime.date | None = None,
    calendar: WorkCalendar | None = None,
    read: workdays.Read | None = None,
) -> list[Any]:
    """Attach ``deadline`` (earliest running clock), ``overdue`` and, for working-day
    clocks, ``days_left`` (working days from today, negative when late) to each project.
    One calendar for the whole list keeps the query count constant; ``read``: the calendar's
    exceptions read already, used when they cover the years counted. ``items`` are Projects
    with ``running_clocks`` prefetched (``queue``); typed Any because they gain attributes."""
    today = today or timeutil.today()
    earliest = [earliest_clock(getattr(p, "running_clocks", None) or []) for p in items]
    if calendar is None:
        calendar = WorkCalendar(_years_counted(earliest, today), read=read)
    states = choice_labels(Project, "state")
    kinds = choice_labels(Clock, "kind")
    steps: dict[str, str] = {}
    stages: dict[str, StrOrPromise] = {}
    for p, clock in zip(items, earliest, strict=True):
        p.deadline = clock
        p.deadline_label = kinds.get(clock.kind, clock.kind) if clock else ""
        p.state_label = states.get(p.state, p.state)
        # Set before a home page's agency queue links its review pages (projects/aspects.py):
        # a template reading a missing attribute of a model costs a dir() of it.
        p.review_url = getattr(p, "review_url", "")
        p.overdue = bool(clock and not clock.paused and clock.effective_due_on < today)
        # What the table's row shows, ready (templates/_projects_table.html: a URL tag and a
        # date filter per row were a third of rendering a home page's queues; issue 10).
        p.url = reverse("project", args=[p.pk])
        p.deadline_due = clock.effective_due_on.isoformat() if clock else ""
        p.days_left = None
        if clock and clock.unit == "working_days":
            due = clock.effective_due_on
            p.days_left = (
                calendar.working_days_between(today, due)
                if due >= today
                else -calendar.working_days_between(due, today)
            )
        # The table's "剩余N个工作日" (a running, unpaused working-day clock not yet late).
        p.days_left_label = (
            _("剩余%(n)s个工作日") % {"n": p.days_left}
            if p.days_left is not None and p.days_left >= 0 and not clock.paused
            else ""
        )
        # 办法第十一条 (issue 11): a project in a plan not yet approved says so; the plan's year
        # and state come annotated with the rows (plan_stage.with_plan), never a query per row.
        plan_year, plan_state = getattr(p, "plan_year", None), getattr(p, "plan_state", None)
        if plan_stage.in_unapproved_plan(p.state, plan_year):
            p.state_label = plan_stage.state_label(p.state, plan_year, plan_state)
            p.next_step = plan_stage.next_step(p.state, plan_year, plan_state)
            p.stage = plan_stage.stage(p.state, plan_year)
            continue
        if p.state not in steps:
            steps[p.state], stages[p.state] = next_step(p.state), str(stage_of(p.state))
        p.next_step = steps[p.state]
        p.stage = stages[p.state]
    return items


def _years_counted(clocks: list[Any], today: datetime.date) -> set[int]:
    """The years ``decorate`` counts working days in: from today to each working-day
    deadline shown (``clocks``, one per row or None), either way (the calendar's other
    years are not read)."""
    years = {today.year}
    for clock in clocks:
        if clock and clock.unit == "working_days":
            years.update(
                range(min(today, clock.effective_due_on).year, max(today, clock.effective_due_on).year + 1)
            )
    return years


def _q(
    title: StrOrPromise,
    items: Callable[[], QuerySet[Any]],
    *,
    article: str = "",
    kind: str = "projects",
    waiting: bool = False,
) -> dict[str, Any]:
    # ``waiting``: a queue of what others handle (the department's "等待…办理"), not a queue to
    # act on — issue 12's notifications (projects/notifications.py) skip it.
    # ``items``: made when first used (a home page whose SQL is kept makes none; issue 10).
    lazy = SimpleLazyObject(items)
    return {"title": title, "article": article, "items": lazy, "kind": kind, "waiting": waiting}


#: Issue 10: a queue on a home page shows this many items; "还有 N 项" links to the project
#: list filtered to the whole queue (``queue_projects``).
QUEUE_CAP = 5
#: The columns a queue's and the list's rows show (templates/_projects_table.html).
ROW_COLUMNS = ("pk", "name", "platform_code", "state", "owner_id", "owner__name", "created_at")
#: The same for the list page, whose departments are prefetched (web/views.py project_list).
LIST_COLUMNS = tuple(c for c in ROW_COLUMNS if c != "owner__name")


#: What the home page shows of the queues of other kinds (templates/projects/home.html,
#: projects/_imports_warning.html): a project's hundred columns, loaded and compiled for
#: five rows, were most of the time of these queues. A project's ``state`` is always loaded:
#: django-fsm reads it when the instance is made (ConcurrentTransitionMixin).
INCIDENT_COLUMNS = (
    "kind",
    "description",
    "reported_at",
    "project__name",
    "project__state",
    "project__owner__name",
)
CHANGE_COLUMNS = ("title", "state", "ratio", "project__name", "project__state")
WARNING_COLUMNS = ("kind", "score", "details", "first__name", "first__state", "second__name", "second__state")


def _counts_sql(querysets: list[QuerySet[Any]]) -> tuple[str, tuple[Any, ...]]:
    parts: list[str] = []
    params: list[Any] = []
    for qs in querysets:
        counted = qs.order_by().values(n=Func(F("pk"), function="COUNT", output_field=IntegerField()))
        sql, p = compiled(counted)
        parts.append(f"({sql})")
        params.extend(p)
    return "SELECT " + ", ".join(parts), tuple(params)


def _counts(querysets: list[QuerySet[Any]], key: tuple[Any, ...] | None = None) -> list[int]:
    """The number of rows of each queryset, in ONE query (``SELECT (SELECT COUNT…), …``):
    each count keeps its own plan, and a home page of eleven queues asks once (issue 10).
    The SQL is kept under ``key`` when given, like ``_capped_ask``'s."""
    if not querysets:
        return []
    (found,) = together([_counts_ask(querysets, key)])
    return found


def _counts_ask(querysets: list[QuerySet[Any]], key: tuple[Any, ...] | None, db: str | None = None) -> Ask:
    # ``db``: given by a caller whose querysets are made only when compiled (``home_queues``).
    db = db or querysets[0].db
    memo = ("counts", db, len(querysets), *key) if key is not None else None

    def finish(rows: list[tuple[Any, ...]]) -> list[int]:
        (row,) = rows
        return [int(n or 0) for n in row]

    return then(_CAPPED_SQL.ask(db, memo, lambda: _counts_sql(querysets)), finish)


#: The SQL of ``_capped_ask`` by (database, the querysets' key): building and compiling a dozen
#: annotated querysets was a fifth of a bureau home page (issue 10). One entry per
#: organisation and day at most.
_CAPPED_SQL = KeptSQL(512)
#: The SQL of the first rows of the home queues of other kinds, by queue and ``queue_key``.
_OTHER_ROWS = KeptQueries(2048)


def _capped_sql(querysets: list[QuerySet[Project]]) -> tuple[str, tuple[Any, ...]]:
    """The one query of ``_capped_ask``: (SQL, parameters)."""
    parts: list[str] = []
    params: list[Any] = []
    for n, qs in enumerate(querysets):
        capped = (
            qs.annotate(
                queue=Value(n, output_field=IntegerField()),
                queue_length=Window(Count("pk")),
            )
            .order_by(F("first_due").asc(nulls_last=True), "pk")
            .values_list("queue", "pk", "queue_length")[:QUEUE_CAP]
        )
        sql, p = compiled(capped)
        parts.append(f"SELECT * FROM ({sql}) q{n}")
        params.extend(p)
    return " UNION ALL ".join(parts), tuple(params)


def _capped_ask(
    querysets: list[QuerySet[Project]], key: tuple[Any, ...] | None, db: str | None = None
) -> Ask:
    """The ids of the first ``QUEUE_CAP`` projects of each queryset by earliest running
    deadline (``Project.first_due``, kept by lifecycle.clocks; none last, then pk), and each
    queryset's length, in ONE query: a UNION ALL of the capped queues, each row carrying its
    queue's length as ``COUNT(*) OVER ()`` — a window is counted before the LIMIT, so the
    length comes with the first rows and a queue's query is compiled once (issue 10:
    compiling a dozen querysets twice was most of a bureau home page). An empty queue has no
    row: its length is 0. ``db``: given by a caller whose querysets are made only when
    compiled (``home_queues_with``)."""
    db = db or querysets[0].db
    memo = (db, len(querysets), *key) if key is not None else None

    def finish(rows: list[tuple[Any, ...]]) -> tuple[list[list[int]], list[int]]:
        ids: list[list[int]] = [[] for _ in querysets]
        counts = [0] * len(querysets)
        for n, pk, length in rows:
            ids[n].append(pk)
            counts[n] = int(length)
        return ids, counts

    return then(_CAPPED_SQL.ask(db, memo, lambda: _capped_sql(querysets)), finish)


#: For a queue of another kind: the projects it is about (the list page's ``queue`` filter).
_PROJECT_OF = {"changes": "project_id", "incidents": "project_id", "splits": "first_id"}


def home_queues(user: User) -> list[dict[str, Any]]:
    """``home_queues_with`` with nothing else asked."""
    return home_queues_with(user, [])[0]


def home_queues_with(user: User, also: list[Ask]) -> tuple[list[dict[str, Any]], list[Any]]:
    """The home queues, and the answers of ``also``: what else the page reads, sent with the
    queues' first queries (issue 10: one round trip to PostgreSQL instead of one each).

    What waits on ``user``'s organisation, queue by queue, each sorted by deadline and
    capped at ``QUEUE_CAP`` items: ``count`` is the queue's length, ``more`` the items not
    shown and ``key`` the list page's filter for the whole queue (``queue_projects``).
    Whatever the number of projects and of queues: one query for the ids and lengths of every
    project queue, one for those projects and one for their running clocks, one for the
    lengths of the queues of other kinds (changes, incidents, plans, splits) and one per such
    queue that is not empty."""
    queues = queue_definitions(user)
    wanted = [n for n, q in enumerate(queues) if q["kind"] == "projects"]
    others = [n for n, q in enumerate(queues) if q["kind"] != "projects"]
    key = queue_key(user)
    # Issue 10: the queries go in two rounds, each sent at once (core.kept_sql.together: one
    # round trip to PostgreSQL): the queues' first ids and lengths, then the rows they show.
    capped_qs = [queues[n]["items"] for n in wanted]
    counted_qs = [queues[n]["items"] for n in others]
    db = Project.objects.db  # the queues' querysets are made only if their SQL is not kept
    asked = [_capped_ask(capped_qs, key, db)] if capped_qs else []
    asked += [_counts_ask(counted_qs, key, db)] if counted_qs else []
    first = together(asked + also)
    answers = first[len(asked) :]
    capped, lengths = first.pop(0) if capped_qs else ([], [])
    ids = dict(zip(wanted, capped, strict=True))
    # A window count would make the database read every row of a long queue of changes to
    # show its first ten (measured: 4× slower than counting apart); these are counted together.
    counts = dict(zip(wanted, lengths, strict=True)) | dict(
        zip(others, first.pop(0) if counted_qs else [], strict=True)
    )
    shown_ids = sorted({pk for some in ids.values() for pk in some})
    second = _shown_asks(shown_ids)
    # The first rows of each queue of changes, incidents or warnings that is not empty, its
    # SQL kept like the project queues' (core.kept_sql.KeptQueries).
    firsts = [n for n in others if counts[n]]
    second += [
        _OTHER_ROWS.ask(("queue", n, *key), lambda qs=queues[n]["items"]: qs[:QUEUE_CAP]) for n in firsts
    ]
    # The calendar's exceptions around today: what counting the days left of the rows shown
    # reads, unless a deadline lies further away (decorate reads its years then).
    today = timeutil.today()
    second.append(workdays.exceptions_ask(today.year - 1, today.year + 1) if shown_ids else answered(None))
    rows, clocks, *other_rows, read = together(second)
    shown = {p.pk: p for p in decorate(_with_clocks(rows, clocks), today=today, read=read)} if rows else {}
    items_of = dict(zip(firsts, other_rows, strict=True))
    far = datetime.date.max
    for number, q in enumerate(queues):
        q.pop("items")
        q["key"] = str(number)
        q["count"] = counts[number]
        if q["kind"] == "projects":
            items = [shown[pk] for pk in ids.get(number, []) if pk in shown]
            items.sort(key=lambda p: (p.deadline.effective_due_on if p.deadline else far, p.pk))
            q["items"] = items
        else:
            q["items"] = items_of.get(number, [])
        q["more"] = q["count"] - len(q["items"])
        q["listable"] = q["kind"] == "projects" or q["kind"] in _PROJECT_OF
    return queues, answers


#: The SQL of the rows a home page shows, by the number of ids asked (``_shown_rows``; in
#: lists of a multiple of eight, core.kept_sql.KeptQueries.list_in).
_SHOWN_ROWS = KeptQueries(64)


def _queue_rows(*ids: int) -> QuerySet[Project]:
    return plan_stage.with_plan(Project.objects.filter(pk__in=ids).select_related("owner").only(*ROW_COLUMNS))


def _queue_clocks(*ids: int) -> QuerySet[Clock]:
    # The clocks of ``running_clocks``, in its order.
    return Clock.objects.filter(stopped_on__isnull=True, project_id__in=ids).order_by(
        "project_id", "due_on", "pk"
    )


def _shown_rows(ids: list[int]) -> list[Any]:
    """The projects of ``ids`` (a home page's queues) with their running clocks as
    ``running_clocks`` (as the ``running_clocks`` prefetch gives them), in two queries whose
    SQL is kept (issue 10)."""
    return _with_clocks(*together(_shown_asks(ids)))


def _shown_asks(ids: list[int]) -> list[Ask]:
    """The two kept queries of ``_shown_rows``: the projects, then their running clocks."""
    return [_SHOWN_ROWS.ask_in("rows", _queue_rows, ids), _SHOWN_ROWS.ask_in("clocks", _queue_clocks, ids)]


def _with_clocks(projects: list[Any], clocks: list[Clock]) -> list[Any]:
    by_project: dict[int, list[Clock]] = {p.pk: [] for p in projects}
    for clock in clocks:
        if clock.project_id is not None:  # the clocks of ``ids``: all have a project
            by_project[clock.project_id].append(clock)
    for p in projects:
        p.running_clocks = by_project[p.pk]
    return projects


def queue_projects(user: User, key: str) -> tuple[StrOrPromise, QuerySet[Project]] | None:
    """The title of ``user``'s home queue number ``key`` and the projects it holds (for the
    list page's "还有 N 项"), or None for no such queue."""
    queues = queue_definitions(user)
    if not (key.isascii() and key.isdigit() and len(key) < 4 and str(int(key)) == key) or int(key) >= len(
        queues
    ):
        return None
    q = queues[int(key)]
    if q["kind"] == "projects":
        return q["title"], q["items"]
    if q["kind"] in _PROJECT_OF:
        ids = q["items"].order_by().values(_PROJECT_OF[q["kind"]])
        return q["title"], visible_projects(user).filter(pk__in=ids)
    return None


def queue_key(user: User) -> tuple[Any, ...]:
    """Everything ``queue_definitions`` builds its querysets from, and the day: two people
    with the same key have queues of the same SQL and parameters (``_capped_ask`` keeps the SQL;
    tests/web/test_queue_sql_memo.py compares it with a fresh compilation for every
    kind of organisation)."""
    return (*visibility_key(user), timeutil.today())


def visibility_key(user: User) -> tuple[Any, ...]:
    """Everything ``visible_projects`` builds its queryset from: two people with the same key
    see the projects of the same SQL (kept by ``access.get_project_for_user``)."""
    org = getattr(user, "organisation", None) if getattr(user, "organisation_id", None) else None
    return (
        bool(getattr(user, "is_authenticated", False)),
        bool(getattr(user, "is_superuser", False)),
        getattr(user, "organisation_id", None),
        org.kind if org else None,
    )


def queue_definitions(user: User) -> list[dict[str, Any]]:
    """The queues of ``user``'s organisation as lazy querysets (evaluated by ``home_queues``)."""

    kind = user.organisation.kind if user.organisation else None
    # Issue 10: every queryset is made only when first used (SimpleLazyObject): a home page
    # whose SQL is kept (``home_queues``) builds none of them.
    base: QuerySet[Project] = SimpleLazyObject(lambda: visible_projects(user))  # type: ignore[assignment]

    queues = []
    if kind == OrgKind.OWNER:
        own: QuerySet[Project] = SimpleLazyObject(  # type: ignore[assignment]
            lambda: base.filter(owner=user.organisation).exclude(
                state__in=[S.CLOSED, S.WITHDRAWN, S.TERMINATED, S.REVIEW_REJECTED, S.NOT_INCLUDED]
            )
        )
        queues.append(_q(_("轮到本单位办理"), lambda: own.filter(state__in=OWNER_TURN)))

        # 办法第十三条: cross-department projects of other departments waiting for our confirmation.
        def to_confirm() -> Exists:
            return Exists(
                Participant.objects.filter(
                    project=OuterRef("pk"), organisation=user.organisation, confirmed_at__isnull=True
                )
            )

        queues.append(
            _q(
                _("待本单位确认的跨部门参建内容"),
                lambda: base.filter(state__in=[S.DRAFT, S.CORRECTING]).filter(to_confirm()),
                article="第十三条",
            )
        )
        queues.append(
            _q(_("等待省营商环境局和有关部门办理"), lambda: own.exclude(state__in=OWNER_TURN), waiting=True)
        )
        queues.append(
            _q(
                _("本单位起草中的项目变更"),
                lambda: (
                    ChangeRequest.objects.filter(project__owner=user.organisation, state=ChangeState.DRAFT)
                    .select_related("project")
                    .order_by("pk")
                ),
                article="第二十八条",
                kind="changes",
            )
        )
    elif kind == OrgKind.BUREAU:
        queues += [
            # Sorted by the wait from submission to 受理 (the "申报后受理" clock against the
            # bureau's target, Policy.intake_target_working_days; 办法第十条 sets no number).
            _q(_("待受理的申报"), lambda: base.filter(state=S.SUBMITTED), article="第十条"),
            _q(
                _("联合审核中（%(joint_review_days)s个工作日）") % get_policy().figures(),
                lambda: base.filter(state__in=[S.JOINT_REVIEW, S.CORRECTING, S.EXPERT_EVALUATION]),
                article="第十条",
            ),
            _q(
                _("紧急纳入申请"),
                lambda: lacking_opinion(
                    base.filter(state=S.EMERGENCY_REQUESTED), ["bureau_emergency"], "emergency"
                ),
                article="第十二条",
            ),
            _q(
                _("初步设计评审中（%(design_review_days)s个工作日）") % get_policy().figures(),
                lambda: base.filter(
                    state__in=[S.DESIGN_REVIEW, S.DESIGN_CORRECTING], network=Network.EXTRANET
                ),
                article="第十八条",
            ),
            _q(_("待报省政府审定"), lambda: base.filter(state=S.APPROVAL_COMPLETE), article="第十九条"),
            # 办法第二十六条: incident reports waiting for the bureau's order (整改, 暂停 or 终止).
            _q(
                _("建设单位报告的严重逾期或重大损失"),
                lambda: (
                    Incident.objects.filter(
                        Exists(base.filter(pk=OuterRef("project_id"))), handled_at__isnull=True
                    )
                    .select_related("project", "project__owner")
                    .only(*INCIDENT_COLUMNS)
                    .order_by("reported_at", "pk")
                ),
                article="第二十六条",
                kind="incidents",
            ),
            _q(
                _("变更待审批和新备案"),
                lambda: (
                    ChangeRequest.objects.filter(state__in=[ChangeState.PENDING_APPROVAL, ChangeState.FILED])
                    .select_related("project")
                    .only(*CHANGE_COLUMNS)
                    .order_by("-submitted_at", "-pk")
                ),
                article="第二十八条",
                kind="changes",
            ),
            _q(
                _("限期整改和暂停建设"),
                lambda: base.filter(state__in=[S.RECTIFICATION, S.SUSPENDED]),
                article="第二十六、三十六条",
            ),
            _q(
                _("验收申请和延期验收申请"),
                lambda: base.filter(state__in=[S.EXTENSION_REQUESTED, S.ACCEPTANCE_REVIEW]),
                article="第二十九条",
            ),
            _q(
                _("应报送自评价和待决定后评价"),
                lambda: base.filter(state__in=[S.OPERATION, S.SELF_EVALUATED]),
                article="第三十三条",
            ),
            # Issue 15: most likely first (by score, not newest), each with its part scores.
            _q(
                _("疑似拆分申报预警"),
                lambda: (
                    SplitWarning.objects.filter(kind=SplitWarning.Kind.SPLIT)
                    .select_related("first", "second", "first__owner")
                    .only(*WARNING_COLUMNS, "first__owner__name")
                    .order_by("-score", "-pk")
                ),
                article="第八条",
                kind="splits",
            ),
            # 办法第三条 (集约节约): two departments' applications for the same system.
            _q(
                _("疑似跨部门重复建设预警"),
                lambda: (
                    SplitWarning.objects.filter(kind=SplitWarning.Kind.DUPLICATE)
                    .select_related("first", "second", "first__owner", "second__owner")
                    .only(*WARNING_COLUMNS, "first__owner__name", "second__owner__name")
                    .order_by("-score", "-pk")
                ),
                article="第三条",
                kind="splits",
            ),
        ]
    elif kind in (OrgKind.CAC, OrgKind.CRYPTO):
        aspect, acceptance = (
            ("security", "cac_acceptance") if kind == OrgKind.CAC else ("crypto", "crypto_acceptance")
        )
        queues += [
            _q(
                _("待出具联合审核意见"),
                lambda: lacking_opinion(base.filter(state=S.JOINT_REVIEW), [aspect], "joint_review"),
                article="第十条",
            ),
            _q(
                _("待出具紧急纳入审核意见"),
                lambda: lacking_opinion(
                    base.filter(state=S.EMERGENCY_REQUESTED),
                    ["cac_emergency" if kind == OrgKind.CAC else "crypto_emergency"],
                    "emergency",
                ),
                article="第十二条",
            ),
            _q(
                _("待出具竣工验收意见"),
                lambda: lacking_opinion(base.filter(state=S.ACCEPTANCE_REVIEW), [acceptance], "acceptance"),
                article="第二十九条",
            ),
        ]
    elif kind == OrgKind.DRC:
        queues += [
            _q(_("待批复的可行性研究报告"), lambda: base.filter(state=S.FSR_REVIEW), article="第十五条"),
            _q(
                _("待出具竣工验收意见"),
                lambda: lacking_opinion(
                    base.filter(state=S.ACCEPTANCE_REVIEW), ["drc_acceptance"], "acceptance"
                ),
                article="第二十九条",
            ),
        ]
    elif kind in (OrgKind.POLICE, OrgKind.SECRECY):
        aspect = "police_acceptance" if kind == OrgKind.POLICE else "secrecy_acceptance"
        # 办法第二十九条: 省委保密办 takes part in every acceptance ("不涉及" when unclassified).
        queues.append(
            _q(
                _("待出具竣工验收意见"),
                lambda: lacking_opinion(base.filter(state=S.ACCEPTANCE_REVIEW), [aspect], "acceptance"),
                article="第二十九条",
            )
        )
    elif kind == OrgKind.INTRANET:
        queues.append(
            _q(
                _("依托电子政务内网的初步设计评审"),
                lambda: base.filter(
                    state__in=[S.DESIGN_REVIEW, S.DESIGN_CORRECTING], network=Network.INTRANET
                ),
                article="第十八条",
            )
        )
    elif kind == OrgKind.FINANCE:
        queues += [
            _q(
                _("待会签的年度建设计划"),
                lambda: AnnualPlan.objects.filter(
                    state=PlanState.COMPILING, finance_concurred_at__isnull=True
                ),
                article="第十一条",
                kind="plans",
            ),
            _q(
                _("待审核的紧急纳入申请"),
                lambda: lacking_opinion(
                    base.filter(state=S.EMERGENCY_REQUESTED), ["finance_emergency"], "emergency"
                ),
                article="第十二条",
            ),
        ]
    elif kind == OrgKind.GOVERNMENT:
        queues += [
            _q(
                _("待批准的年度建设计划"),
                lambda: AnnualPlan.objects.filter(state=PlanState.SUBMITTED),
                article="第十一条",
                kind="plans",
            ),
            _q(_("待批准的紧急纳入"), lambda: base.filter(state=S.EMERGENCY_FORWARDED), article="第十二条"),
            _q(_("待审定的项目"), lambda: base.filter(state=S.RATIFICATION), article="第十九条"),
        ]
    elif kind == OrgKind.EXPERT:
        queues += [
            _q(_("专家评估论证"), lambda: base.filter(state=S.EXPERT_EVALUATION), article="第十条"),
            _q(
                _("第三方后评价"),
                lambda: base.filter(state=S.POST_EVALUATION, post_evaluator=user.organisation_id),
                article="第三十三条",
            ),
        ]
    return queues


def stage_counts(user: User) -> list[tuple[StrOrPromise, int]]:
    """Projects per stage of 办法第七条 and the chapters after it (one query)."""
    by_state = dict(visible_projects(user).values_list("state").annotate(n=Count("*")).order_by())
    return [(label, sum(by_state.get(s, 0) for s in states)) for label, states in STAGES.items()]
