"""What the API returns and accepts (issue 12). Amounts are in 元 as decimal strings (the
records' own unit), except the 第十五条 progress rows, which are in 万元 as the platform reports
them; dates ISO 8601."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from core.states import STAGES
from documents.models import Filing, MaterialVersion
from lifecycle.models import ChangeItem, ChangeRequest, Clock, Opinion
from projects.models import Project

STAGE_OF = {state: label for label, states in STAGES.items() for state in states}


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    article = serializers.CharField(allow_blank=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class StepSerializer(serializers.Serializer):
    """A step the person may take now (lifecycle.services.available)."""

    name = serializers.CharField()
    label = serializers.CharField()
    article = serializers.CharField()
    needs_reason = serializers.BooleanField()
    fields = serializers.ListField(child=serializers.CharField())
    blocked_by = serializers.ListField(child=serializers.CharField())
    allowed = serializers.BooleanField()
    overridable = serializers.BooleanField()


class ProjectSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name")
    state_label = serializers.CharField(source="get_state_display")
    stage = serializers.SerializerMethodField()
    plan_year = serializers.IntegerField(source="plan.year", allow_null=True, default=None)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "owner_id",
            "owner",
            "state",
            "state_label",
            "stage",
            "platform_code",
            "classified",
            "network",
            "plan_year",
            "total_investment_yuan",
            "fsr_approval_no",
            "fsr_estimate_yuan",
            "design_approval_no",
            "approved_estimate_yuan",
            "decided_amount_yuan",
            "decided_funding_source",
            "ratification_no",
            "ratified_on",
            "construction_started_on",
            "completed_on",
            "accepted_on",
            "went_live_on",
            "updated_at",
        ]

    def get_stage(self, obj: Project) -> str:
        return str(STAGE_OF.get(obj.state, ""))


class ProjectDetailSerializer(ProjectSerializer):
    steps = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "steps"]

    def get_steps(self, obj: Project) -> list[dict]:
        return StepSerializer(self.context["steps"], many=True).data


class StateCountSerializer(serializers.Serializer):
    state = serializers.CharField()
    label = serializers.CharField()


class StageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    count = serializers.IntegerField()
    states = StateCountSerializer(many=True)


class ClockSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    effective_due_on = serializers.DateField()
    running = serializers.BooleanField()

    class Meta:
        model = Clock
        fields = [
            "id",
            "kind",
            "kind_label",
            "article",
            "unit",
            "working_days",
            "received_on",
            "due_on",
            "extended_to",
            "effective_due_on",
            "paused_on",
            "stopped_on",
            "provisional",
            "running",
        ]


class OpinionSerializer(serializers.ModelSerializer):
    aspect_label = serializers.CharField(source="get_aspect_display")
    conclusion_label = serializers.CharField(source="get_conclusion_display")
    organisation = serializers.CharField(source="organisation.name")
    given_by = serializers.CharField(source="given_by.__str__")

    class Meta:
        model = Opinion
        fields = [
            "id",
            "stage",
            "aspect",
            "aspect_label",
            "organisation",
            "conclusion",
            "conclusion_label",
            "text",
            "given_by",
            "given_at",
        ]


class OpinionInSerializer(serializers.Serializer):
    """办法第十、十二、二十九条: the opinion an agency gives (the same form as the page's)."""

    aspect = serializers.CharField()
    conclusion = serializers.CharField()
    text = serializers.CharField()


class ChangeItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeItem
        fields = ["from_content", "to_content", "amount_yuan"]


class ChangeItemInSerializer(serializers.Serializer):
    from_content = serializers.CharField()
    to_content = serializers.CharField()
    amount_yuan = serializers.CharField(help_text="万元，如页面上填写")


class ChangeInSerializer(serializers.Serializer):
    """办法第二十八条: a change as the change page takes it (amounts in 万元)."""

    title = serializers.CharField()
    reason = serializers.CharField()
    ground = serializers.CharField(allow_blank=True, required=False)
    goals_unchanged = serializers.BooleanField(required=False)
    new_total_yuan = serializers.CharField(required=False, help_text="调整后项目总投资，万元；空则为批复概算")
    items = ChangeItemInSerializer(many=True)


class ChangeSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    items = ChangeItemSerializer(many=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "project_id",
            "state",
            "state_label",
            "title",
            "reason",
            "ground",
            "goals_unchanged",
            "new_total_yuan",
            "ratio",
            "route_reasons",
            "baseline_yuan",
            "over_estimate",
            "submitted_at",
            "decided_at",
            "decision_note",
            "items",
        ]


class ChangeDetailSerializer(ChangeSerializer):
    steps = serializers.SerializerMethodField()

    class Meta(ChangeSerializer.Meta):
        fields = [*ChangeSerializer.Meta.fields, "steps"]

    def get_steps(self, obj: ChangeRequest) -> list[dict]:
        return StepSerializer(self.context["steps"], many=True).data


class MaterialSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    download = serializers.SerializerMethodField()

    class Meta:
        model = MaterialVersion
        fields = [
            "id",
            "kind",
            "kind_label",
            "number",
            "original_name",
            "file_type",
            "size",
            "sha256",
            "issued_on",
            "issuing_body",
            "uploaded_at",
            "locked_at",
            "download",
        ]

    def get_download(self, obj: MaterialVersion) -> str:
        return reverse("api:material_download", args=[obj.pk])


class FilingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    download = serializers.SerializerMethodField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "document_no",
            "pages",
            "size",
            "sha256",
            "sm3",
            "generated_at",
            "download",
        ]

    def get_download(self, obj: Filing) -> str:
        return reverse("api:filing_download", args=[obj.pk])


class StepInSerializer(serializers.Serializer):
    """A step: its reason, a head's reason to pass a 原则上 rule, and the data the step records
    (the fields its page asks for, ``steps[].fields``: amounts in 万元 as on the page, dates
    YYYY-MM-DD)."""

    reason = serializers.CharField(required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(required=False, allow_blank=True, default="")
    data = serializers.DictField(required=False, default=dict)


class ProgressSerializer(serializers.Serializer):
    """办法第十五条: one row of 进展填报 for the 投资项目在线审批监管平台 (exports/progress.py)."""

    platform_code = serializers.CharField()
    project_id = serializers.IntegerField()
    name = serializers.CharField()
    owner = serializers.CharField()
    stage = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    fsr_submitted_on = serializers.DateField(allow_null=True)
    fsr_approved_on = serializers.DateField(allow_null=True)
    fsr_approval_no = serializers.CharField(allow_blank=True)
    design_submitted_on = serializers.DateField(allow_null=True)
    design_approved_on = serializers.DateField(allow_null=True)
    design_approval_no = serializers.CharField(allow_blank=True)
    ratification_submitted_on = serializers.DateField(allow_null=True)
    ratified_on = serializers.DateField(allow_null=True)
    ratification_no = serializers.CharField(allow_blank=True)
    construction_started_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    accepted_on = serializers.DateField(allow_null=True)
    went_live_on = serializers.DateField(allow_null=True)
    total_investment_wan = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    fsr_estimate_wan = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    approved_estimate_wan = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    adjusted_total_wan = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    decided_amount_wan = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    decided_funding_source = serializers.CharField(allow_blank=True)
    plan_year = serializers.IntegerField(allow_null=True)
    plan_year_investment_wan = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    executed_wan = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    executed_until = serializers.IntegerField(allow_null=True)
    reported_on = serializers.DateField()
