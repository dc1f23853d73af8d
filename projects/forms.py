"""Forms of the application (办法第九条) and of the facts recorded later on a project."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from core import timeutil
from core.formwording import WordedInlineFormSet
from core.nature import ProjectNature
from core.states import ProjectState as S
from core.validation import (
    EARLIEST_DATE,
    PERIOD_MONTHS_MAX,
    DateInput,
    WanField,
    construction_years,
    latest_planned_date,
    validate_planned_date,
    years_text,
)

from .models import (
    Call,
    DataResource,
    FundingLine,
    LevelRelation,
    Organisation,
    OrgKind,
    Participant,
    Project,
    YearlyInvestment,
)

APPLICATION_FIELDS = [
    "name",
    "call",
    # 建设性质 (issue 15; projects/models_nature.py)
    "nature",
    "predecessor",
    "system_name",
    "basis_and_necessity",
    "content_and_scale",
    "technical_route",
    "period_months",
    "planned_start",
    "total_investment_yuan",
    "performance_targets",
    "cloud_requirements",
    "protection_plan",
    "security_plan",
    "product_reliability",
    "crypto_plan",
    "network",
    "classified",
    "separate_build_basis",
    "emergency_mandate",
]
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def planned_date_input() -> DateInput:
    """A date picker bounded like core.validation.validate_planned_date."""
    return DateInput(attrs={"min": EARLIEST_DATE.isoformat(), "max": latest_planned_date().isoformat()})


class ApplicationForm(forms.ModelForm):
    """Every item of 办法第九条. Nothing but the name is required to save a draft; what is
    missing is listed next to each field when the department submits (第九条)."""

    class Meta:
        model = Project
        fields = APPLICATION_FIELDS
        widgets = {
            **dict.fromkeys(
                [
                    "basis_and_necessity",
                    "content_and_scale",
                    "technical_route",
                    "performance_targets",
                    "cloud_requirements",
                    "protection_plan",
                    "security_plan",
                    "product_reliability",
                    "crypto_plan",
                    "separate_build_basis",
                    "emergency_mandate",
                ],
                TEXTAREA,
            ),
            "planned_start": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].required = False
        self.fields["call"].empty_label = _("（不属于年度征集）")
        # 办法第八条: a new application is never preselected into a call that is not open.
        call = self.initial.get("call")
        if self.instance.pk is None and isinstance(call, Call) and not call.is_open_on(timeutil.today()):
            self.initial["call"] = None
        # Money is typed in 万元 and stored in 元 (core.validation.WanField); > 0 (办法第九条).
        self.fields["total_investment_yuan"] = WanField(label=_("项目总投资（万元）"), required=False)
        self.fields["planned_start"].widget = planned_date_input()
        self.fields["planned_start"].validators.append(validate_planned_date)
        self.fields["period_months"] = forms.IntegerField(
            label=self.fields["period_months"].label, required=False, min_value=1, max_value=PERIOD_MONTHS_MAX
        )
        # 建设性质 (issue 15): the earlier project is one of the department's own that went
        # beyond the draft (办法第三十八条: its results are shown with this application).
        self.fields["predecessor"].queryset = predecessor_choices(self.instance)
        self.fields["predecessor"].empty_label = _("（无）")
        # Not required: a form posted without it (an older page, an import) keeps what the
        # project has — 新建 for a new one (the default of the migration, too).
        self.fields["nature"].required = False

    def clean_nature(self):
        return self.cleaned_data.get("nature") or self.instance.nature or ProjectNature.NEW

    def clean_system_name(self):
        return (self.cleaned_data.get("system_name") or "").strip()

    def construction_years(self):
        """The years of the construction period as typed (None when not yet known)."""
        data = getattr(self, "cleaned_data", {})
        call = data.get("call")
        plan_year = self.instance.plan.year if self.instance.plan_id else (call.year if call else None)
        return construction_years(
            planned_start=data.get("planned_start"),
            period_months=data.get("period_months"),
            plan_year=plan_year,
        )


def predecessor_choices(project: Project):
    """The projects a 续建, upgrade or O&M application may name as its earlier project: the
    owner's own, submitted at some point (not drafts, not withdrawn), never itself."""
    if not project.owner_id:
        return Project.objects.none()
    qs = Project.objects.filter(owner_id=project.owner_id, discarded_at__isnull=True).exclude(
        state__in=[S.DRAFT, S.WITHDRAWN]
    )
    if project.pk:
        qs = qs.exclude(pk=project.pk)
    return qs.order_by("-pk")


class RowForm(forms.ModelForm):
    """Rows of the catalogue and amounts: an empty row is ignored, not an error."""

    use_required_attribute = False


def _formset(model, fields, extra=1, form=RowForm, **kw):
    kw.setdefault("formset", WordedInlineFormSet)  # the framework's messages worded (core/formwording.py)
    return inlineformset_factory(Project, model, form=form, fields=fields, extra=extra, can_delete=True, **kw)


DataResourceFormSet = _formset(
    DataResource,
    ["name", "provider", "data_format", "update_cycle", "sharing_type", "sharing_condition", "open_type"],
)


class YearlyInvestmentForm(RowForm):
    class Meta:
        model = YearlyInvestment
        fields = ["year", "amount_yuan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.IntegerField(
            label=self.fields["year"].label,
            min_value=EARLIEST_DATE.year,
            max_value=latest_planned_date().year,
        )
        # 办法第九条 年度投资额: a year of the construction period may have none (0), not less.
        self.fields["amount_yuan"] = WanField(label=_("投资额（万元）"), positive=False)


