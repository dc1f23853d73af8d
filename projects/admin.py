from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from lifecycle.admin import RecordAdmin, ServiceTransitionsAdmin

from . import participation
from .models import (
    AnnualPlan,
    Call,
    CallSubmission,
    DataResource,
    FundingLine,
    LevelRelation,
    Organisation,
    Participant,
    PerformanceTarget,
    Project,
    SplitWarning,
    SubmissionAmendment,
    User,
    YearlyInvestment,
)
from .supervision_models import ComplianceFinding, ConnectivityException, SupervisionDecision


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "code", "open_findings"]
    list_filter = ["kind"]
    search_fields = ["name"]

    @admin.display(description=_("未解除的第三十四条认定"))
    def open_findings(self, obj):
        # 办法第三十四条: set and lifted on the supervision page by the responsible agency only.
        return obj.compliance_findings.open().count()


# 办法第三十四、三十六、三十九条: written only by projects/supervision.py (audited services, by
# the responsible agency); the admin shows them and changes nothing.
@admin.register(ComplianceFinding)
class ComplianceFindingAdmin(RecordAdmin):
    list_display = ["organisation", "system", "kind", "agency", "set_at", "lifted_at"]
    list_filter = ["kind", "agency"]
    list_select_related = ["organisation", "agency"]


@admin.register(ConnectivityException)
class ConnectivityExceptionAdmin(RecordAdmin):
    list_display = ["organisation", "system", "state", "requested_at", "document_no"]
    list_filter = ["state"]
    list_select_related = ["organisation"]


@admin.register(SupervisionDecision)
class SupervisionDecisionAdmin(RecordAdmin):
    list_display = ["organisation", "project", "kind", "article", "document_no", "decided_on", "until"]
    list_filter = ["kind", "article"]
    list_select_related = ["organisation", "project"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "organisation", "role", "is_staff"]
    list_filter = ["role", "organisation__kind"]
    list_select_related = ["organisation"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("机构与角色"), {"fields": ("full_name", "organisation", "role", "phone")}),
    )


class DataResourceInline(admin.TabularInline):
    model = DataResource
    extra = 0


class YearlyInvestmentInline(admin.TabularInline):
    model = YearlyInvestment
    extra = 0


class FundingLineInline(admin.TabularInline):
    model = FundingLine
    extra = 0


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    # 办法第十三条: recorded by the participating department's own confirmation (projects.participation).
    readonly_fields = ("confirmed_at", "confirmed_by")


class LevelRelationInline(admin.TabularInline):
    model = LevelRelation
    extra = 0


@admin.register(Project)
class ProjectAdmin(ServiceTransitionsAdmin, admin.ModelAdmin):
    # The consolidated submission (第八条) and plan membership (第十一、十二条) are set by
    # their steps (call_submit, plan_include/exclude, request_emergency), never by hand.
    step_recorded = ("submission", "plan")
    list_display = ["name", "owner", "state", "plan", "total_investment_yuan", "updated_at"]
    list_filter = ["state", "network", "classified", "owner"]
    list_select_related = ["owner", "plan"]
    search_fields = ["name", "platform_code"]
    inlines = [
        YearlyInvestmentInline,
        FundingLineInline,
        DataResourceInline,
        ParticipantInline,
        LevelRelationInline,
    ]

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Participant:
            # 办法第十三条: a part edited here is confirmed no more, as on the application page.
            participation.clear_edited_confirmations(formset, actor=request.user)


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ServiceTransitionsAdmin, admin.ModelAdmin):
    step_recorded = (
        "finance_concurred_by",
        "finance_concurred_at",
        "submitted_at",
        "approved_at",
        "issued_at",
    )
    list_display = ["year", "state", "finance_concurred_at", "approved_at", "document_no"]


@admin.register(Call)
class CallAdmin(RecordAdmin):
    """办法第八条: a call is opened, extended and closed on the bureau's call page
    (projects.calls, audited with the reasons); here it is read-only."""

    list_display = ["year", "opens_on", "closes_on", "closed_on"]


@admin.register(CallSubmission)
class CallSubmissionAdmin(admin.ModelAdmin):
    """办法第八条: a sent 申报函 is the record of the consolidated submission."""

    list_display = ["call", "organisation", "submitted_at", "signed_by"]
    list_select_related = ["call", "organisation", "signed_by"]
    readonly_fields = ["submitted_at", "signed_by"]

    def has_change_permission(self, request, obj=None):
        return (obj is None or obj.submitted_at is None) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.submitted_at is None) and super().has_delete_permission(request, obj)


@admin.register(SplitWarning)
class SplitWarningAdmin(admin.ModelAdmin):
    list_display = ["call", "first", "second", "score"]
    list_select_related = ["call", "first", "second"]


@admin.register(SubmissionAmendment)
class SubmissionAmendmentAdmin(admin.ModelAdmin):
    """办法第八条: a 补充申报 is made only through services.call_amend; here it is read-only."""

    list_display = ["submission", "number", "submitted_at", "signed_by"]
    list_select_related = ["submission__call", "submission__organisation", "signed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PerformanceTarget)
class PerformanceTargetAdmin(admin.ModelAdmin):
    """办法第九、三十三条: targets are entered and reported only through projects.evaluation
    (audited); here they are read-only."""

    list_display = ["project", "indicator", "target_value", "achieved_value", "entered", "entered_at"]
    list_select_related = ["project"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
