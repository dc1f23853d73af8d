"""Supervision (办法第三十四、三十六、三十九条): the services that set and lift a 第三十四条
finding, the 孤网 exception's three steps, the 通报批评 / 暂缓安排信息化投资计划 decisions, and
the selectors the pages and the track record read.

Every service checks who acts (a refusal is a ``RuleViolation`` with code ``permission`` and
the article), checks its data, writes the row and its audit row (lifecycle/audit.py, an
``events.Action`` constant) in one transaction and sends ``events.step_taken``.

Who acts, by article:

* 第三十四条 findings: the 审核人 or 负责人 of the agency responsible for the situation
  (``RESPONSIBLE_KINDS``: data sharing and duplicate collection → 省营商环境局; 密码应用 →
  省国家密码管理局; 网络安全 → 省委网信办; 等级保护 → 省公安厅; 重大安全隐患 → 省委网信办 or
  省公安厅); only the organisation that set a finding lifts it.
* 第三十四条 孤网 exception: the department's 负责人 requests it, 省营商环境局 (审核人 or 负责人)
  reviews it, 省政府 (负责人) approves it with its 文号.
* 第三十六、三十九条 decisions: the 负责人 of 省营商环境局 records them with their 文号 and lifts
  a 暂缓安排 early.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from core import timeutil
from core.kept_sql import Ask, KeptQueries, then, together
from core.validation import validate_past_date
from core.vocabulary import AGENCY_KINDS, OrgKind, Role
from lifecycle import acting, audit, events
from lifecycle.errors import RuleViolation
from lifecycle.events import Action
from lifecycle.guards import owner_compliant
from lifecycle.rules import HEAD, REVIEWERS

from .models import Organisation, Project, User
from .supervision_models import (
    DECISION_ARTICLES,
    EXCUSABLE_KINDS,
    RESPONSIBLE_KINDS,
    ComplianceFinding,
    ConnectivityException,
    DecisionKind,
    FindingKind,
    SupervisionDecision,
)

ART34 = "第三十四条"
ART36 = "第三十六条"

# ================================================================ who may act


def _kind(user: User | None) -> str | None:
    org = getattr(user, "organisation", None)
    return org.kind if org is not None else None


def _kinds_label(kinds: Iterable[str]) -> str:
    return "或".join(str(OrgKind(k).label) for k in sorted(kinds))


def finding_kinds_for(user: User | None) -> list[str]:
    """The 第三十四条 situations ``user`` may find and lift (its agency's, as 审核人 or 负责人)."""
    if user is None or getattr(user, "role", "") not in REVIEWERS:
        return []
    kind = _kind(user)
    return [k for k, kinds in RESPONSIBLE_KINDS.items() if kind in kinds]


def _finding_refusal(user: User | None, kind: str) -> str | None:
    kinds = RESPONSIBLE_KINDS.get(kind)
    if kinds is None:
        return _("没有这种情形（办法第三十四条）。")
    if _kind(user) not in kinds:
        return _("“%(kind)s”须由%(who)s认定或解除（办法第三十四条）。") % {
            "kind": FindingKind(kind).label,
            "who": _kinds_label(kinds),
        }
    if getattr(user, "role", "") not in REVIEWERS:
        return _("须由本单位审核人或负责人办理（办法第三十四条）。")
    return None


def may_lift_finding(user: User | None, finding: ComplianceFinding) -> bool:
    return lift_refusal(user, finding) is None


def lift_refusal(user: User | None, finding: ComplianceFinding) -> str | None:
    refusal = _finding_refusal(user, finding.kind)
    if refusal:
        return refusal
    assert user is not None
    if finding.agency_id is not None and user.organisation_id != finding.agency_id:
        return _("只有作出认定的%(agency)s可以解除（办法第三十四条）。") % {"agency": finding.agency}
    return None


def is_bureau_head(user: User | None) -> bool:
    return _kind(user) == OrgKind.BUREAU and getattr(user, "role", "") == Role.HEAD


def _require(condition: bool, message: str, article: str) -> None:
    if not condition:
        raise RuleViolation(message, code="permission", article=article)


# ================================================================ checks of the data


def _text(value: str | None, label: str, *, max_length: int | None = None, article: str = ART34) -> str:
    text = (value or "").strip()
    if not text:
        raise RuleViolation(_("请填写%(label)s。") % {"label": label}, code="reason", article=article)
    if "\x00" in text:
        raise RuleViolation(_("%(label)s含有无效字符。") % {"label": label}, code="reason", article=article)
    if max_length is not None and len(text) > max_length:
        raise RuleViolation(
            _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_length},
            code="reason",
            article=article,
        )
    return text


