"""Generating, storing, opening and checking the PDF filings.

Every filing records the outcome of a step of the 办法 (``SPECS``): the joint-review opinion
records 联合审核通过/不通过 (第十条), the design approval records 批复初步设计方案 (第十八条),
the owner's tables record what the owner submitted, and so on. Hence:

* a filing is **issued** (stored, and for letters numbered) only after its step, by that step's
  actor — the transition's own ``Actors`` object, not a second hand-written rule — and from the
  data the step recorded; once per step occurrence (``Filing.step_entry``): asking again names
  the filing already issued and takes no second 发文字号;
* before the step, only a **sample** (样稿/征求意见稿) can be produced: a watermark on every
  page, no 发文字号, nothing stored, an audit row ``filing.previewed``;
* a refusal happens before the number is taken, and the number is taken inside the
  transaction that stores the filing (numbering.py), so a refused or failed generation
  consumes no 发文字号;
* nothing new is generated on a closed, terminated or withdrawn project: what was issued
  stays downloadable.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from core import timeutil
from core.filenames import download_name
from core.states import ChangeState, PlanState, ProjectState as S
from lifecycle import audit
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, ChangeRequest, Rectification
from lifecycle.rules import BUREAU_STAFF, OWNER_STAFF, REVIEWERS, STAFF, Actors, actors
from lifecycle.services import transition_of, transitions_named
from projects import notifications

from . import numbering, pdf, snapshots, storage
from .access import may_see
from .models import Filing, FilingKind

#: Nothing new is issued or sampled on these projects; issued filings stay downloadable.
FROZEN_STATES = frozenset({S.CLOSED, S.TERMINATED, S.WITHDRAWN})

#: Who may draft the annual plan table before it is approved (办法第十一条: 省营商环境局会同省财政厅).
PLAN_DRAFTERS = actors(("bureau", REVIEWERS), ("finance", REVIEWERS))


@dataclass(frozen=True)
class Spec:
    build: Callable
    article: str
    #: audit actions of the step(s) whose outcome the filing records
    steps: tuple[str, ...]
    #: who issues it; None = the actor of the step (the transition's ``permission``)
    issuer: Actors | None = None
    numbered: bool = False
    #: what the filing is about: the project, one of its changes / rectifications /
    #: performance reports, or the annual plan
    subject: str = "project"
    #: a sample may be produced while one of these transitions is pending (their sources)
    preview_before: tuple[str, ...] = ()
    #: who may produce the sample (default: the issuer's organisation, any staff role)
    previewers: Actors | None = None
    #: the recorded 文号 the letter carries instead of a new number from the counter
    number_field: str = ""
    #: label of a step that is not a transition
    step_label: str = ""
    #: only the step occurrences that ended in this state (change filed → 备案回执)
    to_state: str = ""
    applies: Callable | None = field(default=None)
    #: the step closes the project (办法第三十三条: the post-evaluation), so its filing is
    #: issued on the closed project — the only one that is
    after_close: bool = False


def _frozen(spec: Spec, project) -> bool:
    return project.state in FROZEN_STATES and not (spec.after_close and project.state == S.CLOSED)


def _not_merged(project):
    if project.merged_fsr_design:
        return _(
            "本项目可研与初步设计合并审批，只审批可行性研究报告，不单独批复初步设计方案（办法第十七条）。"
        )
    return None


SPECS: dict[str, Spec] = {
    # 办法第十条: the bureau's head decides the joint review; the letter records that decision.
    FilingKind.JOINT_REVIEW_OPINION: Spec(
        snapshots.joint_review_opinion,
        "第十条",
        ("pass_review", "reject_review"),
        numbered=True,
        preview_before=("pass_review", "reject_review"),
    ),
    # 办法第十八条: the design reviewer's head (省营商环境局, or 省内网办 for intranet projects)
    # approves the design; the letter carries the 批复文号 the step recorded.
    FilingKind.DESIGN_APPROVAL: Spec(
        snapshots.design_approval,
        "第十八条",
        ("approve_design",),
        numbered=True,
        preview_before=("approve_design",),
        number_field="design_approval_no",
        applies=_not_merged,
    ),
    # 办法第十八条: the same body's refusal (refuse_design) is a letter of that step; it is
    # never an approval letter (DESIGN_APPROVAL belongs to approve_design only).
    FilingKind.DESIGN_REFUSAL: Spec(snapshots.design_refusal, "第十八条", ("refuse_design",), numbered=True),
    # 办法第二十八条: a change within the limits is filed with the bureau, which acknowledges it.
    FilingKind.CHANGE_RECEIPT: Spec(
        snapshots.change_receipt,
        "第二十八条",
        ("submit",),
        issuer=BUREAU_STAFF,
        numbered=True,
        subject="change",
        to_state="filed",
    ),
    # 办法第二十八条: a change beyond filing is decided by whoever the policy names for its kind
    # (lifecycle.rules._change_approver); the decision, approved or not, is its own letter.
    FilingKind.CHANGE_APPROVAL: Spec(
        snapshots.change_approval,
        "第二十八条",
        ("approve", "reject"),
        numbered=True,
        subject="change",
    ),
    # 办法第三十六条: the notice is part of the order to rectify, by whoever ordered it.
    FilingKind.RECTIFICATION_NOTICE: Spec(
        snapshots.rectification_notice,
        "第三十六条",
        ("order_rectification",),
        numbered=True,
        subject="rectification",
    ),
    # 办法第二十九条: the acceptance decision of the bureau's head, passed or not.
    FilingKind.ACCEPTANCE_OPINION: Spec(
        snapshots.acceptance_opinion,
        "第二十九条",
        ("accept", "fail_acceptance"),
        numbered=True,
        preview_before=("accept",),
    ),
    # The owner's tables: what the owner's staff submitted with the step.
    FilingKind.APPLICATION_FORM: Spec(
        snapshots.application_form,
        "第九条",
        ("submit", "request_emergency"),
        issuer=OWNER_STAFF,
        preview_before=("submit", "request_emergency"),
    ),
    FilingKind.CHANGE_FORM: Spec(
        snapshots.change_form, "第二十八条", ("submit",), issuer=OWNER_STAFF, subject="change"
    ),
    FilingKind.EXTENSION_FORM: Spec(
        snapshots.extension_form,
        "第二十九条",
        ("request_extension",),
        issuer=OWNER_STAFF,
        preview_before=("request_extension",),
    ),
    FilingKind.ACCEPTANCE_FORM: Spec(
        snapshots.acceptance_form,
        "第二十九条",
        ("apply_acceptance",),
        issuer=OWNER_STAFF,
        preview_before=("apply_acceptance",),
    ),
    FilingKind.PERFORMANCE_FORM: Spec(
        snapshots.performance_form,
        "第二十五条",
        ("performance_report.submitted",),
        issuer=OWNER_STAFF,
        subject="performance",
        step_label=gettext_lazy("报送年度绩效评价报告"),
    ),
    FilingKind.SELF_EVALUATION_FORM: Spec(
        snapshots.self_evaluation_form,
        "第三十三条",
        ("submit_self_evaluation",),
        issuer=OWNER_STAFF,
        preview_before=("submit_self_evaluation",),
    ),
    # 办法第三十三条: the post-evaluation of the organisation the bureau commissioned — issued
    # by that organisation (the step's own Actors, lifecycle.rules.POST_EVALUATOR).
    FilingKind.POST_EVALUATION_REPORT: Spec(
        snapshots.post_evaluation_report,
        "第三十三条",
        ("finish_post_evaluation",),
        preview_before=("finish_post_evaluation",),
        after_close=True,
    ),
    # 办法第十一、十二条: the plan is official once approved by the government (and again when
    # issued with its 文号); before that the bureau and 财政厅 only draft it.
    FilingKind.ANNUAL_PLAN: Spec(
        snapshots.annual_plan,
        "第十一条",
        ("approve", "issue"),
        issuer=BUREAU_STAFF,
        subject="plan",
        previewers=PLAN_DRAFTERS,
    ),
}

PROJECT_KINDS = [k for k, s in SPECS.items() if s.subject != "plan"]


@dataclass
class Preview:
    """A sample: PDF bytes for download, never stored, never numbered."""

    title: str
    data: bytes
    pages: int
    #: the project's name (empty for the plan, whose title names its year)
    subject: str = ""

    @property
    def filename(self) -> str:
        """Issue 15: the title, the project and the day, marked 样稿."""
        return download_name(
            self.title + _("（样稿）"), subject=self.subject, day=timeutil.today(), ext="pdf"
        )


# ---------------------------------------------------------------- what a filing is about


def _object_id(object_id):
    if object_id in (None, ""):
        return None
    try:
        value = int(object_id)
    except (TypeError, ValueError):
        raise RuleViolation(_("文书对应的事项编号无效，请从项目页面生成。"), code="object") from None
    if not 0 < value < 2**31:
        raise RuleViolation(_("文书对应的事项编号无效，请从项目页面生成。"), code="object")
    return value


def candidates(spec: Spec, project) -> list:
    """The objects of ``project`` a filing of ``spec`` may be about (newest first)."""
    if spec.subject == "change":
        return list(ChangeRequest.objects.filter(project=project).order_by("-pk"))
    if spec.subject == "rectification":
        return list(Rectification.objects.filter(project=project).order_by("-pk"))
    if spec.subject == "performance":
        return list(project.performance_reports.order_by("-year", "-pk"))
    return [None]


def _load(spec: Spec, project, object_id):
    if spec.subject == "project":
        return None
    pk = _object_id(object_id)
    found = candidates(spec, project)
    if pk is not None:
        found = [o for o in found if o.pk == pk]
    if spec.to_state:
        found = [o for o in found if o.state == spec.to_state] or found
    if not found:
        raise RuleViolation(
            {
                "change": _("没有对应的项目变更。"),
                "rectification": _("没有整改通知事项。"),
                "performance": _("尚未报送年度绩效评价报告。"),
            }[spec.subject],
            code="missing",
        )
    return found[0]


def occurrence(spec: Spec, *, project=None, plan=None, obj=None) -> AuditEntry | None:
    """The audit row of the (latest) step occurrence whose outcome the filing records."""
    if spec.subject == "plan":
        return (
            # The plan's own rows by (object_type, object_id): ``plan=plan`` also matched every
            # project row carrying the plan, and SQLite walked them all (issue 10).
            AuditEntry.objects.filter(
                object_type=plan._meta.label_lower, object_id=str(plan.pk), action__in=spec.steps
            )
            .order_by("-pk")
            .first()
        )
    if spec.subject == "change":
        qs = AuditEntry.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action__in=spec.steps
        )
        if spec.to_state:
            qs = qs.filter(to_state=spec.to_state)
        return qs.order_by("-pk").first()
    rows = AuditEntry.objects.filter(
        project=project,
        object_type=project._meta.label_lower,
        object_id=str(project.pk),
        action__in=spec.steps,
    )
    if spec.subject == "rectification":
        # Each order_rectification step creates one Rectification: the n-th order is the n-th row.
        order = list(
            Rectification.objects.filter(project=project).order_by("pk").values_list("pk", flat=True)
        )
        entries = list(rows.order_by("pk"))
        index = order.index(obj.pk)
        return entries[index] if index < len(entries) else None
    if spec.subject == "performance":
        rows = AuditEntry.objects.filter(project=project, action__in=spec.steps).order_by("-pk")
        return next((e for e in rows if str((e.data or {}).get("year")) == str(obj.year)), None)
    return rows.order_by("-pk").first()


def _transition(subject, name):
    return transition_of(subject, name)[0]


def _step_subject(spec, project, plan, obj):
    return plan if spec.subject == "plan" else obj if spec.subject == "change" else project


def step_label(spec: Spec, subject) -> str:
    if spec.step_label:
        return str(spec.step_label)
    return "或".join(dict.fromkeys(str(_transition(subject, n).custom["label"]) for n in spec.steps))


def issuers(spec: Spec, subject, entry: AuditEntry | None = None) -> Actors:
    """Who issues the filing: the declared Actors, or the step's own ``permission``."""
    if spec.issuer is not None:
        return spec.issuer
    return _transition(subject, entry.action if entry else spec.steps[0]).permission


