"""Guards of the project and plan state machines, one function per rule of the 办法.

Each guard returns True when the rule holds. Guards marked ``overridable`` implement a
原则上 rule (see rules.Guard).
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _l

from core import timeutil
from core.states import BUILT_STATES, ENDED_STATES, PlanState
from core.validation import add_months
from core.vocabulary import MaterialKind, Role

from . import evidence
from .models import EMERGENCY_SECURITY_ASPECTS, JOINT_REVIEW_ASPECTS, Aspect, Contract

# 建设性质 (issue 15): the guards of the two execution paths, 第十五、十七、二十一、二十五、二十九、
# 三十四、三十八条 (lifecycle/nature_guards.py).
from .nature_guards import (  # noqa: F401
    acceptance_path_nature,
    approval_path_nature,
    merged_ground_fits_nature,
    nature_links_given,
    service_contract_recorded,
    service_path_nature,
    system_compliant,
    yearly_reports_submitted,
)
from .policy import get_policy
from .rules import guard
from .stepdata import wan_text


def _today():
    return timeutil.today()


# ---------------------------------------------------------------- 第二章 年度计划管理


def clause(message, article: str) -> str:
    """A message of its own used as a clause of a guard's message (issue 11: "。；" and
    "（办法第九条）。（办法第九条）"): without its closing 。 and without the citation of the
    guard's own article, which Guard.explain adds once at the end."""
    text = str(message).strip().rstrip("。；")
    cited = f"（办法{article}）"
    return text[: -len(cited)] if text.endswith(cited) else text


@guard(
    lambda p: (
        _l("申报材料不全：%(items)s")
        % {"items": "；".join(clause(m, "第九条") for _f, m in p.missing_application_items())}
    ),
    article="第九条",
)
def application_complete(project) -> bool:
    return not project.missing_application_items()


def day_text(day) -> str:
    """A date as a refusal says it (issue 11: a date window says when it opens or closes):
    "2027年3月1日" in Chinese, "Mar. 1, 2027" in English (the locale's DATE_FORMAT)."""
    return date_format(day, "DATE_FORMAT")


def call_window_text(project) -> str:
    """办法第八条: why the call's window is shut today, with its dates."""
    call = project.call if project.call_id else None
    if call is None:
        return str(_l("不在年度需求征集期内，不能申报：本项目未选择年度需求征集"))
    today, window = _today(), {"opens": day_text(call.opens_on), "closes": day_text(call.closes_on)}
    if today < call.opens_on:
        return str(_l("不在年度需求征集期内，不能申报：征集期%(opens)s至%(closes)s，尚未开始") % window)
    if call.closed_on is not None and today >= call.closed_on and call.closed_on <= call.closes_on:
        return str(
            _l("不在年度需求征集期内，不能申报：征集已于%(closed)s提前截止（原定%(opens)s至%(closes)s）")
            % {**window, "closed": day_text(call.closed_on)}
        )
    return str(_l("不在年度需求征集期内，不能申报：征集期%(opens)s至%(closes)s，已经截止") % window)


@guard(call_window_text, article="第八条")
def call_is_open(project) -> bool:
    return project.call_id is not None and project.call.is_open_on(_today())


def blocking_findings(owner) -> list:
    """办法第三十四条: the open findings of ``owner`` (projects.ComplianceFinding, read through
    its reverse relation) that an approved 孤网 exception does not excuse. A consolidated
    submission checks many drafts of one owner and reads them once (``FINDINGS_READ``)."""
    known = getattr(owner, FINDINGS_READ, None)
    if known is not None:
        return known
    return list(owner.compliance_findings.blocking().select_related("agency").order_by("set_at", "pk"))


#: The attribute under which ``blocking_findings`` of an owner, read once, are left on the owner
#: while many of its drafts are checked together (projects.services.drafts_refused, issue 10).
FINDINGS_READ = "blocking_findings_read"


def findings_text(owner) -> str:
    return "；".join(
        _l("%(system)s：%(kind)s（%(agency)s认定）")
        % {"system": f.system, "kind": f.get_kind_display(), "agency": f.agency or "—"}
        for f in blocking_findings(owner)
    )


@guard(
    lambda p: (
        _l(
            "%(owner)s存在未解除的情形（%(findings)s），不得新建、改建、扩建政务信息系统，不得申报运行维护经费"
        )
        % {"owner": p.owner, "findings": findings_text(p.owner)}
    ),
    article="第三十四条",
)
def owner_compliant(project) -> bool:
    return not blocking_findings(project.owner)