def _department(organisation: Organisation, project: Project | None, article: str) -> None:
    if organisation.kind != OrgKind.OWNER:
        raise RuleViolation(_("只能对项目建设单位作出。"), code="organisation", article=article)
    if project is not None and project.owner_id != organisation.pk:
        raise RuleViolation(_("所选项目不属于该项目建设单位。"), code="organisation", article=article)


def _record(
    actor: User,
    action: str,
    obj: Model,
    *,
    label: str,
    article: str,
    reason: str,
    from_state: str = "",
    to_state: str = "",
    **data: object,
) -> None:
    """The audit row (who, which organisation, when, from/to state, why) and the event; the
    row points at the project when the record names one (lifecycle.audit)."""
    entry = audit.record(
        actor=actor,
        action=action,
        obj=obj,
        label=label,
        article=article,
        reason=reason,
        from_state=from_state,
        to_state=to_state,
        data={"organisation": getattr(obj, "organisation", None), **data},
    )
    events.announce(obj, action, actor=actor, entry=entry, record=obj)


# ================================================================ 第三十四条 findings


def finding_set(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    system: str,
    reason: str,
    evidence: str,
    project: Project | None = None,
) -> ComplianceFinding:
    """办法第三十四条: the responsible agency finds that a system of the department does not
    share data, collects it twice, or fails 密码应用 / 网络安全 / 等级保护 requirements or has a
    major hazard. From then on the department may not start new, rebuilt or extended
    systems nor apply for 运行维护经费 (lifecycle.guards.owner_compliant). Audit row
    ``finding.set``."""
    refusal = _finding_refusal(actor, kind)
    _require(refusal is None, refusal or "", ART34)
    _department(organisation, project, ART34)
    system = _text(system, _("政务信息系统名称"), max_length=200)
    reason = _text(reason, _("认定理由"))
    evidence = _text(evidence, _("依据材料（文号或材料名称）"), max_length=200)
    with transaction.atomic():
        finding = ComplianceFinding.objects.create(
            organisation=organisation,
            project=project,
            system=system,
            kind=kind,
            agency=actor.organisation,
            reason=reason,
            evidence=evidence,
            set_by=actor,
            set_at=timeutil.now(),
        )
        _record(
            actor,
            Action.FINDING_SET,
            finding,
            label=_("认定第三十四条情形：%(kind)s") % {"kind": finding.get_kind_display()},
            article=ART34,
            reason=reason,
            kind=kind,
            system=system,
            evidence=evidence,
        )
    return finding


def finding_lift(finding: ComplianceFinding, *, actor: User, reason: str, evidence: str) -> ComplianceFinding:
    """办法第三十四条: the agency that found the situation lifts it once rectified, with its
    reason and evidence. Audit row ``finding.lifted``."""
    refusal = lift_refusal(actor, finding)
    _require(refusal is None, refusal or "", ART34)
    reason = _text(reason, _("解除理由"))
    evidence = _text(evidence, _("解除依据（文号或材料名称）"), max_length=200)
    with transaction.atomic():
        locked = ComplianceFinding.objects.select_for_update().get(pk=finding.pk)
        if locked.lifted_at is not None:
            raise RuleViolation(_("该认定已经解除。"), code="state", article=ART34)
        locked.lifted_by, locked.lifted_at = actor, timeutil.now()
        locked.lift_reason, locked.lift_evidence = reason, evidence
        locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason", "lift_evidence"])
        _record(
            actor,
            Action.FINDING_LIFTED,
            locked,
            label=_("解除第三十四条情形：%(kind)s") % {"kind": locked.get_kind_display()},
            article=ART34,
            reason=reason,
            kind=locked.kind,
            system=locked.system,
            evidence=evidence,
        )
    return locked


