"""Every state change of the system, one function per step.

``perform`` is the single path through which a transition of a project, an annual plan or
a change request is taken — by the web pages, the admin's buttons, the demo data and the
tests alike: it checks who acts and every guard (explaining a refusal with its article),
applies a 原则上 override only for a head with a reason, saves with optimistic locking,
writes the audit row, runs the side effects the step declares (``custom["effects"]``, see
lifecycle/effects.py) and announces the step to the other apps (lifecycle/events.py) — all
in one transaction.
The named functions below (``application_accept``, ``opinion_give``, ``change_submit`` …)
are the vocabulary the views, the admin, the demo data and the tests use.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from . import audit, clocks, events, timeutil
from .effects import copy_to as _copy
from .effects import performance_report_clock
from .errors import ConcurrentUpdate, RuleViolation
from .events import Action
from .models import (
    ASPECTS, Aspect, CalendarDay, CalendarYear, ChangeItem, ChangeRequest, ClockKind, Incident, Opinion,
    PerformanceReport, Rectification,
)
from .policy import get_policy
from .rules import REVIEWERS, STAFF
from .states import CHANGEABLE_STATES, ChangeState, PlanState
from .states import ProjectState as S
from .stepdata import validate_step_data


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


def refusal(obj, name: str, actor, *, via: str = "") -> str | None:
    """Why ``actor`` may not take ``name`` now, or None. Overridable guards count as refusals."""
    t, possible = transition_of(obj, name)
    undo = _prepare(t, obj, actor, {}) if possible else {}
    try:
        _check(obj, name, actor, reason="-", override_reason="", via=via)
    except RuleViolation as exc:
        return exc.message
    finally:
        _undo(obj, undo)
    return None


def _prepare(t, obj, actor, data) -> dict:
    """Run the step's ``prepare`` hooks (lifecycle/effects.py): they set in memory what the
    step is about before its rules are checked. Returns {field: previous value}."""
    undo = {}
    for prepare in t.custom.get("prepare", ()):
        undo.update(prepare(obj, actor=actor, data=data))
    return undo


def _undo(obj, undo: dict) -> None:
    for field, value in undo.items():
        setattr(obj, field, value)


def available(obj, actor) -> list[dict]:
    """The steps ``actor`` may take on ``obj`` now, with those a 原则上 rule blocks but a head
    could override (``overridable``)."""
    result = []
    for name in dict.fromkeys(transition_names(obj)):
        t, possible = transition_of(obj, name)
        if not possible or t.permission.refusal(obj, actor):
            continue
        if t.custom.get("via"):  # taken only by its own service (VIA_REFUSALS), never as a button
            continue
        undo = _prepare(t, obj, actor, {})
        failed = [gd for gd in t.conditions if not gd(obj)]
        _undo(obj, undo)
        hard = [gd for gd in failed if not gd.overridable]
        result.append({
            "name": name, "label": str(t.custom["label"]), "article": t.custom["article"],
            "needs_reason": t.custom["needs_reason"], "fields": t.custom["fields"],
            "blocked_by": [gd.explain(obj) for gd in failed],
            "allowed": not failed,
            "overridable": bool(failed) and not hard and t.permission.may_override(obj, actor),
        })
    return result


#: Steps a named service takes as part of a larger act (``custom["via"]`` on the transition):
#: that service passes the same ``via`` to ``perform``; every other way in — the step page,
#: the admin, a direct call — is refused with this message.
VIA_REFUSALS = {
    # 办法第八条: 汇总整合后统一申报，不得分散申报 (services.call_submit / call_amend).
    "call_submission": (_l("项目只能随本部门的统一申报（或其补充申报）一并申报，申报函由负责人签发，不得逐个项目分散申报；"
                           "请在“本单位统一申报”页面办理（办法第八条）。"), "第八条"),
    # 办法第十一条: the plan is approved as a whole (AnnualPlan "approve" → _plan_approved).
    "plan_approval": (_l("“%(label)s”随省政府批准年度建设计划一并办理，不能单独办理（办法第十一条）。"), "第十一条"),
}


def _check(obj, name, actor, *, reason, override_reason, via=""):
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
    needed = t.custom.get("via")
    if needed and via != needed:
        message, via_article = VIA_REFUSALS[needed]
        raise RuleViolation(str(message) % {"label": label}, code="via", article=via_article)
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


def perform(obj, name: str, *, actor, reason: str = "", override_reason: str = "", via: str = "", **data):
    """Take transition ``name`` on ``obj`` as ``actor``. Everything the step does is declared
    on the transition (its ``custom``, lifecycle/machine.py):

    ``prepare`` hooks first set in memory what the step is about (undone if refused); then
    state, who, reason and guards are checked. In one transaction: the transition method
    records the step's data — it receives ``actor`` and ``reason`` too, so a decision records
    who took it (ChangeRequest.approve) and a routing is computed once, inside the step
    (ChangeRequest.submit, 办法第二十八条); the new state is saved with optimistic locking
    (ConcurrentUpdate if someone else moved the object first); one audit row (with the
    fields the step ``records``, and the override flag, the overridden rules and the reason
    when a 原则上 rule was passed); the step's ``effects`` in order (clocks, opinions,
    copies, plan membership: lifecycle/effects.py); and ``events.step_taken`` for the other
    apps (documents lock the materials the step used).
    """
    t, possible = transition_of(obj, name)
    undo = _prepare(t, obj, actor, data) if possible else {}
    try:
        t, overridden = _check(obj, name, actor, reason=reason, override_reason=override_reason, via=via)
        data = validate_step_data(obj, name, data)  # the data the step records (lifecycle.stepdata)
    except RuleViolation:
        _undo(obj, undo)
        raise
    from_state = obj.state
    with transaction.atomic():
        obj._overridden_guards = {gd.name for gd in overridden}
        try:
            getattr(obj, name)(actor=actor, reason=reason, **data)
            obj.save()
        except ConcurrentTransition:
            raise ConcurrentUpdate() from None
        except TransitionNotAllowed as exc:  # a guard changed between check and call
            raise RuleViolation(str(exc), code="state") from None
        finally:
            obj._overridden_guards = ()
        entry = audit.record(
            actor=actor, action=name, obj=obj, label=t.custom["label"], article=t.custom["article"],
            from_state=from_state, to_state=obj.state,
            reason=override_reason if overridden else reason, override=bool(overridden),
            data={**data, **{f: getattr(obj, f) for f in t.custom.get("records", ())},
                  **({"overridden": [gd.explain(obj) for gd in overridden], "reason": reason} if overridden else {})},
        )
        for effect in t.custom.get("effects", ()):
            effect(obj, actor=actor, reason=reason, data=data)
        events.announce(obj, name, actor=actor, entry=entry, **data)
    return obj


def _as_staff(actor, org_kind, roles=REVIEWERS):
    if actor is None or actor.org_kind != org_kind or actor.role not in roles:
        raise RuleViolation(_("无权办理此事项。"), code="permission")


# ================================================================ 申报 (第八、九条)


def _require_department_head(submission, actor):
    """办法第八条: the 申报函 is signed by the department's own 负责人."""
    if (actor is None or actor.organisation_id != submission.organisation_id or actor.role != "head"
            or actor.org_kind != "owner"):
        raise RuleViolation(_("申报函须由%(org)s负责人签发（办法第八条）。") % {"org": submission.organisation},
                            code="permission", article="第八条")


