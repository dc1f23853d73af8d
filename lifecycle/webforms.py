"""Forms of the web pages for steps, opinions, changes and reports."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from projects.forms import DateInput

from . import stepdata
from .errors import RuleViolation
from .forms import TransitionForm
from .models import ChangeGround, ChangeItem, Conclusion, Incident
from .policy import get_policy

TEXTAREA = forms.Textarea(attrs={"rows": 3})

#: Data a step takes that is not a field of the model (see lifecycle.machine).
EXTRA_FIELDS = {
    # 办法第三十六条 gives no number; the policy bounds it so a huge number is a form error.
    "working_days": lambda: forms.IntegerField(label=_("整改期限（工作日）"), min_value=1, required=False,
                                               max_value=get_policy().rectification_max_working_days),
    "requested_due_on": lambda: forms.DateField(label=_("申请延期至"), widget=DateInput()),
    "granted_due_on": lambda: forms.DateField(label=_("同意延期至"), widget=DateInput()),
}
#: Extra choices of single steps.
STEP_EXTRAS = {
    "finish_expert_evaluation": {"conclusion": lambda: forms.ChoiceField(label=_("专家结论"),
                                                                         choices=Conclusion.choices)},
}


def data_field(model, name: str, initial=None) -> forms.Field:
    """The form field for a datum a transition records (its ``custom["fields"]``): the model
    field when there is one, else one of EXTRA_FIELDS. Used by the web pages and the admin."""
    try:
        model_field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return EXTRA_FIELDS[name]()
    field = model_field.formfield()
    field.initial = initial
    if isinstance(field, forms.DateField):
        field.widget = DateInput()
    if name in ("self_evaluation", "post_evaluation"):
        field.widget = TEXTAREA
    # What the step records is required: an approval needs its 文号 and amount.
    if name not in ("surplus_returned_yuan",):
        field.required = True
    return field


def step_fields(model, step_name: str, names, obj=None) -> dict[str, forms.Field]:
    fields = {name: data_field(model, name, getattr(obj, name, None)) for name in names}
    fields.update({name: make() for name, make in STEP_EXTRAS.get(step_name, {}).items()})
    return fields


class StepForm(TransitionForm):
    """Any transition: its declared ``fields``, a reason (required when the step says so)
    and, when a 原则上 rule blocks it and the person is a head, the override reason."""

    def __init__(self, *args, obj, step: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["reason"].required = step["needs_reason"]
        if not step.get("overridable"):
            del self.fields["override_reason"]
        extra = step_fields(type(obj), step["name"], step["fields"], obj)
        self.fields.update(extra)
        self.data_fields = list(extra)
        self.obj = obj
        if step["name"] in stepdata.STEPS and type(obj).__name__ == "Project":
            for name in self.data_fields:
                self.fields[name].help_text = stepdata.hint(obj, name) or self.fields[name].help_text

    def clean(self):
        """The rules of the step's data (lifecycle.stepdata), shown at the field they concern;
        services.perform checks them again."""
        data = super().clean()
        if type(self.obj).__name__ != "Project":
            return data
        declared = stepdata.STEPS.get(self.step["name"], {})
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

    reason = forms.CharField(label=_("更正理由"), widget=TEXTAREA,
                             help_text=_("说明如何录错、依据哪份文件更正；将记入操作记录。"))

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


class ChangeForm(forms.Form):
    """办法第二十八条: the change with its content moved and amounts."""

    title = forms.CharField(label=_("变更事项"), max_length=200)
    reason = forms.CharField(label=_("变更原因"), widget=TEXTAREA)
    ground = forms.ChoiceField(label=_("符合情形"), choices=[("", _("（不符合所列情形）"))] + ChangeGround.choices,
                               required=False)
    goals_unchanged = forms.BooleanField(label=_("建设目标不变"), required=False, initial=True)
    new_total_yuan = forms.DecimalField(label=_("调整后项目总投资（元）"), max_digits=16, decimal_places=2,
                                        required=False, help_text=_("留空表示与概算总投资相同。"))


class ChangeItemForm(forms.ModelForm):
    use_required_attribute = False

    class Meta:
        model = ChangeItem
        fields = ["from_content", "to_content", "amount_yuan"]

    def clean_amount_yuan(self):
        amount = self.cleaned_data["amount_yuan"]
        if amount is not None and amount <= Decimal("0"):
            raise forms.ValidationError(_("调整金额须大于零。"))
        return amount


ChangeItemFormSet = forms.formset_factory(ChangeItemForm, extra=2, min_num=1, validate_min=True)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("问题类型"), choices=Incident.Kind.choices)
    description = forms.CharField(label=_("情况说明"), widget=TEXTAREA)


class RectificationReportForm(forms.Form):
    report = forms.CharField(label=_("整改情况"), widget=TEXTAREA)


class PerformanceReportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    progress = forms.CharField(label=_("建设进度"), widget=TEXTAREA)
    investment_executed_yuan = forms.DecimalField(label=_("投资计划执行（元）"), max_digits=16, decimal_places=2,
                                                  min_value=0)
    trial_operation = forms.CharField(label=_("试运行效果及问题"), widget=TEXTAREA, required=False)
    user_opinions = forms.CharField(label=_("使用单位和监理单位意见"), widget=TEXTAREA, required=False)


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
            raise forms.ValidationError(_("%(label)s第%(n)s行日期格式应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD。")
                                        % {"label": label, "n": n}) from None
        if last < first:
            raise forms.ValidationError(_("%(label)s第%(n)s行的结束日期早于开始日期。") % {"label": label, "n": n})
        day = first
        while day <= last:
            result[day] = name.strip()
            day += datetime.timedelta(days=1)
    return result


class CalendarYearForm(forms.Form):
    """A year's official schedule as announced by 国务院办公厅."""

    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    source = forms.CharField(label=_("来源（通知文号）"), max_length=100, required=False)
    holidays = forms.CharField(label=_("放假日期"), widget=forms.Textarea(attrs={"rows": 8}), required=False,
                               help_text=_("每行一段：2027-01-01 元旦，或 2027-02-05..2027-02-11 春节。"))
    workdays = forms.CharField(label=_("调休上班日期"), widget=forms.Textarea(attrs={"rows": 4}), required=False,
                               help_text=_("每行一个周末上班日：2027-02-14 春节调休。"))

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
