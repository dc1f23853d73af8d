"""更正: the audited correction of a date or an amount that a step recorded.

Not the 陈述和补正 rounds of 办法第十条 (``models.Correction``). A 开工日期, 建成日期, 概算 …
is recorded by one step of the state machine (``lifecycle.stepdata.STEPS``) and is read-only
afterwards. A value typed wrongly is put right by ``record_correct``: an explicit step of its
own, taken by the head (负责人) of the organisation that took the recording step, with a
reason; the new value obeys the rules of that step (``stepdata.clean``) and is checked
against the dates recorded before and after it; the audit row keeps who, when, why, before
and after; and every deadline counted from the value is counted again:

* 开工日期 → the yearly performance-report clocks of the construction years (第二十五条);
* 建成日期 → the half-year acceptance-application clock (第二十九条);
* 同意延期至 → that clock's extended date (第二十九条);
* 投入运行日期 → the 6–12-month self-evaluation window (第三十三条);
* 整改期限 → the rectification clock (第三十六条).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from . import audit, clocks, stepdata
from .effects import performance_report_clock
from .errors import ConcurrentUpdate, RuleViolation
from .models import AuditEntry, Clock, ClockKind
from .policy import get_policy
from .services import transition_of
from .workdays import add_months

#: The audit action of a correction (a constant, so nothing keys on a label).
CORRECTED = "project.corrected"
#: The audit action of a performance-report clock withdrawn because the corrected 开工日期
#: puts its year before the construction period.
CLOCK_WITHDRAWN = "clock.withdrawn"

#: datum → the step that records it (a test checks each is one of the step's ``fields`` or,
#: for fsr_estimate_yuan of a merged approval, the 概算 it sets under 办法第十七条).
FIELDS: dict[str, str] = {
    "fsr_estimate_yuan": "approve_fsr",
    "approved_estimate_yuan": "approve_design",
    "decided_amount_yuan": "ratify",
    "construction_started_on": "start_construction",
    "completed_on": "complete_construction",
    "surplus_returned_yuan": "complete_construction",
    "granted_due_on": "grant_extension",
    "accepted_on": "accept",
    "went_live_on": "go_live",
    "working_days": "order_rectification",
}


def fields_of(project) -> dict[str, str]:
    """The correctable data of ``project`` and their steps. A merged FSR approval (办法第十七条)
    sets the 概算 itself: it is corrected as the FSR estimate, which carries it along."""
    if project.merged_fsr_design:
        return {f: s for f, s in FIELDS.items() if f != "approved_estimate_yuan"}
    return dict(FIELDS)


def label(field: str) -> str:
    return str(stepdata.DATA[field].label)


def _clock(project, kind) -> Clock | None:
    return project.clocks.filter(kind=kind).order_by("-pk").first()


#: the clocks whose date or length is a correctable datum
CLOCK_FIELDS = {"granted_due_on": ClockKind.ACCEPTANCE_APPLICATION, "working_days": ClockKind.RECTIFICATION}


def _latest_clocks(project) -> dict:
    """The latest clock of each kind of ``CLOCK_FIELDS``, in one query (the project page)."""
    rows = Clock.objects.filter(project=project, kind__in=CLOCK_FIELDS.values()).order_by("pk")
    return {clock.kind: clock for clock in rows}


def current_value(project, field: str, clocks: dict | None = None):
    """What is recorded now: a field of the project, or a clock's date or length.
    ``clocks``: ``_latest_clocks(project)`` when already loaded."""
    if field in CLOCK_FIELDS:
        kind = CLOCK_FIELDS[field]
        clock = _clock(project, kind) if clocks is None else clocks.get(kind)
        if field == "granted_due_on":
            return clock.extended_to if clock else None
        return clock.working_days if clock else None
    return getattr(project, field)


def _transition(project, step: str):
    return transition_of(project, step)[0]


def refusal(
    project, field: str, actor, *, taken: set | None = None, clocks: dict | None = None
) -> RuleViolation | None:
    """Why ``actor`` may not correct ``field`` of ``project`` now (code "unknown",
    "permission" or "state"), or None. ``taken`` (the recording steps already taken) and
    ``clocks`` (``_latest_clocks``): what ``recorded`` loaded once for every field."""
    steps = fields_of(project)
    if field not in steps:
        return RuleViolation(_("“%(field)s”不是可更正的数据。") % {"field": field}, code="unknown")
    t = _transition(project, steps[field])
    step_label, article = t.custom["label"], t.custom["article"]
    # 原则上 the head signs for the organisation that took the step (办法第二十一条: the
    # responsible head; the same people who may pass a 原则上 rule, services.perform).
    if t.permission.refusal(project, actor) or getattr(actor, "role", None) != "head":
        return RuleViolation(
            _("更正“%(label)s”须由办理“%(step)s”的%(who)s负责人办理（办法%(article)s）。")
            % {
                "label": label(field),
                "step": step_label,
                "who": t.permission.describe(project),
                "article": article,
            },
            code="permission",
            article=article,
        )
    if taken is None:
        done = project.audit_entries.filter(action=steps[field]).exists()
    else:
        done = steps[field] in taken
    if not done or (field in CLOCK_FIELDS and current_value(project, field, clocks) is None):
        return RuleViolation(
            _("“%(label)s”由“%(step)s”记录，该步骤尚未办理，无可更正。")
            % {"label": label(field), "step": step_label},
            code="state",
            article=article,
        )
    return None


def correctable(project, actor, *, clocks: dict | None = None, taken: set | None = None) -> list[str]:
    """The data ``actor`` may correct on ``project`` now. ``taken``: the actions of the
    project's audit rows (or a superset of the recording steps among them), when loaded."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "role", None) != "head":
        return []
    fields = fields_of(project)
    if taken is None:  # one query for every recording step (issue 10: was one per datum)
        taken = set(
            project.audit_entries.filter(action__in=set(fields.values())).values_list("action", flat=True)
        )
    return [f for f in fields if refusal(project, f, actor, taken=taken, clocks=clocks) is None]