def _require_call_open(call, what: str) -> None:
    """办法第八条: applications come in during the June call only."""
    if not call.is_open_on(timeutil.today()):
        raise RuleViolation(_("不在年度需求征集期内（%(o)s至%(c)s），不能%(what)s（办法第八条）。")
                            % {"o": call.opens_on, "c": call.closes_on, "what": what}, code="closed", article="第八条")


def _require_letter(letter: str, what: str) -> str:
    letter = (letter or "").strip()
    if not letter:
        raise RuleViolation(_("请填写%(what)s正文：申报函由负责人签发后随项目一并报送（办法第八条）。") % {"what": what},
                            code="letter", article="第八条")
    return letter


def _require_responsible_person(person, organisation):
    """办法第二十一条: 项目责任人为项目建设单位主要负责人. The system knows the unit's leaders
    as its 负责人 accounts; which of them is the 主要负责人 is named, never assumed."""
    if person is None:
        raise RuleViolation(_("请指定项目责任人，即%(org)s主要负责人（办法第二十一条）。") % {"org": organisation},
                            code="responsible_person", article="第二十一条")
    if person.organisation_id != organisation.pk or person.role != "head" or not person.is_active:
        raise RuleViolation(_("项目责任人须为%(org)s主要负责人（本单位负责人账号），“%(who)s”不是（办法第二十一条）。")
                            % {"org": organisation, "who": person}, code="responsible_person", article="第二十一条")
    return person