def _deferrals(project):
    return project.owner.supervision_decisions.deferrals_in_force(_today()).order_by("decided_on", "pk")


# 办法第三十六条: while a 暂缓安排信息化投资计划 decision against the department is in force, its
# projects are not arranged in the annual plan (lifecycle.services.plan_include). The bureau
# that decided it lifts it early, with a reason (projects.supervision.decision_lift).
@guard(
    lambda p: (
        _l("%(owner)s被暂缓安排信息化投资计划（%(docs)s），解除或到期前不编入年度建设计划")
        % {"owner": p.owner, "docs": "、".join(d.document_no for d in _deferrals(p))}
    ),
    article="第三十六条",
)
def owner_not_deferred(project) -> bool:
    return not _deferrals(project).exists()


def scheduled_completion(project):
    """办法第十二条: the day ``project`` is due to be built by its own schedule — the planned
    start plus the 建设工期 (办法第九条), else the end of the last year it has a 年度投资额 for;
    None when it states neither (then it cannot be behind)."""
    if project.planned_start and project.period_months:
        return add_months(project.planned_start, project.period_months) - datetime.timedelta(days=1)
    years = [y.year for y in project.yearly_investments.all()]
    return datetime.date(max(years), 12, 31) if years else None


def unconfirmed_participants(project) -> list[str]:
    """办法第十三条: the participating departments that have not confirmed their part."""
    if project.pk is None:
        return []
    if "participants" in getattr(project, "_prefetched_objects_cache", {}):
        # Prefetched with their organisations (projects.services.submission_drafts, issue 10).
        return [p.organisation.name for p in project.participants.all() if p.confirmed_at is None]
    return [
        p.organisation.name
        for p in project.participants.filter(confirmed_at__isnull=True).select_related("organisation")
    ]


@guard(
    lambda p: (
        _l("跨部门项目须由牵头部门会同参建部门共同确定建设方案，以下参建部门尚未确认其参建内容：%(orgs)s")
        % {"orgs": "、".join(unconfirmed_participants(p))}
    ),
    article="第十三条",
)
def participants_confirmed(project) -> bool:
    return not unconfirmed_participants(project)


def unfinished_previous_plan(project) -> list:
    """办法第十二条 (上一年度建设计划未完成): the owner's projects in the plan of the year before
    the call that are behind their own schedule (scheduled_completion before today) and not
    built. A project on time is not unfinished, however many years it runs; a project that
    ended (core.states.ENDED_STATES: terminated, cancelled, withdrawn …) no longer counts
    against the department once its end is recorded."""
    projects = type(project).objects
    year = project.year
    if year is None:
        return []
    candidates = (
        projects.filter(
            owner_id=project.owner_id, plan__year=year - get_policy().unfinished_plan_lookback_years
        )
        .exclude(state__in=BUILT_STATES | ENDED_STATES)
        .exclude(pk=project.pk)
        .prefetch_related("yearly_investments")
        .order_by("pk")
    )
    today = _today()
    behind = []
    for candidate in candidates:
        due = scheduled_completion(candidate)
        if due is not None and due < today:
            candidate.scheduled_completion = due
            behind.append(candidate)
    return behind


@guard(
    lambda p: (
        _l("本部门上一年度建设计划尚有未按期完成的项目（%(names)s），原则上不予安排新项目")
        % {
            "names": "、".join(
                _l("《%(name)s》应于%(due)s建成")
                % {"name": u.name, "due": u.scheduled_completion.isoformat()}
                for u in unfinished_previous_plan(p)[:5]
            )
        }
    ),
    article="第十二条",
    overridable=True,
)
def previous_plan_finished(project) -> bool:
    return not unfinished_previous_plan(project)


def _latest_opinions(project, stage):
    latest = {}
    for opinion in project.opinions.filter(stage=stage).order_by("given_at", "pk"):
        latest[opinion.aspect] = opinion
    return latest


@guard(
    lambda p: (
        _l("尚缺%(missing)s")
        % {
            "missing": "、".join(
                str(label)
                for aspect, label in _joint_aspects()
                if aspect not in _latest_opinions(p, "joint_review")
            )
        }
    ),
    article="第十条",
)
def joint_opinions_given(project) -> bool:
    latest = _latest_opinions(project, "joint_review")
    return all(aspect in latest for aspect, _label in _joint_aspects())


def _joint_aspects():
    return [(a, Aspect(a).label) for a in JOINT_REVIEW_ASPECTS]


