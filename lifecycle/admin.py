"""Admin for the lifecycle models. Transition buttons go through services.perform, so the
admin obeys the same rules, overrides and audit trail as every other entry point."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from . import audit, services
from .errors import RuleViolation
from .forms import TransitionForm
from .webforms import step_fields
from .models import (
    AuditEntry, CalendarDay, CalendarYear, ChangeItem, ChangeRequest, Clock, ClockEvent, Copy,
    Correction, Incident, Opinion, PerformanceReport, Rectification,
)

class ServiceTransitionsAdmin(FSMAdminMixin):
    """FSM buttons for a model whose transitions are taken through services.perform."""

    fsm_fields = ["state"]

    def get_fsm_transition_form(self, transition):
        # The same data fields as the web step page (lifecycle.webforms.step_fields).
        fields = step_fields(self.model, transition.name, transition.custom.get("fields", ()))
        return type("StepForm", (TransitionForm,), fields)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        kwargs = dict(kwargs or {})
        try:
            services.perform(obj, transition_name, actor=request.user, reason=kwargs.pop("reason", ""),
                             override_reason=kwargs.pop("override_reason", ""), **kwargs)
        except RuleViolation as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return False
        self.message_user(request, _("已办理。"), level=messages.SUCCESS)
        return True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            audit.record(actor=request.user, action="admin.changed", obj=obj, label=_("在管理后台修改"),
                         from_state=getattr(obj, "state", ""), to_state=getattr(obj, "state", ""),
                         data={"fields": form.changed_data})


class ChangeItemInline(admin.TabularInline):
    model = ChangeItem
    extra = 0


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ServiceTransitionsAdmin, admin.ModelAdmin):
    list_display = ["title", "project", "state", "ratio", "submitted_at"]
    list_filter = ["state"]
    list_select_related = ["project"]
    inlines = [ChangeItemInline]
    readonly_fields = ["ratio", "route_reasons", "submitted_at", "decided_by", "decided_at"]


@admin.register(Opinion)
class OpinionAdmin(admin.ModelAdmin):
    list_display = ["project", "aspect", "conclusion", "organisation", "given_at"]
    list_filter = ["aspect", "conclusion"]
    list_select_related = ["project", "organisation"]


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = ["kind", "project", "plan", "received_on", "due_on", "provisional", "paused_on", "stopped_on"]
    list_filter = ["kind", "provisional"]
    list_select_related = ["project", "plan"]


@admin.register(ClockEvent)
class ClockEventAdmin(admin.ModelAdmin):
    list_display = ["clock", "kind", "on", "due_before", "due_after", "actor"]


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source", "entered_by", "entered_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A hand edit of the schedule moves deadlines: recompute what was provisional.
        from . import clocks

        clocks.recompute_provisional(actor=request.user, reason=_("管理员调整节假日：%s") % obj)


for model in (Correction, Incident, Rectification, PerformanceReport, Copy):
    admin.site.register(model)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the trail (办法第三十五、三十九条)."""

    list_display = ["at", "actor_name", "organisation", "project", "action_label", "from_state", "to_state",
                    "override"]
    list_filter = ["override", "action"]
    list_select_related = ["organisation", "project"]
    search_fields = ["actor_name", "reason", "action_label"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