class YearlyInvestmentBaseFormSet(WordedInlineFormSet):
    """办法第九条: 年度投资额 for the years of the construction period only. The application
    form (``application``) gives the period as typed; the sum against the total is checked
    when the department submits (Project.missing_application_items), not on every draft save."""

    application = None

    def clean(self):
        super().clean()
        if self.application is None or not self.application.is_valid():
            return
        years = self.application.construction_years()
        if years is None:
            return
        for form in self.forms:
            if form in self.deleted_forms or (not form.has_changed() and not form.instance.pk):
                continue
            year = form.cleaned_data.get("year")
            if year is not None and year not in years:
                form.add_error(
                    "year",
                    _("%(year)s年不在建设期（%(years)s年）内：年度投资额只填建设期各年度（办法第九条）。")
                    % {"year": year, "years": years_text(years)},
                )


class FundingLineForm(RowForm):
    class Meta:
        model = FundingLine
        fields = ["source", "amount_yuan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 办法第九条 资金来源: a source listed provides something.
        self.fields["amount_yuan"] = WanField(label=_("金额（万元）"))


YearlyInvestmentFormSet = _formset(
    YearlyInvestment, ["year", "amount_yuan"], form=YearlyInvestmentForm, formset=YearlyInvestmentBaseFormSet
)
FundingLineFormSet = _formset(FundingLine, ["source", "amount_yuan"], form=FundingLineForm)
LevelRelationFormSet = _formset(
    LevelRelation, ["level", "related_system", "description"], widgets={"description": forms.TextInput()}
)


#: 办法第十三条: each participant's part, business flow, data flow and system interfaces.
PARTICIPANT_FIELDS = ["organisation", "part", "business_flow", "data_flow", "interfaces"]


class ParticipantForm(RowForm):
    class Meta:
        model = Participant
        fields = PARTICIPANT_FIELDS
        widgets = {name: forms.TextInput() for name in PARTICIPANT_FIELDS[1:]}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 办法第十三条: participating departments are other 项目建设单位 (not the lead itself).
        owners = Organisation.objects.filter(kind=OrgKind.OWNER)
        if self.instance.project_id:
            owners = owners.exclude(pk=self.instance.project.owner_id)
        self.fields["organisation"].queryset = owners

    def clean_organisation(self):
        organisation = self.cleaned_data.get("organisation")
        lead = self.instance.project.owner_id if self.instance.project_id else None
        if organisation is not None and organisation.pk == lead:
            raise forms.ValidationError(_("牵头部门不能同时作为参建部门（办法第十三条）。"))
        return organisation


ParticipantFormSet = _formset(Participant, PARTICIPANT_FIELDS, form=ParticipantForm)

#: (prefix, formset class, heading, the key missing_application_items uses)
FORMSETS = [
    ("data", DataResourceFormSet, _("数据资源目录（办法第九、十六条）"), "data_resources"),
    ("yearly", YearlyInvestmentFormSet, _("年度投资额（办法第九条）"), "yearly_investments"),
    ("funding", FundingLineFormSet, _("资金来源（办法第九条）"), "funding_lines"),
    ("participants", ParticipantFormSet, _("跨部门参建单位（办法第十三条）"), "participants"),
    ("levels", LevelRelationFormSet, _("跨层级衔接（办法第十四条）"), "level_relations"),
]


def application_formsets(data=None, instance=None, application=None):
    """The rows of the application; ``application`` (the bound ApplicationForm) lets the
    yearly rows be checked against the construction period typed in it."""
    result = []
    for prefix, cls, heading, key in FORMSETS:
        formset = cls(data, instance=instance, prefix=prefix)
        if isinstance(formset, YearlyInvestmentBaseFormSet):
            formset.application = application
        result.append((prefix, formset, heading, key))
    return result


RECORD_FIELDS = [
    "platform_code",
    "fsr_sharing_chapter",
    "merged_fsr_design",
    "merged_ground",
    "design_sharing_chapter",
    "design_deviates",
    "deviation_explanation",
    "design_major_change",
]


class RecordsForm(forms.ModelForm):
    """Facts the department records on the way: 项目代码 (第十五条), sharing chapters (第十六条),
    merged path (第十七条), deviation chapter (第十八条). The 监理 contract (第二十四条) and the
    IP clause (第三十条) are contracts (lifecycle.contracts), recorded on their own page.

    The dates of archive acceptance (第三十一条), the 密评 report (第二十三条), the secrecy
    evaluation (第三十二条) and the 验收报告备案 (第二十九条) are not typed here: they come
    from the uploaded documents and the agencies' confirmations (documents/evidence.py)."""

    class Meta:
        model = Project
        fields = RECORD_FIELDS
        widgets = {"deviation_explanation": TEXTAREA}

    def clean_platform_code(self):
        # 办法第十五条: the format and month are checked by the model field's validator; one
        # code is one project (also a UNIQUE constraint), said here beside the field.
        code = (self.cleaned_data.get("platform_code") or "").strip().upper()
        if code and Project.objects.filter(platform_code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("项目代码 %(code)s 已登记在另一个项目上，请核对（办法第十五条）。") % {"code": code},
                code="platform_code_taken",
            )
        return code
