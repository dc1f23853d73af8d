"""The data a step of the state machine records, checked before the step is taken.

A transition declares the data it records (``custom["fields"]`` in ``lifecycle.machine``:
文号, 概算, 审定金额, 开工/建成/验收/投入运行 dates, the extension dates, the 整改 period).
``validate_step_data`` is run by ``services.perform`` after the permission and guard checks
and before the transition, so every way in (web page, admin, demo data, import) refuses the
same values with the same Chinese message naming the field. ``clean`` checks one datum; the
step form (``webforms.StepForm``) and the audited correction (``lifecycle.corrections``) use
it too, so a corrected value obeys exactly the rules of the step that first recorded it.

What is checked, and why:

* money — a number, at most two decimals, below ``MONEY_LIMIT_YUAN``; 概算 (第十五、十七、
  十八条) and 审定金额 (第十九条) above zero; 结余 (第二十七条) zero or more and not more
  than the money the project was given;
* dates of things that happened (开工, 建成, 验收, 投入运行) — not later than today, and in
  the order of the 办法: 审定 → 开工 (第十二条 不得未批先建, 第十九条 审定后实施) → 建成
  → 验收 (第二十九条) → 投入运行 (第三十三条 通过验收并投入运行);
* an extension of the acceptance application (第二十九条) — after the current deadline, not
  in the past, at most ``Policy.acceptance_extension_max_months`` later;
* a rectification period (第三十六条) — whole working days, 1 to
  ``Policy.rectification_max_working_days``.

Anything that is not a value of the right type (a word where a date belongs, a float NaN…)
is refused with ``RuleViolation(code="data")``, never another exception.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.formatting import money_text
from core.validation import EARLIEST_DATE, MONEY_LIMIT_YUAN  # the bounds shared with the forms
from core.vocabulary import DesignEvaluation, EvaluationGrade, OrgKind

from .errors import RuleViolation
from .models import ClockKind
from .policy import get_policy
from .workdays import add_months

CENT = Decimal("0.01")
#: The audit action of the step that records the 省政府审定 (第十九条); a test checks that
#: it names a transition.
RATIFY = "ratify"


# ================================================================ the data and their steps


@dataclass(frozen=True)
class Datum:
    """One datum a step records: its label, the article it belongs to, its check."""

    label: StrOrPromise
    article: str
    check: Callable  # (project, value, *, correcting: bool) -> cleaned value


#: step → {datum: required}. The keys of each step are the ``fields`` of its transition
#: (a test checks that both agree). 结余 may be left empty (nothing to return, 第二十七条);
#: an empty 整改期限 takes the policy's default (第三十六条).
STEPS: dict[str, dict[str, bool]] = {
    "approve_fsr": {"fsr_approval_no": True, "fsr_estimate_yuan": True, "preliminary_work_depth": False},
    "approve_design": {"design_approval_no": True, "approved_estimate_yuan": True, "design_evaluation": True},
    "ratify": {
        "ratification_no": True,
        "ratified_on": True,
        "decided_amount_yuan": True,
        "decided_funding_source": True,
    },
    "start_construction": {"construction_started_on": True},
    "complete_construction": {"completed_on": True, "surplus_returned_yuan": False},
    # 建设性质 运维、购买服务 (issue 15): the same facts on the short execution path.
    "start_service": {"construction_started_on": True},
    "finish_service": {"completed_on": True, "surplus_returned_yuan": False},
    "request_extension": {"requested_due_on": True},
    "grant_extension": {"granted_due_on": True},
    "accept": {"accepted_on": True},
    "go_live": {"went_live_on": True},
    "order_rectification": {"working_days": False},
    # 办法第二十六、三十六条: the bureau's decision carries its 文号.
    "suspend": {"suspension_no": True},
    "terminate": {"termination_no": True},
    # 办法第三十三条: the self-evaluation's grade and report; the organisation commissioned for
    # the post-evaluation; its grade and report.
    "submit_self_evaluation": {"self_evaluation_grade": True, "self_evaluation": True},
    "commission_post_evaluation": {"post_evaluator": True},
    "finish_post_evaluation": {"post_evaluation_grade": True, "post_evaluation": True},
}


#: The annual plan's steps and their data (办法第十一条: the government's approval document).
PLAN_STEPS: dict[str, dict[str, bool]] = {
    "approve": {"approval_no": True, "approved_on": True},
}

#: Data required only in some cases: datum → the condition on the project.
#: 办法第十七条: 前期工作深度达到规定要求 is a condition of merging the FSR and the design.
REQUIRED_WHEN: dict[str, Callable] = {
    "preliminary_work_depth": lambda project: project.merged_fsr_design,
}

#: Steps whose data a 原则上 rule bounds (a guard reading the staged data, overridable by a
#: head with a recorded reason): the step form offers the override reason from the start.
#: 办法第十九条: a decided amount above the approved 概算 (guards.decided_within_estimate).
OVERRIDABLE_DATA = frozenset({"ratify"})


def steps_of(obj) -> dict[str, dict[str, bool]]:
    """The step data table for ``obj``'s kind of record (a Project or an AnnualPlan)."""
    return {"Project": STEPS, "AnnualPlan": PLAN_STEPS}.get(type(obj).__name__, {})


