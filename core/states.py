"""States of the project and of the annual plan.

Slugs are stable English keys; only the labels are translated. The groups below name the
stages of 办法第七条 (plan), 第十五条 (approval), 第四章 (construction), 第五章 (acceptance).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectState(models.TextChoices):
    # 年度计划管理 (第二章)
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报，待受理")
    JOINT_REVIEW = "joint_review", _("联合审核中")
    CORRECTING = "correcting", _("陈述和补正中")
    EXPERT_EVALUATION = "expert_evaluation", _("专家评估论证中")
    REVIEW_PASSED = "review_passed", _("联合审核通过，待编入计划")
    REVIEW_REJECTED = "review_rejected", _("联合审核未通过")
    EMERGENCY_REQUESTED = "emergency_requested", _("紧急纳入申请，待营商环境局和财政厅审核")
    EMERGENCY_FORWARDED = "emergency_forwarded", _("紧急纳入，待省政府批准")
    NOT_INCLUDED = "not_included", _("未纳入年度计划")
    IN_PLAN = "in_plan", _("已纳入年度计划")
    # 项目审批管理 (第三章)
    FSR_REVIEW = "fsr_review", _("可行性研究报告待省发改委批复")
    FSR_APPROVED = "fsr_approved", _("可行性研究报告已批复")
    DESIGN_REVIEW = "design_review", _("初步设计方案评审中")
    DESIGN_CORRECTING = "design_correcting", _("初步设计方案补正中")
    APPROVAL_COMPLETE = "approval_complete", _("批复完成，待报省政府审定")
    RATIFICATION = "ratification", _("待省政府审定")
    RATIFIED = "ratified", _("省政府已审定")
    # 办法第十五、十八、十九条: the approving body refuses; 第十一、十二条: a planned project
    # withdrawn by its department or cancelled by the bureau before construction.
    FSR_REFUSED = "fsr_refused", _("可行性研究报告不予批复")
    DESIGN_REFUSED = "design_refused", _("初步设计方案不予批复")
    RATIFICATION_DECLINED = "ratification_declined", _("省政府不予审定")
    CANCELLED = "cancelled", _("计划内项目已撤销")
    # 建设和资金管理 (第四章)
    CONSTRUCTION = "construction", _("建设中")
    RECTIFICATION = "rectification", _("限期整改中")
    SUSPENDED = "suspended", _("暂停建设")
    TERMINATED = "terminated", _("已终止")
    # 项目验收管理 (第五章)
    COMPLETED = "completed", _("已建成，待申请验收")
    EXTENSION_REQUESTED = "extension_requested", _("延期验收申请中")
    ACCEPTANCE_REVIEW = "acceptance_review", _("竣工验收中")
    ACCEPTED = "accepted", _("已通过验收")
    OPERATION = "operation", _("运行中")
    SELF_EVALUATED = "self_evaluated", _("已报送自评价")
    POST_EVALUATION = "post_evaluation", _("后评价中")
    CLOSED = "closed", _("已关闭")
    WITHDRAWN = "withdrawn", _("已撤回")


S = ProjectState

#: Stages of 办法第七条 and the chapters after it, for grouping in lists and reports.
STAGES = {
    _("申报"): [S.DRAFT, S.SUBMITTED],
    _("联合审核"): [S.JOINT_REVIEW, S.CORRECTING, S.EXPERT_EVALUATION, S.REVIEW_PASSED],
    _("计划编制"): [S.EMERGENCY_REQUESTED, S.EMERGENCY_FORWARDED, S.IN_PLAN],
    _("项目审批"): [
        S.FSR_REVIEW,
        S.FSR_APPROVED,
        S.DESIGN_REVIEW,
        S.DESIGN_CORRECTING,
        S.APPROVAL_COMPLETE,
        S.RATIFICATION,
        S.RATIFIED,
    ],
    _("建设"): [S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED],
    _("验收"): [S.COMPLETED, S.EXTENSION_REQUESTED, S.ACCEPTANCE_REVIEW, S.ACCEPTED],
    _("运行与评价"): [S.OPERATION, S.SELF_EVALUATED, S.POST_EVALUATION],
    _("已结束"): [
        S.REVIEW_REJECTED,
        S.NOT_INCLUDED,
        S.TERMINATED,
        S.CLOSED,
        S.WITHDRAWN,
        S.FSR_REFUSED,
        S.DESIGN_REFUSED,
        S.RATIFICATION_DECLINED,
        S.CANCELLED,
    ],
}

#: Projects of a plan that left it before construction (办法第十一、十二、十五、十八、十九条):
#: refused by the approving body, declined by 省政府, withdrawn or cancelled. Nothing of them
#: remains to execute, so they leave the plan's execution count (projects.plan.execution).
LEFT_PLAN_STATES = frozenset({S.FSR_REFUSED, S.DESIGN_REFUSED, S.RATIFICATION_DECLINED, S.CANCELLED})

#: A project of a plan counts as finished (办法第十二条) once it is built — or once it has left
#: the plan without being built (LEFT_PLAN_STATES): a department is not held to execute what
#: was refused, declined or cancelled (lifecycle.guards.unfinished_previous_plan).
BUILT_STATES = LEFT_PLAN_STATES | frozenset(
    {
        S.COMPLETED,
        S.EXTENSION_REQUESTED,
        S.ACCEPTANCE_REVIEW,
        S.ACCEPTED,
        S.OPERATION,
        S.SELF_EVALUATED,
        S.POST_EVALUATION,
        S.CLOSED,
    }
)
ENDED_STATES = (
    frozenset({S.REVIEW_REJECTED, S.NOT_INCLUDED, S.TERMINATED, S.CLOSED, S.WITHDRAWN}) | LEFT_PLAN_STATES
)
#: States in which a budget change (办法第二十八条) may be filed.
CHANGEABLE_STATES = frozenset({S.CONSTRUCTION, S.RECTIFICATION})


class PlanState(models.TextChoices):
    """办法第十一条: 编制中 → 已报省政府 → 已批准 → 已下达."""

    COMPILING = "compiling", _("编制中")
    SUBMITTED = "submitted", _("已报省政府")
    APPROVED = "approved", _("已批准")
    ISSUED = "issued", _("已下达")


class ChangeState(models.TextChoices):
    """办法第二十八条: a change is filed (备案) or goes to formal approval."""

    DRAFT = "draft", _("草稿")
    FILED = "filed", _("已备案")
    PENDING_APPROVAL = "pending_approval", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")
    WITHDRAWN = "withdrawn", _("已撤回")