def _label(kind) -> str:
    return str(FilingKind(kind).label)


# ---------------------------------------------------------------- the rules


def _common(kind, spec, actor, project, plan, facts=None):
    if project is not None:
        if not (facts.seen if facts is not None else may_see(actor, project)):
            raise RuleViolation(_("无权查看本项目。"), code="permission")
        if _frozen(spec, project):
            raise RuleViolation(
                _("项目已%(state)s，不再生成文书；已出具的文书可在项目页面下载。")
                % {"state": project.get_state_display()},
                code="frozen",
            )
        if spec.applies is not None:
            why = spec.applies(project)
            if why:
                raise RuleViolation(why, code="not_applicable", article=spec.article)
    elif getattr(actor, "organisation", None) is None and not getattr(actor, "is_superuser", False):
        raise RuleViolation(_("无权生成此文书。"), code="permission")


def _resolve(kind: str, project, plan):
    spec = SPECS.get(kind)
    if spec is None or kind == FilingKind.HISTORY:
        raise RuleViolation(_("未知的文书类型。"), code="kind")
    if (spec.subject == "plan") != (plan is not None) or (plan is None and project is None):
        raise RuleViolation(_("年度建设计划在计划页面生成，其他文书在项目页面生成。"), code="kind")
    return spec


def issue_check(
    kind: str, *, actor, project=None, plan=None, object_id=None, obj=None, facts: _Facts | None = None
):
    """(spec, obj, step entry, issuer Actors) when ``actor`` may issue ``kind`` now; else refuse.

    Refusals, in order: unknown kind; outsider; frozen project; not applicable (第十七条);
    the step has not happened; not the step's actor; already issued for this step.
    ``facts``: what ``actions_for`` loaded once for every kind (the same answers, fewer queries)."""
    spec = _resolve(kind, project, plan)
    _common(kind, spec, actor, project, plan, facts)
    if obj is None:
        obj = _load(spec, project, object_id) if project is not None else None
    subject = _step_subject(spec, project, plan, obj)
    if facts is not None:
        entry = facts.occurrence(spec, obj)
    else:
        entry = occurrence(spec, project=project, plan=plan, obj=obj)
    if entry is None:
        raise RuleViolation(
            _(
                "《%(kind)s》记录“%(step)s”的结果，该步骤尚未办理，不能出具（办法%(article)s）；"
                "办理前只能生成样稿。"
            )
            % {"kind": _label(kind), "step": step_label(spec, subject), "article": spec.article},
            code="step",
            article=spec.article,
        )
    who = issuers(spec, subject, entry)
    # A change's own step is asked about the change (办法第二十八条: its approver depends on it).
    target = subject if spec.subject == "change" and subject is not None else project or plan
    why = who.refusal(target, actor)
    if why:
        raise RuleViolation(
            _("《%(kind)s》%(why)s出具（办法%(article)s）。")
            % {"kind": _label(kind), "why": why.replace("办理", ""), "article": spec.article},
            code="permission",
            article=spec.article,
        )
    if facts is not None:
        existing = facts.filing(kind, entry)
    else:
        existing = Filing.objects.filter(kind=kind, step_entry=entry).defer("snapshot").first()
    if existing is not None:
        raise _already(existing)
    return spec, obj, entry, who


