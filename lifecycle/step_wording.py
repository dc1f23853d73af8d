"""What the reason box of each step is called, and what to write in it (issue 11).

Every step form has a reason field (lifecycle.forms.TransitionForm); what it holds differs by
step — the content to be corrected, an opinion, the grounds of a refusal — so each transition
names its own. One mapping keyed by the transition's name: a name two machines share (the
project's and the change's ``submit``) is qualified by the model where the wording differs
(``"ChangeRequest.submit"``). The step page (lifecycle.webforms.StepForm) and the admin's
transition buttons (lifecycle.admin) both read ``reason_wording``;
tests/web/test_guidance_wording.py checks that every transition of every machine has its own.
"""

from __future__ import annotations

from typing import NamedTuple

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise


class ReasonWording(NamedTuple):
    label: StrOrPromise
    help: StrOrPromise


def _w(label: StrOrPromise, help_text: StrOrPromise) -> ReasonWording:
    return ReasonWording(label, help_text)


REASONS: dict[str, ReasonWording] = {
    # ------------------------------------------------------------ 申报 (办法第八、九条)
    "submit": _w(_("申报说明"), _("随本单位统一申报一并报送的说明，将记入办理记录。")),
    "withdraw": _w(_("撤回原因"), _("说明撤回的原因，将记入办理记录。")),
    # ------------------------------------------------------------ 联合审核 (办法第十条)
    "accept_application": _w(_("受理意见"), _("受理时需要说明的事项（选填）。受理后开始计算联合审核时限。")),
    "request_correction": _w(
        _("需补正的内容"),
        _("逐项写明需要项目建设单位陈述或补正的内容，建设单位据此补正；补正期间联合审核时限暂停。"),
    ),
    "submit_correction": _w(
        _("补正情况说明"), _("对照补正要求逐项说明已陈述或补正的内容；修改的申报材料请先在申报材料页保存。")
    ),
    "start_expert_evaluation": _w(
        _("需评估论证的事项"), _("写明请专家评估论证的问题；专家评估论证期间联合审核时限暂停。")
    ),
    "finish_expert_evaluation": _w(
        _("专家评估论证意见"), _("录入专家评估论证的主要意见和建议；录入后联合审核时限恢复计算。")
    ),
    "pass_review": _w(_("审核意见"), _("联合审核通过的综合意见（选填），将记入办理记录。")),
    "reject_review": _w(_("不通过的理由"), _("说明联合审核不通过的理由，应与各单位出具的审核意见相符。")),
    # ------------------------------------------------------------ 计划 (办法第十一、十二条)
    "enter_plan": _w(_("批准意见"), _("随年度建设计划一并批准的意见（选填）。")),
    "leave_out": _w(_("未纳入的理由"), _("说明未纳入年度建设计划的理由。")),
    "request_emergency": _w(
        _("紧急纳入说明"),
        _("说明申请紧急纳入年度计划的情况（选填）；上级的明确要求请在申报材料中填写。"),
    ),
    "forward_emergency": _w(_("审核意见"), _("审核通过、报省政府批准的意见（选填）。")),
    "approve_emergency": _w(_("批准意见"), _("批准紧急纳入年度建设计划的意见（选填）。")),
    "reject_emergency": _w(_("不予紧急纳入的理由"), _("说明不予紧急纳入年度建设计划的理由。")),
    # ------------------------------------------------------------ 审批 (办法第十五至十九条)
    "submit_fsr": _w(_("报送说明"), _("报送可行性研究报告时需要说明的事项（选填）。")),
    "approve_fsr": _w(_("批复意见"), _("批复可行性研究报告的意见（选填）。")),
    "return_fsr": _w(
        _("退回的理由及修改要求"), _("写明可行性研究报告需修改的内容，项目建设单位修改后重新报送。")
    ),
    "refuse_fsr": _w(
        _("不予批复的理由"),
        _("说明不予批复的理由。不予批复后本项目办结，确需建设的，在以后年度的需求征集中重新申报。"),
    ),
    "submit_design": _w(_("报送说明"), _("报送初步设计方案时需要说明的事项（选填）。")),
    "return_design": _w(
        _("需补正的内容"), _("逐项写明初步设计方案需补正的内容；补正期间初步设计审核时限暂停。")
    ),
    "resubmit_design": _w(_("补正情况说明"), _("对照补正要求逐项说明初步设计方案的修改情况（选填）。")),
    "approve_design": _w(_("批复意见"), _("批复初步设计方案的意见（选填）。")),
    "send_back_to_fsr": _w(
        _("重大变更情况"), _("说明初步设计方案中的重大变更；项目退回，重新审批可行性研究报告。")
    ),
    "refuse_design": _w(
        _("不予批复的理由"),
        _("说明不予批复的理由。不予批复后本项目办结，确需建设的，在以后年度的需求征集中重新申报。"),
    ),
    "submit_ratification": _w(_("报送说明"), _("报省政府审定时需要说明的事项（选填）。")),
    "ratify": _w(_("审定意见"), _("省政府审定的意见（选填）。")),
    "return_ratification": _w(_("退回的理由"), _("说明退回省营商环境局的理由及需要补充的内容。")),
    "decline_ratification": _w(
        _("不予审定的理由"), _("说明不予审定的理由。不予审定后本项目办结，确需建设的在以后年度重新申报。")
    ),
    "withdraw_planned": _w(_("撤回原因"), _("说明撤回计划内项目的原因，将记入办理记录。")),
    "cancel_planned": _w(_("撤销的理由"), _("说明撤销计划内项目的理由，将记入办理记录。")),
    # ------------------------------------------------------------ 建设 (办法第二十至二十八条)
    "start_construction": _w(_("开工情况说明"), _("开工时需要说明的事项（选填）。")),
    "order_rectification": _w(
        _("整改要求"), _("逐项写明需整改的问题和要求，项目建设单位按此整改并报送整改情况。")
    ),
    "finish_rectification": _w(_("对整改情况的意见"), _("对项目建设单位报送的整改情况的意见（选填）。")),
    "suspend": _w(_("暂停建设的理由"), _("说明暂停项目建设的理由。")),
    "resume": _w(_("恢复建设的理由"), _("说明恢复项目建设的理由。")),
    "terminate": _w(_("终止的理由"), _("说明终止项目的理由。")),
    "complete_construction": _w(_("建成情况说明"), _("项目建成时需要说明的事项（选填）。")),
    # ------------------------------------------------------------ 运维、购买服务 (issue 15)
    "start_service": _w(
        _("执行情况说明"),
        _("说明采购方式、合同签订和服务开始的情况（选填）；合同请在“登记建设和监理合同”页面登记。"),
    ),
    "finish_service": _w(
        _("服务期满情况说明"), _("说明服务期内的履约和绩效情况（选填）；各年度绩效评价报告须已报送。")
    ),
    # ------------------------------------------------------------ 验收 (办法第二十九至三十二条)
    "request_extension": _w(
        _("申请延期的理由"), _("说明不能按期申请竣工验收的原因；再次申请的，须说明新的理由。")
    ),
    "grant_extension": _w(_("同意延期的意见"), _("同意延期验收的意见（选填）。")),
    "refuse_extension": _w(_("不同意延期的理由"), _("说明不同意延期验收的理由。")),
    "apply_acceptance": _w(_("验收申请说明"), _("申请竣工验收时需要说明的事项（选填）。")),
    "accept": _w(_("验收意见"), _("通过竣工验收的意见（选填）。")),
    "fail_acceptance": _w(
        _("验收不通过的理由"), _("写明验收不通过的问题，项目建设单位整改后重新申请竣工验收。")
    ),
    "go_live": _w(_("投入运行说明"), _("投入运行时需要说明的事项（选填）。")),
    # ------------------------------------------------------------ 评价 (办法第三十三条)
    "submit_self_evaluation": _w(_("报送说明"), _("报送自评价报告时需要说明的事项（选填）。")),
    "commission_post_evaluation": _w(_("委托说明"), _("委托第三方后评价时需要说明的事项（选填）。")),
    "finish_post_evaluation": _w(_("报送说明"), _("报送后评价报告和结论时需要说明的事项（选填）。")),
    "close": _w(_("关闭说明"), _("关闭项目时需要说明的事项（选填）。")),
    # ------------------------------------------------------------ 年度计划 (办法第十一、十二条)
    "submit_to_government": _w(_("报送说明"), _("报省政府批准年度建设计划时需要说明的事项（选填）。")),
    "return_to_bureau": _w(
        _("退回的理由及修改要求"), _("写明年度建设计划需修改的内容，省营商环境局修改后重新报送。")
    ),
    "approve": _w(_("批准意见"), _("批准的意见（选填）。")),
    "issue": _w(_("下达说明"), _("下达年度建设计划时需要说明的事项（选填）。")),
    # ------------------------------------------------------------ 变更 (办法第二十八条)
    "ChangeRequest.submit": _w(
        _("提交说明"), _("提交变更时需要说明的事项（选填）；变更的理由请在变更草稿中填写。")
    ),
    "ChangeRequest.approve": _w(_("批准意见"), _("批准变更的意见（选填）。")),
    "reject": _w(_("不批准的理由"), _("说明不批准变更的理由。")),
}


def reason_wording(model: type, name: str) -> ReasonWording | None:
    """The label and help of the reason box of transition ``name`` of ``model``."""
    return REASONS.get(f"{model.__name__}.{name}") or REASONS.get(name)
