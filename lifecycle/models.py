"""Reviews, clocks, the working-day calendar, changes, incidents, reports and the audit trail."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from core import timeutil
from core.bulk import insert_rows
from core.fsm import StateFieldsOnce
from core.states import ChangeState
from core.validation import MONEY, money_check, validate_money_non_negative, validate_money_positive

from . import chain
from .rules import CHANGE_APPROVER_HEAD, OWNER_HEAD, step

USER = settings.AUTH_USER_MODEL


# ---------------------------------------------------------------- opinions (第十、十二、二十九条)


class Aspect(models.TextChoices):
    # 办法第十条: the three opinions of the joint review.
    INTENSIVE = "intensive", _("集约化建设和数据共享审核意见（省营商环境局）")
    SECURITY = "security", _("网络安全审核意见（省委网信办）")
    CRYPTO = "crypto", _("密码应用审核意见（省国家密码管理局）")
    EXPERT = "expert", _("专家评估论证意见")
    # 办法第十二条: emergency insertion.
    BUREAU_EMERGENCY = "bureau_emergency", _("紧急纳入审核意见（省营商环境局）")
    FINANCE_EMERGENCY = "finance_emergency", _("紧急纳入审核意见（省财政厅）")
    # 办法第十二条 with 第十条: an urgent project still has its network-security and crypto
    # opinions, given before the bureau and 财政厅 conclude their review.
    CAC_EMERGENCY = "cac_emergency", _("紧急纳入网络安全审核意见（省委网信办）")
    CRYPTO_EMERGENCY = "crypto_emergency", _("紧急纳入密码应用审核意见（省国家密码管理局）")
    # 办法第二十九条: acceptance participants.
    CAC_ACCEPTANCE = "cac_acceptance", _("竣工验收意见（省委网信办）")
    CRYPTO_ACCEPTANCE = "crypto_acceptance", _("竣工验收意见（省国家密码管理局）")
    DRC_ACCEPTANCE = "drc_acceptance", _("竣工验收意见（省发改委）")
    POLICE_ACCEPTANCE = "police_acceptance", _("竣工验收意见（省公安厅）")
    SECRECY_ACCEPTANCE = "secrecy_acceptance", _("竣工验收意见（省委保密办）")


JOINT_REVIEW_ASPECTS = (Aspect.INTENSIVE, Aspect.SECURITY, Aspect.CRYPTO)
#: 办法第十二条 (with 第十条): the opinions an emergency insertion needs before the bureau forwards it.
EMERGENCY_SECURITY_ASPECTS = (Aspect.CAC_EMERGENCY, Aspect.CRYPTO_EMERGENCY)

#: Which organisation kind gives which opinion, at which stage.
ASPECTS = {
    Aspect.INTENSIVE: ("bureau", "joint_review"),
    Aspect.SECURITY: ("cac", "joint_review"),
    Aspect.CRYPTO: ("crypto", "joint_review"),
    Aspect.EXPERT: ("expert", "joint_review"),
    Aspect.BUREAU_EMERGENCY: ("bureau", "emergency"),
    Aspect.FINANCE_EMERGENCY: ("finance", "emergency"),
    Aspect.CAC_EMERGENCY: ("cac", "emergency"),
    Aspect.CRYPTO_EMERGENCY: ("crypto", "emergency"),
    Aspect.CAC_ACCEPTANCE: ("cac", "acceptance"),
    Aspect.CRYPTO_ACCEPTANCE: ("crypto", "acceptance"),
    Aspect.DRC_ACCEPTANCE: ("drc", "acceptance"),
    Aspect.POLICE_ACCEPTANCE: ("police", "acceptance"),
    Aspect.SECRECY_ACCEPTANCE: ("secrecy", "acceptance"),
}


class Conclusion(models.TextChoices):
    APPROVE = "approve", _("同意")
    CONDITIONAL = "conditional", _("原则同意，按意见修改")
    REJECT = "reject", _("不同意")
    # 办法第二十九、三十二条: 省委保密办 takes part in every acceptance; for a project that
    # involves no state secret its opinion is "不涉及" (services.opinion_give allows it only there).
    NOT_APPLICABLE = "not_applicable", _("不涉及")


class Opinion(models.Model):
    """One agency's opinion on one project. A later opinion on the same aspect (after a
    correction round) supersedes the earlier one; both stay on record."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField(_("环节"), max_length=16)
    aspect = models.CharField(_("意见类型"), max_length=24, choices=Aspect.choices)
    organisation = models.ForeignKey(
        "projects.Organisation", verbose_name=_("出具单位"), on_delete=models.PROTECT
    )
    conclusion = models.CharField(_("结论"), max_length=16, choices=Conclusion.choices)
    text = models.TextField(_("意见"))
    given_by = models.ForeignKey(USER, verbose_name=_("出具人"), on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(_("出具时间"))

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["given_at", "pk"]
        # Issue 10 (listpages): a project's first opinion of each kind, read from the index
        # alone (the joint-review statistics, exports/joint_review_counts.py).
        indexes = [
            models.Index(fields=["project", "stage", "aspect", "given_at"], name="opinion_first_given")
        ]

    def __str__(self) -> str:
        return f"{self.get_aspect_display()}：{self.get_conclusion_display()}"

    @property
    def favourable(self) -> bool:
        return self.conclusion != Conclusion.REJECT


class Correction(models.Model):
    """办法第十条: one round of 陈述和补正 during joint review."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="corrections")
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("要求补正时间"))
    request = models.TextField(_("补正要求"))
    replied_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    replied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)
    reply = models.TextField(_("陈述和补正内容"), blank=True)

    class Meta:
        verbose_name = _("陈述和补正")
        verbose_name_plural = _("陈述和补正")
        ordering = ["requested_at"]

    def __str__(self) -> str:
        return f"{self.project} · 补正要求（{self.requested_at:%Y-%m-%d}）"


# ---------------------------------------------------------------- working-day calendar


class CalendarYear(models.Model):
    """A year whose official holiday schedule (国务院办公厅通知) is known."""

    year = models.PositiveIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=100)
    entered_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    entered_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日年度")
        verbose_name_plural = _("节假日年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a weekday off (holiday) or a weekend make-up day."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("是否工作日"))
    name = models.CharField(_("节日"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


# ---------------------------------------------------------------- clocks


class ClockKind(models.TextChoices):
    JOINT_REVIEW = "joint_review", _("联合审核")
    # 办法第十条 counts from 受理; the wait before it is measured against the bureau's target.
    INTAKE = "intake", _("申报后受理（本局目标时限）")
    DESIGN_REVIEW = "design_review", _("初步设计评审和批复")
    RECTIFICATION = "rectification", _("限期整改")
    PERFORMANCE_REPORT = "performance_report", _("年度绩效评价报告")
    ACCEPTANCE_APPLICATION = "acceptance_application", _("建成后申请竣工验收")
    SELF_EVALUATION = "self_evaluation", _("自评价")
    PLAN_COMPILATION = "plan_compilation", _("年度建设计划编制")


#: The reports a department owes (办法第二十五、三十三条); late ones count against its record
#: (第三十八条, projects.track_record).
REPORT_KINDS = (ClockKind.PERFORMANCE_REPORT, ClockKind.SELF_EVALUATION)


class ClockUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("工作日")
    CALENDAR = "calendar", _("日历日期")


class Clock(models.Model):
    """A deadline of the 办法 that the system watches.

    Working-day clocks count from the day after receipt (the day of receipt is not
    counted). Time paused for correction does not count. ``provisional`` is set when the
    count runs through a year whose official holiday schedule is not known yet.
    """

    kind = models.CharField(_("时限"), max_length=32, choices=ClockKind.choices)
    article = models.CharField(_("依据"), max_length=20)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    plan = models.ForeignKey(
        "projects.AnnualPlan", on_delete=models.CASCADE, null=True, blank=True, related_name="clocks"
    )
    year = models.PositiveIntegerField(_("年度"), null=True, blank=True)
    unit = models.CharField(_("计算方式"), max_length=16, choices=ClockUnit.choices)
    working_days = models.PositiveIntegerField(_("工作日数"), null=True, blank=True)
    received_on = models.DateField(_("受理日期"))
    opens_on = models.DateField(_("期间开始"), null=True, blank=True)
    due_on = models.DateField(_("截止日期"))
    provisional = models.BooleanField(_("暂定（所跨年份节假日未公布）"), default=False)
    paused_on = models.DateField(_("暂停日期"), null=True, blank=True)
    paused_working_days = models.PositiveIntegerField(_("已暂停的工作日数"), default=0)
    extended_to = models.DateField(_("延期至"), null=True, blank=True)
    stopped_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("时限")
        verbose_name_plural = _("时限")
        ordering = ["due_on"]
        indexes = [
            models.Index(fields=["stopped_on", "due_on"]),
            # A project's earliest running deadline (projects.selectors.first_deadline, the
            # order of every home queue): one index seek per project. Without it SQLite walked
            # the (stopped_on, due_on) index through every running clock for each project of a
            # queue — the bureau's home page took 5.1 s at 10,000 projects, 0.11 s with it.
            # Issue 10 (listpages): with ``extended_to`` the index answers the earliest running
            # (extended) deadline alone, without reading the clock rows.
            models.Index(
                fields=["project", "stopped_on", "due_on", "extended_to"], name="clock_project_running"
            ),
            # Issue 10 (listpages): the clocks of one kind (the joint-review statistics).
            models.Index(fields=["project", "kind"], name="clock_project_kind"),
            # Issue 10: a department's late reports (第三十八条, projects.track_record) — those
            # still running past their deadline, by deadline, and those sent late. Only these
            # clocks are in the two indexes. Without them PostgreSQL estimated half of the
            # report clocks late and scanned all 31,000 clocks for one department's record
            # (3.5 ms at 10,000 projects; 0.04 ms with them).
            models.Index(
                Coalesce("extended_to", "due_on"),
                name="clock_report_running_due",
                condition=models.Q(kind__in=REPORT_KINDS, stopped_on__isnull=True),
            ),
            models.Index(
                fields=["project"],
                name="clock_report_sent_late",
                condition=models.Q(kind__in=REPORT_KINDS, stopped_on__gt=Coalesce("extended_to", "due_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"

    @property
    def effective_due_on(self):
        return self.extended_to or self.due_on

    @property
    def running(self) -> bool:
        return self.stopped_on is None

    @property
    def paused(self) -> bool:
        return self.paused_on is not None and self.stopped_on is None

    @property
    def met(self) -> bool | None:
        """True/False once stopped; None while running."""
        if self.stopped_on is None:
            return None
        return self.stopped_on <= self.effective_due_on


class ClockEvent(models.Model):
    class Kind(models.TextChoices):
        STARTED = "started", _("开始计时")
        PAUSED = "paused", _("暂停计时")
        RESUMED = "resumed", _("恢复计时")
        EXTENDED = "extended", _("延期")
        RECOMPUTED = "recomputed", _("按新公布的节假日重新计算")
        STOPPED = "stopped", _("完成")

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField(_("日期"))
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True)
    due_before = models.DateField(null=True, blank=True)
    due_after = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.clock} · {self.get_kind_display()} {self.on}"


# ---------------------------------------------------------------- budget changes (第二十八条)


class ChangeGround(models.TextChoices):
    DEPLOYMENT = "deployment", _("（一）根据国家和省委、省政府部署，确需改变建设内容")
    OPTIMISATION = "optimisation", _("（二）确需对原项目技术方案进行完善优化")
    BUSINESS = "business", _("（三）根据业务发展需要，在已批复建设规划框架下调整建设内容及进度")


class ChangeRequest(StateFieldsOnce, ConcurrentTransitionMixin, models.Model):
    """A change of the main construction content with the money it moves.

    The ratio of 办法第二十八条 is cumulative: the money moved by every change already filed
    (备案) plus this one, over the approved 概算总投资. A change that went through formal
    approval is a new approval in its own right and does not use up the filing allowance.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="changes")
    state = FSMField(
        _("状态"), max_length=20, choices=ChangeState.choices, default=ChangeState.DRAFT, protected=True
    )
    title = models.CharField(_("变更事项"), max_length=200)
    reason = models.TextField(_("变更原因"))
    # Empty: none of the grounds of 办法第二十八条 applies (the change then needs approval).
    ground = models.CharField(
        _("符合情形"), max_length=16, choices=[("", _("不符合所列情形")), *ChangeGround.choices], blank=True
    )
    goals_unchanged = models.BooleanField(_("建设目标不变"), default=True)
    new_total_yuan = models.DecimalField(
        _("调整后项目总投资（元）"), **MONEY, validators=[validate_money_positive]
    )

    #: What the department fills in (办法第二十八条): the change form, the service that creates
    #: a change and the 项目变更申请表 all read this list, so a new field is added here once.
    FORM_FIELDS = ("title", "reason", "ground", "goals_unchanged", "new_total_yuan")
    ratio = models.DecimalField(_("累计调整比例"), max_digits=9, decimal_places=6, null=True, blank=True)
    route_reasons = models.JSONField(_("须履行审批手续的原因"), default=list, blank=True)
    # 办法第二十八条, recorded at submission: the approved total the ratio was computed against
    # (the 概算, or the 调整后总投资 of the last approved change: services.change_baseline) and
    # whether the change exceeds it (then the body that approved the 概算 decides, per policy).
    baseline_yuan = models.DecimalField(_("批复总投资基数（元）"), **MONEY, null=True, blank=True)
    over_estimate = models.BooleanField(_("超出概算批复"), default=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    class Meta:
        verbose_name = _("项目变更")
        verbose_name_plural = _("项目变更")
        ordering = ["created_at", "pk"]
        # Issue 10 (listpages): the bureau's queue of changes, newest submission first, in the
        # queue's whole order (submitted_at, id): changes submitted at the same moment were
        # all joined to their projects and sorted to show five (PostgreSQL, 2.3 ms).
        indexes = [models.Index(fields=["submitted_at", "id"], name="change_submitted_at_id")]
        constraints = [
            money_check(
                "new_total_yuan", positive=True, name="change_new_total_in_range", label=_("调整后项目总投资")
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owner_id(self):
        return self.project.owner_id

    @property
    def moved_yuan(self) -> Decimal:
        return sum((i.amount_yuan for i in self.items.all()), Decimal("0"))

    @transition(
        "state",
        source=ChangeState.DRAFT,
        target=RETURN_VALUE(ChangeState.FILED, ChangeState.PENDING_APPROVAL),
        permission=OWNER_HEAD,
        custom=step(
            label=_("提交变更"),
            article="第二十八条",
            records=("ratio", "route_reasons", "baseline_yuan", "over_estimate"),
        ),
    )
    def submit(self, **data):
        """办法第二十八条: the route (备案 or approval) is decided here, once, from the
        cumulative ratio at the moment of submission, against the current approved total."""
        # deferred: lifecycle.services imports these models (a cycle inside the app)
        from .services import change_baseline, change_route

        route, ratio, reasons = change_route(self)
        self.ratio = ratio.quantize(Decimal("0.000001"))
        self.route_reasons = reasons
        self.baseline_yuan = change_baseline(self.project, excluding=self)[0]
        self.over_estimate = self.new_total_yuan > self.baseline_yuan
        self.submitted_at = timeutil.now()
        return ChangeState.FILED if route == "filing" else ChangeState.PENDING_APPROVAL

    @transition(
        "state",
        source=ChangeState.PENDING_APPROVAL,
        target=ChangeState.APPROVED,
        permission=CHANGE_APPROVER_HEAD,
        custom=step(label=_("批准变更"), article="第二十八条"),
    )
    def approve(self, *, actor=None, reason="", **data):
        self._decide(actor, reason)

    @transition(
        "state",
        source=ChangeState.PENDING_APPROVAL,
        target=ChangeState.REJECTED,
        permission=CHANGE_APPROVER_HEAD,
        custom=step(label=_("不批准变更"), article="第二十八条", needs_reason=True),
    )
    def reject(self, *, actor=None, reason="", **data):
        self._decide(actor, reason)

    def _decide(self, actor, note):
        # services.perform passes the person taking the step: the decision records who and when.
        self.decided_by, self.decided_at, self.decision_note = actor, timeutil.now(), note

    @transition(
        "state",
        source=[ChangeState.DRAFT, ChangeState.PENDING_APPROVAL],
        target=ChangeState.WITHDRAWN,
        permission=OWNER_HEAD,
        custom=step(label=_("撤回变更"), article="第二十八条", needs_reason=True),
    )
    def withdraw(self, **data):
        pass


class ChangeItem(models.Model):
    change = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="items")
    from_content = models.CharField(_("调出内容"), max_length=200)
    to_content = models.CharField(_("调入内容"), max_length=200)
    amount_yuan = models.DecimalField(_("调整金额（元）"), **MONEY, validators=[validate_money_positive])

    class Meta:
        verbose_name = _("变更明细")
        verbose_name_plural = _("变更明细")
        # 办法第二十八条: an item moves a positive amount from one content to another.
        constraints = [
            money_check("amount_yuan", positive=True, name="change_item_amount_in_range", label=_("调整金额"))
        ]

    def __str__(self) -> str:
        return f"{self.from_content} → {self.to_content}"


# ---------------------------------------------------------------- construction reports


class Incident(models.Model):
    """办法第二十六条: serious delay or major investment loss, reported by the owner."""

    class Kind(models.TextChoices):
        DELAY = "delay", _("工程严重逾期")
        LOSS = "loss", _("投资重大损失")
        OTHER = "other", _("其他重大问题")

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="incidents")
    kind = models.CharField(_("问题类型"), max_length=8, choices=Kind.choices)
    description = models.TextField(_("情况说明"))
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("报告时间"))
    # 办法第二十六条: open in the bureau's queue until it orders rectification, suspends or
    # terminates (lifecycle.effects.handle_incidents).
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    handled_by = models.ForeignKey(
        USER, verbose_name=_("处理人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_by_step = models.CharField(_("处理方式"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("问题报告")
        verbose_name_plural = _("问题报告")
        ordering = ["-reported_at"]
        # Issue 10: the bureau's queue of incidents to handle (办法第二十六条), oldest first,
        # read in order from the open ones alone.
        indexes = [
            models.Index(
                fields=["reported_at", "id"],
                condition=models.Q(handled_at__isnull=True),
                name="incident_open_reported",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_kind_display()}"


class Rectification(models.Model):
    """办法第二十六、三十六条: a rectification notice with its deadline and the owner's report."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="rectifications")
    incident = models.ForeignKey(Incident, on_delete=models.SET_NULL, null=True, blank=True)
    ordered_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    ordered_at = models.DateTimeField(_("通知时间"))
    requirement = models.TextField(_("整改要求"))
    clock = models.ForeignKey(Clock, on_delete=models.SET_NULL, null=True, blank=True)
    report = models.TextField(_("整改情况"), blank=True)
    reported_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")

    def __str__(self) -> str:
        return f"{self.project} · 整改（{self.ordered_at:%Y-%m-%d}）"


class PerformanceReport(models.Model):
    """办法第二十五条: the yearly 绩效评价报告 during construction."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="performance_reports"
    )
    year = models.PositiveIntegerField(_("年度"))
    progress = models.TextField(_("建设进度"))
    investment_executed_yuan = models.DecimalField(
        _("投资计划执行（元）"), **MONEY, validators=[validate_money_non_negative]
    )
    # 办法第二十五条: 对于已投入试运行的系统，还应当说明试运行效果及问题 — required when the
    # report says the system is in trial operation.
    in_trial_operation = models.BooleanField(_("系统已投入试运行"), default=False)
    trial_operation = models.TextField(_("试运行效果及问题"), blank=True)
    # 办法第二十五条: 征求有关项目使用单位和监理单位的意见 — two opinions, each required.
    # (default "" only for the reports sent before the two were separate: the service and
    # the form require both.)
    user_opinions = models.TextField(_("使用单位意见"), default="")
    supervisor_opinion = models.TextField(_("监理单位意见"), default="")
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("报送时间"))

    class Meta:
        verbose_name = _("年度绩效评价报告")
        verbose_name_plural = _("年度绩效评价报告")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_report_per_year"),
            # 办法第二十五条: a system in trial operation states its effect and problems.
            models.CheckConstraint(
                condition=models.Q(in_trial_operation=False) | ~models.Q(trial_operation=""),
                name="report_trial_operation_stated",
            ),
            # 办法第二十五条: 投资计划执行 is an amount spent, never negative.
            money_check(
                "investment_executed_yuan",
                positive=False,
                name="report_executed_in_range",
                label=_("投资计划执行"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}年度绩效报告"


class Copy(models.Model):
    """A copy sent to another organisation (抄送), e.g. 财政厅 and 发改委 (第二十六、三十三条)."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="copies")
    organisation = models.ForeignKey("projects.Organisation", on_delete=models.PROTECT, related_name="copies")
    subject = models.CharField(_("事项"), max_length=200)
    article = models.CharField(_("依据"), max_length=20)
    sent_at = models.DateTimeField(_("抄送时间"))

    class Meta:
        verbose_name = _("抄送")
        verbose_name_plural = _("抄送")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.subject} → {self.organisation}"


# ---------------------------------------------------------------- contracts (第二十一、二十四、三十条)


class Contract(models.Model):
    """A contract of the project: the construction contract(s) won in the procurement and
    the 监理 contract (办法第二十一条: 招标投标、政府采购、工程监理、合同管理; 第二十四条:
    工程监理制), recorded by the owner through ``lifecycle.contracts.contract_record``.

    办法第三十条: the procurement documents and the contract state that the results (design
    documents, source code, test documents, data resources, interfaces) and their IP belong
    to the owner (``ip_clause``). A contract without that clause is recorded only when a head
    of the owner gives the reason (``ip_override_reason``, ``ip_override_by``).
    """

    class Kind(models.TextChoices):
        CONSTRUCTION = "construction", _("建设合同")
        SUPERVISION = "supervision", _("监理合同")

    class Method(models.TextChoices):
        OPEN_TENDER = "open_tender", _("公开招标")
        INVITED_TENDER = "invited_tender", _("邀请招标")
        NEGOTIATION = "negotiation", _("竞争性谈判")
        CONSULTATION = "consultation", _("竞争性磋商")
        SINGLE_SOURCE = "single_source", _("单一来源采购")
        INQUIRY = "inquiry", _("询价")
        FRAMEWORK = "framework", _("框架协议采购")
        OTHER = "other", _("其他方式")

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="contracts")
    kind = models.CharField(_("合同类别"), max_length=16, choices=Kind.choices)
    procurement_method = models.CharField(_("招标采购方式"), max_length=16, choices=Method.choices)
    supplier = models.CharField(_("中标（成交）供应商"), max_length=200)
    number = models.CharField(_("合同编号"), max_length=60)
    # Empty only on contracts carried over from before the contract record (migration).
    amount_yuan = models.DecimalField(
        _("合同金额（元）"), **MONEY, null=True, blank=True, validators=[validate_money_positive]
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    ip_clause = models.BooleanField(_("合同明确成果及知识产权归建设单位所有"), default=False)
    ip_override_reason = models.TextField(_("未载明知识产权条款的理由"), blank=True)
    ip_override_by = models.ForeignKey(
        USER, verbose_name=_("例外放行人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("登记人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("项目合同")
        verbose_name_plural = _("项目合同")
        ordering = ["kind", "signed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="contract_number_unique_per_project"),
            money_check("amount_yuan", positive=True, name="contract_amount_in_range", label=_("合同金额")),
            # 办法第三十条: without the IP clause only with a recorded reason.
            models.CheckConstraint(
                condition=models.Q(ip_clause=True) | ~models.Q(ip_override_reason=""),
                name="contract_ip_clause_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}（{self.supplier}）"


# ---------------------------------------------------------------- audit trail (第三十五、三十九条)


#: The object type of the access rows (sign-in, sign-out, failures, lockouts, refusals;
#: lifecycle.audit.record_access): about an account, not about the work on a project.
ACCESS_OBJECT = "auth.account"


class AuditQuerySet(models.QuerySet):
    def of_work(self):
        """The rows of what was done (steps, records, filings…), without the access rows."""
        return self.exclude(object_type=ACCESS_OBJECT)

    def of_access(self):
        return self.filter(object_type=ACCESS_OBJECT)

    def update(self, **kwargs):
        raise PermissionDenied("审计记录不可修改")

    def delete(self):
        raise PermissionDenied("审计记录不可删除")

    def bulk_create(self, objs, *args, **kwargs):
        """Many rows at once, linked into the chain in order (lifecycle/chain.py)."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.link_rows(self.model, objs)
            return super().bulk_create(objs, *args, **kwargs)

    def insert_linked(self, objs, batch: int) -> int:
        """``bulk_create`` for rows whose ids nobody reads back: linked into the chain in order,
        then inserted as a plain VALUES list (core.bulk.insert_rows, issue 10)."""
        objs = list(objs)
        with transaction.atomic(using=self.db):
            chain.link_rows(self.model, objs)
            return insert_rows(self.model, objs, batch)


class AuditEntry(models.Model):
    """Who did what, for which organisation, when, from which state to which, and why.

    Rows are only ever inserted: saving an existing row, deleting one or bulk-updating
    raises, the admin is read-only, and database triggers (migration 0002) refuse UPDATE
    and DELETE underneath the application too.
    """

    at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        USER, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("角色"), max_length=16, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    plan = models.ForeignKey(
        "projects.AnnualPlan",
        verbose_name=_("年度计划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    object_type = models.CharField(_("对象"), max_length=50)
    object_id = models.CharField(_("对象编号"), max_length=40)
    action = models.CharField(_("操作"), max_length=60)
    action_label = models.CharField(_("操作名称"), max_length=100, blank=True)
    article = models.CharField(_("依据"), max_length=20, blank=True)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    override = models.BooleanField(_("例外放行"), default=False)
    data = models.JSONField(_("数据"), default=dict, blank=True)
    # Issue 9: the hash chain (lifecycle/chain.py) — the row before's digest and this row's.
    prev_hash = models.CharField(_("前一条记录摘要"), max_length=80, blank=True, editable=False)
    row_hash = models.CharField(_("本条记录摘要"), max_length=80, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("操作记录")
        verbose_name_plural = _("操作记录")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Issue 10: a plan's own trail (projects.history.plan_history), not every
            # project's row that carries the plan nor the sign-in rows (docs/scale.md).
            models.Index(
                fields=["plan", "at", "id"], condition=models.Q(project__isnull=True), name="audit_plan_level"
            ),
            # Issue 10: the calls page's trail (call.opened/extended/closed, newest first) — without
            # it the database walked all the rows by time (252,000 at 10,000 projects).
            models.Index(fields=["action", "at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action_label or self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("审计记录不可修改")
        with transaction.atomic(using=kwargs.get("using")):
            chain.link_rows(type(self), [self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("审计记录不可删除")

    @property
    def actor_shown(self) -> str:
        """The actor as the history shows them: "X（代 Y）" when a substitute acted in the
        delegator's role (issue 12 item 4; lifecycle/acting.py, lifecycle/audit.py)."""
        behalf = self.data.get("on_behalf_of") if isinstance(self.data, dict) else None
        if not isinstance(behalf, dict) or not behalf.get("str"):
            return self.actor_name
        return _("%(actor)s（代 %(for)s）") % {"actor": self.actor_name, "for": behalf["str"]}


# Issue 12 item 4: delegations (代办) of a 审核人 or 负责人 to a substitute (lifecycle/acting.py).
from .models_delegation import Delegation  # noqa: E402, F401
