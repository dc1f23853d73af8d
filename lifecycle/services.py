"""Every state change of the system, one function per step.

``perform`` is the single path through which a transition of a project, an annual plan or
a change request is taken: it checks who acts and every guard (explaining a refusal with its
article), applies a 原则上 override only for a head with a reason, saves with optimistic
locking, writes the audit row and runs the step's side effects — all in one transaction.
The named functions below (``application_accept``, ``opinion_give``, ``change_submit`` …)
are the vocabulary the views, the admin, the demo data and the tests use.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from . import audit, clocks, timeutil
from .errors import ConcurrentUpdate, RuleViolation
from .models import (
    ASPECTS, Aspect, CalendarDay, CalendarYear, ChangeItem, ChangeRequest, ClockKind, Conclusion, Copy,
    Correction, Incident, Opinion, PerformanceReport, Rectification,
)
from .policy import get_policy
from .rules import REVIEWERS, STAFF
from .states import CHANGEABLE_STATES, ChangeState, PlanState
from .states import ProjectState as S
from .stepdata import validate_step_data
from .workdays import add_months


# ================================================================ generic transition runner


def transition_of(obj, name: str):
    """The django-fsm Transition ``name`` of ``obj`` for its current state (or any state)."""
    method = getattr(type(obj), name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise RuleViolation(_("没有名为“%(name)s”的操作。") % {"name": name}, code="unknown")
    current = obj.state
    return meta.get_transition(current) or next(iter(meta.transitions.values())), meta.has_transition(current)


def transition_names(obj) -> list[str]:
    return [t.name for t in type(obj)._meta.get_field("state").get_all_transitions(type(obj))]


def refusal(obj, name: str, actor) -> str | None:
    """Why ``actor`` may not take ``name`` now, or None. Overridable guards count as refusals."""
    try:
        _check(obj, name, actor, reason="-", override_reason="")
    except RuleViolation as exc:
        return exc.message
    return None


def available(obj, actor) -> list[dict]:
    """The steps ``actor`` may take on ``obj`` now, with those a 原则上 rule blocks but a head
    could override (``overridable``)."""
    result = []
    for name in dict.fromkeys(transition_names(obj)):
        t, possible = transition_of(obj, name)
        if not possible or t.permission.refusal(obj, actor):
            continue
        failed = [gd for gd in t.conditions if not gd(obj)]
        hard = [gd for gd in failed if not gd.overridable]
        result.append({
            "name": name, "label": str(t.custom["label"]), "article": t.custom["article"],
            "needs_reason": t.custom["needs_reason"], "fields": t.custom["fields"],
            "blocked_by": [gd.explain(obj) for gd in failed],
            "allowed": not failed,
            "overridable": bool(failed) and not hard and t.permission.may_override(obj, actor),
        })
    return result


def _check(obj, name, actor, *, reason, override_reason):
    t, possible = transition_of(obj, name)
    label, article = t.custom["label"], t.custom["article"]
    if not possible:
        raise RuleViolation(
            _("当前状态“%(state)s”下不能办理“%(label)s”。") % {"state": obj.get_state_display(), "label": label},
            code="state", article=article)
    who = t.permission.refusal(obj, actor)
    if who:
        raise RuleViolation(_("“%(label)s”%(who)s（办法%(article)s）。") % {"label": label, "who": who, "article": article},
                            code="permission", article=article)
    if t.custom["needs_reason"] and not (reason or "").strip():
        raise RuleViolation(_("办理“%(label)s”须填写理由。") % {"label": label}, code="reason", article=article)
    failed = [gd for gd in t.conditions if not gd(obj)]
    hard = [gd for gd in failed if not gd.overridable]
    if hard:
        raise RuleViolation("；".join(gd.explain(obj) for gd in hard) + "。", code="guard", article=hard[0].article)
    if failed:
        if not (override_reason or "").strip():
            raise RuleViolation(
                "；".join(gd.explain(obj) for gd in failed)
                + _("。确需例外办理的，须由负责人填写理由后放行。"), code="overridable", article=failed[0].article)
        if not t.permission.may_override(obj, actor):
            raise RuleViolation("；".join(gd.explain(obj) for gd in failed)
                                + _("。只有负责人可以例外放行。"), code="override_denied", article=failed[0].article)
    return t, failed


def perform(obj, name: str, *, actor, reason: str = "", override_reason: str = "", **data):
    """Take transition ``name`` on ``obj`` as ``actor``.

    Side effects, in one transaction: the new state saved with optimistic locking
    (ConcurrentUpdate if someone else moved the object first); one audit row (with the
    override flag, the overridden rules and the reason when a 原则上 rule was passed); the
    step's effect from ``EFFECTS`` (clocks, opinions, copies, plan membership).
    """
    t, overridden = _check(obj, name, actor, reason=reason, override_reason=override_reason)
    data = validate_step_data(obj, name, data)  # the data the step records (lifecycle.stepdata)
    from_state = obj.state
    with transaction.atomic():
        obj._overridden_guards = {gd.name for gd in overridden}
        try:
            getattr(obj, name)(**data)
            obj.save()
        except ConcurrentTransition:
            raise ConcurrentUpdate() from None
        except TransitionNotAllowed as exc:  # a guard changed between check and call
            raise RuleViolation(str(exc), code="state") from None
        finally:
            obj._overridden_guards = ()
        audit.record(
            actor=actor, action=name, obj=obj, label=t.custom["label"], article=t.custom["article"],
            from_state=from_state, to_state=obj.state,
            reason=override_reason if overridden else reason, override=bool(overridden),
            data={**{k: v for k, v in data.items() if k != "route"},
                  **({"overridden": [gd.explain(obj) for gd in overridden], "reason": reason} if overridden else {})},
        )
        effect = EFFECTS.get((type(obj).__name__, name))
        if effect:
            effect(obj, actor=actor, reason=reason, data=data)
    return obj


def _as_staff(actor, org_kind, roles=REVIEWERS):
    if actor is None or actor.org_kind != org_kind or actor.role not in roles:
        raise RuleViolation(_("无权办理此事项。"), code="permission")


# ================================================================ effects of transitions


def _today():
    return timeutil.today()


def _start_joint_review(project, *, actor, **kw):
    # 办法第十条: each project's joint review takes, in principle, at most 5 working days.
    clocks.start_working_days(ClockKind.JOINT_REVIEW, working_days=get_policy().joint_review_working_days,
                              actor=actor, project=project)


def _joint_clock(project):
    return clocks.running(ClockKind.JOINT_REVIEW, project=project)


def _request_correction(project, *, actor, reason, **kw):
    Correction.objects.create(project=project, requested_by=actor, requested_at=timeutil.now(), request=reason)
    # 办法第十条: the owner's 陈述和补正 time does not count against the reviewers.
    clocks.pause(_joint_clock(project), actor=actor, reason=reason)


def _submit_correction(project, *, actor, reason, **kw):
    correction = project.corrections.filter(replied_at__isnull=True).last()
    if correction:
        correction.reply, correction.replied_by, correction.replied_at = reason, actor, timeutil.now()
        correction.save(update_fields=["reply", "replied_by", "replied_at"])
    clocks.resume(_joint_clock(project), actor=actor, reason=reason)


def _start_expert(project, *, actor, reason, **kw):
    clocks.pause(_joint_clock(project), actor=actor, reason=_("专家评估论证：%s") % reason)


def _finish_expert(project, *, actor, reason, data, **kw):
    Opinion.objects.create(project=project, stage="joint_review", aspect=Aspect.EXPERT,
                           organisation=actor.organisation, conclusion=data.get("conclusion", Conclusion.APPROVE),
                           text=reason, given_by=actor, given_at=timeutil.now())
    clocks.resume(_joint_clock(project), actor=actor, reason=reason)


def _stop_joint(project, *, actor, reason, **kw):
    clocks.stop(_joint_clock(project), actor=actor, reason=reason)


def _start_design(project, *, actor, **kw):
    # 办法第十八条: review and approval of the design, in principle ≤ 20 working days.
    clocks.start_working_days(ClockKind.DESIGN_REVIEW, working_days=get_policy().design_review_working_days,
                              actor=actor, project=project)


def _design_clock(project):
    return clocks.running(ClockKind.DESIGN_REVIEW, project=project)


def _pause_design(project, *, actor, reason, **kw):
    clocks.pause(_design_clock(project), actor=actor, reason=reason)


def _resume_design(project, *, actor, reason, **kw):
    clocks.resume(_design_clock(project), actor=actor, reason=reason)


def _stop_design(project, *, actor, reason, **kw):
    clocks.stop(_design_clock(project), actor=actor, reason=reason)


def _start_construction(project, *, actor, **kw):
    performance_report_clock(project, year=(project.construction_started_on or _today()).year, actor=actor)


def performance_report_clock(project, *, year: int, actor=None):
    """办法第二十五条: the construction year's report is due by 12月31日 (idempotent)."""
    existing = project.clocks.filter(kind=ClockKind.PERFORMANCE_REPORT, year=year).first()
    if existing:
        return existing
    return clocks.start_calendar(ClockKind.PERFORMANCE_REPORT, due_on=get_policy().performance_report_due.of(year),
                                 actor=actor, project=project, year=year)