def _drafts_refused(projects, actor) -> None:
    """Each draft passes its own rules (第八、九、三十四条 guards of ``submit``), or nothing goes."""
    problems = []
    for project in projects:
        why = refusal(project, "submit", actor, via="call_submission")
        if why:
            problems.append(f"《{project.name}》：{why}")
    if problems:
        raise RuleViolation("\n".join(problems), code="guard", article="第九条")


def submission_splits(call, organisation, new_projects) -> list[dict]:
    """办法第八条 (相似的项目不得拆分申报): the likely split pairs among the department's
    applications in ``call`` that involve one of ``new_projects`` — for the head to see
    before signing. Computed, nothing written."""
    from projects.models import Project
    from projects.similarity import split_pairs

    new = {p.pk for p in new_projects}
    projects = Project.objects.filter(call=call, owner=organisation).exclude(state=S.WITHDRAWN).order_by("pk")
    return [{"first": p.pk, "first_name": p.name, "second": q.pk, "second_name": q.name,
             "score": score, "details": details}
            for p, q, score, details in split_pairs(list(projects)) if p.pk in new or q.pk in new]


def _require_splits_confirmed(warnings, confirmed: bool) -> None:
    if warnings and not confirmed:
        pairs = "；".join(_("《%(a)s》与《%(b)s》相似度%(s).2f") % {"a": w["first_name"], "b": w["second_name"],
                                                                 "s": w["score"]} for w in warnings)
        raise RuleViolation(
            _("以下项目的建设目标、主要内容、技术路线相似，可能属于拆分申报：%(pairs)s。相似的项目不得拆分申报，"
              "请核实（必要时合并为一个项目）后确认再签发（办法第八条）。") % {"pairs": pairs},
            code="split", article="第八条")


def _send(projects, *, actor, submission, responsible_person, amendment=None):
    """Move each draft to ``submitted`` as part of ``submission`` (and ``amendment``)."""
    refs = {"submission": submission.pk, **({"amendment": amendment.pk} if amendment else {})}
    for project in projects:
        project.submission = submission
        project.responsible_person = responsible_person
        project.save(update_fields=["submission", "responsible_person"])
        perform(project, "submit", actor=actor, via="call_submission", **refs)


