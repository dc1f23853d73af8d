"""Organisations, people, yearly calls, projects with their 第九条 content, annual plans."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from core.fsm import StateFieldsOnce
from core.states import PlanState, ProjectState
from core.validation import (
    EARLIEST_DATE,
    MONEY,
    PERIOD_MONTHS_MAX,
    money_check,
    project_construction_years,
    validate_money_non_negative,
    validate_money_positive,
    validate_planned_date,
    validate_platform_code as _validate_platform_code,
    years_text,
)
from core.vocabulary import DesignEvaluation, EvaluationGrade, MergedGround, Network, OrgKind, Role
from lifecycle.machine import PlanMachine, ProjectMachine

from .models_nature import NatureFields

# 办法第三十四、三十六、三十九条: the supervision records live in their own module.
from .supervision_models import (
    ComplianceFinding as ComplianceFinding,
    ConnectivityException as ConnectivityException,
    SupervisionDecision as SupervisionDecision,
)


class Organisation(models.Model):
    kind = models.CharField(_("机构类型"), max_length=16, choices=OrgKind.choices, db_index=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.CharField(
        _("机关代字"),
        max_length=20,
        blank=True,
        help_text=_("用于发文字号，如“黑营商”。"),
    )
    # 办法第三十四条: the situations that block new projects of the department are recorded
    # as findings of their responsible agency (supervision_models.ComplianceFinding).

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person, belonging to one organisation with one role in it."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def org_kind(self) -> str | None:
        return self.organisation.kind if self.organisation_id else None


class Call(models.Model):
    """办法第八条: the June call for next year's needs."""

    year = models.PositiveIntegerField(_("计划年度"), unique=True, help_text=_("征集的是该年度的建设需求。"))
    opens_on = models.DateField(_("征集开始日期"))
    closes_on = models.DateField(_("征集截止日期"))
    notice = models.TextField(_("征集通知"), blank=True)
    # 办法第八条: the bureau may close the call before its closing date (projects.calls).
    closed_on = models.DateField(
        _("提前截止日期"), null=True, blank=True, help_text=_("自该日起不再接受申报。")
    )

    class Meta:
        verbose_name = _("年度需求征集")
        verbose_name_plural = _("年度需求征集")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)s年度政务信息化建设需求征集") % {"year": self.year}

    def is_open_on(self, day) -> bool:
        if self.closed_on is not None and day >= self.closed_on:
            return False
        return self.opens_on <= day <= self.closes_on


class CallSubmission(models.Model):
    """One consolidated submission (申报函) per department per call (办法第八条)."""

    call = models.ForeignKey(
        Call, verbose_name=_("征集"), on_delete=models.PROTECT, related_name="submissions"
    )
    organisation = models.ForeignKey(Organisation, verbose_name=_("申报单位"), on_delete=models.PROTECT)
    letter = models.TextField(_("申报函正文"), blank=True)
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        User, verbose_name=_("签发人"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # 办法第二十一条: 项目责任人为项目建设单位主要负责人 — named by the signing head for every
    # project of the submission (and of its amendments), never defaulted.
    responsible_person = models.ForeignKey(
        User,
        verbose_name=_("项目责任人（主要负责人）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # 办法第八条: the split-application warnings the head saw and confirmed when signing.
    split_warnings = models.JSONField(_("签发时的拆分申报预警"), default=list, blank=True)

    class Meta:
        verbose_name = _("部门申报批次")
        verbose_name_plural = _("部门申报批次")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation"], name="one_submission_per_department_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.call.year}"


class SubmissionAmendment(models.Model):
    """办法第八条: a late addition (补充申报) to a department's consolidated submission.

    Its own letter, signed by the head while the call is open; the projects it added and the
    split warnings (against everything the department submitted in the call) it confirmed.
    """

    submission = models.ForeignKey(
        CallSubmission, verbose_name=_("申报批次"), on_delete=models.PROTECT, related_name="amendments"
    )
    number = models.PositiveIntegerField(_("补充申报次序"))
    letter = models.TextField(_("补充申报函正文"))
    submitted_at = models.DateTimeField(_("补充申报时间"))
    signed_by = models.ForeignKey(User, verbose_name=_("签发人"), on_delete=models.PROTECT, related_name="+")
    projects = models.ManyToManyField("Project", verbose_name=_("补充申报的项目"), related_name="amendments")
    split_warnings = models.JSONField(_("签发时的拆分申报预警"), default=list, blank=True)

    class Meta:
        verbose_name = _("补充申报")
        verbose_name_plural = _("补充申报")
        ordering = ["submission", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "number"], name="amendment_number_unique_per_submission"
            ),
            models.CheckConstraint(condition=~models.Q(letter=""), name="amendment_has_letter"),
        ]

    def __str__(self) -> str:
        return _("%(submission)s · 第%(n)s次补充申报") % {"submission": self.submission, "n": self.number}