def _order_rectification(project, *, actor, reason, data, **kw):
    days = int(data.get("working_days") or get_policy().rectification_default_working_days)
    clock = clocks.start_working_days(ClockKind.RECTIFICATION, working_days=days, actor=actor, project=project)
    Rectification.objects.create(project=project, ordered_by=actor, ordered_at=timeutil.now(), requirement=reason,
                                 clock=clock, incident=data.get("incident"))


def _finish_rectification(project, *, actor, reason, **kw):
    clocks.stop(clocks.running(ClockKind.RECTIFICATION, project=project), actor=actor, reason=reason)


def _copy(project, subject, article, *kinds):
    from projects.models import Organisation

    now = timeutil.now()
    Copy.objects.bulk_create([Copy(project=project, organisation=org, subject=subject, article=article, sent_at=now)
                              for org in Organisation.objects.filter(kind__in=kinds)])


def _suspend(project, *, actor, reason, **kw):
    # 办法第二十六条: 抄送省财政厅、省发改委.
    _copy(project, _("暂停项目建设：%s") % reason, "第二十六条", "finance", "drc")


def _complete(project, *, actor, **kw):
    # 办法第二十九条: apply for acceptance within half a year of completion.
    completed = project.completed_on or _today()
    clocks.start_calendar(ClockKind.ACCEPTANCE_APPLICATION, received_on=completed,
                          due_on=add_months(completed, get_policy().acceptance_application_months),
                          actor=actor, project=project)