def latest_clocks(clocks) -> dict:
    """``_latest_clocks`` from the project's clocks already loaded."""
    latest: dict = {}
    for clock in sorted(clocks, key=lambda c: c.pk):
        if clock.kind in CLOCK_FIELDS.values():
            latest[clock.kind] = clock
    return latest


def recorded(project, actor, *, clocks: dict | None = None, taken: set | None = None) -> list[dict]:
    """The data the steps recorded, for the project page: label, value, kind and whether
    ``actor`` may correct it. ``clocks`` (``latest_clocks``) and ``taken`` (the actions of
    the project's audit rows): what the page has loaded already."""
    if clocks is None:
        clocks = _latest_clocks(project)
    allowed = set(correctable(project, actor, clocks=clocks, taken=taken))
    rows = []
    for field in fields_of(project):
        value = current_value(project, field, clocks)
        if value is None and field not in allowed:
            continue
        rows.append(
            {
                "field": field,
                "label": label(field),
                "value": value,
                "may_correct": field in allowed,
                "kind": "money" if field.endswith("_yuan") else "days" if field == "working_days" else "date",
            }
        )
    return rows


def history(project, field: str):
    """The corrections of ``field`` made so far, oldest first."""
    return project.audit_entries.filter(action=CORRECTED, data__field=field).order_by("at", "pk")


