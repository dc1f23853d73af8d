"""Writes on project records: the application material (办法第九条) and the facts a
department records on its project later (project code 第十五条, sharing chapters 第十六条,
监理 第二十四条, archive and crypto reports 第二十三、三十一条 …); the department's
consolidated submission of the June call and its amendments (办法第八条); opening a call
(第八条) and an annual plan (第十一条); the yearly performance-report clocks (第二十五条).
Each writes its audit rows in the same transaction; state changes go through
lifecycle.services.perform."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from core import timeutil
from core.states import CHANGEABLE_STATES, ProjectState as S
from core.vocabulary import OrgKind, Role
from lifecycle import acting, audit, clocks, events, guards, second_factor
from lifecycle.errors import ConcurrentUpdate, RuleViolation
from lifecycle.events import Action
from lifecycle.models import Clock, ClockKind
from lifecycle.policy import get_policy
from lifecycle.rules import HEAD
from lifecycle.services import PAGE_STATES, perform, refusal, require_staff

from .models import (
    AnnualPlan,
    Call,
    CallSubmission,
    Organisation,
    Participant,
    Project,
    SubmissionAmendment,
    User,
)
from .participation import clear_edited_confirmations
from .similarity import Corpus, detect_splits, split_pairs

#: 办法第九、十条: material is edited while drafting and during 陈述和补正 only.
EDITABLE_STATES = frozenset({S.DRAFT, S.CORRECTING})


def application_save(
    *,
    actor: User,
    form: forms.ModelForm[Project],
    formsets: Sequence[forms.BaseInlineFormSet[Any, Project, Any]],
) -> Project:
    """Save the application form and its rows (catalogue, yearly amounts, funding,
    participants, level relations). Side effects: audit row ``application.saved`` listing
    the changed fields."""
    project = form.instance
    created = project.pk is None
    if not created and project.state not in EDITABLE_STATES:
        raise RuleViolation(_("当前阶段不能修改申报材料（办法第九、十条）。"), code="state", article="第九条")
    with transaction.atomic():
        project = form.save(commit=False)
        if created:
            # Only a member of an owner unit reaches the application form (web views).
            project.owner = actor.organisation  # type: ignore[assignment]
        project.save()
        for formset in formsets:
            formset.instance = project
            formset.save()
            if formset.model is Participant:
                # 办法第十三条: an edited part is confirmed again by its department.
                clear_edited_confirmations(formset, actor=actor)
        audit.record(
            actor=actor,
            action="application.saved",
            obj=project,
            label=_("创建申报材料") if created else _("修改申报材料"),
            article="第九条",
            from_state=project.state,
            to_state=project.state,
            data={
                "fields": sorted(form.changed_data),
                "rows": {fs.prefix: len(fs.forms) for fs in formsets if fs.has_changed()},
            },
        )
    return project


def project_records_update(*, actor: User, form: forms.ModelForm[Project]) -> Project:
    """Save the facts the department records during approval, construction and acceptance.
    Side effects: audit row ``records.updated`` with old and new values."""
    project = form.instance
    if project.state not in PAGE_STATES["records"]:
        raise RuleViolation(_("项目已结束，不能再修改。"), code="state")
    changed = {name: form.cleaned_data[name] for name in form.changed_data}
    with transaction.atomic():
        form.save()
        audit.record(
            actor=actor,
            action="records.updated",
            obj=project,
            label=_("登记项目信息"),
            from_state=project.state,
            to_state=project.state,
            data={"changed": changed},
        )
    return project


# ================================================================ 申报 (第八、九条)


def _require_department_head(submission: CallSubmission, actor: User | None) -> None:
    """办法第八条: the 申报函 is signed by the department's own 负责人."""
    if (
        actor is None
        or actor.organisation_id != submission.organisation_id
        or not acting.authorise(actor, {Role.HEAD})  # own role or lent (issue 12)
        or actor.org_kind != OrgKind.OWNER
    ):
        raise RuleViolation(
            _("申报函须由%(org)s负责人签发（办法第八条）。") % {"org": submission.organisation},
            code="permission",
            article="第八条",
        )


def _require_call_open(call: Call, what: str) -> None:
    """办法第八条: applications come in during the June call only."""
    today = timeutil.today()
    if call.closed_on is not None and today >= call.closed_on and call.closed_on <= call.closes_on:
        # closed early by the bureau (projects.calls.call_close): say so, with the day
        raise RuleViolation(
            _("征集已于%(d)s提前截止（原定%(o)s至%(c)s），不能%(what)s（办法第八条）。")
            % {"d": call.closed_on, "o": call.opens_on, "c": call.closes_on, "what": what},
            code="closed",
            article="第八条",
        )
    if not call.is_open_on(today):
        raise RuleViolation(
            _("不在年度需求征集期内（%(o)s至%(c)s），不能%(what)s（办法第八条）。")
            % {"o": call.opens_on, "c": call.closes_on, "what": what},
            code="closed",
            article="第八条",
        )