@guard(_l("联合审核意见中有不同意的意见，不能审核通过"), article="第十条")
def joint_opinions_favourable(project) -> bool:
    return all(o.favourable for o in _latest_opinions(project, "joint_review").values())


@guard(_l("紧急纳入须提供党中央、国务院或省委、省政府以及国家部委的明确要求"), article="第十二条")
def emergency_mandate_given(project) -> bool:
    return bool(project.emergency_mandate.strip())


@guard(_l("紧急纳入须有已批准的当年度建设计划"), article="第十二条")
def plan_approved(project) -> bool:
    return project.plan_id is not None and project.plan.state in (PlanState.APPROVED, PlanState.ISSUED)


@guard(_l("紧急纳入须经省营商环境局、省财政厅审核通过"), article="第十二条")
def emergency_reviewed(project) -> bool:
    latest = _latest_opinions(project, "emergency")
    return all(a in latest and latest[a].favourable for a in ("bureau_emergency", "finance_emergency"))


def emergency_security_missing(project) -> list[str]:
    """The 网信办 and 密码管理局 opinions on an emergency insertion that are missing or
    不同意 (办法第十二条 with 第十条), as labels; empty when both are given and favourable."""
    latest = _latest_opinions(project, "emergency")
    return [
        str(Aspect(a).label)
        for a in EMERGENCY_SECURITY_ASPECTS
        if a not in latest or not latest[a].favourable
    ]


@guard(
    lambda p: (
        _l(
            "紧急纳入须先取得省委网信办网络安全审核意见和省国家密码管理局密码应用审核意见且均非“不同意”，尚缺或不同意：%(missing)s"
        )
        % {"missing": "、".join(emergency_security_missing(p))}
    ),
    article="第十二条",
)
def emergency_security_reviewed(project) -> bool:
    return not emergency_security_missing(project)


@guard(_l("项目未列入已批准的年度建设计划，不予审批"), article="第十二条")
def in_approved_plan(project) -> bool:
    return project.plan_id is not None and project.plan.state in (PlanState.APPROVED, PlanState.ISSUED)


# ---------------------------------------------------------------- 第三章 项目审批管理


@guard(
    _l("报批可行性研究报告前须在省投资项目在线审批监管平台登记并填写项目代码（涉密项目除外）"),
    article="第十五条",
)
def platform_code_registered(project) -> bool:
    return project.classified or bool(project.platform_code)


def _evidence_missing(project, *kinds) -> list[str]:
    """What is missing of the documents behind a precondition (lifecycle/evidence.py)."""
    return [m for m in (evidence.missing(project, k) for k in kinds) if m]


