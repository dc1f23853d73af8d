"""The simulation's own model of what the 办法 allows — written from the regulation and its rule
map (who acts, in which state, what happens next), NOT read from lifecycle/machine.py.

It says, for every step of the project, plan and change machines: from which states it may be
taken, by which organisation (kind, or "owner" = the project's own department) and which role,
and where it leads. The names of states and steps are the system's vocabulary (core.states);
everything else here is the 办法's:

* 第八条: the department's head signs the consolidated application (统一申报) — never a
  project on its own; the department withdraws its own application;
* 第十条: the bureau receives the application and runs the joint review; the three agencies
  (bureau 集约化/数据共享, 网信办 网络安全, 密码管理局 密码应用) may ask for 陈述和补正, the
  department answers; expert evaluation organised by the bureau, reported by it or the experts;
  the bureau's head decides the review once the three opinions are in (passes only if all three
  are favourable);
* 第十一条: a project enters the plan (or is left out) only through the government's approval
  of the whole plan; the bureau compiles with 财政厅's concurrence, its head submits, the
  government approves or returns, the bureau issues (第十二条 下达);
* 第十二条: emergency insertion — the department's head asks, bureau and 财政厅 review (either
  head may refuse), the bureau's head forwards, the government approves or refuses;
* 第十五、十七条: the department submits the FSR, 省发改委 approves (merged FSR+design → the
  approval completes the approvals), returns or refuses it;
* 第十八条: the department submits the design to the bureau (省内网办 for 电子政务内网 projects),
  which returns it for correction, approves, refuses or sends it back to the FSR;
* 第十九条: the bureau's head submits to the government for 审定; the government ratifies,
  returns or declines;
* 第十一、十二条: a planned project before construction is withdrawn by its department's head
  or cancelled by the bureau's head;
* 第二十四条: construction starts (the department) once the 监理 contract is recorded;
* 第二十六、三十六条: the bureau's head orders rectification, suspends, resumes, terminates;
* 第二十九条: the department's head reports completion, asks for an extension of the
  half-year, applies for acceptance; the bureau's head grants/refuses the extension and
  accepts/fails the acceptance;
* 第三十三条: the department goes live, its head self-evaluates; the bureau's head commissions a
  post-evaluation (reported by the commissioned organisation) or closes;
* 第二十八条: the department's head files a change; within 15 % cumulative of the approved total,
  within 概算, goals unchanged and one of the three grounds → 备案 at once; otherwise formal
  approval by the head of the body that approves it.

Roles: "staff" = 经办人 or 负责人; "head" = 负责人; "reviewers" = 审核人 or 负责人.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from chinese_calendar import constants

STAFF = frozenset({"preparer", "head"})
HEAD = frozenset({"head"})
REVIEWERS = frozenset({"reviewer", "head"})

PLANNED = (
    "in_plan",
    "fsr_review",
    "fsr_approved",
    "design_review",
    "design_correcting",
    "approval_complete",
    "ratification",
    "ratified",
)

#: 办法第二十八条: the share of the approved total a department may move on its own (备案).
FILING_LIMIT = Decimal("0.15")


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    target: str
    who: tuple[tuple[str, frozenset], ...]  # (organisation kind | "owner" | "design", roles)
    #: taken only inside a larger act (第八条 统一申报, 第十一条 the plan's approval)
    via: bool = False


def _s(sources, target, *who, via=False):
    sources = (sources,) if isinstance(sources, str) else tuple(sources)
    return Step(sources, target, tuple(who), via)


PROJECT_STEPS: dict[str, Step | tuple[Step, ...]] = {
    # 第八条
    "submit": _s("draft", "submitted", ("owner", HEAD), via=True),
    "withdraw": _s(("draft", "submitted"), "withdrawn", ("owner", HEAD)),
    # 第十条
    "accept_application": _s("submitted", "joint_review", ("bureau", REVIEWERS)),
    "request_correction": _s(
        "joint_review", "correcting", ("bureau", REVIEWERS), ("cac", REVIEWERS), ("crypto", REVIEWERS)
    ),
    "submit_correction": _s("correcting", "joint_review", ("owner", STAFF)),
    "start_expert_evaluation": _s("joint_review", "expert_evaluation", ("bureau", REVIEWERS)),
    "finish_expert_evaluation": _s(
        "expert_evaluation", "joint_review", ("bureau", REVIEWERS), ("expert", REVIEWERS)
    ),
    "pass_review": _s("joint_review", "review_passed", ("bureau", HEAD)),
    "reject_review": _s("joint_review", "review_rejected", ("bureau", HEAD)),
    # 第十一条
    "enter_plan": _s("review_passed", "in_plan", ("government", HEAD), via=True),
    "leave_out": _s("review_passed", "not_included", ("government", HEAD), via=True),
    # 第十二条
    "request_emergency": _s("draft", "emergency_requested", ("owner", HEAD)),
    "forward_emergency": _s("emergency_requested", "emergency_forwarded", ("bureau", HEAD)),
    "approve_emergency": _s("emergency_forwarded", "in_plan", ("government", HEAD)),
    "reject_emergency": (
        _s("emergency_requested", "review_rejected", ("bureau", HEAD), ("finance", HEAD)),
        _s("emergency_forwarded", "review_rejected", ("government", HEAD)),
    ),
    # 第十五、十七条
    "submit_fsr": _s("in_plan", "fsr_review", ("owner", STAFF)),
    "approve_fsr": _s("fsr_review", "fsr_approved", ("drc", HEAD)),
    "return_fsr": _s("fsr_review", "in_plan", ("drc", REVIEWERS)),
    "refuse_fsr": _s("fsr_review", "fsr_refused", ("drc", HEAD)),
    # 第十八条
    "submit_design": _s("fsr_approved", "design_review", ("owner", STAFF)),
    "return_design": _s("design_review", "design_correcting", ("design", REVIEWERS)),
    "resubmit_design": _s("design_correcting", "design_review", ("owner", STAFF)),
    "approve_design": _s("design_review", "approval_complete", ("design", HEAD)),
    "send_back_to_fsr": _s(("design_review", "design_correcting"), "in_plan", ("design", HEAD)),
    "refuse_design": _s("design_review", "design_refused", ("design", HEAD)),
    # 第十九条
    "submit_ratification": _s("approval_complete", "ratification", ("bureau", HEAD)),
    "ratify": _s("ratification", "ratified", ("government", HEAD)),
    "return_ratification": _s("ratification", "approval_complete", ("government", HEAD)),
    "decline_ratification": _s("ratification", "ratification_declined", ("government", HEAD)),
    # 第十一、十二条
    "withdraw_planned": _s(PLANNED, "cancelled", ("owner", HEAD)),
    "cancel_planned": _s(PLANNED, "cancelled", ("bureau", HEAD)),
    # 第二十四、二十六、三十六条
    "start_construction": _s("ratified", "construction", ("owner", STAFF)),
    "order_rectification": _s("construction", "rectification", ("bureau", HEAD)),
    "finish_rectification": _s("rectification", "construction", ("bureau", HEAD)),
    "suspend": _s(("construction", "rectification"), "suspended", ("bureau", HEAD)),
    "resume": _s("suspended", "construction", ("bureau", HEAD)),
    "terminate": _s(("construction", "rectification", "suspended"), "terminated", ("bureau", HEAD)),
    # 第二十九条
    "complete_construction": _s("construction", "completed", ("owner", HEAD)),
    "request_extension": _s("completed", "extension_requested", ("owner", HEAD)),
    "grant_extension": _s("extension_requested", "completed", ("bureau", HEAD)),
    "refuse_extension": _s("extension_requested", "completed", ("bureau", HEAD)),
    "apply_acceptance": _s("completed", "acceptance_review", ("owner", HEAD)),
    "accept": _s("acceptance_review", "accepted", ("bureau", HEAD)),
    "fail_acceptance": _s("acceptance_review", "completed", ("bureau", HEAD)),
    # 第三十三条
    "go_live": _s("accepted", "operation", ("owner", STAFF)),
    "submit_self_evaluation": _s("operation", "self_evaluated", ("owner", HEAD)),
    "commission_post_evaluation": _s("self_evaluated", "post_evaluation", ("bureau", HEAD)),
    "finish_post_evaluation": _s("post_evaluation", "closed", ("commissioned", REVIEWERS)),
    "close": _s("self_evaluated", "closed", ("bureau", HEAD)),
}

PLAN_STEPS = {
    "submit_to_government": _s("compiling", "submitted", ("bureau", HEAD)),
    "return_to_bureau": _s("submitted", "compiling", ("government", HEAD)),
    "approve": _s("submitted", "approved", ("government", HEAD)),
    "issue": _s("approved", "issued", ("bureau", HEAD)),
}

CHANGE_STEPS = {
    # the target of submit is decided by the routing (filed | pending_approval)
    "submit": _s("draft", "routed", ("owner", HEAD)),
    "approve": _s("pending_approval", "approved", ("approver", HEAD)),
    "reject": _s("pending_approval", "rejected", ("approver", HEAD)),
    "withdraw": _s(("draft", "pending_approval"), "withdrawn", ("owner", HEAD)),
}


@dataclass(frozen=True)
class Person:
    pk: int
    kind: str  # organisation kind
    org: int  # organisation pk
    role: str


@dataclass(frozen=True)
class Verdict:
    """What the model says of a step: "state" (not from this state), "permission" (not this
    person), "via" (only inside a larger act) or "ok" — and the state it leads to."""

    outcome: str
    target: str = ""


def _steps(table, name) -> tuple[Step, ...]:
    found = table[name]
    return found if isinstance(found, tuple) else (found,)


def judge(table, name: str, state: str, person: Person, *, resolve) -> Verdict:
    """``resolve(kind)`` turns "owner", "design", "commissioned", "approver" into (kind, org pk
    or None) for the object at hand."""
    step = next((s for s in _steps(table, name) if state in s.sources), None)
    if step is None:
        return Verdict("state")
    for kind, roles in step.who:
        want_kind, want_org = resolve(kind)
        if person.kind == want_kind and (want_org is None or want_org == person.org) and person.role in roles:
            return Verdict("via" if step.via else "ok", step.target)
    return Verdict("permission", step.target)


# ---------------------------------------------------------------- 第二十八条 routing


def change_route(
    *, baseline: Decimal, filed_since: Decimal, moved: Decimal, new_total: Decimal, goals: bool, ground: str
) -> tuple[str, Decimal]:
    """备案 ("filing") only within 15 % cumulative, within 概算, goals unchanged, a ground."""
    ratio = (filed_since + moved) / baseline
    ok = ratio <= FILING_LIMIT and new_total <= baseline and goals and bool(ground)
    return ("filing" if ok else "approval"), ratio


# ---------------------------------------------------------------- working days


class Calendar:
    """The official calendar as the simulation knows it: the State Council's schedules of the
    years the ``chinese-calendar`` package carries, plus the years an administrator entered
    during the run. A weekday is a working day unless it is a listed holiday; a weekend day is
    a day off unless it is a listed make-up working day (调休上班日)."""

    def __init__(self) -> None:
        self.years: dict[int, tuple[set[datetime.date], set[datetime.date]]] = {}
        for year in {d.year for d in constants.holidays} | {d.year for d in constants.workdays}:
            self.years[year] = (
                {d for d in constants.holidays if d.year == year},
                {d for d in constants.workdays if d.year == year},
            )

    def enter(self, year: int, holidays, workdays) -> None:
        self.years[year] = (set(holidays), set(workdays))

    def known(self, day: datetime.date) -> bool:
        return day.year in self.years

    def working(self, day: datetime.date) -> bool:
        off, on = self.years.get(day.year, (set(), set()))
        if day in off:
            return False
        if day in on:
            return True
        return day.weekday() < 5

    def add(self, received: datetime.date, n: int) -> tuple[datetime.date, bool]:
        """The n-th working day after ``received`` (the day of receipt not counted), and whether
        the count ran through a day of a year whose schedule is unknown."""
        day, left, unknown = received, n, False
        while left:
            day += datetime.timedelta(days=1)
            unknown |= not self.known(day)
            left -= self.working(day)
        return day, unknown

    def between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += datetime.timedelta(days=1)
            count += self.working(day)
        return count
