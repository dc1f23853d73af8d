"""Forms of the web pages for steps, opinions, changes and reports."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from core import timeutil
from core.formwording import WordedFormSet
from core.states import ChangeState
from core.validation import (
    DateInput,
    WanField,
    money_formfield,
    performance_report_years,
    years_text,
    yuan_to_wan_text,
)
from core.vocabulary import Role

from . import stepdata
from .errors import RuleViolation
from .forms import TransitionForm
from .models import Aspect, ChangeItem, ChangeRequest, Conclusion, Incident, PerformanceReport
from .policy import get_policy
from .step_wording import reason_wording

TEXTAREA = forms.Textarea(attrs={"rows": 3})

#: Data a step takes that is not a field of the model (see lifecycle.machine).
EXTRA_FIELDS = {
    # 办法第三十六条 gives no number; the policy bounds it so a huge number is a form error.
    "working_days": lambda: forms.IntegerField(
        label=_("整改期限（工作日）"),
        min_value=1,
        required=False,
        max_value=get_policy().rectification_max_working_days,
    ),
    "requested_due_on": lambda: forms.DateField(label=_("申请延期至"), widget=DateInput()),
    "granted_due_on": lambda: forms.DateField(label=_("同意延期至"), widget=DateInput()),
}


def _responsible_person_field(obj=None) -> forms.Field:
    """办法第二十一条: the 项目责任人, one of the department's 负责人 accounts, chosen."""
    users = get_user_model().objects
    queryset = (
        users.filter(organisation_id=obj.owner_id, role=Role.HEAD, is_active=True).order_by("pk")
        if obj is not None
        else users.filter(role=Role.HEAD, is_active=True).order_by("pk")
    )
    return forms.ModelChoiceField(
        label=_("项目责任人（本单位主要负责人，办法第二十一条）"),
        queryset=queryset,
        initial=getattr(obj, "responsible_person_id", None),
    )


#: Extra choices of single steps.
STEP_EXTRAS = {
    "finish_expert_evaluation": {
        "conclusion": lambda obj=None: forms.ChoiceField(
            label=_("专家结论"), choices=[c for c in Conclusion.choices if c[0] != Conclusion.NOT_APPLICABLE]
        )
    },
    "request_emergency": {"responsible_person": _responsible_person_field},
}