def is_required(obj, name: str, field: str) -> bool:
    """Whether step ``name`` of ``obj`` must record ``field``."""
    required = steps_of(obj).get(name, {}).get(field, False)
    condition = REQUIRED_WHEN.get(field)
    return required or bool(condition and condition(obj))


#: The 文号 a step records (approvals, 暂停, 终止): the history page and the 项目全过程记录
#: show them with the step (办法第十五、十八、十九、二十六、三十六条).
DOCUMENT_NUMBERS = (
    "fsr_approval_no",
    "design_approval_no",
    "ratification_no",
    "suspension_no",
    "termination_no",
)


def document_no(data: dict | None) -> str:
    """The 文号 an audit row's step recorded, or ""."""
    return next((str(data[k]) for k in DOCUMENT_NUMBERS if data and data.get(k)), "")


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def validate_step_data(obj, name: str, data: dict) -> dict:
    """The step data of ``obj``'s transition ``name``, cleaned; RuleViolation(code="data")
    naming the field when a required datum is missing or a value breaks a rule. Data of
    other objects and other steps, and keys the step does not declare, pass unchanged."""
    steps = steps_of(obj)
    if name not in steps:
        return data
    cleaned = dict(data)
    for field in steps[name]:
        value = data.get(field)
        if is_blank(value):
            if is_required(obj, name, field):
                datum = DATA[field]
                raise RuleViolation(
                    _("请填写“%(label)s”（办法%(article)s）。")
                    % {"label": datum.label, "article": datum.article},
                    code="data",
                    article=datum.article,
                )
            cleaned[field] = None
            continue
        cleaned[field] = clean(obj, field, value)
    return cleaned


def clean(project, field: str, value, *, correcting: bool = False):
    """One datum checked and converted (``Decimal`` 元, ``date``, ``int`` or ``str``).

    ``correcting``: the value replaces one recorded earlier (``lifecycle.corrections``), so
    it is also checked against the dates recorded after it (a corrected 开工 may not fall
    after the 建成 already recorded)."""
    return DATA[field].check(project, value, correcting=correcting)


def _refuse(message, field: str, article: str | None = None):
    article = article or DATA[field].article
    raise RuleViolation(f"{message}（办法{article}）。", code="data", article=article)


# ================================================================ conversions


def wan_text(yuan: Decimal) -> str:
    """元 → "1,234.56万元" for messages (core.formatting.money_text)."""
    return money_text(yuan)


def _money(field, value) -> Decimal:
    label = DATA[field].label
    invalid = _("“%(label)s”须为数字金额") % {"label": label}
    if isinstance(value, bool):
        _refuse(invalid, field)
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if len(text) > 40:
            _refuse(invalid, field)
        try:
            value = Decimal(text)
        except InvalidOperation:
            _refuse(invalid, field)
    elif isinstance(value, int):
        value = Decimal(value)
    if not isinstance(value, Decimal) or not value.is_finite():
        _refuse(invalid, field)
    if abs(value) >= MONEY_LIMIT_YUAN:
        _refuse(
            _("“%(label)s”不能达到%(max)s，请核对数量级（单位为元）")
            % {"label": label, "max": wan_text(MONEY_LIMIT_YUAN)},
            field,
        )
    if value != value.quantize(CENT):
        _refuse(_("“%(label)s”最小单位为分（元的两位小数）") % {"label": label}, field)
    return value.quantize(CENT)