def _grant_extension(project, *, actor, reason, data, **kw):
    clock = clocks.running(ClockKind.ACCEPTANCE_APPLICATION, project=project)
    due = data.get("granted_due_on")
    if clock and due:
        clocks.extend(clock, to=due, actor=actor, reason=reason or _("同意延期验收"))


def _apply_acceptance(project, *, actor, **kw):
    clocks.stop(clocks.running(ClockKind.ACCEPTANCE_APPLICATION, project=project), actor=actor)


def _go_live(project, *, actor, **kw):
    # 办法第三十三条: self-evaluation 6 to 12 months after acceptance and go-live.
    live = project.went_live_on or _today()
    policy = get_policy()
    clocks.start_calendar(ClockKind.SELF_EVALUATION, received_on=live,
                          opens_on=add_months(live, policy.self_evaluation_opens_months),
                          due_on=add_months(live, policy.self_evaluation_due_months), actor=actor, project=project)


def _self_evaluated(project, *, actor, **kw):
    clocks.stop(clocks.running(ClockKind.SELF_EVALUATION, project=project), actor=actor)
    # 办法第三十三条: 报送省营商环境局，抄送省财政厅、省发改委.
    _copy(project, _("项目自评价报告"), "第三十三条", "finance", "drc")


def _plan_submitted(plan, *, actor, **kw):
    clocks.stop(clocks.running(ClockKind.PLAN_COMPILATION, plan=plan), actor=actor)


def _plan_approved(plan, *, actor, **kw):
    """办法第十一条: approval moves the included projects into the plan and closes the
    other passed applications of that year."""
    from projects.models import Project

    for project in Project.objects.filter(state=S.REVIEW_PASSED, plan=plan):
        perform(project, "enter_plan", actor=actor)
    for project in Project.objects.filter(state=S.REVIEW_PASSED, call__year=plan.year).exclude(plan=plan):
        perform(project, "leave_out", actor=actor, reason=_("未列入%s") % plan)


