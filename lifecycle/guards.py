"""Guards of the project and plan state machines, one function per rule of the 办法.

Each guard returns True when the rule holds. Guards marked ``overridable`` implement a
原则上 rule (see rules.Guard).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from core import timeutil
from core.states import BUILT_STATES, PlanState
from core.vocabulary import MaterialKind

from . import evidence
from .models import JOINT_REVIEW_ASPECTS, Aspect
from .policy import get_policy
from .rules import guard


def _today():
    return timeutil.today()


# ---------------------------------------------------------------- 第二章 年度计划管理


@guard(
    lambda p: (
        _l("申报材料不全：%(items)s")
        % {"items": "；".join(str(m) for _f, m in p.missing_application_items())}
    ),
    article="第九条",
)
def application_complete(project) -> bool:
    return not project.missing_application_items()


@guard(_l("不在年度需求征集期内，不能申报"), article="第八条")
def call_is_open(project) -> bool:
    return project.call_id is not None and project.call.is_open_on(_today())


@guard(
    lambda p: (
        _l("%(owner)s存在未按要求共享数据或不符合密码、网络安全要求的系统，不得新建、改建、扩建")
        % {"owner": p.owner}
    ),
    article="第三十四条",
)
def owner_compliant(project) -> bool:
    return project.owner.data_sharing_compliant and project.owner.security_compliant


def unfinished_previous_plan(project):
    """Projects of the owner in the plan of the year before the call that are not built."""
    projects = type(project).objects
    year = project.year
    if year is None:
        return projects.none()
    return projects.filter(
        owner_id=project.owner_id, plan__year=year - get_policy().unfinished_plan_lookback_years
    ).exclude(state__in=BUILT_STATES)


@guard(
    lambda p: (
        _l("本部门上一年度建设计划尚有未完成项目（%(names)s），原则上不予安排新项目")
        % {"names": "、".join(unfinished_previous_plan(p).values_list("name", flat=True)[:5])}
    ),
    article="第十二条",
    overridable=True,
)
def previous_plan_finished(project) -> bool:
    return not unfinished_previous_plan(project).exists()


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


# ---------------------------------------------------------------- 第四章 建设和资金管理


@guard(_l("开工前须委托工程监理单位并登记监理合同"), article="第二十四条")
def supervisor_recorded(project) -> bool:
    return bool(project.supervisor_name.strip() and project.supervision_contract_no.strip())


@guard(_l("建设单位尚未报送整改情况"), article="第三十六条")
def rectification_reported(project) -> bool:
    rect = project.rectifications.order_by("-ordered_at").first()
    return rect is not None and rect.reported_at is not None


# ---------------------------------------------------------------- 第五章 项目验收管理


def _acceptance_clock(project):
    return project.clocks.filter(kind="acceptance_application").order_by("-pk").first()


@guard(
    lambda p: (
        _l("已超过建成后%(m)s个月的验收申请期限，须先提出延期验收申请")
        % {"m": get_policy().acceptance_application_months}
    ),
    article="第二十九条",
)
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


@guard(
    lambda p: (
        _l("自评价应在项目通过验收并投入运行后%(a)s至%(b)s个月内开展，评价期尚未开始")
        % {"a": get_policy().self_evaluation_opens_months, "b": get_policy().self_evaluation_due_months}
    ),
    article="第三十三条",
)
def self_evaluation_window_open(project) -> bool:
    clock = project.clocks.filter(kind="self_evaluation").order_by("-pk").first()
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