def _positive(field, value) -> Decimal:
    amount = _money(field, value)
    if amount <= 0:
        _refuse(
            _("“%(label)s”须大于零，填写的是%(value)s元") % {"label": DATA[field].label, "value": amount},
            field,
        )
    return amount


def _date(field, value) -> datetime.date:
    label = DATA[field].label
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    elif isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            _refuse(_("“%(label)s”须为日期，格式 YYYY-MM-DD") % {"label": label}, field)
    if not isinstance(value, datetime.date):
        _refuse(_("“%(label)s”须为日期，格式 YYYY-MM-DD") % {"label": label}, field)
    if value < EARLIEST_DATE:
        _refuse(
            _("“%(label)s”%(d)s早于%(earliest)s，请核对年份")
            % {"label": label, "d": value.isoformat(), "earliest": EARLIEST_DATE.isoformat()},
            field,
        )
    return value


def _text(field: str, max_length: int):
    def check(project, value, *, correcting=False) -> str:
        label = DATA[field].label
        if not isinstance(value, str):
            _refuse(_("“%(label)s”须为文字") % {"label": label}, field)
        text = value.strip()
        if not text:
            _refuse(_("请填写“%(label)s”") % {"label": label}, field)
        if len(text) > max_length:
            _refuse(_("“%(label)s”不能超过%(n)s个字") % {"label": label, "n": max_length}, field)
        return text

    return check


# ================================================================ dates in the order of the 办法

#: The dates that record what happened, in the order the 办法 sets.
ORDER = ("construction_started_on", "completed_on", "accepted_on", "went_live_on")


def step_day(project, name: str) -> datetime.date | None:
    """The day on which ``project`` last took step ``name`` (the effective day of a step
    entered after the fact, else the day of its audit row), or None."""
    entry = project.audit_entries.filter(action=name).order_by("-pk").first() if project.pk else None
    if entry is None:
        return None
    as_of = (entry.data or {}).get("as_of")
    if as_of:
        try:
            return datetime.date.fromisoformat(str(as_of)[:10])
        except ValueError:
            pass
    return timezone.localtime(entry.at).date()


def _happened(project, field: str, value, *, correcting: bool) -> datetime.date:
    day = _date(field, value)
    label = DATA[field].label
    today = timeutil.today()
    if day > today:
        _refuse(
            _("“%(label)s”%(d)s晚于今天（%(today)s）；已发生事项的日期不能是将来的日期")
            % {"label": label, "d": day.isoformat(), "today": today.isoformat()},
            field,
        )
    index = ORDER.index(field)
    earlier = next(((f, getattr(project, f)) for f in reversed(ORDER[:index]) if getattr(project, f)), None)
    if earlier:
        other, other_day = earlier
        if day < other_day:
            _refuse(
                _("“%(label)s”%(d)s早于%(other)s%(o)s")
                % {
                    "label": label,
                    "d": day.isoformat(),
                    "other": DATA[other].label,
                    "o": other_day.isoformat(),
                },
                field,
            )
    elif field == "construction_started_on":
        ratified = project.ratified_on or step_day(project, RATIFY)
        if ratified and day < ratified:
            _refuse(
                _("“开工日期”%(d)s早于省政府审定日期%(r)s：项目须经省政府审定后实施，不得未批先建")
                % {"d": day.isoformat(), "r": ratified.isoformat()},
                field,
                "第十二条、第十九条",
            )
        plan = project.plan if project.plan_id else None
        if not ratified and plan is not None and plan.approved_on and day < plan.approved_on:
            # 建设性质 运维、购买服务 (issue 15): executed from the plan's approval, not before.
            _refuse(
                _("“开工日期”%(d)s早于年度建设计划批准日期%(r)s：未纳入年度建设计划的项目不得未批先建")
                % {"d": day.isoformat(), "r": plan.approved_on.isoformat()},
                field,
                "第十二条",
            )
    if correcting:
        later = next(((f, getattr(project, f)) for f in ORDER[index + 1 :] if getattr(project, f)), None)
        if later:
            other, other_day = later
            if day > other_day:
                _refuse(
                    _("“%(label)s”%(d)s晚于已记录的%(other)s%(o)s，请先更正%(other)s")
                    % {
                        "label": label,
                        "d": day.isoformat(),
                        "other": DATA[other].label,
                        "o": other_day.isoformat(),
                    },
                    field,
                )
    return day


