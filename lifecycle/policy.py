"""The numbers of the 办法, each with the article that sets it.

Nothing else in the code base writes 5, 20, 15%, 6 months, 6–12 months, June or the end of
October as a literal: it asks ``get_policy()``. A city that adopts the system under
办法第四十条 defines its own ``Policy`` (for instance in ``mycity/policy.py``) and points
``settings.LIFECYCLE_POLICY`` at it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

from core import formatting
from core.jurisdiction import HEILONGJIANG, Jurisdiction
from core.nature import ProjectNature
from core.review_aspects import HEILONGJIANG_REVIEW, ReviewAspect


@dataclass(frozen=True)
class MonthDay:
    """A day of the year (month, day), e.g. 10月31日."""

    month: int
    day: int

    def of(self, year: int):
        return datetime.date(year, self.month, self.day)

    def __str__(self) -> str:
        return f"{self.month}月{self.day}日"


@dataclass(frozen=True)
class Policy:
    name: str
    #: 办法第四十条: whose 办法 this is — its title and number as letters cite it, and the
    #: names the fixed wording gives the agencies (core/jurisdiction.py).
    jurisdiction: Jurisdiction = HEILONGJIANG
    #: 办法第十条: which application items and materials each agency of the joint review reads
    #: for its opinion (集约化和数据共享, 网络安全, 密码应用), each with its article
    #: (core/review_aspects.py); the review pages show them (web/aspect_views.py).
    review_aspects: tuple[ReviewAspect, ...] = HEILONGJIANG_REVIEW
    #: 办法第八条: the yearly call for next year's needs is held in June.
    call_opens: MonthDay = MonthDay(6, 1)
    call_closes: MonthDay = MonthDay(6, 30)
    #: 办法第十条: joint review of one project, in principle ≤ 5 working days.
    joint_review_working_days: int = 5
    #: The wait from a department's submission (统一申报 or 补充申报) to the bureau's 受理,
    #: in working days. 办法第十条 sets no number for it (its 5 working days run from 受理):
    #: this is the bureau's own target, which it may set here; the wait is recorded and
    #: reported against it (clock "申报后受理"), and nothing is refused for it.
    intake_target_working_days: int = 5
    #: 办法第十一条: next year's plan is compiled by the end of October.
    plan_due: MonthDay = MonthDay(10, 31)
    #: 办法第十二条: a department whose plan of the year before is unfinished gets no new
    #: projects in principle. "上一年度" is read as the plan of the year before the call is
    #: held (a June 2025 call for 2026 looks at the 2024 plan), i.e. target year − 2.
    unfinished_plan_lookback_years: int = 2
    #: 办法第十八条: preliminary design review and approval, in principle ≤ 20 working days.
    design_review_working_days: int = 20
    #: 办法第二十五条: the yearly performance report is due before the end of each
    #: construction year.
    performance_report_due: MonthDay = MonthDay(12, 31)
    #: 办法第二十八条: a change moving at most 15% of the approved 概算总投资 may be filed.
    change_filing_max_ratio: Decimal = Decimal("0.15")
    #: 办法第二十八条 "资金调整数额不超过概算总投资15%": how "累计" is read. True: the money
    #: moved by the changes *filed* (备案) since the last formally approved change (or since
    #: the 概算 approval, when none was approved) adds up, together with the new change, and is
    #: divided by the current approved total — the 概算, or the 调整后总投资 of the last
    #: approved change (an approved change is a new approval in its own right: it becomes the
    #: baseline and opens a new filing allowance). A change waiting for or refused approval
    #: uses up nothing. False: every filed change since the 概算 approval adds up, over the
    #: current approved total.
    change_cumulative_since_last_approval: bool = True
    #: 办法第二十八条 "不符合上述情形的，应当按照省有关规定履行相应手续": who approves a change
    #: beyond filing, by kind of change — an organisation kind, or ESTIMATE_APPROVER for the
    #: body that approved the 概算 (the design approver of 第十八条: the bureau, or 省内网办 for
    #: an intranet project; 省发改委 for a merged FSR, 第十七条).
    #: A change of content (ratio over the limit, goals changed, no ground of 第二十八条):
    change_content_approver: str = "bureau"
    #: A change whose 调整后总投资 exceeds the current approved total (超出概算批复):
    change_over_estimate_approver: str = "estimate_approver"
    #: 办法第二十九条: acceptance is applied for within half a year of completion.
    acceptance_application_months: int = 6
    #: 办法第二十九条 lets the owner apply for a later acceptance (延期验收申请) without saying
    #: how much later. A requested or granted date lies at most this many months after the
    #: current deadline: a bound of the system against typing slips, not a number of the 办法.
    acceptance_extension_max_months: int = 12
    #: 办法第三十三条: self-evaluation 6 to 12 months after acceptance and go-live.
    self_evaluation_opens_months: int = 6
    self_evaluation_due_months: int = 12
    #: 办法第三十六条 says "限期整改" without a number; this is the default deadline the
    #: bureau is offered (it may set another one for each notice).
    rectification_default_working_days: int = 20
    #: No notice sets more than this (about one year of working days): a bound of the system
    #: against typing slips, since 办法第三十六条 gives no number.
    rectification_max_working_days: int = 250
    #: 办法第八条 (split applications): the similarity score from which the bureau is warned
    #: (projects/similarity.py). On the labelled call of issue 15 every split scores 0.51 or
    #: more and no other pair above 0.35 (docs/split-detection.md); 0.5 sits in that gap.
    split_warning_threshold: float = 0.5
    #: 办法第三条 (集约节约: no duplicate construction): the similarity, by the same measure,
    #: from which two applications of *different* departments in one call are shown to the
    #: bureau as possibly the same system built twice. On the labelled call of issue 15 the
    #: duplicates score 0.62 or more and no other pair of departments above 0.38
    #: (docs/split-detection.md); 0.5 sits in that gap.
    duplicate_warning_threshold: float = 0.5

    #: Issue 12 (projects/reminders.py): reminders before the deadlines the 办法 sets (办法第十、
    #: 十一、十八、二十五、二十九、三十三、三十六条), in working days before the day it falls
    #: due (0: on the day). The 办法 sets no reminders: these are the bureau's own settings.
    reminder_working_days_before: tuple[int, ...] = (2, 1, 0)
    #: Issue 12: a deadline overdue by this many working days is escalated to the 负责人 of the
    #: organisation that must act (the bureau's setting, not a number of the 办法) …
    escalate_to_head_after_working_days: int = 1
    #: … and by this many to the bureau's 负责人 (办法第五条: the bureau supervises the process).
    escalate_to_bureau_after_working_days: int = 3

    # ---------------------------------------------------------------- 建设性质 (issue 15)
    #: Which 建设性质 (core/nature.py) follow the short execution path after the annual plan:
    #: 开始执行 (procurement and the contract, 第二十一条) → yearly 绩效评价报告 (第二十五条) →
    #: 服务期满 — without 可行性研究报告, 初步设计, 省政府审定, 监理 or 竣工验收.
    #: Reasoning: every item of the year goes through the call, the joint review and the
    #: plan (第七、八、十、十一条 name no exception, and 第三十八条 ties 运行维护经费 to the plan
    #: like 政府投资). The approval chain of 第十五条 (可研 → 初步设计 → 审定) is the approval of
    #: 建设 — "所有新建的政务信息化项目" on the investment platform; 第十七条 shortens it only for
    #: construction; 第二十四条 监理 is 工程监理 of 项目建设, and 第二十九条 accepts a project
    #: "建成后". 运维 spends 运行维护经费, which the 办法 keeps apart from 建设投资 (第十六、三十四、
    #: 三十八条), and 购买服务 buys a service rather than building an asset; national practice
    #: (国办发〔2019〕57号 cited by 第一条; 政府购买服务管理办法) budgets both as recurrent
    #: spending under a contract, evaluated by performance reports (第二十五、三十五条).
    service_path_natures: frozenset[str] = frozenset({ProjectNature.OPERATION, ProjectNature.SERVICE})
    #: 办法第十七条（一）"部分扩建、改建（升级改造）的项目": the merged 可研+初步设计 ground (一)
    #: is open only to applications of these natures (the other grounds to every construction).
    merged_extension_natures: frozenset[str] = frozenset({ProjectNature.UPGRADE})
    #: 办法第三十八条: a 续建 continues an earlier project, whose acceptance and evaluation
    #: results are a 重要依据 of the next year's money — the application names it.
    predecessor_required_natures: frozenset[str] = frozenset({ProjectNature.CONTINUED})
    #: 办法第三十四条 "已建的政务信息化项目需升级改造" / "不得申报运行维护经费": an upgrade and an
    #: O&M request name the existing system, so that a finding against it (ComplianceFinding.
    #: system) refuses them.
    system_required_natures: frozenset[str] = frozenset({ProjectNature.UPGRADE, ProjectNature.OPERATION})
    #: 办法第三十四条: the natures that ask for 运行维护经费 (refused for a system under a finding).
    om_funding_natures: frozenset[str] = frozenset({ProjectNature.OPERATION})

    @property
    def change_filing_max_percent(self) -> str:
        """The 第二十八条 limit as people write it: "15%", "12.5%" (never rounded)."""
        return percent_text(self.change_filing_max_ratio * 100)

    def figures(self) -> dict:
        """The numbers by name, for messages that quote them (``%(joint_review_days)s``…)."""
        return {
            "joint_review_days": self.joint_review_working_days,
            "intake_days": self.intake_target_working_days,
            "design_review_days": self.design_review_working_days,
            "change_limit": self.change_filing_max_percent,
            "acceptance_months": self.acceptance_application_months,
            "self_evaluation_opens": self.self_evaluation_opens_months,
            "self_evaluation_due": self.self_evaluation_due_months,
        }


def percent_text(percent, places: int | None = None) -> str:
    """A percentage for people to read. Without ``places`` it is shown exactly, without
    trailing zeros: 15 → "15%", 12.5 → "12.5%" (a number of a policy is never rounded).
    With ``places`` a measured share is rounded half up to that many places and shows them
    all, so that "16.00%" says it was rounded: 16.0042 → "16.00%"."""
    if places is not None:
        return formatting.percent_text(percent, places)  # the one look of a measured share
    value = Decimal(str(percent)) if isinstance(percent, float) else Decimal(percent)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


#: Policy.change_*_approver: the body that approved the project's 概算 (办法第十七、十八条).
ESTIMATE_APPROVER = "estimate_approver"

HEILONGJIANG_2023 = Policy(name="黑政办发〔2023〕21号")


@cache
def _load(path: str) -> Policy:
    return import_string(path)


def get_policy() -> Policy:
    """The policy in force, named by ``settings.LIFECYCLE_POLICY`` (a city's own, 办法第四十条)."""
    return _load(settings.LIFECYCLE_POLICY)
