"""Uploaded materials (each upload a new version) and the filings the system generates.

Files live in the storage named ``documents`` of ``settings.STORAGES`` (a local folder by
default, any S3-compatible store by configuration); rows keep the object key, the size and
two digests — SHA-256 and SM3 (GB/T 32905) — so a file can be checked against its row.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from .registry import MaterialKind

USER = settings.AUTH_USER_MODEL


class MaterialVersion(models.Model):
    """One upload of one kind of material for one project. Versions are numbered 1, 2, … per
    (project, kind); earlier versions stay. A version that went out with a submitted step is
    ``locked`` and can no longer be deleted."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT, related_name="material_versions"
    )
    kind = models.CharField(_("材料类型"), max_length=32, choices=MaterialKind.choices)
    number = models.PositiveIntegerField(_("版本"))
    original_name = models.CharField(_("文件名"), max_length=200)
    file_type = models.CharField(_("文件类型"), max_length=8)
    storage_key = models.CharField(_("存储位置"), max_length=300, unique=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # 办法第十八、二十三、二十九、三十一、三十二条: for documents that stand behind a
    # precondition, the date and the issuing body taken from the document (registry.UPLOADS
    # ``dated``); the project's dates are derived from them (documents.evidence).
    issued_on = models.DateField(_("出具日期"), null=True, blank=True)
    issuing_body = models.CharField(_("出具单位"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        USER, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"))
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    locked_by_action = models.CharField(_("随哪一步报送"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("材料版本")
        verbose_name_plural = _("材料版本")
        ordering = ["project", "kind", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "number"], name="one_number_per_material_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} 第{self.number}版 {self.original_name}"

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    def delete(self, *args, **kwargs):
        if self.locked:
            raise PermissionDenied("已随报送环节提交的材料版本不可删除")
        return super().delete(*args, **kwargs)


class SignOff(models.Model):
    """An opinion or approval and the material versions it covered.

    ``audit_entry`` is the row the step wrote (e.g. ``approve_fsr`` or ``opinion.given``);
    ``opinion`` is set for opinions. One SignOff row per covered version.
    """

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="signoffs")
    audit_entry = models.ForeignKey("lifecycle.AuditEntry", on_delete=models.PROTECT, related_name="+")
    opinion = models.ForeignKey(
        "lifecycle.Opinion", on_delete=models.SET_NULL, null=True, blank=True, related_name="covered_versions"
    )
    version = models.ForeignKey(MaterialVersion, on_delete=models.PROTECT, related_name="signoffs")
    label = models.CharField(_("签署事项"), max_length=100)
    signed_at = models.DateTimeField(_("签署时间"))

    class Meta:
        verbose_name = _("签署覆盖的材料版本")
        verbose_name_plural = _("签署覆盖的材料版本")
        ordering = ["signed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.project} · {self.audit_entry_id}"

    def newer_versions(self):
        return MaterialVersion.objects.filter(
            project_id=self.project_id, kind=self.version.kind, number__gt=self.version.number
        )

    @property
    def outdated(self) -> bool:
        """A newer version of the material was uploaded after this sign-off."""
        return self.newer_versions().exists()


class EvidenceConfirmation(models.Model):
    """An agency's confirmation of one version of a piece of evidence, as its own step
    (办法第二十九条 验收报告备案 received by the bureau; 第三十二条 保密测评审查合格 confirmed
    by the 保密行政管理部门). A newer version needs a new confirmation."""

    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="evidence_confirmations",
    )
    kind = models.CharField(_("材料类型"), max_length=32, choices=MaterialKind.choices)
    version = models.OneToOneField(
        MaterialVersion,
        verbose_name=_("确认的材料版本"),
        on_delete=models.PROTECT,
        related_name="confirmation",
    )
    organisation = models.ForeignKey(
        "projects.Organisation", verbose_name=_("确认单位"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        USER, verbose_name=_("确认人"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_on = models.DateField(_("确认日期"))
    confirmed_at = models.DateTimeField(_("确认时间"))
    audit_entry = models.ForeignKey("lifecycle.AuditEntry", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("材料确认")
        verbose_name_plural = _("材料确认")
        ordering = ["confirmed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.version} · {self.organisation} {self.confirmed_on}"


class DocumentCounter(models.Model):
    """The last 发文字号 number issued by an organisation in a year (gap-free, see numbering)."""

    organisation = models.ForeignKey("projects.Organisation", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_counter_per_org_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}: {self.last_number}"


class FilingKind(models.TextChoices):
    # Letters (GB/T 9704-2012 layout, with 发文字号)
    JOINT_REVIEW_OPINION = "joint_review_opinion", _("联合审核意见书")
    DESIGN_APPROVAL = "design_approval", _("初步设计方案批复")
    CHANGE_RECEIPT = "change_receipt", _("变更备案回执")
    CHANGE_APPROVAL = "change_approval", _("项目变更审批意见")
    RECTIFICATION_NOTICE = "rectification_notice", _("整改通知")
    ACCEPTANCE_OPINION = "acceptance_opinion", _("验收意见")
    DESIGN_REFUSAL = "design_refusal", _("初步设计方案不予批复意见")
    # Forms (tables, 第 X 页 共 Y 页)
    APPLICATION_FORM = "application_form", _("政务信息化项目建设需求申报表")
    ANNUAL_PLAN = "annual_plan", _("年度建设计划")
    CHANGE_FORM = "change_form", _("项目变更申请/备案表")
    EXTENSION_FORM = "extension_form", _("延期验收申请表")
    ACCEPTANCE_FORM = "acceptance_form", _("竣工验收申请表")
    PERFORMANCE_FORM = "performance_form", _("年度绩效评价报告")
    SELF_EVALUATION_FORM = "self_evaluation_form", _("项目自评价报告")
    POST_EVALUATION_REPORT = "post_evaluation_report", _("项目后评价报告")
    HISTORY = "history", _("项目全过程记录")


class Filing(models.Model):
    """A generated PDF, stored with the data snapshot it was rendered from, so the same
    filing can be produced again from the snapshot and checked against its digests."""

    kind = models.CharField(_("文书类型"), max_length=32, choices=FilingKind.choices)
    title = models.CharField(_("标题"), max_length=300)
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    plan = models.ForeignKey(
        "projects.AnnualPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    issuer = models.ForeignKey(
        "projects.Organisation",
        verbose_name=_("发文机关"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    year = models.PositiveIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("顺序号"), null=True, blank=True)
    document_no = models.CharField(_("发文字号"), max_length=60, blank=True)
    storage_key = models.CharField(_("存储位置"), max_length=300, unique=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    pages = models.PositiveIntegerField(_("页数"), default=0)
    sha256 = models.CharField("SHA-256", max_length=64)
    sm3 = models.CharField("SM3", max_length=64)
    generated_by = models.ForeignKey(
        USER, verbose_name=_("生成人"), on_delete=models.PROTECT, related_name="+"
    )
    generated_at = models.DateTimeField(_("生成时间"))
    #: The audit row of the step whose outcome the filing records (documents.filings.SPECS):
    #: one filing of a kind per step occurrence, so one 发文字号 per decision.
    step_entry = models.ForeignKey(
        "lifecycle.AuditEntry",
        verbose_name=_("所记录的办理步骤"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    #: What was filed (an annual plan's: every row of the plan, megabytes of JSON), read only to
    #: render or check the file again. The table's last column (migration 0008): SQLite keeps a
    #: long value in the row and walks all of it to reach a column stored after it, which made
    #: listing an issued plan's filings cost 0.6 ms per column read (issue 10).
    snapshot = models.JSONField(_("数据快照"))

    class Meta:
        verbose_name = _("生成的文书")
        verbose_name_plural = _("生成的文书")
        ordering = ["generated_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "year", "number"],
                condition=models.Q(number__isnull=False),
                name="one_filing_per_document_number",
            ),
            models.UniqueConstraint(
                fields=["kind", "step_entry"],
                condition=models.Q(step_entry__isnull=False),
                name="one_filing_per_kind_and_step",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_no} {self.title}".strip()