EFFECTS = {
    ("Project", "accept_application"): _start_joint_review,
    ("Project", "request_correction"): _request_correction,
    ("Project", "submit_correction"): _submit_correction,
    ("Project", "start_expert_evaluation"): _start_expert,
    ("Project", "finish_expert_evaluation"): _finish_expert,
    ("Project", "pass_review"): _stop_joint,
    ("Project", "reject_review"): _stop_joint,
    ("Project", "withdraw"): _stop_joint,
    ("Project", "submit_design"): _start_design,
    ("Project", "return_design"): _pause_design,
    ("Project", "resubmit_design"): _resume_design,
    ("Project", "approve_design"): _stop_design,
    ("Project", "send_back_to_fsr"): _stop_design,
    ("Project", "start_construction"): _start_construction,
    ("Project", "order_rectification"): _order_rectification,
    ("Project", "finish_rectification"): _finish_rectification,
    ("Project", "suspend"): _suspend,
    ("Project", "complete_construction"): _complete,
    ("Project", "grant_extension"): _grant_extension,
    ("Project", "apply_acceptance"): _apply_acceptance,
    ("Project", "go_live"): _go_live,
    ("Project", "submit_self_evaluation"): _self_evaluated,
    ("AnnualPlan", "submit_to_government"): _plan_submitted,
    ("AnnualPlan", "approve"): _plan_approved,
}


# ================================================================ 申报 (第八、九条)


def call_submit(submission, *, actor, letter: str = ""):
    """办法第八条: the department head sends every draft application of the call at once.

    Side effects: each draft project of the department for this call moves to ``submitted``
    (each with its audit row); the submission is stamped and signed; split-application
    warnings are computed for the bureau. Nothing is sent if any project is refused.
    """
    from projects.models import Project
    from projects.similarity import detect_splits

    if submission.submitted_at is not None:
        raise RuleViolation(_("本部门本次征集已统一申报，不得分散申报（办法第八条）。"), code="already_submitted",
                            article="第八条")
    projects = list(Project.objects.filter(owner=submission.organisation, call=submission.call, state=S.DRAFT))
    if not projects:
        raise RuleViolation(_("没有待申报的项目。"), code="empty")
    problems = []
    for project in projects:
        why = refusal(project, "submit", actor)
        if why:
            problems.append(f"《{project.name}》：{why}")
    if problems:
        raise RuleViolation("\n".join(problems), code="guard", article="第九条")
    with transaction.atomic():
        submission.letter = letter or submission.letter
        submission.submitted_at = timeutil.now()
        submission.signed_by = actor
        submission.save()
        for project in projects:
            project.submission = submission
            project.responsible_person = project.responsible_person or actor
            project.save(update_fields=["submission", "responsible_person"])
            perform(project, "submit", actor=actor)
        detect_splits(submission.call, submission.organisation)
    return submission


def call_open(year: int, *, actor, opens_on=None, closes_on=None, notice: str = ""):
    """办法第八条: the bureau opens the call for ``year``'s needs, by default 6月1日–6月30日 of
    the year before (Policy.call_opens/call_closes); other dates may be set per call."""
    from projects.models import Call

    _as_staff(actor, "bureau")
    policy = get_policy()
    opens_on = opens_on or policy.call_opens.of(year - 1)
    closes_on = closes_on or policy.call_closes.of(year - 1)
    if closes_on < opens_on:
        raise RuleViolation(_("征集截止日期不能早于开始日期。"), code="dates")
    with transaction.atomic():
        call = Call.objects.create(year=year, opens_on=opens_on, closes_on=closes_on, notice=notice)
        audit.record(actor=actor, action="call.opened", obj=call, label=_("发布年度需求征集"), article="第八条",
                     data={"opens_on": opens_on, "closes_on": closes_on})
    return call


def performance_report_clocks_open(year: int, *, actor=None) -> int:
    """办法第二十五条: a report is due by the end of every construction year. Opens the
    clocks of ``year`` for every project under construction (idempotent); run yearly by
    ``manage.py open_yearly_clocks``. Returns the number of clocks opened."""
    from projects.models import Project

    opened = 0
    for project in Project.objects.filter(state__in=CHANGEABLE_STATES | {S.SUSPENDED}):
        if not project.clocks.filter(kind=ClockKind.PERFORMANCE_REPORT, year=year).exists():
            performance_report_clock(project, year=year, actor=actor)
            opened += 1
    return opened


