"""Every state change of the system, one function per step.

``perform`` is the single path through which a transition of a project, an annual plan or
a change request is taken — by the web pages, the admin's buttons, the demo data and the
tests alike: it checks who acts and every guard (explaining a refusal with its article),
applies a 原则上 override only for a head with a reason, saves with optimistic locking,
writes the audit row, runs the side effects the step declares (``custom["effects"]``, see
lifecycle/effects.py) and announces the step to the other apps (lifecycle/events.py) — all
in one transaction.
The named functions below (``opinion_give``, ``plan_include``, ``change_submit`` …) are the
vocabulary the views, the admin, the demo data and the tests use; the department's call
submission and the opening of calls and plans, which create project records, are in
projects/services.py.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import Any, TypeAlias, cast

from django.db import transaction
from django.utils.translation import gettext as _, gettext_lazy as _l
from django_fsm import ConcurrentTransition, Transition, TransitionNotAllowed
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.states import CHANGEABLE_STATES, LEFT_PLAN_STATES, ChangeState, PlanState, ProjectState as S
from core.vocabulary import OrgKind, Role

from . import acting, audit, clocks, events, second_factor
from .effects import copy_to as _copy
from .errors import ConcurrentUpdate, RuleViolation
from .events import Action
from .guards import owner_not_deferred
from .models import (
    ASPECTS,
    Aspect,
    CalendarDay,
    CalendarYear,
    ChangeItem,
    ChangeRequest,
    Clock,
    ClockKind,
    Conclusion,
    Incident,
    Opinion,
    PerformanceReport,
    Rectification,
)
from .nature_guards import PATH_GUARDS, on_service_path
from .policy import get_policy
from .rules import HEAD, REVIEWERS, STAFF, Actors, Guard
from .stepdata import validate_step_data

# lifecycle sits below projects (docs/architecture.md, "Layers"; tests/architecture), so it
# may not name projects.Project, projects.AnnualPlan or projects.User, not even for type
# checking. These aliases say what is meant; they are Any to mypy.
#: A record with a django-fsm ``state``: a Project, an AnnualPlan or a ChangeRequest.
Stateful: TypeAlias = Any
#: A projects.Project.
ProjectRecord: TypeAlias = Any
#: A projects.AnnualPlan.
PlanRecord: TypeAlias = Any
#: A projects.User (``org_kind``, ``role``, ``organisation``), or None where noted.
Actor: TypeAlias = Any

# ================================================================ generic transition runner


@functools.cache
def declared_transitions(model: Any) -> dict[str, tuple[Transition, ...]]:
    """The django-fsm Transitions of ``model``'s ``state`` field by name (one per source state
    of each decorated method), read once per model through the field's public
    ``get_all_transitions``: the declarations are fixed when the class is made."""
    by_name: dict[str, list[Transition]] = {}
    for t in model._meta.get_field("state").get_all_transitions(model):
        by_name.setdefault(t.name, []).append(t)
    return {name: tuple(ts) for name, ts in by_name.items()}


def _permission(t: Transition) -> Actors:
    """Who may take ``t``: every step declares a rules.Actors (lifecycle/machine.py)."""
    return cast(Actors, t.permission)


def _guards(t: Transition) -> list[Guard]:
    """The conditions of ``t``: every one is a rules.Guard (lifecycle/machine.py)."""
    return cast(list[Guard], list(t.conditions))


def _leaves(transition: Transition, state: str) -> bool:
    source = transition.source
    if source == state or source == "*":
        return True
    return source == "+" and transition.target != state


def transitions_named(obj: Stateful, name: str) -> tuple[Transition, ...]:
    """The declarations of transition ``name`` of ``obj`` (one per source state)."""
    return declared_transitions(obj.__class__).get(name, ())


def transition_of(obj: Stateful, name: str) -> tuple[Transition, bool]:
    """(the Transition ``name`` of ``obj`` for its current state — or its first declaration
    when none leaves that state —, whether it can be taken from the current state)."""
    declared = transitions_named(obj, name)
    if not declared:
        raise RuleViolation(_("没有名为“%(name)s”的操作。") % {"name": name}, code="unknown")
    current = next((t for t in declared if _leaves(t, obj.state)), None)
    return (current or declared[0]), current is not None


def transition_names(obj: Stateful) -> list[str]:
    return list(declared_transitions(obj.__class__))


def refusal(obj: Stateful, name: str, actor: Actor, *, via: str = "") -> str | None:
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


def _prepare(t: Transition, obj: Stateful, actor: Actor, data: dict[str, Any]) -> dict[str, Any]:
    """Run the step's ``prepare`` hooks (lifecycle/effects.py): they set in memory what the
    step is about before its rules are checked. Returns {field: previous value}."""
    undo: dict[str, Any] = {}
    for prepare in t.custom.get("prepare", ()):
        undo.update(prepare(obj, actor=actor, data=data))
    return undo


def _undo(obj: Stateful, undo: dict[str, Any]) -> None:
    for field, value in undo.items():
        setattr(obj, field, value)


def offered(transition: Transition) -> bool:
    """Whether a step is offered as a button (step page, project page, admin): not one taken
    only inside a larger act by its own service (``custom["via"]``, see VIA_REFUSALS)."""
    return not transition.custom.get("via")


def available(obj: Stateful, actor: Actor) -> list[dict[str, Any]]:
    """The steps ``actor`` may take on ``obj`` now, with those a 原则上 rule blocks but a head
    could override (``overridable``)."""
    result: list[dict[str, Any]] = []
    for name in dict.fromkeys(transition_names(obj)):
        t, possible = transition_of(obj, name)
        if not possible or _permission(t).refusal(obj, actor):
            continue
        if not offered(t):
            continue
        undo = _prepare(t, obj, actor, {})
        failed = [gd for gd in _guards(t) if not gd(obj)]
        _undo(obj, undo)
        if any(gd.name in PATH_GUARDS for gd in failed):
            continue  # 建设性质 (issue 15): a step of the other execution path is not offered
        hard = [gd for gd in failed if not gd.overridable]
        result.append(
            {
                "name": name,
                "label": str(t.custom["label"]),
                "article": t.custom["article"],
                "needs_reason": t.custom["needs_reason"],
                "fields": t.custom["fields"],
                "blocked_by": [gd.explain(obj) for gd in failed],
                # the guards behind blocked_by, in order: where each is put right (lifecycle/fixes.py)
                "guards": [gd.name for gd in failed],
                "allowed": not failed,
                "overridable": bool(failed) and not hard and _permission(t).may_override(obj, actor),
            }
        )
    return result


#: Steps a named service takes as part of a larger act (``custom["via"]`` on the transition):
#: that service passes the same ``via`` to ``perform``; every other way in — the step page,
#: the admin, a direct call — is refused with this message.
VIA_REFUSALS = {
    # 办法第八条: 汇总整合后统一申报，不得分散申报 (services.call_submit / call_amend).
    "call_submission": (
        _l(
            "项目只能随本部门的统一申报（或其补充申报）一并申报，申报函由负责人签发，不得逐个项目分散申报；"
            "请在“本单位统一申报”页面办理（办法第八条）。"
        ),
        "第八条",
    ),
    # 办法第十一条: the plan is approved as a whole (AnnualPlan "approve" → _plan_approved).
    "plan_approval": (
        _l("“%(label)s”随省政府批准年度建设计划一并办理，不能单独办理（办法第十一条）。"),
        "第十一条",
    ),
}


def _check(
    obj: Stateful, name: str, actor: Actor, *, reason: str, override_reason: str, via: str = ""
) -> tuple[Transition, list[Guard]]:
    t, possible = transition_of(obj, name)
    label, article = t.custom["label"], t.custom["article"]
    if not possible:
        raise RuleViolation(
            _("当前状态“%(state)s”下不能办理“%(label)s”。")
            % {"state": obj.get_state_display(), "label": label},
            code="state",
            article=article,
        )
    who = _permission(t).refusal(obj, actor)
    if who:
        raise RuleViolation(
            _("“%(label)s”%(who)s（办法%(article)s）。") % {"label": label, "who": who, "article": article},
            code="permission",
            article=article,
        )
    _permission(t).authorise(obj, actor)  # whose role the step uses (issue 12: 代办)
    # 等保2.0 三级: a 负责人 step needs the session's second factor (TOTP) once the head has
    # enrolled, or for every head under settings.OTP_REQUIRED_FOR_HEADS (lifecycle/second_factor.py).
    unverified = second_factor.refusal(actor, _permission(t), label=str(label))
    if unverified:
        raise unverified
    needed = t.custom.get("via")
    if needed and via != needed:
        message, via_article = VIA_REFUSALS[needed]
        raise RuleViolation(str(message) % {"label": label}, code="via", article=via_article)
    if t.custom["needs_reason"] and not (reason or "").strip():
        raise RuleViolation(
            _("办理“%(label)s”须填写理由。") % {"label": label}, code="reason", article=article
        )
    failed = [gd for gd in _guards(t) if not gd(obj)]
    hard = [gd for gd in failed if not gd.overridable]
    if hard:
        raise RuleViolation(
            "；".join(gd.explain(obj) for gd in hard) + "。", code="guard", article=hard[0].article
        )
    if failed:
        if not (override_reason or "").strip():
            raise RuleViolation(
                "；".join(gd.explain(obj) for gd in failed)
                + _("。确需例外办理的，须由负责人填写理由后放行。"),
                code="overridable",
                article=failed[0].article,
            )
        if not _permission(t).may_override(obj, actor):
            raise RuleViolation(
                "；".join(gd.explain(obj) for gd in failed) + _("。只有负责人可以例外放行。"),
                code="override_denied",
                article=failed[0].article,
            )
        _permission(t).authorise(obj, actor, overriding=True)
        # A head's override of a 原则上 rule is a 负责人 act too (second factor, as above).
        unverified = second_factor.refusal(actor, _permission(t), label=str(label), overriding=True)
        if unverified:
            raise unverified
    return t, failed


def perform(
    obj: Stateful,
    name: str,
    *,
    actor: Actor,
    reason: str = "",
    override_reason: str = "",
    via: str = "",
    **data: Any,
) -> Stateful:
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
            actor=actor,
            action=name,
            obj=obj,
            label=t.custom["label"],
            article=t.custom["article"],
            from_state=from_state,
            to_state=obj.state,
            reason=override_reason if overridden else reason,
            override=bool(overridden),
            data={
                **data,
                **{f: getattr(obj, f) for f in t.custom.get("records", ())},
                **(
                    {"overridden": [gd.explain(obj) for gd in overridden], "reason": reason}
                    if overridden
                    else {}
                ),
                # taken in a session verified by a second factor ("totp" / "recovery")
                **second_factor.audit_data(actor),
            },
        )
        for effect in t.custom.get("effects", ()):
            effect(obj, actor=actor, reason=reason, data=data)
        events.announce(obj, name, actor=actor, entry=entry, **data)
    return obj


def require_staff(actor: Actor | None, org_kind: str, roles: frozenset[Role] = REVIEWERS) -> None:
    """Refuse unless ``actor`` works for an organisation of ``org_kind`` in one of ``roles``."""
    # the own role, or one lent by a delegation in force (issue 12, lifecycle/acting.py)
    if actor is None or actor.org_kind != org_kind or not acting.authorise(actor, roles):
        raise RuleViolation(_("无权办理此事项。"), code="permission")


# ================================================================ opinions (第十、十二、二十九条)

OPINION_STATES = {
    "joint_review": {S.JOINT_REVIEW},
    "emergency": {S.EMERGENCY_REQUESTED},
    "acceptance": {S.ACCEPTANCE_REVIEW},
}

#: The states in which the department's reports and records are taken — checked by the
#: services below and read by the project page (projects.capabilities), so a page is offered
#: exactly when its service accepts.
PAGE_STATES: dict[str, frozenset[str]] = {
    # 办法第十五、十六、二十三、二十四、三十一条: facts recorded until the project has ended.
    # 办法第十五、十八、十九条: nor once refused, declined or cancelled (LEFT_PLAN_STATES).
    "records": frozenset(S) - {S.CLOSED, S.TERMINATED, S.WITHDRAWN} - LEFT_PLAN_STATES,
    # 办法第二十八条: changes during construction (and while rectifying).
    "change": CHANGEABLE_STATES,
    # 办法第二十五条: the yearly report, until the year of completion.
    "performance_report": CHANGEABLE_STATES | {S.SUSPENDED, S.COMPLETED},
    # 办法第二十六条: 项目建设过程中出现严重逾期或重大损失 — also while building is suspended.
    "incident": CHANGEABLE_STATES | {S.SUSPENDED},
    # 办法第二十一、二十四、三十条: the construction and 监理 contracts, from the 审定 until built.
    "contract": frozenset({S.RATIFIED, S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED}),
    # 办法第三十六条: the department reports what it rectified.
    "rectification_report": frozenset({S.RECTIFICATION}),
    # 办法第十条: the joint review, from submission to its conclusion.
    "joint_review": frozenset(
        {S.SUBMITTED, S.JOINT_REVIEW, S.CORRECTING, S.EXPERT_EVALUATION, S.REVIEW_PASSED, S.REVIEW_REJECTED}
    ),
}


def _require_state(project: ProjectRecord, page: str, message: StrOrPromise, *, article: str) -> None:
    if project.state not in PAGE_STATES[page]:
        raise RuleViolation(message % {"state": project.get_state_display()}, code="state", article=article)


def opinion_give(project: ProjectRecord, *, actor: Actor, aspect: str, conclusion: str, text: str) -> Opinion:
    """An agency gives (or, after a correction, renews) its opinion. Audit row written."""
    org_kind, stage = ASPECTS[Aspect(aspect)]
    require_staff(actor, org_kind)
    if project.state not in OPINION_STATES[stage]:
        raise RuleViolation(
            _("当前状态“%(state)s”下不能出具此意见。") % {"state": project.get_state_display()}, code="state"
        )
    if not text.strip():
        raise RuleViolation(_("请填写意见内容。"), code="reason")
    if conclusion not in Conclusion.values:
        raise RuleViolation(_("请选择意见结论。"), code="conclusion")
    # 办法第二十九、三十二条: "不涉及" is 省委保密办's answer for a project without state secrets.
    moot_allowed = aspect == Aspect.SECRECY_ACCEPTANCE and not project.classified
    if conclusion == Conclusion.NOT_APPLICABLE and not moot_allowed:
        raise RuleViolation(
            _(
                "只有省委保密办对不涉及国家秘密的项目可以出具“不涉及”的竣工验收意见（办法第二十九、三十二条）。"
            ),
            code="conclusion",
            article="第三十二条",
        )
    with transaction.atomic():
        opinion = Opinion.objects.create(
            project=project,
            stage=stage,
            aspect=aspect,
            organisation=actor.organisation,
            conclusion=conclusion,
            text=text,
            given_by=actor,
            given_at=timeutil.now(),
        )
        entry = audit.record(
            actor=actor,
            action=Action.OPINION_GIVEN,
            obj=project,
            label=Aspect(aspect).label,
            article={"joint_review": "第十条", "emergency": "第十二条", "acceptance": "第二十九条"}[stage],
            from_state=project.state,
            to_state=project.state,
            reason=text,
            data={"aspect": aspect, "conclusion": conclusion},
        )
        events.announce(
            project,
            Action.OPINION_GIVEN,
            actor=actor,
            entry=entry,
            stage=stage,
            aspect=aspect,
            conclusion=conclusion,
            opinion=opinion,
        )
    return opinion


# ================================================================ annual plan (第十一、十二条)


def _plan_editable(plan: PlanRecord, actor: Actor) -> None:
    require_staff(actor, OrgKind.BUREAU)
    if plan.state != PlanState.COMPILING:
        raise RuleViolation(_("年度建设计划已报省政府，不能再调整项目。"), code="state", article="第十一条")


def plan_include(plan: PlanRecord, project: ProjectRecord, *, actor: Actor) -> None:
    _plan_editable(plan, actor)
    if project.state != S.REVIEW_PASSED or project.year != plan.year:
        raise RuleViolation(
            _("只有通过联合审核的本年度申报项目才能编入计划（办法第七条）。"), code="state", article="第七条"
        )
    # 办法第三十六条: 暂缓安排信息化投资计划 in force → not arranged in the plan.
    if not owner_not_deferred(project):
        raise RuleViolation(owner_not_deferred.explain(project), code="rule", article="第三十六条")
    with transaction.atomic():
        project.plan = plan
        project.save(update_fields=["plan"])
        entry = audit.record(
            actor=actor,
            action=Action.PLAN_INCLUDED,
            obj=project,
            label=_("编入年度建设计划"),
            article="第十一条",
            from_state=project.state,
            to_state=project.state,
            data={"plan": plan},
        )
        events.announce(project, Action.PLAN_INCLUDED, actor=actor, entry=entry, plan=plan)


def plan_exclude(plan: PlanRecord, project: ProjectRecord, *, actor: Actor, reason: str = "") -> None:
    _plan_editable(plan, actor)
    # 办法第十一条: only a project of this compiling plan leaves it — never one of another
    # year's plan, approved or not (found by the simulation, tests/simulation; issue 14).
    if project.plan_id != plan.pk:
        raise RuleViolation(
            _("该项目不在本年度建设计划中（办法第十一条）。"), code="state", article="第十一条"
        )
    with transaction.atomic():
        project.plan = None
        project.save(update_fields=["plan"])
        entry = audit.record(
            actor=actor,
            action=Action.PLAN_EXCLUDED,
            obj=project,
            label=_("移出年度建设计划"),
            article="第十一条",
            from_state=project.state,
            to_state=project.state,
            reason=reason,
            data={"plan": plan},
        )
        events.announce(project, Action.PLAN_EXCLUDED, actor=actor, entry=entry, plan=plan)


def plan_finance_concur(plan: PlanRecord, *, actor: Actor) -> None:
    """办法第十一条: 省财政厅 co-compiles; its head's concurrence is recorded."""
    require_staff(actor, OrgKind.FINANCE, roles=HEAD)
    if plan.state != PlanState.COMPILING:
        raise RuleViolation(_("年度建设计划不在编制中。"), code="state")
    with transaction.atomic():
        plan.finance_concurred_by, plan.finance_concurred_at = actor, timeutil.now()
        plan.save(update_fields=["finance_concurred_by", "finance_concurred_at"])
        entry = audit.record(
            actor=actor,
            action=Action.PLAN_FINANCE_CONCURRED,
            obj=plan,
            label=_("财政厅会签"),
            article="第十一条",
            from_state=plan.state,
            to_state=plan.state,
        )
        events.announce(plan, Action.PLAN_FINANCE_CONCURRED, actor=actor, entry=entry)