@guard(
    lambda p: (
        _l("报送可行性研究报告须附可行性研究报告文件：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.FSR))}
    ),
    article="第十五条",
)
def fsr_document_uploaded(project) -> bool:
    return not _evidence_missing(project, MaterialKind.FSR)


@guard(
    lambda p: (
        _l("项目建设单位须连同项目批复文件、项目初步设计方案等材料一并报送：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.DESIGN, MaterialKind.FSR_APPROVAL))}
    ),
    article="第十八条",
)
def design_documents_uploaded(project) -> bool:
    return not _evidence_missing(project, MaterialKind.DESIGN, MaterialKind.FSR_APPROVAL)


@guard(_l("信息资源目录是审批的必备条件，可行性研究报告须包括信息资源共享分析篇（章）"), article="第十六条")
def fsr_catalogue_ready(project) -> bool:
    return project.fsr_sharing_chapter and _catalogue_present(project)


@guard(_l("信息资源目录是审批的必备条件，初步设计方案须包括信息资源共享分析篇（章）"), article="第十六条")
def design_catalogue_ready(project) -> bool:
    return project.design_sharing_chapter and _catalogue_present(project)


def _catalogue_present(project) -> bool:
    # 办法第十六条: the catalogue is entered as rows or uploaded as a 信息资源目录 material.
    return project.data_resources.exists() or evidence.present(project, MaterialKind.CATALOGUE)


@guard(_l("可研与初步设计合并须注明符合的情形"), article="第十七条")
def merged_ground_given(project) -> bool:
    return not project.merged_fsr_design or bool(project.merged_ground)


@guard(_l("初步设计方案调整超出可行性研究报告批复的，须以独立章节说明调整内容及理由"), article="第十八条")
def deviation_explained(project) -> bool:
    return not project.design_deviates or bool(project.deviation_explanation.strip())


@guard(_l("存在重大变更的，原则上应重新审批可行性研究报告"), article="第十八条", overridable=True)
def no_major_change(project) -> bool:
    return not project.design_major_change


@guard(
    lambda p: (
        _l(
            "省政府审定金额%(decided)s超过批复的概算总投资%(estimate)s，原则上不超过概算审定，超出的须由负责人填写理由"
        )
        % {"decided": wan_text(p.decided_amount_yuan), "estimate": wan_text(p.approved_estimate_yuan)}
    ),
    article="第十九条",
    overridable=True,
)
def decided_within_estimate(project) -> bool:
    # 办法第十九、二十条: 省政府 审定 the approved project, which is built within its 概算; the
    # amount being decided is staged on the project by effects.stage_decided_amount.
    decided, estimate = project.decided_amount_yuan, project.approved_estimate_yuan
    return not (decided and estimate and decided > estimate)


# ---------------------------------------------------------------- 第四章 建设和资金管理


def is_responsible_person(project, person) -> bool:
    """办法第二十一条: 项目责任人为项目建设单位主要负责人 — an active 负责人 account of the
    project's own department (which of them is the 主要负责人 is named, never assumed)."""
    return bool(
        person is not None
        and person.organisation_id == project.owner_id
        and person.role == Role.HEAD
        and person.is_active
    )


@guard(
    lambda p: _l("须指定项目责任人，即%(owner)s主要负责人（本单位负责人账号）") % {"owner": p.owner},
    article="第二十一条",
)
def responsible_person_named(project) -> bool:
    return is_responsible_person(project, project.responsible_person)


@guard(_l("开工前须委托工程监理单位并登记监理合同（在“登记建设和监理合同”页面）"), article="第二十四条")
def supervisor_recorded(project) -> bool:
    """办法第二十四条: a 监理 contract recorded through lifecycle.contracts.contract_record."""
    return project.contracts.filter(kind=Contract.Kind.SUPERVISION).exists()


@guard(_l("建设单位尚未报送整改情况"), article="第三十六条")
def rectification_reported(project) -> bool:
    rect = project.rectifications.order_by("-ordered_at").first()
    return rect is not None and rect.reported_at is not None


# ---------------------------------------------------------------- 第五章 项目验收管理


def _acceptance_clock(project):
    return project.clocks.filter(kind="acceptance_application").order_by("-pk").first()


def _acceptance_deadline_text(project) -> str:
    """办法第二十九条: the refusal of a late acceptance application, with the day the period ended."""
    clock = _acceptance_clock(project)
    months = get_policy().acceptance_application_months
    if clock is None:
        return str(_l("已超过建成后%(m)s个月的验收申请期限，须先提出延期验收申请") % {"m": months})
    return str(
        _l("验收申请期限（建成后%(m)s个月）已于%(due)s届满，须先提出延期验收申请")
        % {"m": months, "due": day_text(clock.effective_due_on)}
    )


@guard(_acceptance_deadline_text, article="第二十九条")
def acceptance_in_time(project) -> bool:
    clock = _acceptance_clock(project)
    return clock is None or _today() <= clock.effective_due_on


@guard(
    lambda p: (
        _l("未进行档案验收或者档案验收不合格的，不得通过项目验收：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.ARCHIVE_OPINION))}
    ),
    article="第三十一条",
)
def archive_accepted(project) -> bool:
    # The 档案验收意见 itself, with its date and issuing body — not a typed date.
    return not _evidence_missing(project, MaterialKind.ARCHIVE_OPINION)


@guard(
    lambda p: (
        _l("项目验收时需提供密码应用安全性评估报告：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.CRYPTO_ASSESSMENT))}
    ),
    article="第二十三条",
)
def crypto_assessed(project) -> bool:
    return not _evidence_missing(project, MaterialKind.CRYPTO_ASSESSMENT)


@guard(_l("项目验收时须说明软硬件产品安全可靠情况"), article="第二十三条")
def product_statement_given(project) -> bool:
    return bool(project.product_reliability.strip())


@guard(
    lambda p: (
        _l("涉密信息系统须通过省级保密行政管理部门组织的测评审查合格：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.SECRECY_EVALUATION))}
    ),
    article="第三十二条",
)
def secrecy_evaluated(project) -> bool:
    # The 保密测评审查意见 uploaded and confirmed by 省委保密办 as its own step.
    return not project.classified or not _evidence_missing(project, MaterialKind.SECRECY_EVALUATION)


def acceptance_aspects(project) -> list[str]:
    # 办法第二十九条 lists 省委保密办 among the agencies of every acceptance (and 第三十二条 its
    # 测评审查 for classified systems): it answers for every project, "不涉及" when no state
    # secret is involved (Conclusion.NOT_APPLICABLE, services.opinion_give).
    return [
        "cac_acceptance",
        "crypto_acceptance",
        "drc_acceptance",
        "police_acceptance",
        "secrecy_acceptance",
    ]


@guard(
    lambda p: (
        _l("竣工验收须有%(missing)s")
        % {
            "missing": "、".join(
                _aspect_label(a) for a in acceptance_aspects(p) if a not in _latest_opinions(p, "acceptance")
            )
        }
    ),
    article="第二十九条",
)
def acceptance_opinions_given(project) -> bool:
    latest = _latest_opinions(project, "acceptance")
    return all(a in latest for a in acceptance_aspects(project))


@guard(
    lambda p: (
        _l("%(who)s的竣工验收意见为不同意，不能通过验收")
        % {
            "who": "、".join(
                str(o.organisation)
                for a, o in _latest_opinions(p, "acceptance").items()
                if a in acceptance_aspects(p) and not o.favourable
            )
        }
    ),
    article="第二十九条",
)
def acceptance_opinions_favourable(project) -> bool:
    # 办法第二十九条: the bureau organises acceptance together with the listed agencies; as in
    # joint review (joint_opinions_favourable), the latest opinion of each counts.
    return all(o.favourable for o in _latest_opinions(project, "acceptance").values())


def _aspect_label(aspect):
    return str(Aspect(aspect).label)


@guard(
    lambda p: (
        _l("投入运行前须将验收报告报省营商环境局备案：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.ACCEPTANCE_REPORT))}
    ),
    article="第二十九条",
)
def acceptance_report_filed(project) -> bool:
    # The 验收报告 uploaded by the department and its receipt confirmed by the bureau.
    return not _evidence_missing(project, MaterialKind.ACCEPTANCE_REPORT)


def _self_evaluation_clock(project):
    return project.clocks.filter(kind="self_evaluation").order_by("-pk").first()


def _self_evaluation_window_text(project) -> str:
    """办法第三十三条: the window opens 6 and closes 12 months after acceptance and go-live
    (effects.start_self_evaluation_clock): the refusal says from which day."""
    policy = get_policy()
    months = {"a": policy.self_evaluation_opens_months, "b": policy.self_evaluation_due_months}
    clock = _self_evaluation_clock(project)
    if clock is None or clock.opens_on is None:
        return str(_l("自评价应在项目通过验收并投入运行后%(a)s至%(b)s个月内开展，项目尚未投入运行") % months)
    return str(
        _l("自评价可于%(opens)s起提交，应于%(due)s前报送（通过验收并投入运行后%(a)s至%(b)s个月内）")
        % {**months, "opens": day_text(clock.opens_on), "due": day_text(clock.effective_due_on)}
    )


@guard(_self_evaluation_window_text, article="第三十三条")
def self_evaluation_window_open(project) -> bool:
    clock = _self_evaluation_clock(project)
    return clock is not None and clock.opens_on is not None and _today() >= clock.opens_on


def _unreported_targets(project) -> list[str]:
    return [t.indicator for t in project.targets.all() if not t.reported]


@guard(
    lambda p: (
        _l("自评价须逐项对照项目绩效目标填报实际完成值和说明：%(missing)s")
        % {"missing": "、".join(_unreported_targets(p)) or _l("尚未填报绩效目标")}
    ),
    article="第三十三条",
)
def targets_reported(project) -> bool:
    # 办法第九、三十三条: the self-evaluation reports on every target of the application.
    targets = list(project.targets.all())
    return bool(targets) and all(t.reported for t in targets)


@guard(
    lambda p: (
        _l("须由受委托的第三方咨询机构上传后评价报告：%(missing)s")
        % {"missing": "；".join(_evidence_missing(p, MaterialKind.POST_EVALUATION))}
    ),
    article="第三十三条",
)
def post_evaluation_report_uploaded(project) -> bool:
    return not _evidence_missing(project, MaterialKind.POST_EVALUATION)


# ---------------------------------------------------------------- annual plan (第十一条)


@guard(_l("年度建设计划须由省营商环境局会同省财政厅编制，财政厅尚未会签"), article="第十一条")
def finance_concurred(plan) -> bool:
    return plan.finance_concurred_at is not None


@guard(_l("年度建设计划中还没有项目"), article="第十一条")
def plan_not_empty(plan) -> bool:
    return plan.projects.exists()