def _happened_check(field):
    return lambda project, value, *, correcting=False: _happened(project, field, value, correcting=correcting)


# ================================================================ decisions of 省政府 (第十一、十九条)


def _decision_day(field: str, after: Callable):
    """The date of a decision document: not in the future, not before the day the matter was
    put before the deciding body (``after(obj)``, or None when unknown)."""

    def check(obj, value, *, correcting=False) -> datetime.date:
        day = _date(field, value)
        label = DATA[field].label
        today = timeutil.today()
        if day > today:
            _refuse(
                _("“%(label)s”%(d)s晚于今天（%(today)s）；已作出决定的日期不能是将来的日期")
                % {"label": label, "d": day.isoformat(), "today": today.isoformat()},
                field,
            )
        earliest = after(obj)
        if earliest and day < earliest:
            _refuse(
                _("“%(label)s”%(d)s早于报送之日%(e)s")
                % {"label": label, "d": day.isoformat(), "e": earliest.isoformat()},
                field,
            )
        return day

    return check


def _plan_submitted_day(plan) -> datetime.date | None:
    if plan.submitted_at is None:
        return None
    at = plan.submitted_at
    return timezone.localtime(at).date() if timezone.is_aware(at) else at.date()


def _work_depth(project, value, *, correcting=False) -> str:
    """办法第十七条: 前期工作深度达到规定要求 — what the preparatory work covers, in words."""
    return _text("preliminary_work_depth", 2000)(project, value)


# ================================================================ amounts


def _fsr_estimate(project, value, *, correcting=False) -> Decimal:
    amount = _positive("fsr_estimate_yuan", value)
    # A corrected FSR estimate below an approved design 概算 makes that design one "beyond the
    # FSR approval", which 办法第十八条 lets through only with its explanation chapter.
    if correcting and not project.merged_fsr_design:
        _design_within_fsr(project, project.approved_estimate_yuan, amount, field="fsr_estimate_yuan")
    return amount


def _design_estimate(project, value, *, correcting=False) -> Decimal:
    amount = _positive("approved_estimate_yuan", value)
    _design_within_fsr(project, amount, project.fsr_estimate_yuan, field="approved_estimate_yuan")
    return amount


def _design_within_fsr(project, design, fsr, *, field):
    """办法第十八条: a design beyond the FSR approval states the adjustment and its reasons in
    its own chapter; a 概算 above the approved 估算 is such an adjustment."""
    if design and fsr and design > fsr and not project.design_deviates:
        _refuse(
            _(
                "初步设计概算%(design)s超出可研批复估算%(fsr)s，属于超出可行性研究报告批复的调整，"
                "项目建设单位须在初步设计方案中以独立章节说明调整内容及理由后重新报送"
            )
            % {"design": wan_text(design), "fsr": wan_text(fsr)},
            field,
            "第十八条",
        )


def _decided(project, value, *, correcting=False) -> Decimal:
    amount = _positive("decided_amount_yuan", value)
    surplus = project.surplus_returned_yuan
    if correcting and surplus and surplus > amount:
        # 办法第二十七条: the surplus already returned came out of this amount.
        _refuse(
            _("更正后的“省政府审定金额”%(value)s少于已记录的退回结余资金%(surplus)s")
            % {"value": wan_text(amount), "surplus": wan_text(surplus)},
            "decided_amount_yuan",
            "第二十七条",
        )
    return amount


def _surplus(project, value, *, correcting=False) -> Decimal:
    field = "surplus_returned_yuan"
    amount = _money(field, value)
    if amount < 0:
        _refuse(_("“退回结余资金”不能为负数，填写的是%(value)s元；没有结余的填0") % {"value": amount}, field)
    # 办法第二十七条: what is returned is left over from the money the project was given —
    # the amount 省政府 decided (第十九条), else the approved 概算.
    given, what = project.decided_amount_yuan, _("省政府审定金额")
    if not given:
        given, what = project.approved_estimate_yuan, _("概算总投资")
    if given and amount > given:
        _refuse(
            _("“退回结余资金”%(value)s超过%(what)s%(given)s，结余不能多于项目所获资金")
            % {"value": wan_text(amount), "what": what, "given": wan_text(given)},
            field,
        )
    return amount


# ================================================================ extension and rectification


def acceptance_clock(project):
    """The (latest) clock of 办法第二十九条: acceptance applied for within half a year."""
    if not project.pk:
        return None
    return project.clocks.filter(kind=ClockKind.ACCEPTANCE_APPLICATION).order_by("-pk").first()