def _require_letter(letter: str, what: str) -> str:
    letter = (letter or "").strip()
    if not letter:
        raise RuleViolation(
            _("请填写%(what)s正文：申报函由负责人签发后随项目一并报送（办法第八条）。") % {"what": what},
            code="letter",
            article="第八条",
        )
    return letter


def _require_responsible_person(person: User | None, organisation: Organisation) -> User:
    """办法第二十一条: 项目责任人为项目建设单位主要负责人. The system knows the unit's leaders
    as its 负责人 accounts; which of them is the 主要负责人 is named, never assumed."""
    if person is None:
        raise RuleViolation(
            _("请指定项目责任人，即%(org)s主要负责人（办法第二十一条）。") % {"org": organisation},
            code="responsible_person",
            article="第二十一条",
        )
    if person.organisation_id != organisation.pk or person.role != Role.HEAD or not person.is_active:
        raise RuleViolation(
            _("项目责任人须为%(org)s主要负责人（本单位负责人账号），“%(who)s”不是（办法第二十一条）。")
            % {"org": organisation, "who": person},
            code="responsible_person",
            article="第二十一条",
        )
    return person


def submission_drafts(organisation: Organisation, call: Call) -> list[Project]:
    """The department's drafts for ``call``, read with what the rules of ``submit`` look at
    (年度投资额, 资金来源, 数据资源目录, the participants and their departments) in a fixed
    number of queries; every draft shares the one department and call object (issue 10)."""
    drafts = list(
        Project.objects.filter(owner=organisation, call=call, state=S.DRAFT, discarded_at__isnull=True)
        .order_by("pk")
        .prefetch_related(
            "yearly_investments",
            "funding_lines",
            "data_resources",
            Prefetch("participants", queryset=Participant.objects.select_related("organisation")),
        )
    )
    for project in drafts:
        project.owner, project.call = organisation, call
    return drafts


def drafts_refused(projects: Sequence[Project], actor: User, responsible_person: User) -> None:
    """Each draft passes its own rules (第八、九、二十一、三十四条 guards of ``submit``), or
    nothing goes. Each is checked with the 项目责任人 the letter names (set in memory here,
    saved by ``_send``). With drafts of ``submission_drafts`` the check runs the same number
    of queries for 5 drafts or 50: the department's 第三十四条 findings are read once."""
    owners = {id(p.owner): p.owner for p in projects}
    for owner in owners.values():
        setattr(owner, guards.FINDINGS_READ, guards.blocking_findings(owner))
    problems = []
    try:
        with second_factor.remembered():  # whether the head has enrolled: asked once, not per draft
            for project in projects:
                project.responsible_person = responsible_person
                why = refusal(project, "submit", actor, via="call_submission")
                if why:
                    problems.append(f"《{project.name}》：{why}")
    finally:
        for owner in owners.values():
            delattr(owner, guards.FINDINGS_READ)
    if problems:
        raise RuleViolation("\n".join(problems), code="guard", article="第九条")


def submission_splits(
    call: Call, organisation: Organisation, new_projects: Iterable[Project]
) -> list[dict[str, Any]]:
    """办法第八条 (相似的项目不得拆分申报): the likely split pairs among the department's
    applications in ``call`` that involve one of ``new_projects`` — for the head to see
    before signing. Computed, nothing written."""
    new = {p.pk for p in new_projects}
    projects = (
        Project.objects.filter(call=call, owner=organisation, discarded_at__isnull=True)
        .exclude(state=S.WITHDRAWN)
        .order_by("pk")
    )
    return [
        {
            "first": p.pk,
            "first_name": p.name,
            "second": q.pk,
            "second_name": q.name,
            "score": score,
            "details": details,
        }
        for p, q, score, details in split_pairs(list(projects), Corpus.for_call(call))
        if p.pk in new or q.pk in new
    ]


def _require_splits_confirmed(warnings: list[dict[str, Any]], confirmed: bool) -> None:
    if warnings and not confirmed:
        pairs = "；".join(
            _("《%(a)s》与《%(b)s》相似度%(s).2f")
            % {"a": w["first_name"], "b": w["second_name"], "s": w["score"]}
            for w in warnings
        )
        raise RuleViolation(
            _(
                "以下项目的建设目标、主要内容、技术路线相似，可能属于拆分申报：%(pairs)s。相似的项目不得拆分申报，"
                "请核实（必要时合并为一个项目）后确认再签发（办法第八条）。"
            )
            % {"pairs": pairs},
            code="split",
            article="第八条",
        )


