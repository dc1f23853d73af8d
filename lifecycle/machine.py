"""The state machines of the project and of the annual plan (django-fsm-2).

Transitions here only *declare*: source, target, who may take them (``permission``), the
guards (``conditions``), the article and the step's side effects (``effects``, functions of
lifecycle/effects.py). The method bodies copy the data the step records onto the object.
``lifecycle.services.perform`` is the only caller of these methods: it checks, saves, writes
the audit row and runs the declared effects in one transaction.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, transition

from core import timeutil
from core.states import PlanState, ProjectState as S
from core.vocabulary import OrgKind

from . import effects as fx, guards as g
from .errors import RuleViolation
from .rules import (
    BUREAU_HEAD,
    BUREAU_STAFF,
    DESIGN_HEAD,
    DESIGN_STAFF,
    DRC_HEAD,
    DRC_STAFF,
    GOVERNMENT,
    HEAD,
    OWNER_HEAD,
    OWNER_STAFF,
    POST_EVALUATOR,
    REVIEWERS,
    actors,
    step,
)

#: A planned project before construction (办法第十一、十二条: withdraw_planned, cancel_planned).
PLANNED_STATES = [
    S.IN_PLAN,
    S.FSR_REVIEW,
    S.FSR_APPROVED,
    S.DESIGN_REVIEW,
    S.DESIGN_CORRECTING,
    S.APPROVAL_COMPLETE,
    S.RATIFICATION,
    S.RATIFIED,
]


class ProjectMachine:
    """Mixed into projects.Project, which declares the ``state`` FSMField."""

    # ------------------------------------------------------------ 申报 (第八、九条)

    # 办法第八条 (统一申报，不得分散申报): a draft enters review only through its department's
    # consolidated submission or its amendment (projects.services.call_submit / call_amend), never as
    # a step of its own — ``via`` makes services.perform refuse every other caller, and keeps
    # the step off the project page and the admin.
    @transition(
        "state",
        source=S.DRAFT,
        target=S.SUBMITTED,
        permission=OWNER_HEAD,
        conditions=[
            g.application_complete,
            g.call_is_open,
            g.owner_compliant,
            g.participants_confirmed,
            g.responsible_person_named,
            g.nature_links_given,
            g.system_compliant,
        ],
        custom=step(
            label=_("统一申报"), article="第八条", via="call_submission", effects=(fx.start_intake_clock,)
        ),
    )
    def submit(self, **data):
        pass

    @transition(
        "state",
        source=[S.DRAFT, S.SUBMITTED],
        target=S.WITHDRAWN,
        permission=OWNER_HEAD,
        custom=step(
            label=_("撤回"),
            article="第八条",
            needs_reason=True,
            effects=(fx.stop_joint_review_clock, fx.stop_intake_clock),
        ),
    )
    def withdraw(self, **data):
        pass

    # ------------------------------------------------------------ 联合审核 (第十条)

    @transition(
        "state",
        source=S.SUBMITTED,
        target=S.JOINT_REVIEW,
        permission=BUREAU_STAFF,
        conditions=[g.previous_plan_finished, g.owner_compliant, g.system_compliant],
        custom=step(
            label=_("受理，开始联合审核"),
            article="第十条",
            effects=(fx.stop_intake_clock, fx.start_joint_review_clock),
        ),
    )
    def accept_application(self, **data):
        pass

    @transition(
        "state",
        source=S.JOINT_REVIEW,
        target=S.CORRECTING,
        permission=actors((OrgKind.BUREAU, REVIEWERS), (OrgKind.CAC, REVIEWERS), (OrgKind.CRYPTO, REVIEWERS)),
        custom=step(
            label=_("要求陈述和补正"),
            article="第十条",
            needs_reason=True,
            effects=(fx.open_correction_round,),
        ),
    )
    def request_correction(self, **data):
        pass

    @transition(
        "state",
        source=S.CORRECTING,
        target=S.JOINT_REVIEW,
        permission=OWNER_STAFF,
        conditions=[g.application_complete, g.participants_confirmed, g.nature_links_given],
        custom=step(
            label=_("提交补正材料"), article="第十条", needs_reason=True, effects=(fx.close_correction_round,)
        ),
    )
    def submit_correction(self, **data):
        pass

    @transition(
        "state",
        source=S.JOINT_REVIEW,
        target=S.EXPERT_EVALUATION,
        permission=BUREAU_STAFF,
        custom=step(
            label=_("组织专家评估论证"),
            article="第十条",
            needs_reason=True,
            effects=(fx.pause_joint_review_for_experts,),
        ),
    )
    def start_expert_evaluation(self, **data):
        pass

    @transition(
        "state",
        source=S.EXPERT_EVALUATION,
        target=S.JOINT_REVIEW,
        permission=actors((OrgKind.BUREAU, REVIEWERS), (OrgKind.EXPERT, REVIEWERS)),
        custom=step(
            label=_("录入专家评估论证意见"),
            article="第十条",
            needs_reason=True,
            effects=(fx.record_expert_opinion,),
        ),
    )
    def finish_expert_evaluation(self, **data):
        pass

    @transition(
        "state",
        source=S.JOINT_REVIEW,
        target=S.REVIEW_PASSED,
        permission=BUREAU_HEAD,
        conditions=[g.joint_opinions_given, g.joint_opinions_favourable],
        custom=step(label=_("联合审核通过"), article="第十条", effects=(fx.stop_joint_review_clock,)),
    )
    def pass_review(self, **data):
        pass

    @transition(
        "state",
        source=S.JOINT_REVIEW,
        target=S.REVIEW_REJECTED,
        permission=BUREAU_HEAD,
        conditions=[g.joint_opinions_given],
        custom=step(
            label=_("联合审核不通过"),
            article="第十条",
            needs_reason=True,
            effects=(fx.stop_joint_review_clock,),
        ),
    )
    def reject_review(self, **data):
        pass

    # ------------------------------------------------------------ 计划 (第十一、十二条)
    # 办法第十一条: a project enters (or is left out of) the plan only as part of the
    # government's approval of the whole plan (services: AnnualPlan "approve").

    @transition(
        "state",
        source=S.REVIEW_PASSED,
        target=S.IN_PLAN,
        permission=GOVERNMENT,
        conditions=[g.in_approved_plan],
        custom=step(label=_("纳入年度建设计划"), article="第十一条", via="plan_approval"),
    )
    def enter_plan(self, **data):
        pass

    @transition(
        "state",
        source=S.REVIEW_PASSED,
        target=S.NOT_INCLUDED,
        permission=GOVERNMENT,
        custom=step(label=_("未纳入年度建设计划"), article="第十一条", via="plan_approval"),
    )
    def leave_out(self, **data):
        pass

    @transition(
        "state",
        source=S.DRAFT,
        target=S.EMERGENCY_REQUESTED,
        permission=OWNER_HEAD,
        conditions=[
            g.application_complete,
            g.emergency_mandate_given,
            g.plan_approved,
            g.owner_compliant,
            g.participants_confirmed,
            g.responsible_person_named,
            g.nature_links_given,
            g.system_compliant,
        ],
        custom=step(
            label=_("申请紧急纳入年度计划"),
            article="第十二条",
            prepare=(fx.choose_emergency_plan, fx.name_responsible_person),
            records=("plan", "responsible_person"),
        ),
    )
    def request_emergency(self, **data):
        pass

    @transition(
        "state",
        source=S.EMERGENCY_REQUESTED,
        target=S.EMERGENCY_FORWARDED,
        permission=BUREAU_HEAD,
        conditions=[g.emergency_security_reviewed, g.emergency_reviewed],
        custom=step(label=_("审核通过，报省政府批准"), article="第十二条"),
    )
    def forward_emergency(self, **data):
        pass

    @transition(
        "state",
        source=S.EMERGENCY_FORWARDED,
        target=S.IN_PLAN,
        permission=GOVERNMENT,
        conditions=[g.plan_approved],
        custom=step(label=_("批准紧急纳入年度计划"), article="第十二条"),
    )
    def approve_emergency(self, **data):
        pass

    # 办法第十二条: 经省营商环境局、省财政厅审核通过并报省政府批准 — while the two review, a refusal
    # is theirs; once the request is before 省政府, only 省政府 declines it.
    @transition(
        "state",
        source=S.EMERGENCY_REQUESTED,
        target=S.REVIEW_REJECTED,
        permission=actors((OrgKind.BUREAU, HEAD), (OrgKind.FINANCE, HEAD)),
        custom=step(label=_("不予紧急纳入"), article="第十二条", needs_reason=True),
    )
    @transition(
        "state",
        source=S.EMERGENCY_FORWARDED,
        target=S.REVIEW_REJECTED,
        permission=GOVERNMENT,
        custom=step(label=_("不予紧急纳入"), article="第十二条", needs_reason=True),
    )
    def reject_emergency(self, **data):
        pass

    # ------------------------------------------------------------ 审批 (第十五至十九条)

    @transition(
        "state",
        source=S.IN_PLAN,
        target=S.FSR_REVIEW,
        permission=OWNER_STAFF,
        conditions=[
            g.approval_path_nature,
            g.in_approved_plan,
            g.platform_code_registered,
            g.fsr_catalogue_ready,
            g.merged_ground_given,
            g.merged_ground_fits_nature,
            g.fsr_document_uploaded,
            g.system_compliant,
        ],
        custom=step(label=_("报送可行性研究报告"), article="第十五条"),
    )
    def submit_fsr(self, **data):
        pass

    @transition(
        "state",
        source=S.FSR_REVIEW,
        target=RETURN_VALUE(S.FSR_APPROVED, S.APPROVAL_COMPLETE),
        permission=DRC_HEAD,
        conditions=[
            g.in_approved_plan,
            g.fsr_catalogue_ready,
            g.merged_ground_given,
            g.merged_ground_fits_nature,
        ],
        custom=step(
            label=_("批复可行性研究报告"),
            article="第十五条",
            fields=("fsr_approval_no", "fsr_estimate_yuan", "preliminary_work_depth"),
        ),
    )
    def approve_fsr(self, *, fsr_approval_no="", fsr_estimate_yuan=None, preliminary_work_depth=None, **data):
        self.fsr_approval_no = fsr_approval_no
        # 办法第十七条: 前期工作深度达到规定要求 — required for a merged approval (lifecycle.stepdata).
        self.preliminary_work_depth = preliminary_work_depth or ""
        # 办法第十五条: the approved FSR fixes the 投资估算 the design is compared with
        # (第十八条: a design beyond the FSR approval explains itself in its own chapter).
        self.fsr_estimate_yuan = fsr_estimate_yuan
        # 办法第十七条: a merged FSR contains the design and its 投资概算, so its approval
        # sets the estimate every later change is measured against (第二十条、第二十八条).
        if self.merged_fsr_design:
            self.approved_estimate_yuan = fsr_estimate_yuan
            return S.APPROVAL_COMPLETE
        return S.FSR_APPROVED

    @transition(
        "state",
        source=S.FSR_REVIEW,
        target=S.IN_PLAN,
        permission=DRC_STAFF,
        custom=step(label=_("退回可行性研究报告"), article="第十五条", needs_reason=True),
    )
    def return_fsr(self, **data):
        pass

    # 办法第十五条: 省发改委 may refuse (不予批复), not only return. A refusal ends this project:
    # the 办法 gives no way back from it (no appeal, no re-examination of the same submission) —
    # a fixable report is returned (return_fsr) instead. Needs are collected anew each June
    # (第八条) and nothing outside an approved plan is approved (第十二条), so a department that
    # still needs the system applies again, as a new application, in a later year's call.
    @transition(
        "state",
        source=S.FSR_REVIEW,
        target=S.FSR_REFUSED,
        permission=DRC_HEAD,
        custom=step(label=_("可行性研究报告不予批复"), article="第十五条", needs_reason=True),
    )
    def refuse_fsr(self, **data):
        pass

    @transition(
        "state",
        source=S.FSR_APPROVED,
        target=S.DESIGN_REVIEW,
        permission=OWNER_STAFF,
        conditions=[g.design_catalogue_ready, g.deviation_explained, g.design_documents_uploaded],
        custom=step(label=_("报送初步设计方案"), article="第十八条", effects=(fx.start_design_clock,)),
    )
    def submit_design(self, **data):
        pass

    @transition(
        "state",
        source=S.DESIGN_REVIEW,
        target=S.DESIGN_CORRECTING,
        permission=DESIGN_STAFF,
        custom=step(
            label=_("退回初步设计方案补正"),
            article="第十八条",
            needs_reason=True,
            effects=(fx.pause_design_clock,),
        ),
    )
    def return_design(self, **data):
        pass

    @transition(
        "state",
        source=S.DESIGN_CORRECTING,
        target=S.DESIGN_REVIEW,
        permission=OWNER_STAFF,
        conditions=[g.design_catalogue_ready, g.deviation_explained, g.design_documents_uploaded],
        custom=step(label=_("重新报送初步设计方案"), article="第十八条", effects=(fx.resume_design_clock,)),
    )
    def resubmit_design(self, **data):
        pass

    @transition(
        "state",
        source=S.DESIGN_REVIEW,
        target=S.APPROVAL_COMPLETE,
        permission=DESIGN_HEAD,
        conditions=[g.in_approved_plan, g.design_catalogue_ready, g.deviation_explained, g.no_major_change],
        custom=step(
            label=_("批复初步设计方案"),
            article="第十八条",
            fields=("design_approval_no", "approved_estimate_yuan", "design_evaluation"),
            effects=(fx.stop_design_clock,),
        ),
    )
    def approve_design(
        self, *, design_approval_no="", approved_estimate_yuan=None, design_evaluation="", **data
    ):
        # 办法第十八条: the design is approved after an evaluation by departments and experts or
        # by a qualified third party; the step records which (checked in lifecycle.stepdata),
        # and the approval letter says so.
        self.design_approval_no = design_approval_no
        self.approved_estimate_yuan = approved_estimate_yuan
        self.design_evaluation = design_evaluation

    @transition(
        "state",
        source=[S.DESIGN_REVIEW, S.DESIGN_CORRECTING],
        target=S.IN_PLAN,
        permission=DESIGN_HEAD,
        custom=step(
            label=_("重大变更，退回重新审批可研"),
            article="第十八条",
            needs_reason=True,
            effects=(fx.stop_design_clock,),
        ),
    )
    def send_back_to_fsr(self, **data):
        self.fsr_approval_no = ""

    # 办法第十八条: the body evaluating the design (the bureau; 省内网办 for intranet projects)
    # 出具批复意见 — which may be a refusal. Ended, like refuse_fsr: a design to be reworked is
    # returned (return_design), a major change goes back to the FSR (send_back_to_fsr); what is
    # refused comes back only as a new application in a later call (第八、十二条).
    @transition(
        "state",
        source=S.DESIGN_REVIEW,
        target=S.DESIGN_REFUSED,
        permission=DESIGN_HEAD,
        custom=step(
            label=_("初步设计方案不予批复"),
            article="第十八条",
            needs_reason=True,
            effects=(fx.stop_design_clock,),
        ),
    )
    def refuse_design(self, **data):
        pass

    @transition(
        "state",
        source=S.APPROVAL_COMPLETE,
        target=S.RATIFICATION,
        permission=BUREAU_HEAD,
        custom=step(label=_("报省政府审定"), article="第十九条"),
    )
    def submit_ratification(self, **data):
        pass

    @transition(
        "state",
        source=S.RATIFICATION,
        target=S.RATIFIED,
        permission=GOVERNMENT,
        # 办法第十九、二十条: the decided amount stays within the approved 概算 unless 省政府's
        # head records why (an overridable rule; the amount is staged before the check).
        conditions=[g.in_approved_plan, g.decided_within_estimate],
        custom=step(
            label=_("省政府审定"),
            article="第十九条",
            fields=("ratification_no", "ratified_on", "decided_amount_yuan", "decided_funding_source"),
            prepare=(fx.stage_decided_amount,),
        ),
    )
    def ratify(
        self,
        *,
        ratification_no="",
        ratified_on=None,
        decided_amount_yuan=None,
        decided_funding_source="",
        **data,
    ):
        self.ratification_no = ratification_no
        self.ratified_on = ratified_on
        self.decided_amount_yuan = decided_amount_yuan
        self.decided_funding_source = decided_funding_source

    # 办法第十九条: 报省政府审定 — 省政府 may send the project back to the bureau (退回, to be
    # submitted again) or decline to ratify it (不予审定). Declined is ended: the 办法 has no
    # re-examination of a declined project; it may only be applied for again in a later
    # year's call (第八、十二条).
    @transition(
        "state",
        source=S.RATIFICATION,
        target=S.APPROVAL_COMPLETE,
        permission=GOVERNMENT,
        custom=step(label=_("退回省营商环境局"), article="第十九条", needs_reason=True),
    )
    def return_ratification(self, **data):
        pass

    @transition(
        "state",
        source=S.RATIFICATION,
        target=S.RATIFICATION_DECLINED,
        permission=GOVERNMENT,
        custom=step(label=_("省政府不予审定"), article="第十九条", needs_reason=True),
    )
    def decline_ratification(self, **data):
        pass

    # 办法第十二条: 年度建设计划下达后必须严格执行 — a planned project is dropped before
    # construction only as a recorded decision with its reason: withdrawn by its department's
    # head, or cancelled by the bureau that compiles the plan (第十一条). It stays listed in
    # the plan it was approved in but leaves the plan's execution count (core.states
    # LEFT_PLAN_STATES), and a running design clock stops. Once construction has started,
    # ending a project is 终止 (terminate, 第三十六条).
    @transition(
        "state",
        source=PLANNED_STATES,
        target=S.CANCELLED,
        permission=OWNER_HEAD,
        custom=step(
            label=_("撤回计划内项目"), article="第十二条", needs_reason=True, effects=(fx.stop_design_clock,)
        ),
    )
    def withdraw_planned(self, **data):
        pass

    @transition(
        "state",
        source=PLANNED_STATES,
        target=S.CANCELLED,
        permission=BUREAU_HEAD,
        custom=step(
            label=_("撤销计划内项目"),
            article="第十一条、第十二条",
            needs_reason=True,
            effects=(fx.stop_design_clock,),
        ),
    )
    def cancel_planned(self, **data):
        pass

    # ------------------------------------------------------------ 建设 (第二十至二十八条)

    @transition(
        "state",
        source=S.RATIFIED,
        target=S.CONSTRUCTION,
        permission=OWNER_STAFF,
        conditions=[g.approval_path_nature, g.supervisor_recorded],
        custom=step(
            label=_("开工建设"),
            article="第二十四条",
            fields=("construction_started_on",),
            effects=(fx.start_performance_report_clock,),
        ),
    )
    def start_construction(self, *, construction_started_on=None, **data):
        self.construction_started_on = construction_started_on

    @transition(
        "state",
        source=S.CONSTRUCTION,
        target=S.RECTIFICATION,
        permission=BUREAU_HEAD,
        custom=step(
            label=_("责令限期整改"),
            article="第三十六条",
            needs_reason=True,
            fields=("working_days",),
            effects=(fx.open_rectification, fx.copy_rectification, fx.handle_incidents),
        ),
    )
    def order_rectification(self, **data):
        pass

    @transition(
        "state",
        source=S.RECTIFICATION,
        target=S.CONSTRUCTION,
        permission=BUREAU_HEAD,
        conditions=[g.rectification_reported],
        custom=step(
            label=_("整改完成，恢复建设"), article="第三十六条", effects=(fx.stop_rectification_clock,)
        ),
    )
    def finish_rectification(self, **data):
        pass

    @transition(
        "state",
        source=[S.CONSTRUCTION, S.RECTIFICATION],
        target=S.SUSPENDED,
        permission=BUREAU_HEAD,
        custom=step(
            label=_("暂停项目建设"),
            article="第二十六条",
            needs_reason=True,
            fields=("suspension_no",),
            effects=(fx.copy_suspension, fx.handle_incidents),
        ),
    )
    def suspend(self, *, suspension_no="", **data):
        self.suspension_no = suspension_no

    @transition(
        "state",
        source=S.SUSPENDED,
        target=S.CONSTRUCTION,
        permission=BUREAU_HEAD,
        custom=step(label=_("恢复项目建设"), article="第二十六条", needs_reason=True),
    )
    def resume(self, **data):
        pass

    @transition(
        "state",
        source=[S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED],
        target=S.TERMINATED,
        permission=BUREAU_HEAD,
        custom=step(
            label=_("终止项目"),
            article="第三十六条",
            needs_reason=True,
            fields=("termination_no",),
            effects=(fx.handle_incidents,),
        ),
    )
    def terminate(self, *, termination_no="", **data):
        self.termination_no = termination_no

    @transition(
        "state",
        source=S.CONSTRUCTION,
        target=S.COMPLETED,
        permission=OWNER_HEAD,
        conditions=[g.acceptance_path_nature],
        custom=step(
            label=_("项目建成"),
            article="第二十九条",
            fields=("completed_on", "surplus_returned_yuan"),
            effects=(fx.start_acceptance_application_clock,),
        ),
    )
    def complete_construction(self, *, completed_on=None, surplus_returned_yuan=None, **data):
        self.completed_on = completed_on
        # 办法第二十七条: the surplus returned is recorded at completion.
        self.surplus_returned_yuan = surplus_returned_yuan

    # ------------------------------------------------------------ 运维、购买服务 (issue 15)
    # The short execution path of Policy.service_path_natures (lifecycle/nature_guards.py):
    # after the annual plan (第十一、十二条) the department starts executing — procurement and
    # the O&M or service contract (第二十一条) — without 可研, 初步设计, 审定 (第十五至十九条) or
    # 监理 (第二十四条); it reports each year (第二十五条) and declares the contract period over,
    # with the 结余 returned (第二十七条), instead of 竣工验收 (第二十九条). While executing, the
    # project is in CONSTRUCTION (执行中): rectification, suspension, termination (第二十六、
    # 三十六条), changes (第二十八条) and the yearly report work as for a construction.

    @transition(
        "state",
        source=S.IN_PLAN,
        target=S.CONSTRUCTION,
        permission=OWNER_STAFF,
        conditions=[g.service_path_nature, g.in_approved_plan, g.owner_compliant, g.system_compliant],
        custom=step(
            label=_("开始执行（组织采购、签订合同）"),
            article="第二十一条",
            fields=("construction_started_on",),
            effects=(fx.start_performance_report_clock,),
        ),
    )
    def start_service(self, *, construction_started_on=None, **data):
        self.construction_started_on = construction_started_on

    @transition(
        "state",
        source=S.CONSTRUCTION,
        target=S.CLOSED,
        permission=OWNER_HEAD,
        conditions=[g.service_path_nature, g.service_contract_recorded, g.yearly_reports_submitted],
        custom=step(
            label=_("服务期满，结束执行"),
            article="第二十五条",
            fields=("completed_on", "surplus_returned_yuan"),
        ),
    )
    def finish_service(self, *, completed_on=None, surplus_returned_yuan=None, **data):
        self.completed_on = completed_on
        # 办法第二十七条: the surplus of the contract's money is returned and recorded.
        self.surplus_returned_yuan = surplus_returned_yuan

    # ------------------------------------------------------------ 验收 (第二十九至三十二条)

    @transition(
        "state",
        source=S.COMPLETED,
        target=S.EXTENSION_REQUESTED,
        permission=OWNER_HEAD,
        custom=step(
            label=_("申请延期验收"), article="第二十九条", needs_reason=True, fields=("requested_due_on",)
        ),
    )
    def request_extension(self, *, reason="", **data):
        # 办法第二十九条: a refused extension may be applied for again, with new reasons — the
        # same reasons again are refused (the bureau has answered them).
        given = " ".join(reason.split())
        earlier = self.audit_entries.filter(action="request_extension").values_list("reason", flat=True)
        if any(" ".join(r.split()) == given for r in earlier):
            raise RuleViolation(
                _("再次申请延期验收须说明新的理由，不能重复此前申请的理由（办法第二十九条）。"),
                code="reason",
                article="第二十九条",
            )

    @transition(
        "state",
        source=S.EXTENSION_REQUESTED,
        target=S.COMPLETED,
        permission=BUREAU_HEAD,
        custom=step(
            label=_("同意延期验收"),
            article="第二十九条",
            fields=("granted_due_on",),
            effects=(fx.extend_acceptance_application_clock,),
        ),
    )
    def grant_extension(self, **data):
        pass

    @transition(
        "state",
        source=S.EXTENSION_REQUESTED,
        target=S.COMPLETED,
        permission=BUREAU_HEAD,
        custom=step(label=_("不同意延期验收"), article="第二十九条", needs_reason=True),
    )
    def refuse_extension(self, **data):
        pass

    @transition(
        "state",
        source=S.COMPLETED,
        target=S.ACCEPTANCE_REVIEW,
        permission=OWNER_HEAD,
        conditions=[g.acceptance_in_time],
        custom=step(
            label=_("申请竣工验收"), article="第二十九条", effects=(fx.stop_acceptance_application_clock,)
        ),
    )
    def apply_acceptance(self, **data):
        pass

    @transition(
        "state",
        source=S.ACCEPTANCE_REVIEW,
        target=S.ACCEPTED,
        permission=BUREAU_HEAD,
        conditions=[
            g.archive_accepted,
            g.crypto_assessed,
            g.product_statement_given,
            g.secrecy_evaluated,
            g.acceptance_opinions_given,
            g.acceptance_opinions_favourable,
        ],
        custom=step(label=_("通过竣工验收"), article="第二十九条", fields=("accepted_on",)),
    )
    def accept(self, *, accepted_on=None, **data):
        self.accepted_on = accepted_on

    @transition(
        "state",
        source=S.ACCEPTANCE_REVIEW,
        target=S.COMPLETED,
        permission=BUREAU_HEAD,
        custom=step(label=_("竣工验收不通过"), article="第二十九条", needs_reason=True),
    )
    def fail_acceptance(self, **data):
        pass

    @transition(
        "state",
        source=S.ACCEPTED,
        target=S.OPERATION,
        permission=OWNER_STAFF,
        conditions=[g.acceptance_report_filed, g.secrecy_evaluated],
        custom=step(
            label=_("投入运行"),
            article="第三十三条",
            fields=("went_live_on",),
            effects=(fx.start_self_evaluation_clock,),
        ),
    )
    def go_live(self, *, went_live_on=None, **data):
        self.went_live_on = went_live_on

    # ------------------------------------------------------------ 评价 (第三十三条)

    @transition(
        "state",
        source=S.OPERATION,
        target=S.SELF_EVALUATED,
        permission=OWNER_HEAD,
        conditions=[g.self_evaluation_window_open, g.targets_reported],
        custom=step(
            label=_("报送自评价报告"),
            article="第三十三条",
            fields=("self_evaluation_grade", "self_evaluation"),
            records=("self_evaluation_submitted_on", "self_evaluation_late"),
            effects=(fx.stop_self_evaluation_clock, fx.copy_self_evaluation),
        ),
    )
    def submit_self_evaluation(self, *, self_evaluation="", self_evaluation_grade="", **data):
        self.self_evaluation = self_evaluation
        self.self_evaluation_grade = self_evaluation_grade
        # 办法第三十三条: due 12 months after acceptance and go-live; a later report is taken
        # but marked late on the project (and in the ledger export).
        today = timeutil.today()
        clock = self.clocks.filter(kind="self_evaluation", stopped_on__isnull=True).order_by("-pk").first()
        self.self_evaluation_submitted_on = today
        self.self_evaluation_late = clock is not None and today > clock.effective_due_on

    @transition(
        "state",
        source=S.SELF_EVALUATED,
        target=S.POST_EVALUATION,
        permission=BUREAU_HEAD,
        custom=step(label=_("委托第三方后评价"), article="第三十三条", fields=("post_evaluator",)),
    )
    def commission_post_evaluation(self, *, post_evaluator=None, **data):
        # 办法第三十三条: 委托相应的第三方咨询机构 — the bureau names which one (lifecycle.stepdata).
        self.post_evaluator = post_evaluator

    # 办法第三十三条: only the commissioned organisation reports its post-evaluation, with its
    # report uploaded (documents.registry UPLOADS, post_evaluation) and its conclusion.
    @transition(
        "state",
        source=S.POST_EVALUATION,
        target=S.CLOSED,
        permission=POST_EVALUATOR,
        conditions=[g.post_evaluation_report_uploaded],
        custom=step(
            label=_("报送后评价报告和结论"),
            article="第三十三条",
            fields=("post_evaluation_grade", "post_evaluation"),
        ),
    )
    def finish_post_evaluation(self, *, post_evaluation="", post_evaluation_grade="", **data):
        self.post_evaluation = post_evaluation
        self.post_evaluation_grade = post_evaluation_grade

    @transition(
        "state",
        source=S.SELF_EVALUATED,
        target=S.CLOSED,
        permission=BUREAU_HEAD,
        custom=step(label=_("关闭项目"), article="第三十三条"),
    )
    def close(self, **data):
        pass


class PlanMachine:
    """Mixed into projects.AnnualPlan (办法第十一条)."""

    @transition(
        "state",
        source=PlanState.COMPILING,
        target=PlanState.SUBMITTED,
        permission=BUREAU_HEAD,
        conditions=[g.finance_concurred, g.plan_not_empty],
        custom=step(label=_("报省政府批准"), article="第十一条", effects=(fx.stop_plan_compilation_clock,)),
    )
    def submit_to_government(self, **data):
        self.submitted_at = timeutil.now()

    @transition(
        "state",
        source=PlanState.SUBMITTED,
        target=PlanState.COMPILING,
        permission=GOVERNMENT,
        custom=step(label=_("退回修改"), article="第十一条", needs_reason=True),
    )
    def return_to_bureau(self, **data):
        pass

    @transition(
        "state",
        source=PlanState.SUBMITTED,
        target=PlanState.APPROVED,
        permission=GOVERNMENT,
        custom=step(
            label=_("批准年度建设计划"),
            article="第十一条",
            fields=("approval_no", "approved_on"),
            effects=(fx.move_plan_projects,),
        ),
    )
    def approve(self, *, approval_no="", approved_on=None, **data):
        # 办法第十一条: the government's approval document, its 文号 and date (lifecycle.stepdata).
        self.approval_no = approval_no
        self.approved_on = approved_on
        self.approved_at = timeutil.now()

    @transition(
        "state",
        source=PlanState.APPROVED,
        target=PlanState.ISSUED,
        permission=BUREAU_HEAD,
        custom=step(label=_("下达年度建设计划"), article="第十二条", fields=("document_no",)),
    )
    def issue(self, *, document_no="", **data):
        self.document_no = document_no
        self.issued_at = timeutil.now()