def record_correct(project, field: str, value, *, actor, reason: str) -> AuditEntry:
    """Correct ``field`` of ``project`` to ``value`` as ``actor``, for ``reason``.

    Refused (RuleViolation) to anyone but the head of the organisation that took the step
    that recorded the value, without a reason, before that step was taken, and for a value
    the step itself would refuse or that equals the recorded one. Side effects, in one
    transaction: the value saved; one audit row ``CORRECTED`` with the field, the step,
    the value before and after; every clock counted from the value counted again, each
    with its ``ClockEvent`` and audit row (see the module docstring).
    """
    project.refresh_from_db()
    problem = refusal(project, field, actor)
    if problem:
        raise problem
    step = fields_of(project)[field]
    t = _transition(project, step)
    if not (reason or "").strip():
        raise RuleViolation(
            _("更正“%(label)s”须填写理由（如何录错、依据哪份文件更正）。") % {"label": label(field)},
            code="reason",
            article=t.custom["article"],
        )
    if stepdata.is_blank(value):
        raise RuleViolation(
            _("请填写更正后的“%(label)s”。") % {"label": label(field)},
            code="data",
            article=t.custom["article"],
        )
    after = stepdata.clean(project, field, value, correcting=True)
    before = current_value(project, field)
    if after == before:
        raise RuleViolation(
            _("更正后的“%(label)s”与已记录的相同，无需更正。") % {"label": label(field)}, code="data"
        )
    why = _("更正%(label)s：%(reason)s") % {"label": label(field), "reason": reason.strip()}
    with transaction.atomic():
        entry = audit.record(
            actor=actor,
            action=CORRECTED,
            obj=project,
            label=_("更正%(label)s") % {"label": label(field)},
            article=t.custom["article"],
            from_state=project.state,
            to_state=project.state,
            reason=reason.strip(),
            data={"field": field, "label": label(field), "step": step, "before": before, "after": after},
        )
        _apply(project, field, after, actor=actor, reason=why)
    return entry


def _save(project, *fields):
    try:
        project.save(update_fields=[*fields, "updated_at"])
    except ConcurrentTransition:
        raise ConcurrentUpdate() from None


def _apply(project, field, value, *, actor, reason):
    policy = get_policy()
    if field == "granted_due_on":
        clocks.redate(
            _clock(project, ClockKind.ACCEPTANCE_APPLICATION), actor=actor, reason=reason, extended_to=value
        )
        return
    if field == "working_days":
        clocks.redate(
            _clock(project, ClockKind.RECTIFICATION), actor=actor, reason=reason, working_days=value
        )
        return
    setattr(project, field, value)
    if field == "fsr_estimate_yuan" and project.merged_fsr_design:
        # 办法第十七条: the merged approval's estimate is the 概算 itself.
        project.approved_estimate_yuan = value
        _save(project, field, "approved_estimate_yuan")
    else:
        _save(project, field)
    if field == "construction_started_on":
        _redo_performance_clocks(project, value, actor=actor, reason=reason)
    elif field == "completed_on":
        # 办法第二十九条: acceptance is applied for within half a year of completion.
        clock = _clock(project, ClockKind.ACCEPTANCE_APPLICATION)
        if clock is not None:
            due = add_months(value, policy.acceptance_application_months)
            dates = {"received_on": value, "due_on": due}
            if clock.extended_to and clock.extended_to <= due:
                dates["extended_to"] = None  # the extension no longer extends anything
            clocks.redate(clock, actor=actor, reason=reason, **dates)
    elif field == "went_live_on":
        # 办法第三十三条: self-evaluation 6 to 12 months after acceptance and go-live.
        clock = _clock(project, ClockKind.SELF_EVALUATION)
        if clock is not None:
            clocks.redate(
                clock,
                actor=actor,
                reason=reason,
                received_on=value,
                opens_on=add_months(value, policy.self_evaluation_opens_months),
                due_on=add_months(value, policy.self_evaluation_due_months),
            )


def _redo_performance_clocks(project, start, *, actor, reason):
    """办法第二十五条: a report is due by the end of every construction year. Years from the
    corrected start up to the last year already counted get their clock; a clock of a year
    now before the start, for which no report was given, is withdrawn (its rows and the
    audit row saying why)."""
    existing = {c.year: c for c in project.clocks.filter(kind=ClockKind.PERFORMANCE_REPORT)}
    for year in range(start.year, max([*existing, start.year]) + 1):
        if year not in existing:
            performance_report_clock(project, year=year, actor=actor)
    reported = set(project.performance_reports.values_list("year", flat=True))
    for year, clock in sorted(existing.items()):
        if year < start.year and year not in reported:
            audit.record(
                actor=actor,
                action=CLOCK_WITHDRAWN,
                obj=project,
                label=_("%(kind)s %(year)s：开工日期更正后不属建设期，撤销")
                % {"kind": clock.get_kind_display(), "year": year},
                article=clock.article,
                reason=reason,
                data={"clock": clock.pk, "year": year, "due_on": clock.due_on},
            )
            clock.delete()
            clocks.keep_first_due([project.pk])  # issue 10: the withdrawn deadline no longer counts
