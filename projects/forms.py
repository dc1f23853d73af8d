"""Forms of the application (办法第九条) and of the facts recorded later on a project."""

from __future__ import annotations

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from .models import (
    DataResource, FundingLine, LevelRelation, Organisation, OrgKind, Participant, Project, YearlyInvestment,
)

APPLICATION_FIELDS = [
    "name", "call", "basis_and_necessity", "content_and_scale", "technical_route", "period_months",
    "planned_start", "total_investment_yuan", "performance_targets", "cloud_requirements", "protection_plan",
    "security_plan", "product_reliability", "crypto_plan", "network", "classified", "separate_build_basis",
    "emergency_mandate",
]
TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ApplicationForm(forms.ModelForm):
    """Every item of 办法第九条. Nothing but the name is required to save a draft; what is
    missing is listed next to each field when the department submits (第九条)."""

    class Meta:
        model = Project
        fields = APPLICATION_FIELDS
        widgets = {
            **{name: TEXTAREA for name in ["basis_and_necessity", "content_and_scale", "technical_route",
                                           "performance_targets", "cloud_requirements", "protection_plan",
                                           "security_plan", "product_reliability", "crypto_plan",
                                           "separate_build_basis", "emergency_mandate"]},
            "planned_start": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].required = False
        self.fields["call"].empty_label = _("（不属于年度征集）")


class RowForm(forms.ModelForm):
    """Rows of the catalogue and amounts: an empty row is ignored, not an error."""

    use_required_attribute = False


def _formset(model, fields, extra=1, form=RowForm, **kw):
    return inlineformset_factory(Project, model, form=form, fields=fields, extra=extra, can_delete=True, **kw)


DataResourceFormSet = _formset(DataResource, ["name", "provider", "data_format", "update_cycle", "sharing_type",
                                              "sharing_condition", "open_type"])
YearlyInvestmentFormSet = _formset(YearlyInvestment, ["year", "amount_yuan"])
FundingLineFormSet = _formset(FundingLine, ["source", "amount_yuan"])
LevelRelationFormSet = _formset(LevelRelation, ["level", "related_system", "description"],
                                widgets={"description": forms.TextInput()})


class ParticipantForm(RowForm):
    class Meta:
        model = Participant
        fields = ["organisation", "part"]
        widgets = {"part": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # 办法第十三条: participating departments are other 项目建设单位.
        self.fields["organisation"].queryset = Organisation.objects.filter(kind=OrgKind.OWNER)


ParticipantFormSet = _formset(Participant, ["organisation", "part"], form=ParticipantForm)

#: (prefix, formset class, heading, the key missing_application_items uses)
FORMSETS = [
    ("data", DataResourceFormSet, _("数据资源目录（办法第九、十六条）"), "data_resources"),
    ("yearly", YearlyInvestmentFormSet, _("年度投资额（办法第九条）"), "yearly_investments"),
    ("funding", FundingLineFormSet, _("资金来源（办法第九条）"), "funding_lines"),
    ("participants", ParticipantFormSet, _("跨部门参建单位（办法第十三条）"), "participants"),
    ("levels", LevelRelationFormSet, _("跨层级衔接（办法第十四条）"), "level_relations"),
]


def application_formsets(data=None, instance=None):
    return [(prefix, cls(data, instance=instance, prefix=prefix), heading, key)
            for prefix, cls, heading, key in FORMSETS]


RECORD_FIELDS = [
    "platform_code", "fsr_sharing_chapter", "merged_fsr_design", "merged_ground", "design_sharing_chapter",
    "design_deviates", "deviation_explanation", "design_major_change", "supervisor_name",
    "supervision_contract_no", "ip_ownership_confirmed",
]


class RecordsForm(forms.ModelForm):
    """Facts the department records on the way: 项目代码 (第十五条), sharing chapters (第十六条),
    merged path (第十七条), deviation chapter (第十八条), 监理 (第二十四条), IP (第三十条).

    The dates of archive acceptance (第三十一条), the 密评 report (第二十三条), the secrecy
    evaluation (第三十二条) and the 验收报告备案 (第二十九条) are not typed here: they come
    from the uploaded documents and the agencies' confirmations (documents/evidence.py)."""

    class Meta:
        model = Project
        fields = RECORD_FIELDS
        widgets = {"deviation_explanation": TEXTAREA}