def emergency_request(
    project: ProjectRecord, *, actor: Actor, year: int | None = None, responsible_person: Actor = None
) -> ProjectRecord:
    """办法第十二条: the owner asks to insert an urgent mandated project into the approved
    plan of ``year`` (default: the project's call year, else this year). Such a project
    comes outside the June call, so it belongs to no call submission. The step itself
    chooses the plan (effects.choose_emergency_plan) and records the 项目责任人 it names
    (办法第二十一条, effects.name_responsible_person; refused without one), so
    ``perform(project, "request_emergency")`` from any page does the same."""
    extra: dict[str, Any] = {"year": year} if year else {}
    if responsible_person is not None:
        extra["responsible_person"] = responsible_person
    return perform(project, "request_emergency", actor=actor, **extra)


# ================================================================ construction (第二十五、二十六条)


def incident_report(project: ProjectRecord, *, actor: Actor, kind: str, description: str) -> Incident:
    """办法第二十六条: the owner reports a serious delay or loss; copies go to 财政厅 and 发改委."""
    require_staff(actor, OrgKind.OWNER, roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能报告本单位项目的问题。"), code="permission")
    _require_state(
        project,
        "incident",
        _("项目建设过程中才报告严重逾期或重大损失，当前状态为“%(state)s”（办法第二十六条）。"),
        article="第二十六条",
    )
    with transaction.atomic():
        incident = Incident.objects.create(
            project=project, kind=kind, description=description, reported_by=actor, reported_at=timeutil.now()
        )
        _copy(project, _("问题报告：%s") % Incident.Kind(kind).label, "第二十六条", "finance", "drc")
        entry = audit.record(
            actor=actor,
            action=Action.INCIDENT_REPORTED,
            obj=project,
            label=_("报告项目问题"),
            article="第二十六条",
            from_state=project.state,
            to_state=project.state,
            reason=description,
            data={"kind": kind},
        )
        events.announce(project, Action.INCIDENT_REPORTED, actor=actor, entry=entry, incident=incident)
    return incident


def rectification_report(project: ProjectRecord, *, actor: Actor, report: str) -> Rectification:
    require_staff(actor, OrgKind.OWNER, roles=STAFF)
    _require_state(
        project,
        "rectification_report",
        _("当前状态“%(state)s”下没有待报送的整改（办法第三十六条）。"),
        article="第三十六条",
    )
    rect = project.rectifications.filter(reported_at__isnull=True).order_by("-ordered_at").first()
    if rect is None or actor.organisation_id != project.owner_id:
        raise RuleViolation(_("没有待报送的整改通知。"), code="state")
    with transaction.atomic():
        rect.report, rect.reported_by, rect.reported_at = report, actor, timeutil.now()
        rect.save(update_fields=["report", "reported_by", "reported_at"])
        entry = audit.record(
            actor=actor,
            action=Action.RECTIFICATION_REPORTED,
            obj=project,
            label=_("报送整改情况"),
            article="第三十六条",
            from_state=project.state,
            to_state=project.state,
            reason=report,
        )
        events.announce(project, Action.RECTIFICATION_REPORTED, actor=actor, entry=entry, rectification=rect)
    return rect


def performance_report_submit(
    project: ProjectRecord,
    *,
    actor: Actor,
    year: int,
    progress: str,
    investment_executed_yuan: Decimal,
    user_opinions: str,
    supervisor_opinion: str,
    in_trial_operation: bool = False,
    trial_operation: str = "",
) -> PerformanceReport:
    """办法第二十五条: the yearly report; stops that year's clock, copied to 财政厅 and 发改委.
    The opinions of the using units and of the 监理 are two required texts (征求有关项目使用单位
    和监理单位的意见); a system in trial operation (``in_trial_operation``) states its effect
    and problems (``trial_operation``)."""
    require_staff(actor, OrgKind.OWNER, roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能报送本单位项目的报告。"), code="permission")
    if project.state not in PAGE_STATES["performance_report"]:
        raise RuleViolation(
            _("绩效评价报告在建设期内报送（办法第二十五条）。"), code="state", article="第二十五条"
        )
    texts = {_("使用单位意见"): user_opinions, _("监理单位意见"): supervisor_opinion}
    if on_service_path(project):
        # 建设性质 运维、购买服务 (issue 15): no 监理 (第二十四条 is 工程监理 of construction), so
        # its opinion is not asked for; the using units' opinion is.
        texts.pop(_("监理单位意见"))
        supervisor_opinion = supervisor_opinion if isinstance(supervisor_opinion, str) else ""
    if in_trial_operation:
        texts[_("试运行效果及问题")] = trial_operation
    for label, value in texts.items():
        if not isinstance(value, str) or not value.strip():
            raise RuleViolation(
                _("请填写“%(label)s”（办法第二十五条）。") % {"label": label},
                code="data",
                article="第二十五条",
            )
    in_trial_operation = in_trial_operation is True
    with transaction.atomic():
        report = PerformanceReport.objects.create(
            project=project,
            year=year,
            progress=progress,
            investment_executed_yuan=investment_executed_yuan,
            in_trial_operation=in_trial_operation,
            trial_operation=trial_operation.strip() if in_trial_operation else "",
            user_opinions=user_opinions.strip(),
            supervisor_opinion=supervisor_opinion.strip(),
            submitted_by=actor,
            submitted_at=timeutil.now(),
        )
        clock = project.clocks.filter(kind=ClockKind.PERFORMANCE_REPORT, year=year).first()
        clocks.stop(clock, actor=actor)
        _copy(project, _("%s年度绩效评价报告") % year, "第二十五条", "finance", "drc")
        entry = audit.record(
            actor=actor,
            action=Action.PERFORMANCE_REPORT_SUBMITTED,
            obj=project,
            label=_("报送年度绩效评价报告"),
            article="第二十五条",
            from_state=project.state,
            to_state=project.state,
            data={"year": year},
        )
        events.announce(
            project, Action.PERFORMANCE_REPORT_SUBMITTED, actor=actor, entry=entry, year=year, report=report
        )
    return report


# ================================================================ budget changes (第二十八条)


def change_baseline(
    project: ProjectRecord, *, excluding: ChangeRequest | None = None
) -> tuple[Decimal | None, ChangeRequest | None]:
    """办法第二十八条: (the current approved total, the approved change that set it or None).
    A change that went through formal approval and was approved becomes the new baseline:
    its 调整后总投资 is the approved total later changes are measured against; without one,
    the 概算总投资 approved with the design (or the merged FSR, 第十七条)."""
    approved = project.changes.filter(state=ChangeState.APPROVED, decided_at__isnull=False)
    if excluding is not None and excluding.pk:
        approved = approved.exclude(pk=excluding.pk)
    last = approved.order_by("-decided_at", "-pk").first()
    if last is not None:
        return last.new_total_yuan, last
    return project.approved_estimate_yuan, None


def change_ratio(
    project: ProjectRecord, moved_yuan: Decimal, *, excluding: ChangeRequest | None = None
) -> Decimal:
    """办法第二十八条 "累计" (read as Policy.change_cumulative_since_last_approval says): the
    money moved by the changes filed since the baseline plus ``moved_yuan``, over the current
    approved total (change_baseline)."""
    total, last = change_baseline(project, excluding=excluding)
    if not total:
        raise RuleViolation(
            _("项目尚无批复的概算总投资，不能计算调整比例（办法第二十八条）。"),
            code="estimate",
            article="第二十八条",
        )
    filed = ChangeItem.objects.filter(change__project=project, change__state=ChangeState.FILED)
    if excluding is not None:
        filed = filed.exclude(change=excluding)
    if last is not None and get_policy().change_cumulative_since_last_approval:
        filed = filed.filter(change__submitted_at__gt=last.decided_at)
    already = sum((i.amount_yuan for i in filed), Decimal("0"))
    return (already + moved_yuan) / total


def change_routing(
    project: ProjectRecord,
    *,
    moved_yuan: Decimal,
    new_total_yuan: Decimal | None,
    goals_unchanged: bool,
    ground: str,
    excluding: ChangeRequest | None = None,
) -> tuple[str, Decimal, list[str]]:
    """办法第二十八条: ("filing" | "approval", cumulative ratio, reasons for approval) of a
    change moving ``moved_yuan``. Read-only: ChangeRequest.submit routes with it, once, and
    the change pages show the same result before anything is submitted."""
    ratio = change_ratio(project, moved_yuan, excluding=excluding)
    # change_ratio refused already when there is no approved total
    baseline: Decimal = change_baseline(project, excluding=excluding)[0] or Decimal("0")
    limit = get_policy().change_filing_max_ratio
    reasons: list[StrOrPromise] = []
    if ratio > limit:
        reasons.append(
            _("累计调整金额超过概算总投资的%(pct)s") % {"pct": get_policy().change_filing_max_percent}
        )
    if (new_total_yuan or baseline) > baseline:
        reasons.append(_("调整后总投资超出概算批复"))
    if not goals_unchanged:
        reasons.append(_("建设目标发生变化"))
    if not ground:
        reasons.append(_("不符合办法第二十八条所列三种情形"))
    return ("approval" if reasons else "filing"), ratio, [str(r) for r in reasons]


def change_route(change: ChangeRequest) -> tuple[str, Decimal, list[str]]:
    """The routing of a saved change (see change_routing)."""
    return change_routing(
        change.project,
        moved_yuan=change.moved_yuan,
        new_total_yuan=change.new_total_yuan,
        goals_unchanged=change.goals_unchanged,
        ground=change.ground,
        excluding=change,
    )


def change_create(
    project: ProjectRecord,
    *,
    actor: Actor,
    items: list[dict[str, Any]],
    **fields: Any,
) -> ChangeRequest:
    """办法第二十八条: the department drafts a change: ``fields`` are what it fills in
    (ChangeRequest.FORM_FIELDS; an empty ``new_total_yuan`` keeps the approved estimate) and
    ``items`` the content moved with its amount. Audit row ``change.created``."""
    unknown = set(fields) - set(ChangeRequest.FORM_FIELDS)
    if unknown:
        raise TypeError(f"change_create() got fields a change does not have: {sorted(unknown)}")
    require_staff(actor, OrgKind.OWNER, roles=STAFF)
    if actor.organisation_id != project.owner_id:
        raise RuleViolation(_("只能为本单位项目提出变更。"), code="permission")
    if project.state not in PAGE_STATES["change"]:
        raise RuleViolation(
            _("项目建设期内才能调整建设内容（办法第二十八条）。"), code="state", article="第二十八条"
        )
    if not items:
        raise RuleViolation(_("请至少填写一项调整内容及金额。"), code="items")
    for item in items:
        if Decimal(item["amount_yuan"]) <= 0:
            raise RuleViolation(_("调整金额须大于零。"), code="items")
    with transaction.atomic():
        change = ChangeRequest.objects.create(
            project=project,
            created_by=actor,
            **{**fields, "new_total_yuan": fields.get("new_total_yuan") or change_baseline(project)[0]},
        )
        ChangeItem.objects.bulk_create([ChangeItem(change=change, **item) for item in items])
        entry = audit.record(
            actor=actor,
            action=Action.CHANGE_CREATED,
            obj=change,
            label=_("起草项目变更"),
            article="第二十八条",
            to_state=change.state,
            data={"items": items},
        )
        events.announce(change, Action.CHANGE_CREATED, actor=actor, entry=entry, items=items)
    return change


def change_submit(change: ChangeRequest, *, actor: Actor) -> ChangeRequest:
    """The ``submit`` step, which routes the change (ChangeRequest.submit, 办法第二十八条):
    cumulative within ``Policy.change_filing_max_ratio``, within 概算, goals unchanged and a
    ground → filed (备案) with the bureau at once;
    anything else → pending formal approval. Records ratio, reasons and time."""
    return perform(change, "submit", actor=actor)


def change_decide(change: ChangeRequest, *, actor: Actor, approve: bool, note: str = "") -> ChangeRequest:
    """The ``approve``/``reject`` step; the transition records who decided, when, and the note."""
    return perform(change, "approve" if approve else "reject", actor=actor, reason=note)


# ================================================================ working-day calendar


def calendar_year_enter(
    year: int,
    *,
    actor: Actor,
    holidays: dict[datetime.date, str],
    workdays: dict[datetime.date, str],
    source: str = "",
) -> list[tuple[Clock, datetime.date, datetime.date]]:
    """Enter a year's official schedule (days off, make-up working days) and recompute every
    provisional deadline. Returns the (clock, before, after) changes."""
    if actor is None or not (actor.is_superuser or actor.role == Role.ADMIN):
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
            + [CalendarDay(date=d, is_workday=True, name=n) for d, n in workdays.items() if d.weekday() >= 5]
        )
        CalendarYear.objects.update_or_create(
            year=year, defaults={"source": source or _("管理员录入"), "entered_by": actor}
        )
        changes = clocks.recompute_provisional(actor=actor, reason=_("录入%s年节假日安排") % year, year=year)
    return changes
