"""What a step does besides moving the state: clocks, opinions, corrections, copies, the
plan it enters.

Each transition names its effects on itself — ``custom=step(..., effects=(...))`` in
lifecycle/machine.py, and ChangeRequest's transitions in lifecycle/models.py — and
``services.perform`` runs them in that order, inside the step's transaction, after the audit
row: ``effect(obj, *, actor, reason, data)``. A step may also name ``prepare`` hooks, run
before its rules are checked: ``prepare(obj, *, actor, data) -> {field: previous value}``
sets in memory what the step is about (e.g. the plan an urgent project asks to enter), and
``perform`` puts the previous values back when the step is refused.

Import order: the machine names these functions while lifecycle.models and projects.models
are still being defined (both import the machine), so this module imports nothing that
needs the models at load time; each function imports ``clocks`` and the models when it runs.
That keeps the declarations plain function references — a renamed effect fails at import,
not silently.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from core import timeutil
from core.states import ProjectState as S

from . import clocks, stepdata
from .errors import RuleViolation
from .models import Aspect, ClockKind, Conclusion, Copy, Correction, Opinion, Rectification
from .policy import get_policy
from .workdays import add_months

# ================================================================ prepare hooks


def choose_emergency_plan(project, *, actor, data) -> dict:
    """办法第十二条: an urgent mandated project asks to enter the approved plan of ``year``
    (step data; default: the project's call year, else this year). It comes outside the June
    call, so it belongs to no call submission. Kept in memory until the step is saved."""
    year = data.pop("year", None)
    if project.plan_id is not None:
        return {}
    year = year or (project.call.year if project.call_id else timeutil.today().year)
    plans = type(project)._meta.get_field("plan").related_model.objects  # the AnnualPlan model
    plan = plans.filter(year=year).first()
    if plan is None:
        return {}
    previous = {"plan": project.plan}
    project.plan = plan
    return previous


def stage_decided_amount(project, *, actor, data) -> dict:
    """办法第十九条: the amount 省政府 is deciding, set in memory before the rules are checked
    (guards.decided_within_estimate compares it with the approved 概算). A value the step
    data would refuse is left out: lifecycle.stepdata refuses it with its own message."""
    value = data.get("decided_amount_yuan")
    if stepdata.is_blank(value):
        return {}
    try:
        amount = stepdata.clean(project, "decided_amount_yuan", value)
    except RuleViolation:
        return {}
    previous = {"decided_amount_yuan": project.decided_amount_yuan}
    project.decided_amount_yuan = amount
    return previous


def name_responsible_person(project, *, actor, data) -> dict:
    """办法第二十一条: the owner's head names the 项目责任人 when asking for an urgent
    insertion (step data ``responsible_person``, a User or its id); the guard
    ``responsible_person_named`` checks who it is. Kept in memory until the step is saved."""
    person = data.pop("responsible_person", None)
    if person in (None, ""):
        return {}
    users = type(project)._meta.get_field("responsible_person").related_model.objects
    if not hasattr(person, "pk"):
        person = users.filter(pk=person).first() if str(person).isdigit() else None
    if person is None:
        return {}
    previous = {"responsible_person": project.responsible_person}
    project.responsible_person = person
    return previous


# ================================================================ helpers


def copy_to(project, subject, article, *kinds):
    """抄送: one Copy row for every organisation of ``kinds`` (e.g. 财政厅、发改委)."""
    now = timeutil.now()
    organisations = Copy._meta.get_field("organisation").related_model.objects.filter(kind__in=kinds)
    Copy.objects.bulk_create(
        [
            Copy(project=project, organisation=org, subject=subject, article=article, sent_at=now)
            for org in organisations
        ]
    )


def _running(kind, project):
    return clocks.running(kind, project=project)


def performance_report_clock(project, *, year: int, actor=None):
    """办法第二十五条: the construction year's report is due by 12月31日 (idempotent)."""

    existing = project.clocks.filter(kind=ClockKind.PERFORMANCE_REPORT, year=year).first()
    if existing:
        return existing
    return clocks.start_calendar(
        ClockKind.PERFORMANCE_REPORT,
        due_on=get_policy().performance_report_due.of(year),
        actor=actor,
        project=project,
        year=year,
    )


# ================================================================ 联合审核 (第十条)


def start_joint_review_clock(project, *, actor, **kw):
    """办法第十条: each project's joint review takes, in principle, at most 5 working days."""

    clocks.start_working_days(
        ClockKind.JOINT_REVIEW,
        working_days=get_policy().joint_review_working_days,
        actor=actor,
        project=project,
    )


def start_intake_clock(project, *, actor, **kw):
    """The wait from submission to 受理 (办法第十条 counts its 5 working days from 受理 and
    sets no number for this wait): measured against the bureau's target
    (Policy.intake_target_working_days), shown and reported, never refusing anything."""

    clocks.start_working_days(
        ClockKind.INTAKE,
        working_days=get_policy().intake_target_working_days,
        actor=actor,
        project=project,
    )


def stop_intake_clock(project, *, actor, reason="", **kw):
    """受理 (or withdrawal) ends the wait; whether it met the target stays on the clock."""

    clocks.stop(_running(ClockKind.INTAKE, project), actor=actor, reason=reason)


def open_correction_round(project, *, actor, reason, **kw):
    """办法第十条: the correction request is recorded; the owner's 陈述和补正 time does not
    count against the reviewers, so the joint-review clock pauses."""

    Correction.objects.create(
        project=project, requested_by=actor, requested_at=timeutil.now(), request=reason
    )
    clocks.pause(_running(ClockKind.JOINT_REVIEW, project), actor=actor, reason=reason)


def close_correction_round(project, *, actor, reason, **kw):

    correction = project.corrections.filter(replied_at__isnull=True).last()
    if correction:
        correction.reply, correction.replied_by, correction.replied_at = reason, actor, timeutil.now()
        correction.save(update_fields=["reply", "replied_by", "replied_at"])
    clocks.resume(_running(ClockKind.JOINT_REVIEW, project), actor=actor, reason=reason)


def pause_joint_review_for_experts(project, *, actor, reason, **kw):
    """办法第十条: the experts' evaluation pauses the 5-working-day clock. Basis: 专家评审时间
    不计入审核时限 (cf. 行政许可法第四十五条: time for 专家评审 is not counted in the time
    limit; the 办法 itself is silent), so the reviewers are not held to the experts' time."""

    clocks.pause(
        _running(ClockKind.JOINT_REVIEW, project),
        actor=actor,
        reason=_("专家评估论证（专家评审时间不计入审核时限，参照行政许可法第四十五条）：%s") % reason,
    )


def record_expert_opinion(project, *, actor, reason, data, **kw):

    Opinion.objects.create(
        project=project,
        stage="joint_review",
        aspect=Aspect.EXPERT,
        organisation=actor.organisation,
        conclusion=data.get("conclusion", Conclusion.APPROVE),
        text=reason,
        given_by=actor,
        given_at=timeutil.now(),
    )
    clocks.resume(_running(ClockKind.JOINT_REVIEW, project), actor=actor, reason=reason)


def stop_joint_review_clock(project, *, actor, reason, **kw):

    clocks.stop(_running(ClockKind.JOINT_REVIEW, project), actor=actor, reason=reason)


# ================================================================ 初步设计 (第十八条)


def start_design_clock(project, *, actor, **kw):
    """办法第十八条: review and approval of the design, in principle ≤ 20 working days."""

    clocks.start_working_days(
        ClockKind.DESIGN_REVIEW,
        working_days=get_policy().design_review_working_days,
        actor=actor,
        project=project,
    )


def pause_design_clock(project, *, actor, reason, **kw):

    clocks.pause(_running(ClockKind.DESIGN_REVIEW, project), actor=actor, reason=reason)


def resume_design_clock(project, *, actor, reason, **kw):

    clocks.resume(_running(ClockKind.DESIGN_REVIEW, project), actor=actor, reason=reason)


def stop_design_clock(project, *, actor, reason, **kw):

    clocks.stop(_running(ClockKind.DESIGN_REVIEW, project), actor=actor, reason=reason)


# ================================================================ 建设 (第二十五、二十六、三十六条)


def start_performance_report_clock(project, *, actor, **kw):
    performance_report_clock(
        project, year=(project.construction_started_on or timeutil.today()).year, actor=actor
    )


def open_rectification(project, *, actor, reason, data, **kw):
    """办法第三十六条: the rectification notice with its working-day deadline."""

    days = int(data.get("working_days") or get_policy().rectification_default_working_days)
    clock = clocks.start_working_days(
        ClockKind.RECTIFICATION, working_days=days, actor=actor, project=project
    )
    Rectification.objects.create(
        project=project,
        ordered_by=actor,
        ordered_at=timeutil.now(),
        requirement=reason,
        clock=clock,
        incident=data.get("incident"),
    )


def stop_rectification_clock(project, *, actor, reason, **kw):

    clocks.stop(_running(ClockKind.RECTIFICATION, project), actor=actor, reason=reason)


def copy_suspension(project, *, actor, reason, data=None, **kw):
    """办法第二十六条: 抄送省财政厅、省发改委 (with the decision's 文号)."""
    number = (data or {}).get("suspension_no") or ""
    copy_to(
        project,
        _("暂停项目建设%(no)s：%(why)s") % {"no": number, "why": reason},
        "第二十六条",
        "finance",
        "drc",
    )


def copy_rectification(project, *, actor, reason, **kw):
    """办法第二十六、三十六条: the order to rectify is copied to 省财政厅、省发改委."""
    copy_to(project, _("责令限期整改：%s") % reason, "第二十六条", "finance", "drc")


def handle_incidents(project, *, actor, **kw):
    """办法第二十六条: the bureau's order (整改, 暂停, 终止) answers the incident reports still
    open in its queue: they are marked handled, by whom and by which step."""
    project.incidents.filter(handled_at__isnull=True).update(
        handled_at=timeutil.now(), handled_by=actor, handled_by_step=project.state
    )


# ================================================================ 验收 (第二十九条)


def start_acceptance_application_clock(project, *, actor, **kw):
    """办法第二十九条: apply for acceptance within half a year of completion."""

    completed = project.completed_on or timeutil.today()
    clocks.start_calendar(
        ClockKind.ACCEPTANCE_APPLICATION,
        received_on=completed,
        due_on=add_months(completed, get_policy().acceptance_application_months),
        actor=actor,
        project=project,
    )


def extend_acceptance_application_clock(project, *, actor, reason, data, **kw):

    clock = _running(ClockKind.ACCEPTANCE_APPLICATION, project)
    due = data.get("granted_due_on")
    if clock and due:
        clocks.extend(clock, to=due, actor=actor, reason=reason or _("同意延期验收"))


def stop_acceptance_application_clock(project, *, actor, **kw):

    clocks.stop(_running(ClockKind.ACCEPTANCE_APPLICATION, project), actor=actor)


# ================================================================ 运行与评价 (第三十三条)


def start_self_evaluation_clock(project, *, actor, **kw):
    """办法第三十三条: self-evaluation 6 to 12 months after acceptance *and* go-live: counted
    from the later of the two dates."""

    live = max((d for d in (project.went_live_on, project.accepted_on) if d), default=timeutil.today())
    policy = get_policy()
    clocks.start_calendar(
        ClockKind.SELF_EVALUATION,
        received_on=live,
        opens_on=add_months(live, policy.self_evaluation_opens_months),
        due_on=add_months(live, policy.self_evaluation_due_months),
        actor=actor,
        project=project,
    )


def stop_self_evaluation_clock(project, *, actor, **kw):

    clocks.stop(_running(ClockKind.SELF_EVALUATION, project), actor=actor)


def copy_self_evaluation(project, *, actor, **kw):
    """办法第三十三条: 报送省营商环境局，抄送省财政厅、省发改委."""
    copy_to(project, _("项目自评价报告"), "第三十三条", "finance", "drc")


# ================================================================ 年度计划 (第十一条)


def stop_plan_compilation_clock(plan, *, actor, **kw):

    clocks.stop(clocks.running(ClockKind.PLAN_COMPILATION, plan=plan), actor=actor)


def move_plan_projects(plan, *, actor, **kw):
    """办法第十一条: approval moves the included projects into the plan and closes the
    other passed applications of that year (each a step of its own, with its audit row)."""
    # deferred: lifecycle.services runs these effects and imports this module (a cycle inside the app)
    from .services import perform

    projects = plan.projects.model.objects
    for project in plan.projects.filter(state=S.REVIEW_PASSED):
        perform(project, "enter_plan", actor=actor, via="plan_approval")
    for project in projects.filter(state=S.REVIEW_PASSED, call__year=plan.year).exclude(plan=plan):
        perform(project, "leave_out", actor=actor, reason=_("未列入%s") % plan, via="plan_approval")