def _already(existing: Filing) -> RuleViolation:
    if existing.document_no:
        text = _("《%(title)s》已于%(at)s出具，发文字号%(no)s，不重复编号；请在项目页面下载已出具的文书。")
    else:
        text = _("《%(title)s》已于%(at)s生成，请在项目页面下载。")

    exc = RuleViolation(
        text
        % {
            "title": existing.title,
            "no": existing.document_no,
            "at": timezone.localtime(existing.generated_at).strftime("%Y-%m-%d %H:%M"),
        },
        code="issued",
    )
    exc.filing = existing
    return exc


def preview_check(
    kind: str, *, actor, project=None, plan=None, object_id=None, obj=None, facts: _Facts | None = None
):
    """(spec, obj) when ``actor`` may produce a sample of ``kind`` now; else refuse.

    A sample is for the issuing organisation while the step is pending."""
    spec = _resolve(kind, project, plan)
    _common(kind, spec, actor, project, plan, facts)
    if obj is None:
        obj = _load(spec, project, object_id) if project is not None and spec.subject != "project" else None
    subject = _step_subject(spec, project, plan, obj)
    who = spec.previewers or issuers(spec, subject)
    target = subject if spec.subject == "change" and subject is not None else project or plan
    role = getattr(actor, "role", "")
    if not (any(g.org_matches(target, actor) for g in who.grants) and role in (STAFF | REVIEWERS)):
        raise RuleViolation(
            _("《%(kind)s》的样稿由%(who)s生成。") % {"kind": _label(kind), "who": who.describe(target)},
            code="permission",
            article=spec.article,
        )
    if not _pending(spec, project, plan, obj):
        raise RuleViolation(
            _(
                "现阶段不能生成《%(kind)s》样稿：样稿只在“%(step)s”办理前生成；已办理的，由%(who)s"
                "出具正式文书（办法%(article)s）。"
            )
            % {
                "kind": _label(kind),
                "step": step_label(spec, subject),
                "who": issuers(spec, subject).describe(target),
                "article": spec.article,
            },
            code="step",
            article=spec.article,
        )
    return spec, obj


