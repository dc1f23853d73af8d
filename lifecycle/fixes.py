"""Where a refusal is put right (issue 11: "blocking messages do not say where to fix the
problem"). One mapping, ``FIXES``, keyed by the guard's name (lifecycle/guards.py): the page
(a URL name and the arguments it takes from the object), the field or section on it (the
element id the link jumps to) and the words that name it. A guard that refuses one step
differently from another is keyed ``"<step>.<guard>"`` (the 项目责任人 is a field of the
emergency step's own page, but of the consolidated submission otherwise).

The lifecycle layer only names the pages; the web layer (web/templatetags/guidance.py) turns
a fix into a link, shown only to a person who may open that page, and otherwise names the
page and who acts there. tests/web/test_guidance_fixes.py walks every guard of every
transition and opens each page to find its anchor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .policy import get_policy


def _pk(obj: Any) -> tuple:
    return (obj.pk,)


@dataclass(frozen=True)
class Fix:
    """``page``: URL name; ``anchor``: the id of the field or section on it; ``label``: the
    page and field in words (“登记项目信息”页面的“可研报告含信息资源共享篇章”); ``args``: the
    URL's arguments from the object; ``query``: appended to the URL (``check=1``)."""

    page: str
    anchor: str
    label: StrOrPromise
    args: Callable[[Any], tuple] = field(default=_pk)
    query: str = ""


def _year(obj: Any) -> tuple:
    return (obj.year,)


def _call_year(project: Any) -> tuple:
    return (project.call.year,) if project.call_id else ()


def _plan_year(project: Any) -> tuple:
    return (project.plan.year,) if project.plan_id else ()


def _step(name: str) -> Callable[[Any], tuple]:
    return lambda project: (project.pk, name)


def _previous_plan_year(project: Any) -> tuple:
    # 办法第十二条: the plan whose unfinished projects the guard names (guards.unfinished_previous_plan).
    return (project.year - get_policy().unfinished_plan_lookback_years,) if project.year else ()


def _none(obj: Any) -> tuple:
    return ()


#: The sections of the application page (projects.forms.FORMSETS prefixes) for the rows the
#: 办法第九条 check names by their relation.
_APPLICATION_ROWS = {
    "data_resources": "fs-data",
    "yearly_investments": "fs-yearly",
    "funding_lines": "fs-funding",
    "participants": "fs-participants",
}


def _application_anchor(field_name: str) -> str:
    return _APPLICATION_ROWS.get(field_name, f"id_{field_name}")


def _application(project: Any) -> Fix:
    """办法第九条: the first gap the application check lists, at its field."""
    missing = project.missing_application_items()
    first = missing[0][0] if missing else "name"
    return Fix(
        "application_edit",
        _application_anchor(first),
        _("“申报材料”页面（缺漏标在对应字段旁）"),
        query="check=1",
    )


def _catalogue(chapter: str, chapter_label: StrOrPromise) -> Callable[[Any], Fix]:
    """办法第十六条: the sharing chapter ticked on the records page, else the catalogue rows."""

    def fix(project: Any) -> Fix:
        if not getattr(project, chapter):
            return Fix("records_edit", f"id_{chapter}", chapter_label)
        return Fix(
            "application_edit",
            "fs-data",
            _("“申报材料”页面的“数据资源目录”，或在项目页“材料”处上传信息资源目录"),
        )

    return fix


_MATERIALS = Fix("project", "h-materials", _("项目页“材料”处上传"))


