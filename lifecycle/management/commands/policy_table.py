"""docs/policy.md: the numbers of the policy in force, written from the ``Policy`` object.

    python manage.py policy_table            print the table
    python manage.py policy_table --write    write docs/policy.md
    python manage.py policy_table --check    exit 1 when docs/policy.md is not what --write writes

tests/lifecycle/test_policy_table.py fails when docs/policy.md and lifecycle/policy.py
disagree, and when README.md or another page of docs/ writes one of the numbers by hand.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.nature import ProjectNature
from lifecycle.policy import MonthDay, Policy, get_policy, percent_text

DOC = Path(settings.BASE_DIR) / "docs" / "policy.md"

#: What each number of ``Policy`` is: (article, unit, 中文, English, set by). "set by" is
#: 办法 when the 办法 gives the number, 系统 when the 办法 names the duty without a number
#: and the system chose a default or a bound against typing slips.
MEANING = {
    "call_opens": (
        "第八条",
        "date",
        "年度需求征集开始",
        "The yearly call for next year's needs opens",
        "办法",
    ),
    "call_closes": ("第八条", "date", "年度需求征集截止", "The yearly call closes", "办法"),
    "joint_review_working_days": (
        "第十条",
        "working_days",
        "联合审核出具意见，原则上不超过",
        "Joint review opinions, in principle within",
        "办法",
    ),
    "intake_target_working_days": (
        "第十条",
        "working_days",
        "申报后受理的目标时限（办法未规定，本局设定；联合审核时限自受理起算）",
        "Target from submission to 受理 (the 办法 sets none; the joint-review limit runs from 受理)",
        "系统",
    ),
    "plan_due": ("第十一条", "date", "下一年度项目计划编制完成", "Next year's plan is compiled by", "办法"),
    "unfinished_plan_lookback_years": (
        "第十二条",
        "years",
        "上一年度计划未完成的部门原则上不安排新项目；“上一年度”指征集之年的上一年度，即早于目标年度",
        (
            "A department whose plan of the year before is unfinished gets no new projects; "
            '"the year before" is read as the year before the call, i.e. this many years before the target '
            "year"
        ),
        "办法",
    ),
    "design_review_working_days": (
        "第十八条",
        "working_days",
        "初步设计审核批复，原则上不超过",
        "Preliminary design review and approval, in principle within",
        "办法",
    ),
    "performance_report_due": (
        "第二十五条",
        "date",
        "每个建设年度的绩效评价报告报送",
        "The yearly performance report is due by",
        "办法",
    ),
    "change_filing_max_ratio": (
        "第二十八条",
        "percent",
        "资金调整累计不超过概算总投资的比例（可备案）",
        "Cumulative money moved, as a share of the approved estimate, that may be filed (备案)",
        "办法",
    ),
    "change_cumulative_since_last_approval": (
        "第二十八条",
        "setting",
        "“累计”自最近一次经批准的变更起算（True）或自概算批复起算（False）",
        (
            '"Cumulative" counts the changes filed since the last approved change (True) '
            "or since the estimate (False)"
        ),
        "系统",
    ),
    "change_content_approver": (
        "第二十八条",
        "setting",
        "调整建设内容（超比例、目标变化、不符合所列情形）的变更由此机构负责人审批",
        "A change of content beyond filing is approved by the head of",
        "系统",
    ),
    "change_over_estimate_approver": (
        "第二十八条",
        "setting",
        "超出概算批复的变更由此机构负责人审批（estimate_approver：批复概算的机构）",
        (
            "A change exceeding the approved total is approved by the head of "
            "(estimate_approver: the body that approved the estimate)"
        ),
        "系统",
    ),
    "acceptance_application_months": (
        "第二十九条",
        "months",
        "建设完成后申请验收",
        "Acceptance is applied for after completion within",
        "办法",
    ),
    "acceptance_extension_max_months": (
        "第二十九条",
        "months",
        "延期验收申请或批准的日期最多晚于原期限",
        "A requested or granted later acceptance lies at most",
        "系统",
    ),
    "self_evaluation_opens_months": (
        "第三十三条",
        "months",
        "验收并上线运行后开展自评价，最早",
        "Self-evaluation after acceptance and go-live, at the earliest",
        "办法",
    ),
    "self_evaluation_due_months": (
        "第三十三条",
        "months",
        "验收并上线运行后开展自评价，最晚",
        "Self-evaluation after acceptance and go-live, at the latest",
        "办法",
    ),
    "rectification_default_working_days": (
        "第三十六条",
        "working_days",
        "限期整改的默认期限（可逐次另定）",
        "Default deadline of a rectification notice (set per notice)",
        "系统",
    ),
    "rectification_max_working_days": (
        "第三十六条",
        "working_days",
        "整改期限的上限",
        "Longest deadline a rectification notice may set",
        "系统",
    ),
    "split_warning_threshold": (
        "第八条",
        "number",
        "拆分申报预警的相似度阈值",
        "Similarity from which a possible split application is flagged",
        "系统",
    ),
    "duplicate_warning_threshold": (
        "第三条",
        "number",
        "跨部门重复建设预警的相似度阈值",
        "Similarity from which two departments' applications are flagged as duplicate construction",
        "系统",
    ),
    "reminder_working_days_before": (
        "第十条",
        "offsets",
        "时限提醒：截止日前的工作日数（0为当日）",
        "Deadline reminders: working days before the day it falls due (0: on the day)",
        "系统",
    ),
    "escalate_to_head_after_working_days": (
        "第五条",
        "working_days",
        "逾期后督办应办理单位负责人",
        "Overdue this long: escalated to the head of the organisation that must act",
        "系统",
    ),
    "escalate_to_bureau_after_working_days": (
        "第五条",
        "working_days",
        "逾期后督办省营商环境局负责人",
        "Overdue this long: escalated to the bureau's head",
        "系统",
    ),
    "service_path_natures": (
        "第十五条",
        "natures",
        "列入计划后按合同执行（不编报可研和初步设计、不验收）的建设性质",
        "Types executed under a contract once in the plan (no feasibility study, design or acceptance)",
        "系统",
    ),
    "merged_extension_natures": (
        "第十七条",
        "natures",
        "可按第十七条第（一）项合并编报的建设性质",
        "Types that may merge the feasibility study and design on ground (1) of Art. 17",
        "办法",
    ),
    "predecessor_required_natures": (
        "第三十八条",
        "natures",
        "须选择前期项目的建设性质",
        "Types that must name their earlier project",
        "系统",
    ),
    "system_required_natures": (
        "第三十四条",
        "natures",
        "须填写所涉已建政务信息系统的建设性质",
        "Types that must name the existing system concerned",
        "系统",
    ),
    "om_funding_natures": (
        "第三十四条",
        "natures",
        "视为申请运行维护经费的建设性质",
        "Types that ask for operation and maintenance funds",
        "系统",
    ),
}

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def value_text(unit: str, value) -> tuple[str, str]:
    """(中文, English) of a number of the policy."""
    if unit == "date":
        assert isinstance(value, MonthDay)
        return str(value), f"{value.day} {MONTHS[value.month - 1]}"
    if unit == "working_days":
        return f"{value}个工作日", f"{value} working days"
    if unit == "months":
        return f"{value}个月", f"{value} months"
    if unit == "years":
        return f"{value}年", f"{value} years"
    if unit == "offsets":
        days = "、".join(str(n) for n in value)
        return f"{days}个工作日", ", ".join(str(n) for n in value) + " working days"
    if unit == "natures":
        order = [n for n in ProjectNature if n.value in value]
        with translation.override("zh-hans"):
            zh = "、".join(str(n.label) for n in order)
        with translation.override("en"):
            en = ", ".join(str(n.label) for n in order)
        return zh, en
    if unit == "percent":
        text = percent_text(value * 100)
        return text, text
    return str(value), str(value)


def numbers(policy: Policy) -> list[tuple[str, str, str, str, str, str, str]]:
    """(field, article, 中文, English, value 中文, value English, set by) in the order of the class."""
    rows = []
    for field in dataclasses.fields(policy):
        if field.name in ("name", "jurisdiction", "review_aspects"):
            continue
        if field.name not in MEANING:
            raise CommandError(f"Policy.{field.name} has no entry in policy_table.MEANING: say what it is.")
        article, unit, zh, en, by = MEANING[field.name]
        value_zh, value_en = value_text(unit, getattr(policy, field.name))
        rows.append((field.name, article, zh, en, value_zh, value_en, by))
    return rows


def render(policy: Policy, path: str) -> str:
    lines = [
        "# 《办法》中的期限与比例 / The numbers of the policy",
        "",
        "<!-- Generated by `python manage.py policy_table --write` from lifecycle/policy.py: do not",
        "     edit by hand. tests/lifecycle/test_policy_table.py fails when the two disagree. -->",
        "",
        f"生效的规则 Policy in force: **{policy.name}** (`{path}`, chosen by `settings.LIFECYCLE_POLICY`).",
        "",
        f"依据 Regulation: {policy.jurisdiction.basis}",
        "",
        (
            "“系统”：《办法》规定了事项但未给出数字，数字为本系统的默认值或防止录入错误的上限，"
            "可按需调整。 *系统* (system): the 办法 names the duty without a number; the number is a default "
            "of this system or a bound against typing slips."
        ),
        "",
        "| 条款 Article | 规定 | Rule | 数值 | Value | 依据 Set by | `Policy` field |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, article, zh, en, value_zh, value_en, by in numbers(policy):
        lines.append(f"| {article} | {zh} | {en} | **{value_zh}** | {value_en} | {by} | `{name}` |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "生成 docs/policy.md：现行规则（settings.LIFECYCLE_POLICY）中的各项期限与比例。"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="write docs/policy.md")
        group.add_argument("--check", action="store_true", help="exit 1 when docs/policy.md is out of date")

    def handle(self, *args, write=False, check=False, **options):
        text = render(get_policy(), settings.LIFECYCLE_POLICY)
        if write:
            DOC.write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {DOC.relative_to(settings.BASE_DIR)}")
        elif check:
            if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
                raise CommandError(
                    "docs/policy.md is not what lifecycle/policy.py says: "
                    "run python manage.py policy_table --write"
                )
            self.stdout.write("docs/policy.md agrees with the policy")
        else:
            self.stdout.write(text, ending="")