def application_accept(project, *, actor, override_reason=""):
    return perform(project, "accept_application", actor=actor, override_reason=override_reason)


# ================================================================ opinions (第十、十二、二十九条)

OPINION_STATES = {
    "joint_review": {S.JOINT_REVIEW},
    "emergency": {S.EMERGENCY_REQUESTED},
    "acceptance": {S.ACCEPTANCE_REVIEW},
}


def opinion_give(project, *, actor, aspect: str, conclusion: str, text: str) -> Opinion:
    """An agency gives (or, after a correction, renews) its opinion. Audit row written."""
    org_kind, stage = ASPECTS[Aspect(aspect)]
    _as_staff(actor, org_kind)
    if project.state not in OPINION_STATES[stage]:
        raise RuleViolation(_("当前状态“%(state)s”下不能出具此意见。") % {"state": project.get_state_display()},
                            code="state")
    if not text.strip():
        raise RuleViolation(_("请填写意见内容。"), code="reason")
    with transaction.atomic():
        opinion = Opinion.objects.create(project=project, stage=stage, aspect=aspect, organisation=actor.organisation,
                                         conclusion=conclusion, text=text, given_by=actor, given_at=timeutil.now())
        audit.record(actor=actor, action="opinion.given", obj=project, label=Aspect(aspect).label,
                     article={"joint_review": "第十条", "emergency": "第十二条", "acceptance": "第二十九条"}[stage],
                     from_state=project.state, to_state=project.state, reason=text,
                     data={"aspect": aspect, "conclusion": conclusion})
    return opinion


# ================================================================ annual plan (第十一、十二条)


def plan_open(year: int, *, actor):
    """Create the plan of ``year`` with its compilation clock (due 10月31日 of the year before)."""
    from projects.models import AnnualPlan

    _as_staff(actor, "bureau")
    with transaction.atomic():
        plan, created = AnnualPlan.objects.get_or_create(year=year)
        if created:
            due = get_policy().plan_due.of(year - 1)
            clocks.start_calendar(ClockKind.PLAN_COMPILATION, due_on=due, actor=actor, plan=plan)
            audit.record(actor=actor, action="plan.opened", obj=plan, label=_("开始编制年度建设计划"),
                         article="第十一条", to_state=plan.state)
    return plan


def _plan_editable(plan, actor):
    _as_staff(actor, "bureau")
    if plan.state != PlanState.COMPILING:
        raise RuleViolation(_("年度建设计划已报省政府，不能再调整项目。"), code="state", article="第十一条")


def plan_include(plan, project, *, actor):
    _plan_editable(plan, actor)
    if project.state != S.REVIEW_PASSED or project.year != plan.year:
        raise RuleViolation(_("只有通过联合审核的本年度申报项目才能编入计划（办法第七条）。"), code="state",
                            article="第七条")
    with transaction.atomic():
        project.plan = plan
        project.save(update_fields=["plan"])
        audit.record(actor=actor, action="plan.included", obj=project, label=_("编入年度建设计划"),
                     article="第十一条", from_state=project.state, to_state=project.state, data={"plan": plan})


def plan_exclude(plan, project, *, actor, reason=""):
    _plan_editable(plan, actor)
    with transaction.atomic():
        project.plan = None
        project.save(update_fields=["plan"])
        audit.record(actor=actor, action="plan.excluded", obj=project, label=_("移出年度建设计划"),
                     article="第十一条", from_state=project.state, to_state=project.state, reason=reason,
                     data={"plan": plan})


def plan_finance_concur(plan, *, actor):
    """办法第十一条: 省财政厅 co-compiles; its head's concurrence is recorded."""
    _as_staff(actor, "finance", roles={"head"})
    if plan.state != PlanState.COMPILING:
        raise RuleViolation(_("年度建设计划不在编制中。"), code="state")
    with transaction.atomic():
        plan.finance_concurred_by, plan.finance_concurred_at = actor, timeutil.now()
        plan.save(update_fields=["finance_concurred_by", "finance_concurred_at"])
        audit.record(actor=actor, action="plan.finance_concurred", obj=plan, label=_("财政厅会签"),
                     article="第十一条", from_state=plan.state, to_state=plan.state)


