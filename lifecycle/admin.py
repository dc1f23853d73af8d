"""Admin for the lifecycle models. Transition buttons go through services.perform, so the
admin obeys the same rules, overrides, effects and audit trail as every other entry point.

What a step recorded is read-only here as everywhere (办法第三十五、三十九条: the record of
who decided what stays as it was): opinions, corrections, clocks and their events, copies,
reports, rectifications, the audit trail, a submitted change with its items, and the fields
of a project or plan that a step sets. A wrong record is put right by a new audited step.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django_fsm.admin import FSMAdminMixin

from core.states import ChangeState

from . import audit, clocks, services
from .errors import RuleViolation
from .events import Action
from .forms import TransitionForm
from .models import (
    AuditEntry,
    CalendarDay,
    CalendarYear,
    ChangeItem,
    ChangeRequest,
    Clock,
    ClockEvent,
    Contract,
    Copy,
    Correction,
    Delegation,
    Incident,
    Opinion,
    PerformanceReport,
    Rectification,
)
from .step_wording import reason_wording
from .webforms import step_fields


class RecordAdmin(admin.ModelAdmin):
    """A record of a step: shown, never added, changed or deleted in the admin (superusers
    included)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def step_recorded_fields(model) -> list[str]:
    """The model fields some transition of ``model`` sets: its declared ``fields`` (e.g. 批复文号,
    概算) and ``records``. Only the step may set them."""
    names = []
    for t in (t for ts in services.declared_transitions(model).values() for t in ts):
        for name in (*t.custom.get("fields", ()), *t.custom.get("records", ())):
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            names.append(name)
    return list(dict.fromkeys(names))


class ServiceTransitionsAdmin(FSMAdminMixin):
    """FSM buttons for a model whose transitions are taken through services.perform; the
    fields the steps record (and ``step_recorded``, set by named services) are read-only."""

    fsm_fields = ["state"]
    step_recorded: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        fields = [
            *super().get_readonly_fields(request, obj),
            *step_recorded_fields(self.model),
            *self.step_recorded,
        ]
        return tuple(dict.fromkeys(fields))

    def is_fsm_transition_visible(self, transition):
        # The same steps as the web pages offer (services.available): never one taken only as
        # part of a larger act (the call submission, the plan's approval).
        return services.offered(transition)

    def get_fsm_transition_form(self, transition):
        # The same data fields as the web step page (lifecycle.webforms.step_fields).
        fields = step_fields(self.model, transition.name, transition.custom.get("fields", ()))
        wording = reason_wording(self.model, transition.name)
        if wording is not None:  # the step's own reason box, as on the step page (issue 11)
            fields["reason"] = forms.CharField(
                label=wording.label,
                help_text=wording.help,
                widget=forms.Textarea(attrs={"rows": 3}),
                required=False,
            )
        return type("StepForm", (TransitionForm,), fields)

    def _apply_fsm_transition(self, *, obj, transition_name, request, kwargs=None):
        kwargs = dict(kwargs or {})
        try:
            services.perform(
                obj,
                transition_name,
                actor=request.user,
                reason=kwargs.pop("reason", ""),
                override_reason=kwargs.pop("override_reason", ""),
                **kwargs,
            )
        except RuleViolation as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return False
        self.message_user(request, _("已办理。"), level=messages.SUCCESS)
        return True

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            audit.record(
                actor=request.user,
                action=Action.ADMIN_CHANGED,
                obj=obj,
                label=_("在管理后台修改"),
                from_state=getattr(obj, "state", ""),
                to_state=getattr(obj, "state", ""),
                data={
                    "fields": form.changed_data,
                    "before": {f: form.initial.get(f) for f in form.changed_data},
                    "after": {f: form.cleaned_data.get(f) for f in form.changed_data},
                },
            )

    def save_formset(self, request, form, formset, change):
        """Rows edited inline (a project's yearly amounts, funding lines, catalogue rows…) leave
        the same audit row as the object's own fields: which rows were added, changed (before
        and after) or deleted."""
        before = {
            f.instance.pk: {n: f.initial.get(n) for n in f.changed_data}
            for f in formset.initial_forms
            if f.has_changed()
        }
        super().save_formset(request, form, formset, change)
        rows = {
            "added": [str(obj) for obj in formset.new_objects],
            "changed": [
                {
                    "row": str(obj),
                    "fields": fields,
                    "before": before.get(obj.pk, {}),
                    "after": {n: getattr(obj, n, None) for n in fields},
                }
                for obj, fields in formset.changed_objects
            ],
            "deleted": [str(obj) for obj in formset.deleted_objects],
        }
        if change and any(rows.values()):
            obj = form.instance
            audit.record(
                actor=request.user,
                action=Action.ADMIN_CHANGED,
                obj=obj,
                label=_("在管理后台修改%(rows)s") % {"rows": formset.model._meta.verbose_name},
                from_state=getattr(obj, "state", ""),
                to_state=getattr(obj, "state", ""),
                data={"inline": formset.model._meta.model_name, **rows},
            )


class ChangeItemInline(admin.TabularInline):
    """The items of a change are what its submission routed (办法第二十八条): fixed once
    submitted."""

    model = ChangeItem
    extra = 0

    def _draft(self, obj):
        return obj is None or obj.state == ChangeState.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ServiceTransitionsAdmin, admin.ModelAdmin):
    list_display = ["title", "project", "state", "ratio", "submitted_at"]
    list_filter = ["state"]
    list_select_related = ["project"]
    inlines = [ChangeItemInline]
    readonly_fields = ["project", "created_by", "submitted_at", "decided_by", "decided_at", "decision_note"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != ChangeState.DRAFT:
            # A submitted change is a record; only its transitions (buttons) remain.
            return tuple(f.name for f in self.model._meta.concrete_fields if f.name != "id")
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return False  # the department drafts a change through services.change_create (audited)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.state == ChangeState.DRAFT) and super().has_delete_permission(request, obj)


@admin.register(Opinion)
class OpinionAdmin(RecordAdmin):
    list_display = ["project", "aspect", "conclusion", "organisation", "given_at"]
    list_filter = ["aspect", "conclusion"]
    list_select_related = ["project", "organisation"]


@admin.register(Clock)
class ClockAdmin(RecordAdmin):
    """Deadlines move only through steps (extension, pause, new holiday schedule)."""

    list_display = [
        "kind",
        "project",
        "plan",
        "received_on",
        "due_on",
        "provisional",
        "paused_on",
        "stopped_on",
    ]
    list_filter = ["kind", "provisional"]
    list_select_related = ["project", "plan"]


@admin.register(ClockEvent)
class ClockEventAdmin(RecordAdmin):
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
        # A hand edit of the schedule moves deadlines: recompute what was provisional and every
        # running clock counted through that year (issue 14).
        clocks.recompute_provisional(
            actor=request.user, reason=_("管理员调整节假日：%s") % obj, year=obj.date.year
        )


for model in (Correction, Incident, Rectification, PerformanceReport, Copy, Contract):
    admin.site.register(model, RecordAdmin)
# Issue 12 item 4: delegations are written by their audited services (lifecycle/delegation.py).
admin.site.register(Delegation, RecordAdmin)


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin):
    """Read-only: nobody edits or deletes the trail (办法第三十五、三十九条)."""

    list_display = [
        "at",
        "actor_name",
        "organisation",
        "project",
        "action_label",
        "from_state",
        "to_state",
        "override",
    ]
    list_filter = ["override", "action"]
    list_select_related = ["organisation", "project"]
    search_fields = ["actor_name", "reason", "action_label"]