def _send(
    projects: Iterable[Project],
    *,
    actor: User,
    submission: CallSubmission,
    responsible_person: User,
    amendment: SubmissionAmendment | None = None,
) -> None:
    """Move each draft to ``submitted`` as part of ``submission`` (and ``amendment``)."""
    refs: dict[str, Any] = {"submission": submission.pk, **({"amendment": amendment.pk} if amendment else {})}
    with second_factor.remembered():  # the head's second factor: asked once for the whole letter
        for project in projects:
            project.submission = submission
            project.responsible_person = responsible_person
            project.save(update_fields=["submission", "responsible_person"])
            perform(project, "submit", actor=actor, via="call_submission", **refs)


def call_submit(
    submission: CallSubmission,
    *,
    actor: User,
    letter: str,
    responsible_person: User | None,
    splits_confirmed: bool = False,
) -> CallSubmission:
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
    if submission.submitted_at is not None:
        raise RuleViolation(
            _("本部门本次征集已统一申报，不得分散申报；后来的项目请以补充申报报送（办法第八条）。"),
            code="already_submitted",
            article="第八条",
        )
    _require_department_head(submission, actor)
    _require_call_open(submission.call, _("申报"))
    letter = _require_letter(letter, _("申报函"))
    projects = submission_drafts(submission.organisation, submission.call)
    if not projects:
        raise RuleViolation(_("没有待申报的项目。"), code="empty")
    responsible_person = _require_responsible_person(responsible_person, submission.organisation)
    drafts_refused(projects, actor, responsible_person)
    warnings = submission_splits(submission.call, submission.organisation, projects)
    _require_splits_confirmed(warnings, splits_confirmed)
    with transaction.atomic():
        # Two heads signing at once: the second finds the submission already stamped.
        if (
            CallSubmission.objects.select_for_update()
            .filter(pk=submission.pk, submitted_at__isnull=False)
            .exists()
        ):
            raise ConcurrentUpdate()
        submission.letter = letter
        submission.submitted_at = timeutil.now()
        submission.signed_by = actor
        submission.responsible_person = responsible_person
        submission.split_warnings = warnings
        submission.save()
        audit.record(
            actor=actor,
            action=Action.CALL_SUBMITTED,
            obj=submission,
            label=_("统一申报（签发申报函）"),
            article="第八条",
            reason=letter,
            data={
                "call": submission.call.year,
                "projects": [p.pk for p in projects],
                "responsible_person": responsible_person,
                "split_warnings": warnings,
            },
        )
        _send(projects, actor=actor, submission=submission, responsible_person=responsible_person)
        detect_splits(submission.call, submission.organisation)
    return submission


def call_amend(
    submission: CallSubmission,
    *,
    actor: User,
    letter: str,
    responsible_person: User | None = None,
    splits_confirmed: bool = False,
) -> SubmissionAmendment:
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
    call = submission.call
    if submission.submitted_at is None:
        raise RuleViolation(
            _("本部门尚未统一申报：补充申报只能补充已报送的统一申报，请先统一申报（办法第八条）。"),
            code="not_submitted",
            article="第八条",
        )
    _require_department_head(submission, actor)
    _require_call_open(call, _("补充申报"))
    letter = _require_letter(letter, _("补充申报函"))
    projects = submission_drafts(submission.organisation, call)
    if not projects:
        raise RuleViolation(_("没有待补充申报的项目。"), code="empty")
    responsible_person = _require_responsible_person(
        responsible_person or submission.responsible_person, submission.organisation
    )
    drafts_refused(projects, actor, responsible_person)
    warnings = submission_splits(call, submission.organisation, projects)
    _require_splits_confirmed(warnings, splits_confirmed)
    with transaction.atomic():
        CallSubmission.objects.select_for_update().filter(pk=submission.pk).first()
        amendment = SubmissionAmendment.objects.create(
            submission=submission,
            number=submission.amendments.count() + 1,
            letter=letter,
            submitted_at=timeutil.now(),
            signed_by=actor,
            split_warnings=warnings,
        )
        amendment.projects.set(projects)
        audit.record(
            actor=actor,
            action=Action.CALL_AMENDED,
            obj=amendment,
            label=_("补充申报（第%(n)s次）") % {"n": amendment.number},
            article="第八条",
            reason=letter,
            data={
                "call": call.year,
                "submission": submission.pk,
                "projects": [p.pk for p in projects],
                "responsible_person": responsible_person,
                "split_warnings": warnings,
            },
        )
        _send(
            projects,
            actor=actor,
            submission=submission,
            responsible_person=responsible_person,
            amendment=amendment,
        )
        detect_splits(call, submission.organisation)
    return amendment