def current_acceptance_due(project, *, original: bool = False) -> datetime.date | None:
    """The deadline an extension moves: the running clock's (already extended) date, or the
    original date (``original``) when a granted extension itself is being corrected."""
    clock = acceptance_clock(project)
    if clock is not None:
        return clock.due_on if original else clock.effective_due_on
    if project.completed_on:
        return add_months(project.completed_on, get_policy().acceptance_application_months)
    return None


def latest_extension(due: datetime.date) -> datetime.date:
    return add_months(due, get_policy().acceptance_extension_max_months)


def _extension(field):
    def check(project, value, *, correcting=False):
        day = _date(field, value)
        label = DATA[field].label
        due = current_acceptance_due(project, original=correcting)
        today = timeutil.today()
        if due and day <= due:
            _refuse(
                _("“%(label)s”%(d)s须晚于现在的申请验收截止日期%(due)s")
                % {"label": label, "d": day.isoformat(), "due": due.isoformat()},
                field,
            )
        if not correcting and day < today:
            _refuse(
                _("“%(label)s”%(d)s已经过去（今天是%(today)s）")
                % {"label": label, "d": day.isoformat(), "today": today.isoformat()},
                field,
            )
        base = due or today
        if not correcting:
            base = max(base, today)
        latest = latest_extension(base)
        if day > latest:
            _refuse(
                _("“%(label)s”%(d)s太远：至多延至%(latest)s（截止日期后%(months)s个月），请核对年份")
                % {
                    "label": label,
                    "d": day.isoformat(),
                    "latest": latest.isoformat(),
                    "months": get_policy().acceptance_extension_max_months,
                },
                field,
            )
        return day

    return check


def _working_days(project, value, *, correcting=False) -> int:
    field = "working_days"
    most = get_policy().rectification_max_working_days
    invalid = _("“整改期限”须为1至%(most)s之间的整数个工作日") % {"most": most}
    if isinstance(value, bool):
        _refuse(invalid, field)
    if isinstance(value, str):
        text = value.strip()
        if not text.isdigit() or len(text) > 6:
            _refuse(invalid, field)
        value = int(text)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value() or abs(value) > most:
            _refuse(invalid, field)
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= most:
        _refuse(invalid, field)
    return value


# ================================================================ the table


def _design_evaluation(project, value, *, correcting=False):
    """办法第十八条: 组织相关部门、专家评估论证，或委托具备资质的第三方咨询评估机构 — the
    approval letter states which (documents.snapshots)."""
    if value not in DesignEvaluation.values:
        _refuse(
            _(
                "请选择初步设计方案的评估论证方式：组织相关部门、专家评估论证，或委托具备资质的第三方"
                "咨询评估机构"
            ),
            "design_evaluation",
            "第十八条",
        )
    return value


def _grade(field):
    def check(project, value, *, correcting=False) -> str:
        if not isinstance(value, str) or value not in EvaluationGrade.values:
            _refuse(
                _("请选择“%(label)s”：%(grades)s")
                % {"label": DATA[field].label, "grades": "、".join(str(g.label) for g in EvaluationGrade)},
                field,
            )
        return value

    return check


#: 办法第三十三条: a self- or post-evaluation report, long enough for a report, bounded.
EVALUATION_TEXT_MAX = 5000


def _post_evaluator(project, value, *, correcting=False):
    """办法第三十三条: 委托相应的第三方咨询机构 — an organisation of kind EXPERT."""
    organisations = type(project)._meta.get_field("post_evaluator").related_model.objects
    if isinstance(value, organisations.model):
        org = value
    elif (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isdigit()
    ):
        org = organisations.filter(pk=int(value)).first() if len(str(value)) < 12 else None
    else:
        org = None
    if org is None or org.kind != OrgKind.EXPERT:
        _refuse(_("请选择受委托开展后评价的第三方咨询评估机构"), "post_evaluator")
    return org