def data_field(model, name: str, initial=None) -> forms.Field:
    """The form field for a datum a transition records (its ``custom["fields"]``): the model
    field when there is one, else one of EXTRA_FIELDS. Used by the web pages and the admin."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return EXTRA_FIELDS[name]()
    if name.endswith("_yuan"):
        # Money is typed and shown in 万元 and stored as exact 元 (issue 7; core.validation).
        label = str(model_field.verbose_name).replace("（元）", "（万元）")
        field = WanField(label=label, positive=name != "surplus_returned_yuan")
    else:
        field = model_field.formfield()
    field.initial = initial
    if isinstance(field, forms.DateField):
        field.widget = DateInput()
    if name in ("self_evaluation", "post_evaluation", "preliminary_work_depth"):
        field.widget = TEXTAREA
    if name == "post_evaluator":
        # 办法第三十三条: the bureau picks a 第三方咨询评估机构.
        field.queryset = field.queryset.filter(kind="expert")
    # What the step records is required: an approval needs its 文号 and amount. 前期工作深度
    # only for a merged approval (办法第十七条): the step form asks lifecycle.stepdata.
    if name not in ("surplus_returned_yuan", "preliminary_work_depth"):
        field.required = True
    return field


def step_fields(model, step_name: str, names, obj=None) -> dict[str, forms.Field]:
    fields = {name: data_field(model, name, getattr(obj, name, None)) for name in names}
    fields.update({name: make(obj) for name, make in STEP_EXTRAS.get(step_name, {}).items()})
    return fields


class StepForm(TransitionForm):
    """Any transition: its declared ``fields``, a reason (required when the step says so)
    and, when a 原则上 rule blocks it and the person is a head, the override reason."""

    def __init__(self, *args, obj, step: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["reason"].required = step["needs_reason"]
        # Each step names its own reason box (issue 11: not one generic "理由或意见").
        wording = reason_wording(type(obj), step["name"])
        if wording is not None:
            self.fields["reason"].label, self.fields["reason"].help_text = wording
        if not step.get("overridable") and step["name"] not in stepdata.OVERRIDABLE_DATA:
            del self.fields["override_reason"]
        extra = step_fields(type(obj), step["name"], step["fields"], obj)
        self.fields.update(extra)
        self.data_fields = list(extra)
        self.obj = obj
        if step["name"] in stepdata.STEPS and type(obj).__name__ == "Project":
            for name in self.data_fields:
                self.fields[name].help_text = stepdata.hint(obj, name) or self.fields[name].help_text
        declared = stepdata.steps_of(obj).get(step["name"], {})
        for name in self.data_fields:
            if name in declared:
                # Required as the step data requires it (办法第十七条: 前期工作深度 for a merged approval).
                self.fields[name].required = stepdata.is_required(obj, step["name"], name)

    def clean(self):
        """The rules of the step's data (lifecycle.stepdata), shown at the field they concern;
        services.perform checks them again."""
        data = super().clean()
        declared = stepdata.steps_of(self.obj).get(self.step["name"], {})
        for name in self.data_fields:
            value = data.get(name)
            if name not in declared or name in self.errors or stepdata.is_blank(value):
                continue
            try:
                data[name] = stepdata.clean(self.obj, name, value)
            except RuleViolation as exc:
                self.add_error(name, exc.message)
        return data

    def step_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.data_fields}


class CorrectionForm(forms.Form):
    """更正 of one datum a step recorded (lifecycle.corrections): the new value, in the form
    field of the step, and the reason."""

    reason = forms.CharField(
        label=_("更正理由"), widget=TEXTAREA, help_text=_("说明如何录错、依据哪份文件更正；将记入操作记录。")
    )

    def __init__(self, *args, project, field: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.field = project, field
        value_field = data_field(type(project), field)
        value_field.required = True
        value_field.label = _("更正为")
        self.fields = {field: value_field, "reason": self.fields["reason"]}

    def clean(self):
        data = super().clean()
        value = data.get(self.field)
        if self.field not in self.errors and not stepdata.is_blank(value):
            try:
                data[self.field] = stepdata.clean(self.project, self.field, value, correcting=True)
            except RuleViolation as exc:
                self.add_error(self.field, exc.message)
        return data


class OpinionForm(forms.Form):
    aspect = forms.ChoiceField(label=_("意见类型"))
    conclusion = forms.ChoiceField(label=_("结论"), choices=Conclusion.choices)
    text = forms.CharField(label=_("意见"), widget=TEXTAREA)

    def __init__(self, *args, aspects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aspect"].choices = aspects
        # 办法第二十九、三十二条: "不涉及" is offered only where it may be given (services.opinion_give).
        if Aspect.SECRECY_ACCEPTANCE not in dict(aspects):
            self.fields["conclusion"].choices = [
                c for c in Conclusion.choices if c[0] != Conclusion.NOT_APPLICABLE
            ]


class ChangeForm(forms.ModelForm):
    """办法第二十八条: the change with its content moved and amounts (ChangeRequest.FORM_FIELDS)."""

    class Meta:
        model = ChangeRequest
        fields = ChangeRequest.FORM_FIELDS
        formfield_callback = money_formfield
        widgets = {"reason": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the total stays the approved estimate (services.change_create).
        total = self.fields["new_total_yuan"]
        total.required = False
        total.help_text = _("单位：万元，如 1,234.56；留空表示与概算总投资相同。")


class ChangeItemForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = ChangeItem
        fields = ["from_content", "to_content", "amount_yuan"]
        # 办法第二十八条: each item moves a positive amount, typed in 万元.
        formfield_callback = money_formfield


ChangeItemFormSet = forms.formset_factory(
    ChangeItemForm, formset=WordedFormSet, extra=2, min_num=1, validate_min=True
)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("问题类型"), choices=Incident.Kind.choices)
    description = forms.CharField(label=_("情况说明"), widget=TEXTAREA)


class RectificationReportForm(forms.Form):
    report = forms.CharField(label=_("整改情况"), widget=TEXTAREA)


class PerformanceReportForm(forms.Form):
    """办法第二十五条: one report per construction year, with the investment executed."""

    for_project = True  # web.step_views._owner_form passes the project

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    progress = forms.CharField(label=_("建设进度"), widget=TEXTAREA)
    investment_executed_yuan = WanField(label=_("投资计划执行（万元）"), positive=False)
    # 办法第二十五条: 征求有关项目使用单位和监理单位的意见 — each required.
    user_opinions = forms.CharField(label=_("使用单位意见"), widget=TEXTAREA)
    supervisor_opinion = forms.CharField(label=_("监理单位意见"), widget=TEXTAREA)
    in_trial_operation = forms.BooleanField(label=_("系统已投入试运行"), required=False)
    trial_operation = forms.CharField(
        label=_("试运行效果及问题"),
        widget=TEXTAREA,
        required=False,
        help_text=_("系统已投入试运行的，须说明试运行效果及问题（办法第二十五条）。"),
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean(self):
        data = super().clean()
        if data.get("in_trial_operation") and not (data.get("trial_operation") or "").strip():
            self.add_error(
                "trial_operation",
                _("系统已投入试运行的，须说明试运行效果及问题（办法第二十五条）。"),
            )
        return data

    def clean_year(self):
        year = self.cleaned_data["year"]
        if self.project is None:
            return year
        years = performance_report_years(self.project, today=timeutil.today())
        if years is not None and not years:
            raise forms.ValidationError(
                _("本项目尚未进入建设期，暂不报送绩效评价报告（办法第二十五条）。"),
                code="year_outside_construction",
            )
        if years is not None and year not in years:
            raise forms.ValidationError(
                _(
                    "%(year)s年不在本项目的建设期（%(years)s年）内，绩效评价报告按建设期各年度报送（办法第二十五条）。"
                )
                % {"year": year, "years": years_text(years)},
                code="year_outside_construction",
            )
        if PerformanceReport.objects.filter(project=self.project, year=year).exists():
            raise forms.ValidationError(
                _("%(year)s年度的绩效评价报告已经报送，每个年度报送一次（办法第二十五条）。")
                % {"year": year},
                code="report_exists",
            )
        return year

    def clean_investment_executed_yuan(self):
        amount = self.cleaned_data["investment_executed_yuan"]
        if self.project is None or amount is None:
            return amount
        ceiling, source = investment_ceiling(self.project)
        if ceiling is not None and amount > ceiling:
            raise forms.ValidationError(
                _(
                    "投资计划执行%(amount)s万元超过%(source)s%(ceiling)s万元（办法第二十条、第二十五条）；"
                    "概算调整须先经批准（办法第二十八条）。"
                )
                % {
                    "amount": yuan_to_wan_text(amount),
                    "source": source,
                    "ceiling": yuan_to_wan_text(ceiling),
                },
                code="over_estimate",
            )
        return amount


def investment_ceiling(project):
    """The most a project may have executed, and what sets it: the 概算总投资 approved for the
    design (办法第十八、二十条), or the total of the latest approved change that raised or
    lowered it (办法第二十八条). (None, "") when the project has no approved amount yet."""
    change = (
        ChangeRequest.objects.filter(project=project, state=ChangeState.APPROVED)
        .order_by(F("decided_at").desc(nulls_last=True), "-pk")
        .first()
    )
    if change is not None:
        return change.new_total_yuan, _("经批准变更后的项目总投资")
    if project.approved_estimate_yuan is not None:
        return project.approved_estimate_yuan, _("批复的概算总投资")
    return None, ""


def parse_days(text: str, year: int, label) -> dict:
    """Lines "2027-01-01 元旦" or "2027-02-10..2027-02-16 春节" → {date: name}."""
    result = {}
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        span, _sep, name = line.partition(" ")
        try:
            if ".." in span:
                first, last = (datetime.date.fromisoformat(s) for s in span.split(".."))
            else:
                first = last = datetime.date.fromisoformat(span)
        except ValueError:
            raise forms.ValidationError(
                _("%(label)s第%(n)s行日期格式应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD。")
                % {"label": label, "n": n}
            ) from None
        if last < first:
            raise forms.ValidationError(
                _("%(label)s第%(n)s行的结束日期早于开始日期。") % {"label": label, "n": n}
            )
        day = first
        while day <= last:
            result[day] = name.strip()
            day += datetime.timedelta(days=1)
    return result


class CalendarYearForm(forms.Form):
    """A year's official schedule as announced by 国务院办公厅."""

    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("来源（通知文号）"), max_length=100, required=False)
    holidays = forms.CharField(
        label=_("放假日期"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text=_("每行一段：2027-01-01 元旦，或 2027-02-05..2027-02-11 春节。"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("每行一个周末上班日：2027-02-14 春节调休。"),
    )

    def clean(self):
        data = super().clean()
        year = data.get("year")
        if year:
            try:
                data["holiday_days"] = parse_days(data.get("holidays", ""), year, _("放假日期"))
            except forms.ValidationError as exc:
                self.add_error("holidays", exc)
            try:
                data["work_days"] = parse_days(data.get("workdays", ""), year, _("调休上班日期"))
            except forms.ValidationError as exc:
                self.add_error("workdays", exc)
        return data