def _pending(spec, project, plan, obj) -> bool:
    if spec.subject == "plan":
        return plan.state in (PlanState.COMPILING, PlanState.SUBMITTED)
    if spec.subject == "change":
        return spec.to_state == "" and obj is not None and obj.state == ChangeState.DRAFT
    if not spec.preview_before:
        return False
    return any(project.state in _sources(project, n) for n in spec.preview_before)


def _sources(obj, name) -> set:
    return {t.source for t in transitions_named(obj, name)}


class _Facts:
    """What ``actions_for`` asks about one project, loaded once for all the kinds (issue 10:
    the project page asked may_see, the step's audit row and the filing issued for it once
    per kind and object — about fifty queries — where these are four at most). Each answer
    is the one ``occurrence`` and ``issue_check`` give from the database."""

    def __init__(
        self,
        project,
        seen: bool,
        *,
        candidates: dict[str, list] | None = None,
        entries: list | None = None,
        filings: list | None = None,
    ):
        self.project = project
        self.seen = seen
        self._candidates: dict[str, list] = {}
        for subject, found in (candidates or {}).items():
            self._keep(subject, found)
        self._entries: list | None = None
        self._change_entries: list | None = None
        self._all_entries = entries
        if entries is not None:
            steps = self._steps(change=False)
            self._entries = sorted((e for e in entries if e.action in steps), key=lambda e: e.pk)
        self._filings: dict | None = None
        if filings is not None:
            self._filings = {(f.kind, f.step_entry_id): f for f in filings if f.step_entry_id}

    @staticmethod
    def _steps(*, change: bool) -> set[str]:
        return {
            a
            for s in SPECS.values()
            if s.subject != "plan" and (s.subject == "change") == change
            for a in s.steps
        }

    def _keep(self, subject: str, found: list) -> None:
        for obj in found:
            if obj is not None:
                obj.project = self.project  # the same row: no query per object for its project
        self._candidates[subject] = found

    def candidates(self, spec: Spec) -> list:
        if spec.subject not in self._candidates:
            self._keep(spec.subject, candidates(spec, self.project))
        return self._candidates[spec.subject]

    def _project_entries(self) -> list:
        if self._entries is None:
            self._entries = list(
                AuditEntry.objects.filter(project=self.project, action__in=self._steps(change=False))
                .only("pk", "action", "object_type", "object_id", "to_state", "data")
                .order_by("pk")
            )
        return self._entries

    def _changes_entries(self) -> list:
        if self._change_entries is None:
            changes = self.candidates(SPECS[FilingKind.CHANGE_RECEIPT])
            self._change_entries = []
            if changes and self._all_entries is not None:
                # A change's rows carry its project (lifecycle.audit.record: obj.project).
                steps, label = self._steps(change=True), changes[0]._meta.label_lower
                ids = {str(c.pk) for c in changes}
                self._change_entries = sorted(
                    (
                        e
                        for e in self._all_entries
                        if e.object_type == label and e.object_id in ids and e.action in steps
                    ),
                    key=lambda e: e.pk,
                )
            elif changes:
                steps = self._steps(change=True)
                self._change_entries = list(
                    AuditEntry.objects.filter(
                        object_type=changes[0]._meta.label_lower,
                        object_id__in=[str(c.pk) for c in changes],
                        action__in=steps,
                    )
                    .only("pk", "action", "object_type", "object_id", "to_state", "data")
                    .order_by("pk")
                )
        return self._change_entries

    def occurrence(self, spec: Spec, obj) -> AuditEntry | None:
        """``occurrence(spec, project=…, obj=…)`` from the rows loaded once."""
        project = self.project
        if spec.subject == "change":
            rows = [
                e
                for e in self._changes_entries()
                if e.object_type == obj._meta.label_lower
                and e.object_id == str(obj.pk)
                and e.action in spec.steps
                and (not spec.to_state or e.to_state == spec.to_state)
            ]
            return rows[-1] if rows else None
        entries = self._project_entries()
        if spec.subject == "performance":
            return next(
                (
                    e
                    for e in reversed(entries)
                    if e.action in spec.steps and str((e.data or {}).get("year")) == str(obj.year)
                ),
                None,
            )
        rows = [
            e
            for e in entries
            if e.object_type == project._meta.label_lower
            and e.object_id == str(project.pk)
            and e.action in spec.steps
        ]
        if spec.subject == "rectification":
            order = sorted(o.pk for o in self.candidates(spec))
            index = order.index(obj.pk)
            return rows[index] if index < len(rows) else None
        return rows[-1] if rows else None

    def filing(self, kind: str, entry: AuditEntry) -> Filing | None:
        """The filing of ``kind`` already issued for the step ``entry``."""
        if self._filings is None:
            ids = [e.pk for e in self._project_entries()] + [e.pk for e in self._changes_entries()]
            self._filings = (
                {
                    (f.kind, f.step_entry_id): f
                    for f in Filing.objects.filter(step_entry_id__in=ids).defer("snapshot")
                }
                if ids
                else {}
            )
        return self._filings.get((kind, entry.pk))