DATA: dict[str, Datum] = {
    "fsr_approval_no": Datum(_l("可研批复文号"), "第十五条", _text("fsr_approval_no", 60)),
    "fsr_estimate_yuan": Datum(_l("可研批复估算"), "第十五条", _fsr_estimate),
    "design_evaluation": Datum(_l("评估论证方式"), "第十八条", _design_evaluation),
    "design_approval_no": Datum(_l("初步设计批复文号"), "第十八条", _text("design_approval_no", 60)),
    "approved_estimate_yuan": Datum(_l("概算总投资"), "第十八条", _design_estimate),
    "preliminary_work_depth": Datum(_l("前期工作深度"), "第十七条", _work_depth),
    "ratification_no": Datum(_l("省政府审定文号"), "第十九条", _text("ratification_no", 60)),
    "ratified_on": Datum(
        _l("省政府审定日期"),
        "第十九条",
        _decision_day("ratified_on", lambda p: step_day(p, "submit_ratification")),
    ),
    "approval_no": Datum(_l("省政府批准文号"), "第十一条", _text("approval_no", 60)),
    "approved_on": Datum(_l("省政府批准日期"), "第十一条", _decision_day("approved_on", _plan_submitted_day)),
    "decided_amount_yuan": Datum(_l("省政府审定金额"), "第十九条", _decided),
    "decided_funding_source": Datum(
        _l("省政府审定资金来源"), "第十九条", _text("decided_funding_source", 100)
    ),
    "construction_started_on": Datum(_l("开工日期"), "第十九条", _happened_check("construction_started_on")),
    "completed_on": Datum(_l("建成日期"), "第二十九条", _happened_check("completed_on")),
    "surplus_returned_yuan": Datum(_l("退回结余资金"), "第二十七条", _surplus),
    "requested_due_on": Datum(_l("申请延期至"), "第二十九条", _extension("requested_due_on")),
    "granted_due_on": Datum(_l("同意延期至"), "第二十九条", _extension("granted_due_on")),
    "accepted_on": Datum(_l("验收日期"), "第二十九条", _happened_check("accepted_on")),
    "went_live_on": Datum(_l("投入运行日期"), "第三十三条", _happened_check("went_live_on")),
    "working_days": Datum(_l("整改期限（工作日）"), "第三十六条", _working_days),
    "suspension_no": Datum(_l("暂停建设文号"), "第二十六条", _text("suspension_no", 60)),
    "termination_no": Datum(_l("终止项目文号"), "第三十六条", _text("termination_no", 60)),
    "self_evaluation_grade": Datum(_l("自评价等级"), "第三十三条", _grade("self_evaluation_grade")),
    "self_evaluation": Datum(_l("自评价结论"), "第三十三条", _text("self_evaluation", EVALUATION_TEXT_MAX)),
    "post_evaluator": Datum(_l("后评价机构"), "第三十三条", _post_evaluator),
    "post_evaluation_grade": Datum(_l("后评价等级"), "第三十三条", _grade("post_evaluation_grade")),
    "post_evaluation": Datum(_l("后评价结论"), "第三十三条", _text("post_evaluation", EVALUATION_TEXT_MAX)),
}


def hint(project, field: str) -> str:
    """What the person should know while typing ``field`` (shown under the form field)."""
    if field == "approved_estimate_yuan" and project.fsr_estimate_yuan:
        return _("可研批复估算：%(fsr)s；超出的须有初步设计方案中的独立章节说明（办法第十八条）。") % {
            "fsr": wan_text(project.fsr_estimate_yuan)
        }
    if field in ("requested_due_on", "granted_due_on"):
        due = current_acceptance_due(project)
        if due:
            return _("现在的申请验收截止日期：%(due)s（办法第二十九条）。") % {"due": due.isoformat()}
    if field == "surplus_returned_yuan":
        return _("没有结余的填0（办法第二十七条）。")
    if field == "preliminary_work_depth":
        if project.merged_fsr_design:
            return _("可研与初步设计合并审批的，前期工作深度须达到规定要求，请写明（办法第十七条）。")
        return _("可不填；合并审批的项目必填（办法第十七条）。")
    if field == "decided_amount_yuan" and project.approved_estimate_yuan:
        return _("批复的概算总投资：%(e)s；原则上不超过概算，超出的须填写例外放行理由（办法第十九条）。") % {
            "e": wan_text(project.approved_estimate_yuan)
        }
    if field == "self_evaluation_grade":
        return _("报送前须在“绩效目标及完成情况”页面逐项填报实际完成值和说明（办法第三十三条）。")
    if field == "post_evaluator":
        return _("受委托的机构上传后评价报告并出具结论（办法第三十三条）。")
    return ""