def call_open(
    year: int,
    *,
    actor: User,
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    notice: str = "",
    reason: str = "",
) -> Call:
    """办法第八条: the bureau opens the call for ``year``'s needs, by default 6月1日–6月30日 of
    the year before (Policy.call_opens/call_closes); other dates may be set per call, with a
    reason (recorded in the audit row). One call per year."""
    require_staff(actor, OrgKind.BUREAU, roles=HEAD)  # a notice in the bureau's name (办法第八条)
    policy = get_policy()
    defaults = (policy.call_opens.of(year - 1), policy.call_closes.of(year - 1))
    opens_on = opens_on or defaults[0]
    closes_on = closes_on or defaults[1]
    if closes_on < opens_on:
        raise RuleViolation(_("征集截止日期不能早于开始日期。"), code="dates")
    if (opens_on, closes_on) != defaults and not reason.strip():
        raise RuleViolation(
            _("征集时间与默认的征集期（%(o)s至%(c)s）不同，请填写理由（办法第八条）。")
            % {"o": defaults[0].isoformat(), "c": defaults[1].isoformat()},
            code="reason",
            article="第八条",
        )
    if Call.objects.filter(year=year).exists():
        raise RuleViolation(
            _("%(year)s年度的需求征集已发布（办法第八条）。") % {"year": year},
            code="exists",
            article="第八条",
        )
    with transaction.atomic():
        call = Call.objects.create(year=year, opens_on=opens_on, closes_on=closes_on, notice=notice)
        entry = audit.record(
            actor=actor,
            action=Action.CALL_OPENED,
            obj=call,
            label=_("发布年度需求征集"),
            article="第八条",
            reason=reason.strip(),
            data={"opens_on": opens_on, "closes_on": closes_on},
        )
        events.announce(call, Action.CALL_OPENED, actor=actor, entry=entry)
    return call


def performance_report_clocks_open(year: int, *, actor: User | None = None) -> int:
    """办法第二十五条: a report is due by the end of every construction year. Opens the
    clocks of ``year`` for every project under construction (idempotent: one query when
    every clock exists; the rows of the projects lacking one are locked while their clocks
    are opened, in bulk, so two processes checking at once open each once). Run by itself
    on the first request of each day (projects/yearly.py); ``manage.py open_yearly_clocks``
    does the same by hand.
    Returns the number of clocks opened."""
    building = Project.objects.filter(state__in=CHANGEABLE_STATES | {S.SUSPENDED})
    has_clock = Clock.objects.filter(kind=ClockKind.PERFORMANCE_REPORT, year=year)
    missing = building.exclude(Exists(has_clock.filter(project=OuterRef("pk"))))
    if not missing.exists():
        return 0
    # Issue 10: set-based — the projects' rows locked in one statement, checked again in a
    # new statement (a clock opened meanwhile by another process is seen), then every clock
    # with its event and audit row inserted in bulk (lifecycle.clocks.start_calendar_many).
    with transaction.atomic():
        locked = list(missing.select_for_update().order_by("pk").only("pk", "state", "plan_id"))
        opened_meanwhile = set(
            has_clock.filter(project__in=[p.pk for p in locked]).values_list("project_id", flat=True)
        )
        targets = [p for p in locked if p.pk not in opened_meanwhile]
        clocks.start_calendar_many(
            ClockKind.PERFORMANCE_REPORT,
            due_on=get_policy().performance_report_due.of(year),
            targets=targets,
            actor=actor,
            year=year,
        )
    return len(targets)


# ================================================================ annual plan (第十一条)


def plan_open(year: int, *, actor: User) -> AnnualPlan:
    """Create the plan of ``year`` with its compilation clock (due 10月31日 of the year before)."""
    require_staff(actor, OrgKind.BUREAU)
    with transaction.atomic():
        plan, created = AnnualPlan.objects.get_or_create(year=year)
        if created:
            due = get_policy().plan_due.of(year - 1)
            clocks.start_calendar(ClockKind.PLAN_COMPILATION, due_on=due, actor=actor, plan=plan)
            entry = audit.record(
                actor=actor,
                action=Action.PLAN_OPENED,
                obj=plan,
                label=_("开始编制年度建设计划"),
                article="第十一条",
                to_state=plan.state,
            )
            events.announce(plan, Action.PLAN_OPENED, actor=actor, entry=entry)
    return plan