def call_submit(submission, *, actor, letter: str, responsible_person, splits_confirmed: bool = False):
    """办法第八条: the department's head sends every draft application of the call at once,
    with the 申报函, naming the 项目责任人 (办法第二十一条: the unit's 主要负责人).

    Refused, with nothing sent: a second submission to the same call; a signer who is not
    the department's 负责人; an empty letter; a missing or wrong 项目责任人; likely split
    applications (projects.similarity, shown to the head first) not confirmed; any draft
    refused by the rules of its ``submit`` step (第八、九、三十四条).

    Side effects, in one transaction: the submission is stamped and signed and records the
    项目责任人 and the confirmed split warnings; an audit row ``call.submitted``; each draft
    gets the submission and its 项目责任人 and moves to ``submitted`` (audit row ``submit``
    naming the submission); the bureau's SplitWarning rows are recomputed.
    """
    from projects.models import CallSubmission, Project
    from projects.similarity import detect_splits

    if submission.submitted_at is not None:
        raise RuleViolation(_("本部门本次征集已统一申报，不得分散申报；后来的项目请以补充申报报送（办法第八条）。"),
                            code="already_submitted", article="第八条")
    _require_department_head(submission, actor)
    _require_call_open(submission.call, _("申报"))
    letter = _require_letter(letter, _("申报函"))
    projects = list(Project.objects.filter(owner=submission.organisation, call=submission.call, state=S.DRAFT)
                    .order_by("pk"))
    if not projects:
        raise RuleViolation(_("没有待申报的项目。"), code="empty")
    _require_responsible_person(responsible_person, submission.organisation)
    _drafts_refused(projects, actor)
    warnings = submission_splits(submission.call, submission.organisation, projects)
    _require_splits_confirmed(warnings, splits_confirmed)
    with transaction.atomic():
        # Two heads signing at once: the second finds the submission already stamped.
        if CallSubmission.objects.select_for_update().filter(pk=submission.pk, submitted_at__isnull=False).exists():
            raise ConcurrentUpdate()
        submission.letter = letter
        submission.submitted_at = timeutil.now()
        submission.signed_by = actor
        submission.responsible_person = responsible_person
        submission.split_warnings = warnings
        submission.save()
        audit.record(actor=actor, action=Action.CALL_SUBMITTED, obj=submission, label=_("统一申报（签发申报函）"),
                     article="第八条", reason=letter,
                     data={"call": submission.call.year, "projects": [p.pk for p in projects],
                           "responsible_person": responsible_person, "split_warnings": warnings})
        _send(projects, actor=actor, submission=submission, responsible_person=responsible_person)
        detect_splits(submission.call, submission.organisation)
    return submission


def call_amend(submission, *, actor, letter: str, responsible_person=None, splits_confirmed: bool = False):
    """办法第八条: a late addition (补充申报) to a department's consolidated submission.

    Only after the department's submission has gone and only while the call is open; signed
    by the department's 负责人 with its own letter; the split check runs against everything
    the department submitted in the call. The 项目责任人 is the submission's unless named
    again (办法第二十一条).

    Side effects, in one transaction: a ``SubmissionAmendment`` (number, letter, signer,
    time, the projects added, the confirmed split warnings); an audit row ``call.amended``;
    each draft moves to ``submitted`` (audit row ``submit`` naming the submission and the
    amendment); the bureau's SplitWarning rows are recomputed.
    """
    from projects.models import CallSubmission, Project, SubmissionAmendment
    from projects.similarity import detect_splits

    call = submission.call
    if submission.submitted_at is None:
        raise RuleViolation(_("本部门尚未统一申报：补充申报只能补充已报送的统一申报，请先统一申报（办法第八条）。"),
                            code="not_submitted", article="第八条")
    _require_department_head(submission, actor)
    _require_call_open(call, _("补充申报"))
    letter = _require_letter(letter, _("补充申报函"))
    projects = list(Project.objects.filter(owner=submission.organisation, call=call, state=S.DRAFT).order_by("pk"))
    if not projects:
        raise RuleViolation(_("没有待补充申报的项目。"), code="empty")
    responsible_person = _require_responsible_person(responsible_person or submission.responsible_person,
                                                     submission.organisation)
    _drafts_refused(projects, actor)
    warnings = submission_splits(call, submission.organisation, projects)
    _require_splits_confirmed(warnings, splits_confirmed)
    with transaction.atomic():
        CallSubmission.objects.select_for_update().filter(pk=submission.pk).first()
        amendment = SubmissionAmendment.objects.create(
            submission=submission, number=submission.amendments.count() + 1, letter=letter,
            submitted_at=timeutil.now(), signed_by=actor, split_warnings=warnings)
        amendment.projects.set(projects)
        audit.record(actor=actor, action=Action.CALL_AMENDED, obj=amendment,
                     label=_("补充申报（第%(n)s次）") % {"n": amendment.number}, article="第八条", reason=letter,
                     data={"call": call.year, "submission": submission.pk, "projects": [p.pk for p in projects],
                           "responsible_person": responsible_person, "split_warnings": warnings})
        _send(projects, actor=actor, submission=submission, responsible_person=responsible_person,
              amendment=amendment)
        detect_splits(call, submission.organisation)
    return amendment