def om_funding_refusal(organisation: Organisation) -> str | None:
    """办法第三十四条（一）（二）: a department with a blocking finding may not apply for
    运行维护经费. The system has no 运维经费 application yet; this is the check such a request
    must call (the same guard as new projects, naming the findings), or None when allowed."""
    probe = Project(owner=organisation)
    return None if owner_compliant(probe) else owner_compliant.explain(probe)


# ================================================================ 第三十四条 孤网 exception


def exception_request(
    *, actor: User, system: str, grounds: str, project: Project | None = None
) -> ConnectivityException:
    """办法第三十四条 (孤网是例外): the department's 负责人 asks to build or keep a system that by
    law cannot share data. Audit row ``connectivity_exception.requested``."""
    _require(
        _kind(actor) == OrgKind.OWNER and acting.authorise(actor, HEAD),
        _("孤网例外须由项目建设单位负责人申请（办法第三十四条）。"),
        ART34,
    )
    assert actor.organisation is not None
    _department(actor.organisation, project, ART34)
    system = _text(system, _("政务信息系统名称"), max_length=200)
    grounds = _text(grounds, _("不能共享数据的法律法规和政策依据"))
    with transaction.atomic():
        pending = ConnectivityException.objects.filter(
            organisation=actor.organisation,
            system=system,
            state__in=[ConnectivityException.State.REQUESTED, ConnectivityException.State.REVIEWED],
        )
        if pending.exists():
            raise RuleViolation(_("该系统已有办理中的孤网例外申请。"), code="state", article=ART34)
        exc = ConnectivityException.objects.create(
            organisation=actor.organisation,
            project=project,
            system=system,
            grounds=grounds,
            requested_by=actor,
            requested_at=timeutil.now(),
        )
        _record(
            actor,
            Action.EXCEPTION_REQUESTED,
            exc,
            label=_("申请孤网例外"),
            article=ART34,
            reason=grounds,
            system=system,
            to_state=exc.state,
        )
    return exc


def _transition(exc: ConnectivityException, expected: str) -> ConnectivityException:
    locked = ConnectivityException.objects.select_for_update().get(pk=exc.pk)
    if locked.state != expected:
        raise RuleViolation(
            _("该申请当前为“%(state)s”，不能办理此步骤。") % {"state": locked.get_state_display()},
            code="state",
            article=ART34,
        )
    return locked


def exception_review(
    exc: ConnectivityException, *, actor: User, favourable: bool, note: str
) -> ConnectivityException:
    """办法第三十四条: 省营商环境局 (会同有关部门) reviews the request; a favourable review sends
    it to 省政府, an unfavourable one refuses it. Audit row ``connectivity_exception.reviewed``."""
    _require(
        _kind(actor) == OrgKind.BUREAU and acting.authorise(actor, REVIEWERS),
        _("孤网例外须由省营商环境局审核（办法第三十四条）。"),
        ART34,
    )
    note = _text(note, _("审核意见"))
    with transaction.atomic():
        locked = _transition(exc, ConnectivityException.State.REQUESTED)
        before = locked.state
        locked.state = (
            ConnectivityException.State.REVIEWED if favourable else ConnectivityException.State.REFUSED
        )
        locked.reviewed_by, locked.reviewed_at, locked.review_note = actor, timeutil.now(), note
        locked.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_note"])
        _record(
            actor,
            Action.EXCEPTION_REVIEWED,
            locked,
            label=_("审核孤网例外申请"),
            article=ART34,
            reason=note,
            favourable=favourable,
            from_state=before,
            to_state=locked.state,
        )
    return locked


