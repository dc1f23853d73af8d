"""Starting, pausing, extending and stopping the deadlines of the 办法.

Every change to a clock writes a ``ClockEvent`` and an audit row.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connections, router
from django.db.models import DateField, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core import timeutil
from core.bulk import insert_rows, rows_per_statement, update_rows

from . import audit
from .models import Clock, ClockEvent, ClockKind, ClockUnit
from .workdays import WorkCalendar, add_working_days, working_days_between

ARTICLES = {
    ClockKind.JOINT_REVIEW: "第十条",
    ClockKind.INTAKE: "第十条",
    ClockKind.DESIGN_REVIEW: "第十八条",
    ClockKind.RECTIFICATION: "第三十六条",
    ClockKind.PERFORMANCE_REPORT: "第二十五条",
    ClockKind.ACCEPTANCE_APPLICATION: "第二十九条",
    ClockKind.SELF_EVALUATION: "第三十三条",
    ClockKind.PLAN_COMPILATION: "第十一条",
}


def earliest_running_due() -> Subquery:
    """The earliest (extended) deadline of a project's running clocks, paused ones included
    (``projects.selectors.earliest_clock`` picks the same clock): one seek in the covering
    index (project, stopped_on, due_on, extended_to) per project."""
    return Subquery(
        Clock.objects.filter(project=OuterRef("pk"), stopped_on__isnull=True)
        .order_by()
        .values(first=Func(Coalesce("extended_to", "due_on"), function="MIN", output_field=DateField()))
    )


#: Work on many clocks at once (entering a year's holidays, opening the yearly clocks) writes
#: the clocks, their events and audit rows in statements of this many rows: the same statements
#: for 10 clocks and 10,000 (issue 10), where the database takes that many parameters (SQLite's
#: own limit: core.sqlite_limits).
BULK_ROWS = 10_000


def keep_first_due(project_ids: Iterable[int | None] | None = None, batch: int = 500) -> None:
    """Set ``Project.first_due`` of these projects (every project with None) to
    ``earliest_running_due``, one UPDATE per ``batch`` projects. Called after every write of a
    clock (``_event``, ``start_calendar_many``, ``recompute_provisional``); a project's own
    ``save`` never writes the column (projects.models.Project.save). Issue 10: every home
    queue is sorted by it, from an index, instead of computing each queued project's earliest
    deadline on every visit. The column is derived from the clocks (like an index): it records
    no fact of its own, and each clock change it follows has its event and audit row."""
    project = Clock._meta.get_field("project").related_model
    if project_ids is None:
        project.objects.update(first_due=earliest_running_due())
        return
    ids = sorted({pk for pk in project_ids if pk is not None})
    # the ids, and a few parameters of the subquery, in one statement
    batch = rows_per_statement(connections[router.db_for_write(project)], 1, batch + 10) - 10
    for start in range(0, len(ids), batch):
        project.objects.filter(pk__in=ids[start : start + batch]).update(first_due=earliest_running_due())


def _event(clock, kind, *, actor=None, reason="", on=None, due_before=None, due_after=None, label=""):
    on = on or timeutil.today()
    if clock.project_id is not None and kind != ClockEvent.Kind.PAUSED:  # a pause moves no date
        keep_first_due([clock.project_id])
    ClockEvent.objects.create(
        clock=clock, kind=kind, on=on, actor=actor, reason=reason, due_before=due_before, due_after=due_after
    )
    audit.record(
        actor=actor,
        action=f"clock.{kind}",
        obj=clock.project or clock.plan or clock,
        label=f"{clock.get_kind_display()}：{label or ClockEvent.Kind(kind).label}",
        article=clock.article,
        reason=reason,
        data={"clock": clock.pk, "due_before": due_before, "due_after": due_after or clock.due_on},
    )


def start_working_days(kind, *, working_days: int, received_on=None, actor=None, **links) -> Clock:
    """A clock of ``working_days`` counted from the day after ``received_on``."""
    received_on = received_on or timeutil.today()
    deadline = add_working_days(received_on, working_days)
    clock = Clock.objects.create(
        kind=kind,
        article=ARTICLES[kind],
        unit=ClockUnit.WORKING_DAYS,
        working_days=working_days,
        received_on=received_on,
        due_on=deadline.date,
        provisional=deadline.provisional,
        **links,
    )
    _event(clock, ClockEvent.Kind.STARTED, actor=actor, on=received_on)
    return clock


def start_calendar(kind, *, due_on, received_on=None, opens_on=None, actor=None, **links) -> Clock:
    """A clock with a fixed date (months after an event, or a day of the year)."""
    received_on = received_on or timeutil.today()
    clock = Clock.objects.create(
        kind=kind,
        article=ARTICLES[kind],
        unit=ClockUnit.CALENDAR,
        received_on=received_on,
        opens_on=opens_on,
        due_on=due_on,
        **links,
    )
    _event(clock, ClockEvent.Kind.STARTED, actor=actor, on=received_on)
    return clock


def start_calendar_many(kind, *, due_on, targets, received_on=None, actor=None, **links) -> list[Clock]:
    """``start_calendar`` for many objects at once (issue 10: set-based): one clock per object
    of ``targets`` (each a Project, linked as ``project``), their STARTED events and audit rows
    inserted in bulk (core.bulk.insert_rows; the audit rows linked into the hash chain in
    order). The same clock, event and audit row as ``start_calendar`` writes for one; three
    INSERT statements per ``BULK_ROWS`` objects."""
    received_on = received_on or timeutil.today()
    made = Clock.objects.bulk_create(
        [
            Clock(
                kind=kind,
                article=ARTICLES[kind],
                unit=ClockUnit.CALENDAR,
                received_on=received_on,
                due_on=due_on,
                project=target,
                **links,
            )
            for target in targets
        ],
        batch_size=BULK_ROWS,
    )
    keep_first_due((clock.project_id for clock in made), batch=BULK_ROWS)
    started = ClockEvent.Kind.STARTED
    insert_rows(
        ClockEvent,
        [ClockEvent(clock=clock, kind=started, on=received_on, actor=actor) for clock in made],
        batch=BULK_ROWS,
    )
    label = f"{made[0].get_kind_display()}：{started.label}" if made else ""  # one kind: translated once
    audit.insert_many(
        [
            audit.unsaved(
                actor=actor,
                action=f"clock.{started}",
                obj=clock.project,
                label=label,
                article=clock.article,
                data={"clock": clock.pk, "due_before": None, "due_after": clock.due_on},
            )
            for clock in made
        ],
        batch_size=BULK_ROWS,
    )
    return made


def running(kind, **links) -> Clock | None:
    return Clock.objects.filter(kind=kind, stopped_on__isnull=True, **links).order_by("-pk").first()


def pause(clock: Clock, *, actor=None, reason="", on=None) -> None:
    """Stop the count, e.g. while the owner corrects (办法第十条 陈述和补正)."""
    if clock is None or clock.paused_on is not None or clock.stopped_on is not None:
        return
    clock.paused_on = on or timeutil.today()
    clock.save(update_fields=["paused_on"])
    _event(clock, ClockEvent.Kind.PAUSED, actor=actor, reason=reason, on=clock.paused_on)


def resume(clock: Clock, *, actor=None, reason="", on=None) -> None:
    """Resume a paused clock; the working days of the pause are added to the deadline.

    The pause covers the days after the pause day up to and including the resume day: a
    matter returned on day P and answered on day R counts again from the day after R.
    """
    if clock is None or clock.paused_on is None or clock.stopped_on is not None:
        return
    on = on or timeutil.today()
    before = clock.due_on
    clock.paused_working_days += working_days_between(clock.paused_on, on)
    clock.paused_on = None
    _recompute(clock)
    clock.save(update_fields=["paused_on", "paused_working_days", "due_on", "provisional"])
    _event(
        clock,
        ClockEvent.Kind.RESUMED,
        actor=actor,
        reason=reason,
        on=on,
        due_before=before,
        due_after=clock.due_on,
    )


def _recompute(clock: Clock, calendar: WorkCalendar | None = None) -> None:
    if clock.unit != ClockUnit.WORKING_DAYS:
        return
    n = clock.working_days + clock.paused_working_days
    deadline = (
        calendar.add_working_days(clock.received_on, n)
        if calendar
        else add_working_days(clock.received_on, n)
    )
    clock.due_on, clock.provisional = deadline.date, deadline.provisional


def extend(clock: Clock, *, to: datetime.date, actor=None, reason="") -> None:
    before = clock.effective_due_on
    clock.extended_to = to
    clock.save(update_fields=["extended_to"])
    _event(clock, ClockEvent.Kind.EXTENDED, actor=actor, reason=reason, due_before=before, due_after=to)


def stop(clock: Clock | None, *, actor=None, reason="", on=None) -> None:
    if clock is None or clock.stopped_on is not None:
        return
    on = on or timeutil.today()
    if clock.paused_on is not None:
        # Stopped while paused (e.g. rejected during correction): the pause is over too.
        clock.paused_working_days += working_days_between(clock.paused_on, on)
        clock.paused_on = None
        _recompute(clock)
    clock.stopped_on = on
    clock.save(update_fields=["stopped_on", "paused_on", "paused_working_days", "due_on", "provisional"])
    _event(clock, ClockEvent.Kind.STOPPED, actor=actor, reason=reason, on=on)


_CLOCK_COLUMNS = tuple(f.name for f in Clock._meta.concrete_fields)


def recompute_provisional(
    *, actor=None, reason="", year: int | None = None
) -> list[tuple[Clock, datetime.date, datetime.date]]:
    """Recompute every provisional clock, e.g. once a year's holiday schedule is entered: the
    working-day periods of the 办法 (第十条 the joint review, 第十八条 the design approval) are
    counted on the official calendar, so a deadline that crossed into a year not yet published
    is recounted when it is.

    Returns (clock, old due date, new due date) for every clock whose date changed.

    With ``year`` (the year whose schedule was just entered), the running clocks whose count
    runs into that year are recounted too, provisional or not: a schedule entered again (the
    State Council amends it, or the administrator corrects a mistake) moves their deadlines —
    before, only provisional clocks were recounted and a corrected year left the others on
    the old schedule (found by the simulation, tests/simulation; issue 14).

    Set-based (issue 10): one read of the clocks with their project or plan, one read of the
    calendar, then the changed clocks written with ``bulk_update`` and their RECOMPUTED events
    and audit rows with ``bulk_create`` (the audit rows linked into the hash chain in order) —
    a bounded number of queries whatever the number of clocks. Each clock gets the same
    deadline, event and audit row as ``_recompute`` and ``_event`` give one clock.
    """
    calendar = WorkCalendar()
    today = timeutil.today()
    changed, touched, events, rows = [], [], [], []
    affected = Q(provisional=True)
    if year is not None:
        affected |= Q(stopped_on__isnull=True, received_on__year__lte=year, due_on__year__gte=year)
        # A pause may lie after the deadline (a matter paused once already overdue): its days
        # move the deadline although the deadline is in an earlier year than the pause. Every
        # running clock with paused days is recounted (found by the simulation, issue 14).
        affected |= Q(stopped_on__isnull=True, received_on__year__lte=year, paused_working_days__gt=0)
    clocks = list(
        Clock.objects.filter(affected, unit=ClockUnit.WORKING_DAYS)
        # Of the project and plan only what an audit row takes of them (audit.unsaved: ids),
        # and their state, which django-fsm reads when an instance is made.
        .select_related("project", "plan")
        .only(*_CLOCK_COLUMNS, "project__plan", "project__state", "plan__state")
        .order_by("pk")
    )
    paused = _pauses_recounted([c for c in clocks if c.paused_working_days], calendar)
    # A pause recounted is written even when the deadline happens not to move (more days in
    # the pause, fewer after it): the next resume adds to the stored count.
    repaused = []
    labels: dict[str, str] = {}  # each kind's label, translated once (not once per clock)
    for clock in clocks:
        before, was_provisional = clock.due_on, clock.provisional
        if clock.pk in paused and paused[clock.pk] != clock.paused_working_days:
            clock.paused_working_days = paused[clock.pk]
            repaused.append(clock)
        _recompute(clock, calendar)
        if clock.due_on == before and clock.provisional == was_provisional:
            continue
        touched.append(clock)
        if clock.kind not in labels:
            labels[clock.kind] = f"{clock.get_kind_display()}：{ClockEvent.Kind.RECOMPUTED.label}"
        events.append(
            ClockEvent(
                clock=clock,
                kind=ClockEvent.Kind.RECOMPUTED,
                on=today,
                actor=actor,
                reason=reason,
                due_before=before,
                due_after=clock.due_on,
            )
        )
        rows.append(
            audit.unsaved(
                actor=actor,
                action=f"clock.{ClockEvent.Kind.RECOMPUTED}",
                obj=clock.project or clock.plan or clock,
                label=labels[clock.kind],
                article=clock.article,
                reason=reason,
                data={"clock": clock.pk, "due_before": before, "due_after": clock.due_on},
            )
        )
        if clock.due_on != before:
            changed.append((clock, before, clock.due_on))
    written = {c.pk: c for c in touched} | {c.pk: c for c in repaused}
    if written:
        # The deadline, the paused days and the flag of every clock recounted, in statements of
        # BULK_ROWS clocks (core.bulk: a VALUES list, not bulk_update's CASE per row and column).
        update_rows(
            Clock, list(written.values()), ["due_on", "paused_working_days", "provisional"], batch=BULK_ROWS
        )
        keep_first_due((c.project_id for c, _b, _a in changed), batch=BULK_ROWS)
    if touched:
        insert_rows(ClockEvent, events, batch=BULK_ROWS)
        audit.insert_many(rows, batch_size=BULK_ROWS)
    return changed


def _pauses_recounted(clocks: list[Clock], calendar: WorkCalendar) -> dict[int, int]:
    """办法第十条、第十八条: the time paused for 陈述和补正 does not count. A pause's working days
    were counted at its end on the calendar known then; a year's schedule entered later must
    recount them, or the deadline moves by the holidays inside the pause (found by the
    simulation, issue 14). Each clock's pauses are read back from its PAUSED events and the
    RESUMED or STOPPED event that ended each — one query for all ``clocks`` — and counted as
    ``resume`` and ``stop`` count them. Clock pk → its paused working days."""
    if not clocks:
        return {}
    ends = (ClockEvent.Kind.RESUMED, ClockEvent.Kind.STOPPED)
    days: dict[int, int] = {}
    started: dict[int, datetime.date] = {}
    events = ClockEvent.objects.filter(
        clock_id__in=[c.pk for c in clocks], kind__in=(ClockEvent.Kind.PAUSED, *ends)
    ).order_by("clock_id", "pk")
    for clock_id, kind, on in events.values_list("clock_id", "kind", "on"):
        if kind == ClockEvent.Kind.PAUSED:
            started.setdefault(clock_id, on)
        elif clock_id in started:
            days[clock_id] = days.get(clock_id, 0) + calendar.working_days_between(started.pop(clock_id), on)
    # A clock whose ended pauses left no events (none here) keeps the count it has.
    return days


def redate(clock: Clock, *, actor=None, reason="", **dates) -> None:
    """Set the dates a clock was counted from after the date it depends on was corrected
    (``lifecycle.corrections``): ``received_on``, ``opens_on``, ``due_on``, ``extended_to``
    or, for a working-day clock, ``working_days`` (its deadline is then counted again).
    Writes a RECOMPUTED event with the deadline before and after, and its audit row."""
    allowed = {"received_on", "opens_on", "due_on", "extended_to", "working_days"}
    if set(dates) - allowed:
        raise ValueError(f"cannot redate {set(dates) - allowed}")
    before = clock.effective_due_on
    for name, value in dates.items():
        setattr(clock, name, value)
    _recompute(clock)
    clock.save(update_fields=sorted(set(dates) | {"due_on", "provisional"}))
    _event(
        clock,
        ClockEvent.Kind.RECOMPUTED,
        actor=actor,
        reason=reason,
        due_before=before,
        due_after=clock.effective_due_on,
        label=_("因更正重新计算"),
    )