def call_open(year: int, *, actor, opens_on=None, closes_on=None, notice: str = ""):
    """办法第八条: the bureau opens the call for ``year``'s needs, by default 6月1日–6月30日 of
    the year before (Policy.call_opens/call_closes); other dates may be set per call."""
    from projects.models import Call

    _as_staff(actor, "bureau", roles={"head"})  # a notice in the bureau's name (办法第八条)
    policy = get_policy()
    opens_on = opens_on or policy.call_opens.of(year - 1)
    closes_on = closes_on or policy.call_closes.of(year - 1)
    if closes_on < opens_on:
        raise RuleViolation(_("征集截止日期不能早于开始日期。"), code="dates")
    with transaction.atomic():
        call = Call.objects.create(year=year, opens_on=opens_on, closes_on=closes_on, notice=notice)
        entry = audit.record(actor=actor, action=Action.CALL_OPENED, obj=call, label=_("发布年度需求征集"), article="第八条",
                             data={"opens_on": opens_on, "closes_on": closes_on})
        events.announce(call, Action.CALL_OPENED, actor=actor, entry=entry)
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
        entry = audit.record(actor=actor, action=Action.OPINION_GIVEN, obj=project, label=Aspect(aspect).label,
                             article={"joint_review": "第十条", "emergency": "第十二条", "acceptance": "第二十九条"}[stage],
                             from_state=project.state, to_state=project.state, reason=text,
                             data={"aspect": aspect, "conclusion": conclusion})
        events.announce(project, Action.OPINION_GIVEN, actor=actor, entry=entry, stage=stage, aspect=aspect,
                        conclusion=conclusion, opinion=opinion)
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
            entry = audit.record(actor=actor, action=Action.PLAN_OPENED, obj=plan, label=_("开始编制年度建设计划"),
                                 article="第十一条", to_state=plan.state)
            events.announce(plan, Action.PLAN_OPENED, actor=actor, entry=entry)
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
        entry = audit.record(actor=actor, action=Action.PLAN_INCLUDED, obj=project, label=_("编入年度建设计划"),
                             article="第十一条", from_state=project.state, to_state=project.state, data={"plan": plan})
        events.announce(project, Action.PLAN_INCLUDED, actor=actor, entry=entry, plan=plan)


def plan_exclude(plan, project, *, actor, reason=""):
    _plan_editable(plan, actor)
    with transaction.atomic():
        project.plan = None
        project.save(update_fields=["plan"])
        entry = audit.record(actor=actor, action=Action.PLAN_EXCLUDED, obj=project, label=_("移出年度建设计划"),
                             article="第十一条", from_state=project.state, to_state=project.state, reason=reason,
                             data={"plan": plan})
        events.announce(project, Action.PLAN_EXCLUDED, actor=actor, entry=entry, plan=plan)


def plan_finance_concur(plan, *, actor):
    """办法第十一条: 省财政厅 co-compiles; its head's concurrence is recorded."""
    _as_staff(actor, "finance", roles={"head"})
    if plan.state != PlanState.COMPILING:
        raise RuleViolation(_("年度建设计划不在编制中。"), code="state")
    with transaction.atomic():
        plan.finance_concurred_by, plan.finance_concurred_at = actor, timeutil.now()
        plan.save(update_fields=["finance_concurred_by", "finance_concurred_at"])
        entry = audit.record(actor=actor, action=Action.PLAN_FINANCE_CONCURRED, obj=plan, label=_("财政厅会签"),
                             article="第十一条", from_state=plan.state, to_state=plan.state)
        events.announce(plan, Action.PLAN_FINANCE_CONCURRED, actor=actor, entry=entry)


def emergency_request(project, *, actor, year: int | None = None):
    """办法第十二条: the owner asks to insert an urgent mandated project into the approved
    plan of ``year`` (default: the project's call year, else this year). Such a project
    comes outside the June call, so it belongs to no call submission. The step itself
    chooses the plan (effects.choose_emergency_plan), so ``perform(project,
    "request_emergency")`` from any page does the same."""
    return perform(project, "request_emergency", actor=actor, **({"year": year} if year else {}))


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
        entry = audit.record(actor=actor, action=Action.INCIDENT_REPORTED, obj=project, label=_("报告项目问题"),
                             article="第二十六条", from_state=project.state, to_state=project.state, reason=description,
                             data={"kind": kind})
        events.announce(project, Action.INCIDENT_REPORTED, actor=actor, entry=entry, incident=incident)
    return incident