def actions_for(
    actor,
    project,
    *,
    seen: bool | None = None,
    candidates: dict[str, list] | None = None,
    entries: list | None = None,
    filings: list | None = None,
) -> list[dict]:
    """What ``actor`` may generate for ``project`` now (the project page's buttons): issuing a
    filing after its step, or a sample before it. Each: kind, label, mode ("issue" |
    "preview"), object_id and a short description of the object. The same checks as
    ``issue_check`` and ``preview_check``, on facts loaded once (``_Facts``).

    What the caller has loaded already may be passed: ``seen`` (``may_see``), ``candidates``
    (subject → the objects ``candidates`` returns, in its order), ``entries`` (every audit row
    of the project) and ``filings`` (every filing of the project)."""
    result = []
    if not (may_see(actor, project) if seen is None else seen):
        return result
    facts = _Facts(project, seen=True, candidates=candidates, entries=entries, filings=filings)
    for kind in PROJECT_KINDS:
        spec = SPECS[kind]
        if _frozen(spec, project):
            continue
        for obj in facts.candidates(spec):
            about = str(obj) if obj is not None else ""
            base = {
                "kind": kind,
                "label": _label(kind),
                "object_id": obj.pk if obj is not None else "",
                "about": about,
            }
            try:
                issue_check(kind, actor=actor, project=project, obj=obj, facts=facts)
            except RuleViolation:
                pass
            else:
                result.append({**base, "mode": "issue"})
                continue
            try:
                preview_check(kind, actor=actor, project=project, obj=obj, facts=facts)
            except RuleViolation:
                continue
            result.append({**base, "mode": "preview"})
    return result