def exception_decide(
    exc: ConnectivityException, *, actor: User, approve: bool, note: str, document_no: str = ""
) -> ConnectivityException:
    """办法第三十四条: 省政府 approves (with its 文号) or refuses a reviewed request. Once
    approved, a data-sharing finding on the same system no longer blocks. Audit row
    ``connectivity_exception.decided``."""
    _require(
        _kind(actor) == OrgKind.GOVERNMENT and acting.authorise(actor, HEAD),
        _("孤网例外须报省政府批准（办法第三十四条）。"),
        ART34,
    )
    note = _text(note, _("省政府意见"))
    if approve:
        document_no = _text(document_no, _("批准文号"), max_length=60)
    else:
        document_no = (document_no or "").strip()[:60]
    with transaction.atomic():
        locked = _transition(exc, ConnectivityException.State.REVIEWED)
        before = locked.state
        locked.state = (
            ConnectivityException.State.APPROVED if approve else ConnectivityException.State.REFUSED
        )
        locked.decided_by, locked.decided_at = actor, timeutil.now()
        locked.decision_note, locked.document_no = note, document_no
        locked.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "document_no"])
        _record(
            actor,
            Action.EXCEPTION_DECIDED,
            locked,
            label=_("省政府批准孤网例外") if approve else _("省政府不同意孤网例外"),
            article=ART34,
            reason=note,
            document_no=document_no,
            from_state=before,
            to_state=locked.state,
        )
    return locked


# ================================================================ 第三十六、三十九条 decisions


def decision_record(
    *,
    actor: User,
    organisation: Organisation,
    kind: str,
    article: str,
    document_no: str,
    decided_on: datetime.date,
    reason: str,
    project: Project | None = None,
    until: datetime.date | None = None,
) -> SupervisionDecision:
    """办法第三十六、三十九条: the bureau's 负责人 records a 通报批评 (第三十六、三十九条) or a
    暂缓安排信息化投资计划 (第三十六条) against a department or one of its projects, with the
    文号 of the decision. Audit row ``supervision_decision.recorded``."""
    articles = DECISION_ARTICLES.get(kind)
    cited = article if article in (articles or ()) else ART36
    _require(
        is_bureau_head(actor),
        _("监督处理决定须由省营商环境局负责人记录（办法%(a)s）。") % {"a": cited},
        cited,
    )
    if articles is None:
        raise RuleViolation(_("没有这种处理方式。"), code="kind", article=ART36)
    if article not in articles:
        raise RuleViolation(
            _("“%(kind)s”的依据只能是%(articles)s。")
            % {"kind": DecisionKind(kind).label, "articles": "、".join(f"办法{a}" for a in articles)},
            code="article",
            article=ART36,
        )
    _department(organisation, project, article)
    document_no = _text(document_no, _("文号"), max_length=60, article=article)
    reason = _text(reason, _("事实和理由"), article=article)
    try:
        validate_past_date(decided_on)
    except ValidationError as exc:
        raise RuleViolation(exc.messages[0], code="date", article=article) from None
    if until is not None and kind != DecisionKind.DEFERRAL:
        raise RuleViolation(_("只有暂缓安排信息化投资计划才有期限。"), code="date", article=article)
    if until is not None and until < decided_on:
        raise RuleViolation(_("暂缓期限不能早于决定日期。"), code="date", article=article)
    if until is not None and until.year > decided_on.year + 10:
        raise RuleViolation(_("暂缓期限过长，请核对年份。"), code="date", article=article)
    with transaction.atomic():
        decision = SupervisionDecision.objects.create(
            organisation=organisation,
            project=project,
            kind=kind,
            article=article,
            document_no=document_no,
            decided_on=decided_on,
            until=until,
            reason=reason,
            recorded_by=actor,
            recorded_at=timeutil.now(),
        )
        _record(
            actor,
            Action.DECISION_RECORDED,
            decision,
            label=_("记录监督处理决定：%(kind)s") % {"kind": decision.get_kind_display()},
            article=article,
            reason=reason,
            kind=kind,
            document_no=document_no,
            decided_on=decided_on,
            until=until,
        )
    return decision