def rectification_report(project, *, actor, report: str) -> Rectification:
    _as_staff(actor, "owner", roles=STAFF)
    rect = project.rectifications.filter(reported_at__isnull=True).order_by("-ordered_at").first()
    if rect is None or actor.organisation_id != project.owner_id:
        raise RuleViolation(_("没有待报送的整改通知。"), code="state")
    with transaction.atomic():
        rect.report, rect.reported_by, rect.reported_at = report, actor, timeutil.now()
        rect.save(update_fields=["report", "reported_by", "reported_at"])
        entry = audit.record(actor=actor, action=Action.RECTIFICATION_REPORTED, obj=project, label=_("报送整改情况"),
                             article="第三十六条", from_state=project.state, to_state=project.state, reason=report)
        events.announce(project, Action.RECTIFICATION_REPORTED, actor=actor, entry=entry, rectification=rect)
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
        entry = audit.record(actor=actor, action=Action.PERFORMANCE_REPORT_SUBMITTED, obj=project,
                             label=_("报送年度绩效评价报告"), article="第二十五条", from_state=project.state,
                             to_state=project.state, data={"year": year})
        events.announce(project, Action.PERFORMANCE_REPORT_SUBMITTED, actor=actor, entry=entry, year=year,
                        report=report)
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


def change_routing(project, *, moved_yuan: Decimal, new_total_yuan: Decimal | None, goals_unchanged: bool,
                   ground: str, excluding=None) -> tuple[str, Decimal, list[str]]:
    """办法第二十八条: ("filing" | "approval", cumulative ratio, reasons for approval) of a
    change moving ``moved_yuan``. Read-only: ChangeRequest.submit routes with it, once, and
    the change pages show the same result before anything is submitted."""
    ratio = change_ratio(project, moved_yuan, excluding=excluding)
    limit = get_policy().change_filing_max_ratio
    reasons = []
    if ratio > limit:
        reasons.append(_("累计调整金额超过概算总投资的%(pct)s") % {"pct": f"{limit * 100:.0f}%"})
    if (new_total_yuan or project.approved_estimate_yuan) > project.approved_estimate_yuan:
        reasons.append(_("调整后总投资超出概算批复"))
    if not goals_unchanged:
        reasons.append(_("建设目标发生变化"))
    if not ground:
        reasons.append(_("不符合办法第二十八条所列三种情形"))
    return ("approval" if reasons else "filing"), ratio, [str(r) for r in reasons]


def change_route(change: ChangeRequest) -> tuple[str, Decimal, list[str]]:
    """The routing of a saved change (see change_routing)."""
    return change_routing(change.project, moved_yuan=change.moved_yuan, new_total_yuan=change.new_total_yuan,
                          goals_unchanged=change.goals_unchanged, ground=change.ground, excluding=change)


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
        entry = audit.record(actor=actor, action=Action.CHANGE_CREATED, obj=change, label=_("起草项目变更"),
                             article="第二十八条", to_state=change.state, data={"items": items})
        events.announce(change, Action.CHANGE_CREATED, actor=actor, entry=entry, items=items)
    return change


def change_submit(change: ChangeRequest, *, actor) -> ChangeRequest:
    """The ``submit`` step, which routes the change (ChangeRequest.submit, 办法第二十八条):
    cumulative within ``Policy.change_filing_max_ratio``, within 概算, goals unchanged and a
    ground → filed (备案) with the bureau at once;
    anything else → pending formal approval. Records ratio, reasons and time."""
    return perform(change, "submit", actor=actor)


def change_decide(change: ChangeRequest, *, actor, approve: bool, note: str = "") -> ChangeRequest:
    """The ``approve``/``reject`` step; the transition records who decided, when, and the note."""
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