def plan_actions_for(actor, plan) -> list[dict]:
    """The plan page's button: issue the plan table after approval, a draft before."""
    for mode, check in (("issue", issue_check), ("preview", preview_check)):
        try:
            check(FilingKind.ANNUAL_PLAN, actor=actor, plan=plan)
        except RuleViolation:
            continue
        return [{"kind": FilingKind.ANNUAL_PLAN, "label": _label(FilingKind.ANNUAL_PLAN), "mode": mode}]
    return []


# ---------------------------------------------------------------- building and issuing


def _snapshot(spec, *, project, plan, obj, issuer, entry, preview: bool) -> dict:
    facts = snapshots.Facts(preview=preview)
    if plan is not None:
        snapshot = spec.build(plan, issuer=issuer, entry=entry, facts=facts)
    else:
        snapshot = spec.build(project, issuer=issuer, obj=obj, entry=entry, facts=facts)
    if facts.missing and not preview:
        raise RuleViolation(
            _("不能出具《%(title)s》：缺少%(missing)s。请先补录后再出具。")
            % {"title": snapshot["title"], "missing": "、".join(dict.fromkeys(facts.missing))},
            code="missing_data",
            article=spec.article,
        )
    return snapshot


def _issuer_org(spec, actor, project):
    if spec.issuer is OWNER_STAFF and project is not None:
        return project.owner
    return actor.organisation