def emergency_request(project, *, actor, year: int | None = None):
    """办法第十二条: the owner asks to insert an urgent mandated project into the approved
    plan of ``year`` (default: the project's call year, else this year). Such a project
    comes outside the June call, so it belongs to no call submission."""
    from projects.models import AnnualPlan

    year = year or (project.call.year if project.call_id else timeutil.today().year)
    if project.plan_id is None:
        project.plan = AnnualPlan.objects.filter(year=year).first()
        project.save(update_fields=["plan"])
    return perform(project, "request_emergency", actor=actor)


# ================================================================ construction (第二十五、二十六条)


def incident_report(project, *, actor, kind: str, description: str) -> Incident:
    """办法第二十六条: the owner reports a serious delay or loss; copies go to 财政厅 and 发改委."""
    _as_staff(actor, "owner", roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能报告本单位项目的问题。"), code="permission")
    with transaction.atomic():
        incident = Incident.objects.create(project=project, kind=kind, description=description, reported_by=actor,
                                           reported_at=timeutil.now())
        _copy(project, _("问题报告：%s") % Incident.Kind(kind).label, "第二十六条", "finance", "drc")
        audit.record(actor=actor, action="incident.reported", obj=project, label=_("报告项目问题"),
                     article="第二十六条", from_state=project.state, to_state=project.state, reason=description,
                     data={"kind": kind})
    return incident


def rectification_report(project, *, actor, report: str) -> Rectification:
    _as_staff(actor, "owner", roles=STAFF)
    rect = project.rectifications.filter(reported_at__isnull=True).order_by("-ordered_at").first()
    if rect is None or actor.organisation_id != project.owner_id:
        raise RuleViolation(_("没有待报送的整改通知。"), code="state")
    with transaction.atomic():
        rect.report, rect.reported_by, rect.reported_at = report, actor, timeutil.now()
        rect.save(update_fields=["report", "reported_by", "reported_at"])
        audit.record(actor=actor, action="rectification.reported", obj=project, label=_("报送整改情况"),
                     article="第三十六条", from_state=project.state, to_state=project.state, reason=report)
    return rect


def performance_report_submit(project, *, actor, year: int, progress: str, investment_executed_yuan: Decimal,
                              trial_operation: str = "", user_opinions: str = "") -> PerformanceReport:
    """办法第二十五条: the yearly report; stops that year's clock, copied to 财政厅 and 发改委."""
    _as_staff(actor, "owner", roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能报送本单位项目的报告。"), code="permission")
    if project.state not in CHANGEABLE_STATES | {S.SUSPENDED, S.COMPLETED}:
        raise RuleViolation(_("绩效评价报告在建设期内报送（办法第二十五条）。"), code="state", article="第二十五条")
    with transaction.atomic():
        report = PerformanceReport.objects.create(
            project=project, year=year, progress=progress, investment_executed_yuan=investment_executed_yuan,
            trial_operation=trial_operation, user_opinions=user_opinions, submitted_by=actor,
            submitted_at=timeutil.now())
        clock = project.clocks.filter(kind=ClockKind.PERFORMANCE_REPORT, year=year).first()
        clocks.stop(clock, actor=actor)
        _copy(project, _("%s年度绩效评价报告") % year, "第二十五条", "finance", "drc")
        audit.record(actor=actor, action="performance_report.submitted", obj=project, label=_("报送年度绩效评价报告"),
                     article="第二十五条", from_state=project.state, to_state=project.state, data={"year": year})
    return report


# ================================================================ budget changes (第二十八条)


def change_ratio(project, moved_yuan: Decimal, *, excluding=None) -> Decimal:
    """Cumulative share of the approved 概算总投资 moved by filed changes plus ``moved_yuan``."""
    estimate = project.approved_estimate_yuan
    if not estimate:
        raise RuleViolation(_("项目尚无批复的概算总投资，不能计算调整比例（办法第二十八条）。"), code="estimate",
                            article="第二十八条")
    filed = ChangeItem.objects.filter(change__project=project, change__state=ChangeState.FILED)
    if excluding is not None:
        filed = filed.exclude(change=excluding)
    already = sum((i.amount_yuan for i in filed), Decimal("0"))
    return (already + moved_yuan) / estimate


def change_route(change: ChangeRequest) -> tuple[str, Decimal, list[str]]:
    """办法第二十八条: ("filing" | "approval", cumulative ratio, reasons for approval)."""
    project = change.project
    ratio = change_ratio(project, change.moved_yuan, excluding=change)
    reasons = []
    if ratio > get_policy().change_filing_max_ratio:
        reasons.append(_("累计调整金额超过概算总投资的%(pct)s") % {
            "pct": f"{get_policy().change_filing_max_ratio * 100:.0f}%"})
    if change.new_total_yuan > project.approved_estimate_yuan:
        reasons.append(_("调整后总投资超出概算批复"))
    if not change.goals_unchanged:
        reasons.append(_("建设目标发生变化"))
    if not change.ground:
        reasons.append(_("不符合办法第二十八条所列三种情形"))
    return ("approval" if reasons else "filing"), ratio, [str(r) for r in reasons]


def change_create(project, *, actor, title: str, reason: str, items: list[dict], ground: str = "",
                  goals_unchanged: bool = True, new_total_yuan: Decimal | None = None) -> ChangeRequest:
    _as_staff(actor, "owner", roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能为本单位项目提出变更。"), code="permission")
    if project.state not in CHANGEABLE_STATES:
        raise RuleViolation(_("项目建设期内才能调整建设内容（办法第二十八条）。"), code="state", article="第二十八条")
    if not items:
        raise RuleViolation(_("请至少填写一项调整内容及金额。"), code="items")
    for item in items:
        if Decimal(item["amount_yuan"]) <= 0:
            raise RuleViolation(_("调整金额须大于零。"), code="items")
    with transaction.atomic():
        change = ChangeRequest.objects.create(
            project=project, title=title, reason=reason, ground=ground, goals_unchanged=goals_unchanged,
            new_total_yuan=new_total_yuan if new_total_yuan is not None else project.approved_estimate_yuan,
            created_by=actor)
        ChangeItem.objects.bulk_create([ChangeItem(change=change, **item) for item in items])
        audit.record(actor=actor, action="change.created", obj=change, label=_("起草项目变更"),
                     article="第二十八条", to_state=change.state, data={"items": items})
    return change


def change_submit(change: ChangeRequest, *, actor) -> ChangeRequest:
    """Route the change: ≤15% cumulative, within 概算, goals unchanged and a ground → filed
    (备案) with the bureau at once; anything else → pending formal approval."""
    route, ratio, reasons = change_route(change)
    change.ratio = ratio.quantize(Decimal("0.000001"))
    change.route_reasons = reasons
    change.submitted_at = timeutil.now()
    perform(change, "submit", actor=actor, route=route, ratio=change.ratio, reasons=reasons)
    return change


def change_decide(change: ChangeRequest, *, actor, approve: bool, note: str = "") -> ChangeRequest:
    change.decided_by, change.decided_at, change.decision_note = actor, timeutil.now(), note
    return perform(change, "approve" if approve else "reject", actor=actor, reason=note)


# ================================================================ working-day calendar


def calendar_year_enter(year: int, *, actor, holidays: dict, workdays: dict, source: str = ""):
    """Enter a year's official schedule (days off, make-up working days) and recompute every
    provisional deadline. Returns the (clock, before, after) changes."""
    if actor is None or not (actor.is_superuser or actor.role == "admin"):
        raise RuleViolation(_("只有管理员可以维护节假日安排。"), code="permission")
    bad = [d for d in list(holidays) + list(workdays) if d.year != year]
    if bad:
        raise RuleViolation(_("日期 %(d)s 不属于 %(y)s 年。") % {"d": bad[0], "y": year}, code="calendar")
    both = set(holidays) & set(workdays)
    if both:
        raise RuleViolation(_("%(d)s 不能既是休息日又是上班日。") % {"d": sorted(both)[0]}, code="calendar")
    with transaction.atomic():
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d, is_workday=False, name=n) for d, n in holidays.items() if d.weekday() < 5]
            + [CalendarDay(date=d, is_workday=True, name=n) for d, n in workdays.items() if d.weekday() >= 5])
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source or _("管理员录入"),
                                                                   "entered_by": actor})
        changes = clocks.recompute_provisional(actor=actor, reason=_("录入%s年节假日安排") % year)
    return changes
