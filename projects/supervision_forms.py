"""Forms of the supervision pages (办法第三十四、三十六、三十九条). They check the shape of
what is typed; who may act and the rules are checked again by projects/supervision.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.validation import DateInput, validate_past_date
from core.vocabulary import OrgKind

from .models import Organisation, Project
from .selectors import visible_projects
from .supervision import finding_kinds_for
from .supervision_models import DECISION_ARTICLES, DecisionKind, FindingKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})
TEXT_MAX = 4000


def _departments():
    return Organisation.objects.filter(kind=OrgKind.OWNER).order_by("name")


class FindingForm(forms.Form):
    """办法第三十四条: the situation the agency found, with its reason and evidence."""

    organisation = forms.ModelChoiceField(label=_("项目建设单位"), queryset=Organisation.objects.none())
    system = forms.CharField(label=_("政务信息系统"), max_length=200)
    kind = forms.ChoiceField(label=_("情形"), choices=())
    project = forms.ModelChoiceField(label=_("相关项目"), queryset=Project.objects.none(), required=False)
    reason = forms.CharField(label=_("认定理由"), widget=TEXTAREA, max_length=TEXT_MAX)
    evidence = forms.CharField(
        label=_("依据材料"),
        max_length=200,
        help_text=_("检查通报、测评报告等的文号或材料名称。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _departments()
        self.fields["project"].queryset = visible_projects(user).order_by("name")
        self.fields["kind"].choices = [(k, FindingKind(k).label) for k in finding_kinds_for(user)]


class LiftForm(forms.Form):
    reason = forms.CharField(label=_("解除理由"), widget=TEXTAREA, max_length=TEXT_MAX)
    evidence = forms.CharField(
        label=_("解除依据"), max_length=200, help_text=_("整改报告、复查意见等的文号或材料名称。")
    )


class ExceptionForm(forms.Form):
    """办法第三十四条: the department asks to build or keep a system that cannot share data."""

    system = forms.CharField(label=_("政务信息系统"), max_length=200)
    project = forms.ModelChoiceField(label=_("相关项目"), queryset=Project.objects.none(), required=False)
    grounds = forms.CharField(
        label=_("不能共享数据的法律法规和政策依据"), widget=TEXTAREA, max_length=TEXT_MAX
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        own = Project.objects.filter(owner_id=user.organisation_id, discarded_at__isnull=True)
        self.fields["project"].queryset = own.order_by("name")


class ExceptionReviewForm(forms.Form):
    """省营商环境局's review, or 省政府's decision (with its 文号 when approved)."""

    favourable = forms.TypedChoiceField(
        label=_("结论"),
        choices=[("1", _("同意")), ("0", _("不同意"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("意见"), widget=TEXTAREA, max_length=TEXT_MAX)
    document_no = forms.CharField(label=_("批准文号"), max_length=60, required=False)


class DecisionForm(forms.Form):
    """办法第三十六、三十九条: 通报批评 or 暂缓安排信息化投资计划, with its 文号."""

    organisation = forms.ModelChoiceField(label=_("项目建设单位"), queryset=Organisation.objects.none())
    project = forms.ModelChoiceField(label=_("相关项目"), queryset=Project.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("处理方式"), choices=DecisionKind.choices)
    article = forms.ChoiceField(
        label=_("依据条款"),
        choices=[(a, a) for a in dict.fromkeys(a for arts in DECISION_ARTICLES.values() for a in arts)],
    )
    document_no = forms.CharField(label=_("文号"), max_length=60)
    decided_on = forms.DateField(label=_("决定日期"), widget=DateInput(), validators=[validate_past_date])
    until = forms.DateField(
        label=_("暂缓至"),
        widget=DateInput(),
        required=False,
        help_text=_("仅暂缓安排信息化投资计划；不填则至解除为止。"),
    )
    reason = forms.CharField(label=_("事实和理由"), widget=TEXTAREA, max_length=TEXT_MAX)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _departments()
        self.fields["project"].queryset = visible_projects(user).order_by("name")


class DecisionLiftForm(forms.Form):
    reason = forms.CharField(label=_("解除理由"), widget=TEXTAREA, max_length=TEXT_MAX)