def generate(
    kind: str, *, actor, project=None, plan=None, object_id=None, progress: pdf.PartProgress | None = None
) -> Filing:
    """Issue filing ``kind`` for ``project`` (or ``plan``) as ``actor``, after its step.

    Refused (RuleViolation, nothing stored, no number taken) unless ``issue_check`` passes and
    the step recorded every figure the filing states. Side effects (one transaction): a
    发文字号 taken for letters (or the 文号 the step recorded); the PDF rendered from the
    snapshot and stored; a Filing row with snapshot, number, step and SHA-256/SM3 digests;
    an audit row ``filing.generated``.
    """
    spec, obj, entry, _who = issue_check(kind, actor=actor, project=project, plan=plan, object_id=object_id)
    issuer = _issuer_org(spec, actor, project)
    snapshot = _snapshot(spec, project=project, plan=plan, obj=obj, issuer=issuer, entry=entry, preview=False)
    year = timeutil.today().year
    subject = project or plan
    key = f"filings/{'project' if project else 'plan'}-{subject.pk}/{kind}-{uuid.uuid4().hex}.pdf"
    stored = None
    rendered = None
    if spec.number_field:
        snapshot["document_no"] = snapshot.get("recorded_no") or ""
    if spec.number_field or not spec.numbered:
        # Known before the transaction (no 发文字号 to take): the PDF is set first, so a long
        # form (the annual plan, in parts: documents/pdf.py) never holds the database; the
        # rules are asked again inside the transaction below.
        rendered = pdf.render_long(snapshot["template"], snapshot, progress=progress or pdf.no_progress)
    try:
        with transaction.atomic():
            number = None
            if rendered is not None:
                issue_check(kind, actor=actor, project=project, plan=plan, obj=obj)
                data, pages = rendered
            else:
                number, snapshot["document_no"] = numbering.allocate(issuer, year)
                data, pages = pdf.render(snapshot["template"], snapshot)
            sha, sm3 = storage.digests(data)
            stored = storage.save_bytes(key, data)
            try:
                with transaction.atomic():
                    filing = Filing.objects.create(
                        kind=kind,
                        title=snapshot["title"],
                        project=project,
                        plan=plan,
                        issuer=issuer,
                        year=year,
                        number=number,
                        document_no=snapshot["document_no"],
                        snapshot=snapshot,
                        storage_key=stored,
                        size=len(data),
                        pages=pages,
                        sha256=sha,
                        sm3=sm3,
                        generated_by=actor,
                        generated_at=timeutil.now(),
                        step_entry=entry,
                    )
            except IntegrityError:
                # Issued concurrently for the same step: the other one stands (and its number).
                existing = Filing.objects.filter(kind=kind, step_entry=entry).first()
                if existing is None:
                    raise
                raise _already(existing) from None
            audit.record(
                actor=actor,
                action="filing.generated",
                obj=subject,
                label=_("出具%(kind)s") % {"kind": filing.get_kind_display()},
                article=spec.article,
                from_state=subject.state,
                to_state=subject.state,
                data={
                    "filing": filing.pk,
                    "document_no": filing.document_no,
                    "sha256": sha,
                    "sm3": sm3,
                    "step": entry.action,
                    "step_entry": entry.pk,
                },
            )
            # Issue 12: the letter or form is announced to those it concerns (inbox, e-mail).
            notifications.filing_issued(filing, actor=actor, article=spec.article)
    except BaseException:
        if stored:
            storage.discard(stored)  # the row and the number were rolled back: no file without its row
        raise
    return filing