#: guard name (or "<step>.<guard name>") → Fix, or a function of the object giving one.
FIXES: dict[str, Fix | Callable[[Any], Fix]] = {
    # ------------------------------------------------------------ 第二章 年度计划管理
    "application_complete": _application,
    "call_is_open": Fix("call_submit", "call-window", _("“本单位统一申报”页面的征集期"), args=_call_year),
    "owner_compliant": Fix(
        "supervision", "h-findings", _("“监督管理”页面的第三十四条认定（由认定单位解除）"), args=_none
    ),
    "owner_not_deferred": Fix(
        "supervision", "h-decisions", _("“监督管理”页面的暂缓安排决定（由省营商环境局解除）"), args=_none
    ),
    "participants_confirmed": Fix(
        "application_edit",
        "fs-participants",
        _("“申报材料”页面的“跨部门参建单位”（参建部门在“确认本单位参建内容”页面确认）"),
    ),
    "previous_plan_finished": Fix(
        "plan", "rows", _("上一年度建设计划页面的“计划内项目”"), args=_previous_plan_year
    ),
    "joint_opinions_given": Fix("joint_review", "h-slots", _("“联合审核”页面的三方审核意见")),
    "joint_opinions_favourable": Fix("joint_review", "h-slots", _("“联合审核”页面的三方审核意见")),
    "emergency_mandate_given": Fix(
        "application_edit", "id_emergency_mandate", _("“申报材料”页面的“紧急纳入依据”")
    ),
    "plan_approved": Fix("plan_list", "plans", _("“年度建设计划”页面"), args=_none),
    "emergency_reviewed": Fix(
        "opinion_new", "id_aspect", _("“出具意见”页面（省营商环境局、省财政厅出具紧急纳入审核意见）")
    ),
    "emergency_security_reviewed": Fix(
        "opinion_new", "id_aspect", _("“出具意见”页面（省委网信办、省国家密码管理局出具审核意见）")
    ),
    "in_approved_plan": Fix("plan_list", "plans", _("“年度建设计划”页面"), args=_none),
    # ------------------------------------------------------------ 第三章 项目审批管理
    "platform_code_registered": Fix(
        "records_edit", "id_platform_code", _("“登记项目信息”页面的“在线审批监管平台项目代码”")
    ),
    "fsr_document_uploaded": _MATERIALS,
    "design_documents_uploaded": _MATERIALS,
    "fsr_catalogue_ready": _catalogue(
        "fsr_sharing_chapter", _("“登记项目信息”页面的“可研含信息资源共享分析篇（章）”")
    ),
    "design_catalogue_ready": _catalogue(
        "design_sharing_chapter", _("“登记项目信息”页面的“初步设计含信息资源共享分析篇（章）”")
    ),
    "merged_ground_given": Fix("records_edit", "id_merged_ground", _("“登记项目信息”页面的“合并情形”")),
    "deviation_explained": Fix(
        "records_edit", "id_deviation_explanation", _("“登记项目信息”页面的“调整内容及理由（独立章节）”")
    ),
    "no_major_change": Fix("records_edit", "id_design_major_change", _("“登记项目信息”页面的“存在重大变更”")),
    "decided_within_estimate": Fix(
        "project_step", "id_decided_amount_yuan", _("本页的“审定金额”"), args=_step("ratify")
    ),
    # ------------------------------------------------------------ 第四章 建设和资金管理
    "responsible_person_named": Fix(
        "call_submit", "responsible_person", _("“本单位统一申报”页面的“项目责任人”"), args=_call_year
    ),
    "request_emergency.responsible_person_named": Fix(
        "project_step", "id_responsible_person", _("本页的“项目责任人”"), args=_step("request_emergency")
    ),
    "supervisor_recorded": Fix(
        "contract_new", "id_kind", _("“登记建设和监理合同”页面（合同类别选“监理合同”）")
    ),
    "rectification_reported": Fix("rectification_report", "id_report", _("“报送整改情况”页面")),
    # ------------------------------------------------------------ 第五章 项目验收管理
    "acceptance_in_time": Fix(
        "project_step", "id_requested_due_on", _("“申请延期验收”页面"), args=_step("request_extension")
    ),
    "archive_accepted": _MATERIALS,
    "crypto_assessed": _MATERIALS,
    "product_statement_given": Fix(
        "application_edit", "id_product_reliability", _("申报材料的“产品安全可靠情况”")
    ),
    "secrecy_evaluated": _MATERIALS,
    "acceptance_opinions_given": Fix(
        "opinion_new", "id_aspect", _("“出具意见”页面（各验收单位出具竣工验收意见）")
    ),
    "acceptance_opinions_favourable": Fix(
        "opinion_new", "id_aspect", _("“出具意见”页面（各验收单位出具竣工验收意见）")
    ),
    "acceptance_report_filed": _MATERIALS,
    "self_evaluation_window_open": Fix("project", "h-clocks", _("项目页“时限”中的自评价期间")),
    "targets_reported": Fix("evaluation_targets", "targets", _("“绩效目标及完成情况”页面")),
    "post_evaluation_report_uploaded": _MATERIALS,
    # ------------------------------------------------------------ 建设性质 (issue 15)
    "approval_path_nature": Fix("project", "h-actions", _("项目页“您现在可以办理”中本类项目的办理步骤")),
    "acceptance_path_nature": Fix("project", "h-actions", _("项目页“您现在可以办理”中本类项目的办理步骤")),
    "service_path_nature": Fix("project", "h-actions", _("项目页“您现在可以办理”中本类项目的办理步骤")),
    "service_contract_recorded": Fix(
        "contract_new", "id_kind", _("“登记建设和监理合同”页面（合同类别选“建设合同”）")
    ),
    "yearly_reports_submitted": Fix("project", "h-clocks", _("项目页“时限”中的年度绩效评价报告")),
    "merged_ground_fits_nature": Fix("records_edit", "id_merged_ground", _("“登记项目信息”页面的“合并情形”")),
    "nature_links_given": Fix("application_edit", "id_nature", _("申报材料的“建设性质”及前期项目、所涉系统")),
    "system_compliant": Fix(
        "supervision", "h-findings", _("“监督管理”页面的第三十四条认定（由认定单位解除）"), args=_none
    ),
    # ------------------------------------------------------------ 年度建设计划 (第十一条)
    "finance_concurred": Fix("plan", "h-actions", _("年度建设计划页面的“财政厅会签”"), args=_year),
    "plan_not_empty": Fix("plan", "rows", _("年度建设计划页面的“计划内项目”"), args=_year),
}


def fix_for(guard_name: str, obj: Any, step: str = "") -> Fix | None:
    """Where ``obj``'s refusal by guard ``guard_name`` (in step ``step``) is put right."""
    entry = FIXES.get(f"{step}.{guard_name}") or FIXES.get(guard_name)
    if entry is None:
        return None
    return entry if isinstance(entry, Fix) else entry(obj)