def validate_platform_code(value: str) -> None:
    """办法第十五条: the online approval platform's 24-character 项目代码 (core.validation)."""
    _validate_platform_code(value)


class Project(ProjectMachine, StateFieldsOnce, ConcurrentTransitionMixin, NatureFields, models.Model):
    """A provincial 政务信息化项目 from its June application to closure."""

    # --- identity and ownership (第九条, 第十三条, 第二十一条)
    name = models.CharField(_("项目名称"), max_length=200)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("项目建设单位"),
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("跨部门项目为牵头部门（办法第十三条）。"),
    )
    responsible_person = models.ForeignKey(
        User,
        verbose_name=_("项目责任人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("项目建设单位主要负责人（办法第二十一条）。"),
    )
    call = models.ForeignKey(
        Call, verbose_name=_("征集"), on_delete=models.PROTECT, null=True, blank=True, related_name="projects"
    )
    submission = models.ForeignKey(
        CallSubmission,
        verbose_name=_("申报批次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    plan = models.ForeignKey(
        "AnnualPlan",
        verbose_name=_("年度建设计划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    state = FSMField(
        _("阶段"),
        max_length=32,
        choices=ProjectState.choices,
        default=ProjectState.DRAFT,
        protected=True,
        db_index=True,
    )
    # Issue 11 (projects/drafts.py): a draft its department deleted stays for the audit trail
    # (its rows are never deleted) but leaves every list of the department; and the token of
    # the "new application" form that created it, so that the same form posted again (back
    # and save, a double click) updates this draft instead of creating a second one.
    discarded_at = models.DateTimeField(_("草稿删除时间"), null=True, blank=True, editable=False)
    form_token = models.UUIDField(_("新建表单标识"), null=True, blank=True, unique=True, editable=False)

    # --- application content (第九条)
    basis_and_necessity = models.TextField(_("建设依据和必要性"), blank=True)
    content_and_scale = models.TextField(_("建设内容和规模"), blank=True)
    technical_route = models.TextField(_("技术路线"), blank=True)
    period_months = models.PositiveIntegerField(
        _("建设工期（月）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(PERIOD_MONTHS_MAX)],
    )
    planned_start = models.DateField(
        _("计划开工日期"), null=True, blank=True, validators=[validate_planned_date]
    )
    total_investment_yuan = models.DecimalField(
        _("项目总投资（元）"), **MONEY, null=True, blank=True, validators=[validate_money_positive]
    )
    performance_targets = models.TextField(_("项目绩效目标"), blank=True)
    cloud_requirements = models.TextField(_("政务云需求方案"), blank=True)
    protection_plan = models.TextField(_("等级保护或分级保护方案"), blank=True)
    security_plan = models.TextField(_("安全保障方案"), blank=True)
    product_reliability = models.TextField(_("产品安全可靠情况"), blank=True)
    crypto_plan = models.TextField(_("密码应用方案"), blank=True)
    network = models.CharField(
        _("依托网络"), max_length=16, choices=Network.choices, default=Network.EXTRANET
    )
    classified = models.BooleanField(_("涉密项目"), default=False)
    separate_build_basis = models.TextField(
        _("单独建设的文件依据"), blank=True, help_text=_("因特殊情况确需单独建设的（办法第六条）。")
    )
    emergency_mandate = models.TextField(
        _("紧急纳入依据"),
        blank=True,
        help_text=_("党中央、国务院或省委、省政府以及国家部委的明确要求（办法第十二条）。"),
    )

    # --- approval (第十五至十九条)
    platform_code = models.CharField(
        _("在线审批监管平台项目代码"), max_length=24, blank=True, validators=[validate_platform_code]
    )
    fsr_sharing_chapter = models.BooleanField(_("可研含信息资源共享分析篇（章）"), default=False)
    design_sharing_chapter = models.BooleanField(_("初步设计含信息资源共享分析篇（章）"), default=False)
    merged_fsr_design = models.BooleanField(_("可研与初步设计合并"), default=False)
    merged_ground = models.CharField(_("合并情形"), max_length=16, choices=MergedGround.choices, blank=True)
    design_deviates = models.BooleanField(_("初步设计超出可研批复"), default=False)
    deviation_explanation = models.TextField(_("调整内容及理由（独立章节）"), blank=True)
    design_major_change = models.BooleanField(_("存在重大变更"), default=False)
    fsr_approval_no = models.CharField(_("可研批复文号"), max_length=60, blank=True)
    fsr_estimate_yuan = models.DecimalField(
        _("可研批复估算（元）"),
        **MONEY,
        null=True,
        blank=True,
        validators=[validate_money_positive],
        help_text=_(
            "省发改委批复可行性研究报告时核定的总投资估算（办法第十五条）；可研与初步设计合并审批的，"
            "即为概算总投资（办法第十七条）。"
        ),
    )
    design_approval_no = models.CharField(_("初步设计批复文号"), max_length=60, blank=True)
    # 办法第十八条: recorded by approve_design; the approval letter states only what happened.
    design_evaluation = models.CharField(
        _("初步设计评估论证方式"), max_length=16, choices=DesignEvaluation.choices, blank=True
    )
    approved_estimate_yuan = models.DecimalField(
        _("概算总投资（元）"), **MONEY, null=True, blank=True, validators=[validate_money_positive]
    )
    decided_amount_yuan = models.DecimalField(
        _("省政府审定金额（元）"), **MONEY, null=True, blank=True, validators=[validate_money_positive]
    )
    decided_funding_source = models.CharField(_("省政府审定资金来源"), max_length=100, blank=True)
    # 办法第十七条: 前期工作深度达到规定要求 is a condition of the merged approval; recorded by
    # approve_fsr (required there for a merged project, lifecycle.stepdata).
    preliminary_work_depth = models.TextField(_("前期工作深度"), blank=True)
    # 办法第十九条: the 省政府 decision itself (recorded by ratify).
    ratification_no = models.CharField(_("省政府审定文号"), max_length=60, blank=True)
    ratified_on = models.DateField(_("省政府审定日期"), null=True, blank=True)

    # --- construction (第二十一、二十四、二十七条)
    # 监理 (第二十四条) and the IP clause (第三十条): lifecycle.models.Contract, project.contracts.
    # 办法第二十六、三十六条: the 文号 of the bureau's decision to suspend or to terminate,
    # recorded by the step (lifecycle.stepdata).
    suspension_no = models.CharField(_("暂停建设文号"), max_length=60, blank=True)
    termination_no = models.CharField(_("终止项目文号"), max_length=60, blank=True)
    construction_started_on = models.DateField(_("开工日期"), null=True, blank=True)
    completed_on = models.DateField(_("建成日期"), null=True, blank=True)
    surplus_returned_yuan = models.DecimalField(
        _("退回结余资金（元）"), **MONEY, null=True, blank=True, validators=[validate_money_non_negative]
    )

    # --- acceptance and evaluation (第二十三、二十九至三十三条)
    archive_accepted_on = models.DateField(_("档案验收合格日期"), null=True, blank=True)
    crypto_assessment_on = models.DateField(_("密码应用安全性评估报告日期"), null=True, blank=True)
    secrecy_evaluated_on = models.DateField(_("保密测评审查合格日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    acceptance_report_filed_on = models.DateField(_("验收报告备案日期"), null=True, blank=True)
    went_live_on = models.DateField(_("投入运行日期"), null=True, blank=True)
    self_evaluation = models.TextField(_("自评价结论"), blank=True)
    post_evaluation = models.TextField(_("后评价结论"), blank=True)
    # 办法第三十三条: the grades of both evaluations, when and whether in time the self-evaluation
    # came, and the third-party organisation the bureau commissioned for the post-evaluation.
    self_evaluation_grade = models.CharField(
        _("自评价等级"), max_length=16, choices=EvaluationGrade.choices, blank=True
    )
    self_evaluation_submitted_on = models.DateField(_("自评价报送日期"), null=True, blank=True)
    self_evaluation_late = models.BooleanField(_("自评价逾期报送"), default=False)
    post_evaluator = models.ForeignKey(
        Organisation,
        verbose_name=_("后评价机构"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="post_evaluations",
        limit_choices_to={"kind": OrgKind.EXPERT},
    )
    post_evaluation_grade = models.CharField(
        _("后评价等级"), max_length=16, choices=EvaluationGrade.choices, blank=True
    )

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Issue 10: the earliest (extended) deadline of the project's running clocks, kept by
    # lifecycle.clocks.keep_first_due on every write of a clock, so that each home queue is
    # read in deadline order from an index. What a page shows comes from the clocks.
    first_due = models.DateField(_("最近时限"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("政务信息化项目")
        verbose_name_plural = _("政务信息化项目")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "state"]),
            # Issue 10: the project list's order (newest first), read backwards (docs/scale.md).
            models.Index(fields=["created_at", "id"], name="project_created_at"),
            # Issue 10 (listpages): the plan page sums by department from the index alone, lists
            # one department's rows, and counts and lists the plan's projects by state.
            models.Index(fields=["plan", "owner", "total_investment_yuan"], name="project_plan_owner"),
            models.Index(fields=["plan", "state"], name="project_plan_state"),
            # Issue 10: a plan's sums per source join its projects' ids to their funding lines
            # from this index alone on PostgreSQL (SQLite's indexes carry the rowid anyway).
            # The plan page counts with COUNT(*), which the two above answer alone too; COUNT of
            # the id made PostgreSQL read every row of the plan (12 ms → 2 ms at 10,000).
            models.Index(fields=["plan", "id"], name="project_plan_pk"),
            # Issue 10: every home queue (projects.selectors) by state, earliest deadline first;
            # with the network, the bureau's queue of extranet designs (办法第十八条) is read from
            # the index alone too (PostgreSQL: 0.58 → 0.06 ms at 10,000; docs/scale.md).
            models.Index(fields=["state", "first_due", "id", "network"], name="project_state_first_due_net"),
            # Issue 10: a free-text search (selectors.project_list) and its count read this
            # index alone instead of every project's row (PostgreSQL: an index-only scan, the
            # count 11 → 2.7 ms at 10,000; docs/scale.md).
            models.Index(fields=["state", "name", "platform_code"], name="project_search"),
        ]
        constraints = [
            # core.validation: amounts in range on every backend (办法第九、十八、十九、二十七条).
            money_check(
                "total_investment_yuan",
                positive=True,
                name="project_total_investment_in_range",
                label=_("项目总投资"),
            ),
            money_check(
                "fsr_estimate_yuan",
                positive=True,
                name="project_fsr_estimate_in_range",
                label=_("可研批复估算"),
            ),
            money_check(
                "approved_estimate_yuan",
                positive=True,
                name="project_approved_estimate_in_range",
                label=_("概算总投资"),
            ),
            money_check(
                "decided_amount_yuan",
                positive=True,
                name="project_decided_amount_in_range",
                label=_("省政府审定金额"),
            ),
            money_check(
                "surplus_returned_yuan",
                positive=False,
                name="project_surplus_in_range",
                label=_("退回结余资金"),
            ),
            # Dates in order: 建成 not before 开工, 验收 not before 建成 (办法第二十九条: acceptance
            # follows completion); a planned start not before core.validation.EARLIEST_DATE.
            models.CheckConstraint(
                condition=models.Q(completed_on__isnull=True)
                | models.Q(construction_started_on__isnull=True)
                | models.Q(completed_on__gte=models.F("construction_started_on")),
                name="project_completed_after_start",
                violation_error_message=_("建成日期不能早于开工日期。"),
            ),
            models.CheckConstraint(
                condition=models.Q(accepted_on__isnull=True)
                | models.Q(completed_on__isnull=True)
                | models.Q(accepted_on__gte=models.F("completed_on")),
                name="project_accepted_after_completion",
                violation_error_message=_("验收日期不能早于建成日期（办法第二十九条）。"),
            ),
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True) | models.Q(planned_start__gte=EARLIEST_DATE),
                name="project_planned_start_plausible",
                violation_error_message=_("计划开工日期不能早于2000年，请核对年份。"),
            ),
            # 办法第九条 建设工期: between one month and core.validation.PERIOD_MONTHS_MAX.
            models.CheckConstraint(
                condition=models.Q(period_months__isnull=True)
                | models.Q(period_months__gte=1, period_months__lte=PERIOD_MONTHS_MAX),
                name="project_period_plausible",
                violation_error_message=format_lazy(
                    _("建设工期须在1至{max}个月之间（办法第九条）。"), max=PERIOD_MONTHS_MAX
                ),
            ),
            # 办法第十五条: one platform code is one project.
            models.UniqueConstraint(
                fields=["platform_code"],
                condition=~models.Q(platform_code=""),
                name="unique_platform_code",
                violation_error_message=_("该项目代码已登记在另一个项目上，请核对（办法第十五条）。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        """A project's save never writes ``first_due``: lifecycle.clocks keeps it in the
        database, and an instance loaded before a clock moved holds the old date (issue 10).
        An existing project is saved with every other column it has loaded."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            deferred = self.get_deferred_fields()
            kwargs["update_fields"] = [
                f.attname
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname != "first_due" and f.attname not in deferred
            ]
        super().save(*args, **kwargs)

    @property
    def year(self) -> int | None:
        if self.plan_id:
            return self.plan.year
        return self.call.year if self.call_id else None

    @property
    def reviewing_kind(self) -> str:
        """办法第十八条: intranet projects' designs go to 省内网办, the others to the bureau."""
        return OrgKind.INTRANET if self.network == Network.INTRANET else OrgKind.BUREAU

    def missing_application_items(self) -> list[tuple[str, str]]:
        """办法第九条: every listed material must be present before the application goes out.

        Returns (field name, message) pairs, empty when complete.
        """
        required_text = [
            "name",
            "basis_and_necessity",
            "content_and_scale",
            "performance_targets",
            "cloud_requirements",
            "protection_plan",
            "security_plan",
            "product_reliability",
            "crypto_plan",
        ]
        missing = []
        for name in required_text:
            if not (getattr(self, name) or "").strip():
                label = self._meta.get_field(name).verbose_name
                missing.append((name, _("缺少“%(item)s”（办法第九条）。") % {"item": label}))
        if not self.period_months:
            missing.append(("period_months", _("缺少“建设工期”（办法第九条）。")))
        if not self.total_investment_yuan:
            missing.append(("total_investment_yuan", _("缺少“项目总投资”（办法第九条）。")))
        if self.pk is None:
            missing.append(("yearly_investments", _("缺少“年度投资额”（办法第九条）。")))
            missing.append(("funding_lines", _("缺少“资金来源”（办法第九条）。")))
            missing.append(("data_resources", _("缺少“数据资源目录”（办法第九条）。")))
            return missing
        yearly = list(self.yearly_investments.all())
        if not yearly:
            missing.append(("yearly_investments", _("缺少“年度投资额”（办法第九条）。")))
        elif self.total_investment_yuan and sum(y.amount_yuan for y in yearly) != self.total_investment_yuan:
            missing.append(("yearly_investments", _("年度投资额合计应等于项目总投资（办法第九条）。")))
        years = project_construction_years(self)
        outside = [y.year for y in yearly if years is not None and y.year not in years]
        if outside:
            missing.append(
                (
                    "yearly_investments",
                    _("%(outside)s年不在建设期（%(years)s年）内：年度投资额只填建设期各年度（办法第九条）。")
                    % {"outside": "、".join(str(y) for y in outside), "years": years_text(years)},
                )
            )
        funding = list(self.funding_lines.all())
        if not funding:
            missing.append(("funding_lines", _("缺少“资金来源”（办法第九条）。")))
        elif self.total_investment_yuan and sum(f.amount_yuan for f in funding) != self.total_investment_yuan:
            missing.append(("funding_lines", _("各资金来源合计应等于项目总投资（办法第九条）。")))
        if not self.data_resources.exists():
            missing.append(("data_resources", _("缺少“数据资源目录”（办法第九条）。")))
        return missing


class Participant(models.Model):
    """办法第十三条: participating departments of a cross-department project and their parts."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    organisation = models.ForeignKey(Organisation, verbose_name=_("参建部门"), on_delete=models.PROTECT)
    part = models.TextField(_("承担的建设内容"))
    # 办法第十三条: 明确各部门项目与总体工程的业务流、数据流及系统接口.
    business_flow = models.TextField(_("与总体工程的业务流"), blank=True)
    data_flow = models.TextField(_("与总体工程的数据流"), blank=True)
    interfaces = models.TextField(_("系统接口"), blank=True)
    # 办法第十三条 (会同参建部门): the participating department's head confirms its part
    # (projects.participation.participant_confirm); cleared when the lead edits the part.
    confirmed_at = models.DateTimeField(_("参建部门确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        User,
        verbose_name=_("参建部门确认人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    #: The fields that make up the participant's part: editing one clears the confirmation.
    PART_FIELDS = ("organisation", "part", "business_flow", "data_flow", "interfaces")

    class Meta:
        verbose_name = _("参建部门")
        verbose_name_plural = _("参建部门")
        constraints = [
            models.UniqueConstraint(fields=["project", "organisation"], name="one_part_per_participant")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.organisation}"


class Level(models.TextChoices):
    NATIONAL = "national", _("国家")
    CITY = "city", _("市（地）")
    COUNTY = "county", _("县（市、区）")


class LevelRelation(models.Model):
    """办法第十四条: links with national, city and county projects."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="level_relations")
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices)
    related_system = models.CharField(_("衔接的已有项目或系统"), max_length=200)
    description = models.TextField(_("衔接方式"), blank=True)

    class Meta:
        verbose_name = _("跨层级衔接")
        verbose_name_plural = _("跨层级衔接")

    def __str__(self) -> str:
        return f"{self.project} · {self.get_level_display()} {self.related_system}"


class YearlyInvestment(models.Model):
    """办法第九条: 年度投资额."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="yearly_investments")
    year = models.PositiveIntegerField(_("年度"))
    amount_yuan = models.DecimalField(_("投资额（元）"), **MONEY, validators=[validate_money_non_negative])

    class Meta:
        verbose_name = _("年度投资额")
        verbose_name_plural = _("年度投资额")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="one_amount_per_year"),
            money_check("amount_yuan", positive=False, name="yearly_amount_in_range", label=_("年度投资额")),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.year}"


class FundingSource(models.TextChoices):
    PROVINCIAL = "provincial", _("省级财政资金")
    CENTRAL = "central", _("中央资金")
    SELF = "self", _("单位自筹")
    OTHER = "other", _("其他")


class FundingLine(models.Model):
    """办法第九条: 资金来源."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding_lines")
    source = models.CharField(_("资金来源"), max_length=16, choices=FundingSource.choices)
    amount_yuan = models.DecimalField(_("金额（元）"), **MONEY, validators=[validate_money_positive])

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        # Issue 10 (listpages): a plan's sums per source read from the index alone.
        indexes = [models.Index(fields=["project", "source", "amount_yuan"], name="funding_project_amount")]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="one_line_per_source"),
            # A source that provides nothing is not a source of the project (办法第九条).
            money_check(
                "amount_yuan", positive=True, name="funding_amount_in_range", label=_("资金来源金额")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_source_display()}"


class SharingType(models.TextChoices):
    UNCONDITIONAL = "unconditional", _("无条件共享")
    CONDITIONAL = "conditional", _("有条件共享")
    NONE = "none", _("不予共享")


class OpenType(models.TextChoices):
    OPEN = "open", _("无条件开放")
    CONDITIONAL = "conditional", _("有条件开放")
    CLOSED = "closed", _("不予开放")


class DataResource(models.Model):
    """办法第九、十六条: one row of the 数据资源目录 / 信息资源目录."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="data_resources")
    name = models.CharField(_("信息资源名称"), max_length=200)
    provider = models.CharField(_("提供单位"), max_length=100)
    data_format = models.CharField(_("数据格式"), max_length=50)
    update_cycle = models.CharField(_("更新周期"), max_length=30)
    sharing_type = models.CharField(_("共享类型"), max_length=16, choices=SharingType.choices)
    sharing_condition = models.CharField(_("共享条件或不予共享依据"), max_length=300, blank=True)
    open_type = models.CharField(_("开放类型"), max_length=16, choices=OpenType.choices)

    class Meta:
        verbose_name = _("信息资源目录条目")
        verbose_name_plural = _("信息资源目录")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # 办法第十六、三十四条: not sharing is the exception and must say why.
        if self.sharing_type != SharingType.UNCONDITIONAL and not self.sharing_condition.strip():
            raise ValidationError(
                {"sharing_condition": _("有条件共享或不予共享须说明条件或依据（办法第十六条）。")}
            )


class AnnualPlan(PlanMachine, StateFieldsOnce, ConcurrentTransitionMixin, models.Model):
    """办法第十一条: next year's plan, compiled by the bureau with 财政厅."""

    year = models.PositiveIntegerField(_("计划年度"), unique=True)
    state = FSMField(
        _("状态"), max_length=16, choices=PlanState.choices, default=PlanState.COMPILING, protected=True
    )
    finance_concurred_by = models.ForeignKey(
        User,
        verbose_name=_("财政厅会签人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finance_concurred_at = models.DateTimeField(_("财政厅会签时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报省政府时间"), null=True, blank=True)
    approved_at = models.DateTimeField(_("省政府批准时间"), null=True, blank=True)
    issued_at = models.DateTimeField(_("下达时间"), null=True, blank=True)
    document_no = models.CharField(_("下达文号"), max_length=60, blank=True)
    # 办法第十一条: the government's approval document (recorded by approve).
    approval_no = models.CharField(_("省政府批准文号"), max_length=60, blank=True)
    approved_on = models.DateField(_("省政府批准日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度建设计划")
        verbose_name_plural = _("年度建设计划")
        ordering = ["-year"]

    def __str__(self) -> str:
        return _("%(year)s年度省级政务信息化建设计划") % {"year": self.year}


class SplitWarning(models.Model):
    """办法第八条: two applications of one department that look like one project split in two;
    办法第三条 (``kind`` duplicate, issue 15): two applications of different departments that
    look like the same system built twice."""

    class Kind(models.TextChoices):
        SPLIT = "split", _("疑似拆分申报（办法第八条）")
        DUPLICATE = "duplicate", _("疑似跨部门重复建设（办法第三条）")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="split_warnings")
    kind = models.CharField(_("预警类型"), max_length=12, choices=Kind.choices, default=Kind.SPLIT)
    first = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(_("相似度"), max_digits=4, decimal_places=3)
    details = models.JSONField(_("各项相似度"), default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("拆分申报预警")
        verbose_name_plural = _("拆分申报预警")
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.first} ≈ {self.second}（{self.score}）"


# 办法第九、三十三条: the structured performance targets (projects/models_evaluation.py).
from .models_evaluation import PerformanceTarget  # noqa: E402, F401

# Issue 10: long work in the background (projects/models_jobs.py, projects/jobs.py).
from .models_jobs import Job  # noqa: E402, F401

# 办法第九、十条: the application as sent at each submission and 补正 (projects/models_versions.py).
from .models_versions import ApplicationVersion  # noqa: E402, F401

# isort: split
# Issue 12: the inbox, e-mail preferences, reminders sent (projects/models_notifications.py).
from .models_notifications import (  # noqa: E402, F401
    Notification,
    NotificationPreference,
    NotificationRead,
    ReminderSent,
)

# Issue 10: a plan's counts and sums, kept by the database's triggers (projects/models_tally.py).
from .models_tally import PlanSourceTally, PlanTally  # noqa: E402, F401