def preview(
    kind: str, *, actor, project=None, plan=None, object_id=None, progress: pdf.PartProgress | None = None
) -> Preview:
    """A sample of ``kind`` before its step: watermarked 征求意见稿/样稿 on every page, no
    发文字号, not stored. Side effect: an audit row ``filing.previewed``."""
    spec, obj = preview_check(kind, actor=actor, project=project, plan=plan, object_id=object_id)
    issuer = _issuer_org(spec, actor, project)
    snapshot = _snapshot(spec, project=project, plan=plan, obj=obj, issuer=issuer, entry=None, preview=True)
    snapshot["watermark"] = _("征求意见稿") if snapshot["template"] == "documents/letter.html" else _("样稿")
    snapshot["document_no"] = ""
    data, pages = pdf.render_long(snapshot["template"], snapshot, progress=progress or pdf.no_progress)
    subject = project or plan
    sha, _sm3 = storage.digests(data)
    audit.record(
        actor=actor,
        action="filing.previewed",
        obj=subject,
        label=_("生成%(kind)s样稿") % {"kind": _label(kind)},
        article=spec.article,
        from_state=subject.state,
        to_state=subject.state,
        data={"kind": kind, "sha256": sha, "pages": pages, **({"object_id": obj.pk} if obj else {})},
    )
    return Preview(title=snapshot["title"], data=data, pages=pages, subject=project.name if project else "")


def filing_open(filing: Filing, *, actor):
    """Open the stored PDF; records the download (audit row ``filing.downloaded``)."""
    subject = filing.project or filing.plan
    handle = storage.open_file(filing.storage_key)  # first: no "downloaded" row for a file not given
    try:
        audit.record(
            actor=actor,
            action="filing.downloaded",
            obj=subject,
            label=_("下载%(kind)s") % {"kind": filing.get_kind_display()},
            from_state=subject.state,
            to_state=subject.state,
            data={"filing": filing.pk, "document_no": filing.document_no},
        )
    except BaseException:
        handle.close()
        raise
    return handle


def filing_verify(filing: Filing) -> dict:
    """Check a filing: the stored file against its digests, and a fresh rendering of the
    stored snapshot against the stored file."""
    with storage.open_file(filing.storage_key) as fh:
        stored = fh.read()
    sha, sm3 = storage.digests(stored)
    again, _pages = pdf.render(filing.snapshot["template"], filing.snapshot)
    return {
        "stored_intact": (sha, sm3) == (filing.sha256, filing.sm3),
        "reproducible": storage.digests(again)[0] == filing.sha256,
    }