def decision_lift(decision: SupervisionDecision, *, actor: User, reason: str) -> SupervisionDecision:
    """办法第三十六条: the bureau's 负责人 ends a 暂缓安排信息化投资计划 early (the department has
    rectified). A 通报批评 has been made and stays on the record. Audit row
    ``supervision_decision.lifted``."""
    _require(is_bureau_head(actor), _("须由省营商环境局负责人解除（办法第三十六条）。"), ART36)
    reason = _text(reason, _("解除理由"), article=ART36)
    with transaction.atomic():
        locked = SupervisionDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.kind != DecisionKind.DEFERRAL:
            raise RuleViolation(_("通报批评已经作出，不能解除。"), code="state", article=locked.article)
        if not locked.in_force_on(timeutil.today()):
            raise RuleViolation(_("该决定已不在执行期内。"), code="state", article=ART36)
        locked.lifted_by, locked.lifted_at, locked.lift_reason = actor, timeutil.now(), reason
        locked.save(update_fields=["lifted_by", "lifted_at", "lift_reason"])
        _record(
            actor,
            Action.DECISION_LIFTED,
            locked,
            label=_("解除暂缓安排信息化投资计划"),
            article=ART36,
            reason=reason,
            document_no=locked.document_no,
        )
    return locked


# ================================================================ selectors


def sees_supervision(user: User | None) -> bool:
    """The agencies (and 审计厅, 第三十七条) see every record; a department sees its own."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or _kind(user) in AGENCY_KINDS or _kind(user) == OrgKind.OWNER


def _visible(qs: QuerySet, user: User) -> QuerySet:
    if user.is_superuser and not user.organisation_id:
        return qs
    kind = _kind(user)
    if kind in AGENCY_KINDS:
        return qs
    if kind == OrgKind.OWNER:
        return qs.filter(organisation_id=user.organisation_id)
    return qs.none()


def visible_findings(user: User) -> QuerySet[ComplianceFinding]:
    return _visible(ComplianceFinding.objects.all(), user).select_related(
        "organisation", "project", "agency", "set_by", "lifted_by"
    )


def visible_exceptions(user: User) -> QuerySet[ConnectivityException]:
    return _visible(ConnectivityException.objects.all(), user).select_related(
        "organisation", "project", "requested_by", "reviewed_by", "decided_by"
    )


def visible_decisions(user: User) -> QuerySet[SupervisionDecision]:
    return _visible(SupervisionDecision.objects.all(), user).select_related(
        "organisation", "project", "recorded_by", "lifted_by"
    )


@dataclass(frozen=True)
class Sanction:
    """One 通报批评 or 暂缓安排信息化投资计划, as a department's track record shows it."""

    pk: int
    kind: str
    kind_label: str
    article: str
    document_no: str
    decided_on: datetime.date
    until: datetime.date | None
    in_force: bool
    lifted: bool
    project_id: int | None
    project_name: str
    reason: str


def _sanctions(*ids: int) -> QuerySet[SupervisionDecision]:
    return (
        SupervisionDecision.objects.filter(organisation_id__in=ids)
        .select_related("project")
        .only(*(f.name for f in SupervisionDecision._meta.concrete_fields), "project__name", "project__state")
        .order_by("-decided_on", "-pk")
    )


def sanctions_for(organisation_ids: Iterable[int]) -> dict[int, list[Sanction]]:
    """办法第三十六、三十九条: the decisions against each department, newest first (one
    query). Every id asked for is a key, with an empty list when there is none."""
    (found,) = together([sanctions_ask(organisation_ids)])
    return found


def sanctions_ask(organisation_ids: Iterable[int]) -> Ask:
    """``sanctions_for`` as an ``Ask``, to send with other queries (core.kept_sql.together)."""
    ids = list(dict.fromkeys(organisation_ids))
    # Of the project only its name and state (django-fsm reads it): a project's hundred
    # columns cost a millisecond to compile on the plan page (issue 10).
    return then(_KEPT.ask_in(_sanctions, _sanctions, ids), lambda rows: _sanctions_of(ids, rows))


def _sanctions_of(ids: list[int], decisions: list[SupervisionDecision]) -> dict[int, list[Sanction]]:
    today = timeutil.today()
    out: dict[int, list[Sanction]] = {i: [] for i in ids}
    for d in decisions:
        out[d.organisation_id].append(
            Sanction(
                pk=d.pk,
                kind=d.kind,
                kind_label=str(d.get_kind_display()),
                article=d.article,
                document_no=d.document_no,
                decided_on=d.decided_on,
                until=d.until,
                in_force=d.in_force_on(today),
                lifted=d.lifted_at is not None,
                project_id=d.project_id,
                project_name=d.project.name if d.project is not None else "",
                reason=d.reason,
            )
        )
    return out


def deferrals_in_force(organisation_id: int, day: datetime.date | None = None) -> list[SupervisionDecision]:
    """办法第三十六条: the 暂缓安排信息化投资计划 decisions in force against a department."""
    return list(
        SupervisionDecision.objects.in_force(day or timeutil.today()).filter(
            organisation_id=organisation_id, kind=DecisionKind.DEFERRAL
        )
    )


@dataclass(frozen=True)
class ProjectSupervision:
    """What the project page shows of supervision (办法第三十四、三十六、三十九条)."""

    findings: list[ComplianceFinding]
    decisions: list[SupervisionDecision]
    deferrals: list[SupervisionDecision]
    exceptions: list[ConnectivityException]


#: Issue 10: the SQL of the project page's supervision part, compiled once per process.
_KEPT = KeptQueries(64)


def _open_findings(organisation_id: int) -> QuerySet[ComplianceFinding]:
    # Only what the project page shows: a finding's agency, a decision's project name (a
    # project's 62 columns joined twice cost more than the rest of the part; issue 10).
    return (
        ComplianceFinding.objects.open()
        .filter(organisation_id=organisation_id)
        .select_related("agency")
        .order_by("set_at", "pk")
    )


def _decisions(organisation_id: int) -> QuerySet[SupervisionDecision]:
    return (
        SupervisionDecision.objects.filter(organisation_id=organisation_id)
        .select_related("project")
        .only(*(f.name for f in SupervisionDecision._meta.concrete_fields), "project__name")
    )


def project_supervision(project: Project) -> ProjectSupervision:
    """The department's open findings and its decisions (the project's own and the
    department-wide ones), the 暂缓安排 in force, and its approved 孤网 exceptions (those
    that may excuse one of the open findings)."""
    findings = _KEPT.list(_open_findings, _open_findings, project.owner_id)
    decisions = _KEPT.list(_decisions, _decisions, project.owner_id)
    today = timeutil.today()
    deferrals = [d for d in decisions if d.kind == DecisionKind.DEFERRAL and d.in_force_on(today)]
    # The page shows the exceptions only through the findings they excuse (issue 10: no query
    # for them when no open finding is of an excusable kind).
    exceptions = (
        list(
            ConnectivityException.objects.filter(
                organisation_id=project.owner_id, state=ConnectivityException.State.APPROVED
            )
        )
        if any(f.kind in EXCUSABLE_KINDS for f in findings)
        else []
    )
    return ProjectSupervision(
        findings=findings, decisions=decisions, deferrals=deferrals, exceptions=exceptions
    )
