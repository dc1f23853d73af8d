"""Pages for the steps of the lifecycle: any transition (with its reason, its declared
fields and the override of a 原则上 rule), opinions (办法第十、十二、二十九条), the joint
review screen (第十条), budget changes (第二十八条), incidents and rectification (第二十六、
三十六条), the yearly performance report (第二十五条) and the working-day calendar."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import timeutil
from core.states import ChangeState
from lifecycle import change_drafts, corrections, second_factor, services
from lifecycle.errors import RuleViolation
from lifecycle.models import JOINT_REVIEW_ASPECTS, Aspect, CalendarYear, ChangeRequest, Clock, ClockKind
from lifecycle.webforms import (
    CalendarYearForm,
    ChangeForm,
    ChangeItemFormSet,
    CorrectionForm,
    IncidentForm,
    OpinionForm,
    PerformanceReportForm,
    RectificationReportForm,
    StepForm,
)
from lifecycle.workdays import WorkCalendar
from projects import access
from projects.capabilities import opinion_aspects, require_page


def _posted(request):
    """The POST data on a POST (even an empty one), None on a GET: a form posted empty is
    validated, not shown blank."""
    return request.POST if request.method == "POST" else None


def _step_page(request, obj, name, *, back, title_obj):
    """GET: what the step needs and what blocks it. POST: take it through services.perform —
    every step alike; what a step does beyond the state is declared on the step itself.

    404 for a name that is no step of this object; 403 when the person's organisation or
    role may not take it (the transition's ``Actors``, citing the article).
    """
    if name not in services.transition_names(obj):
        raise Http404
    t, _possible = services.transition_of(obj, name)
    who = t.permission.refusal(obj, request.user)
    if who:
        raise PermissionDenied(who)
    step = next((s for s in services.available(obj, request.user) if s["name"] == name), None)
    if step is None:  # the step exists but not from the current state
        messages.error(request, services.refusal(obj, name, request.user))
        return redirect(back)
    form = StepForm(_posted(request), obj=obj, step=step)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.perform(
                obj,
                name,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                override_reason=form.cleaned_data.get("override_reason", ""),
                **form.step_data(),
            )
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(request, _("已办理：%(label)s。") % {"label": step["label"]})
            return redirect(back)
    return render(
        request,
        "lifecycle/step.html",
        {
            "obj": title_obj,
            "step": step,
            "form": form,
            "error": error,
            "back": back,
            # 负责人 step without a verified second factor (lifecycle/second_factor.py): say so
            # before the form is filled, with the link to the two-factor page.
            "second_factor": second_factor.refusal(request.user, t.permission, label=step["label"]),
        },
        status=400 if error or form.errors else 200,
    )


@login_required
def project_step(request, pk, name):
    project = access.get_project_for_user(request.user, pk)
    return _step_page(request, project, name, back=reverse("project", args=[project.pk]), title_obj=project)


@login_required
def plan_step(request, year, name):
    plan = access.get_plan_for_user(request.user, year)
    return _step_page(request, plan, name, back=reverse("plan", args=[plan.year]), title_obj=plan)


@login_required
def change_step(request, pk, name):
    change = access.get_change_for_user(request.user, pk)
    return _step_page(request, change, name, back=reverse("change", args=[change.pk]), title_obj=change)


@login_required
def project_correct(request, pk, field):
    """更正 of a date or an amount a step recorded (lifecycle.corrections): GET shows the
    recorded value, the step and earlier corrections; POST corrects it with a reason.

    404 for a datum that cannot be corrected; 403, saying who may, for anyone but the head
    of the organisation that took the step; back to the project when the step was not taken.
    """
    project = access.get_project_for_user(request.user, pk)
    if field not in corrections.fields_of(project):
        raise Http404
    problem = corrections.refusal(project, field, request.user)
    if problem and problem.code == "permission":
        raise PermissionDenied(problem.message)
    if problem:
        messages.error(request, problem.message)
        return redirect("project", pk=project.pk)
    before = corrections.current_value(project, field)
    form = CorrectionForm(_posted(request), project=project, field=field, initial={field: before})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            corrections.record_correct(
                project,
                field,
                form.cleaned_data[field],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(
                request, _("已更正%(label)s，相关时限已重新计算。") % {"label": corrections.label(field)}
            )
            return redirect("project", pk=project.pk)
    t, _possible = services.transition_of(project, corrections.fields_of(project)[field])
    return render(
        request,
        "lifecycle/correct.html",
        {
            "project": project,
            "form": form,
            "error": error,
            "field": field,
            "label": corrections.label(field),
            "before": before,
            "kind": "money" if field.endswith("_yuan") else "days" if field == "working_days" else "date",
            "step_label": t.custom["label"],
            "article": t.custom["article"],
            "history": corrections.history(project, field),
        },
        status=400 if error or form.errors else 200,
    )


# ---------------------------------------------------------------- joint review (第十条)


@login_required
def joint_review(request, pk):
    project = access.get_project_for_user(request.user, pk)
    require_page(project, request.user, "joint_review")
    opinions = list(project.opinions.filter(stage="joint_review").select_related("organisation", "given_by"))
    latest = {}
    for opinion in opinions:
        latest[opinion.aspect] = opinion
    slots = [
        {
            "aspect": a,
            "label": Aspect(a).label,
            "opinion": latest.get(a),
            "history": [o for o in opinions if o.aspect == a],
        }
        for a in JOINT_REVIEW_ASPECTS
    ]
    clock = project.clocks.filter(kind=ClockKind.JOINT_REVIEW).order_by("-pk").first()
    days_left = None
    if clock and clock.running:
        cal, today = WorkCalendar(), timeutil.today()
        due = clock.effective_due_on
        days_left = (
            cal.working_days_between(today, due) if due >= today else -cal.working_days_between(due, today)
        )
    steps = [
        s
        for s in services.available(project, request.user)
        if s["name"]
        in {
            "accept_application",
            "request_correction",
            "submit_correction",
            "start_expert_evaluation",
            "finish_expert_evaluation",
            "pass_review",
            "reject_review",
        }
    ]
    return render(
        request,
        "lifecycle/joint_review.html",
        {
            "project": project,
            "slots": slots,
            "clock": clock,
            # The wait from submission to 受理, against the bureau's target (办法第十条 sets none).
            "intake": project.clocks.filter(kind=ClockKind.INTAKE).order_by("-pk").first(),
            "days_left": days_left,
            "clock_events": clock.events.select_related("actor") if clock else [],
            "corrections": project.corrections.select_related("requested_by", "replied_by"),
            "experts": [o for o in opinions if o.aspect == Aspect.EXPERT],
            "steps": steps,
            "opinion_aspects": [
                a
                for a in opinion_aspects(project, request.user)
                if a[0] in {x.value for x in JOINT_REVIEW_ASPECTS}
            ],
        },
    )


@login_required
def opinion_new(request, pk):
    """An agency gives its opinion (办法第十条 joint review, 第十二条 emergency, 第二十九条 acceptance)."""
    project = access.get_project_for_user(request.user, pk)
    aspects = opinion_aspects(project, request.user)
    if not aspects:
        raise PermissionDenied
    form = OpinionForm(_posted(request), aspects=aspects, initial={"aspect": request.GET.get("aspect")})
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_give(project, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(request, _("意见已出具。"))
            return redirect("project", pk=project.pk)
    return render(
        request,
        "lifecycle/opinion_form.html",
        {"project": project, "form": form, "error": error},
        status=400 if error or form.errors else 200,
    )


# ---------------------------------------------------------------- changes (第二十八条)


def _items(formset):
    return [
        {k: f.cleaned_data[k] for k in ("from_content", "to_content", "amount_yuan")}
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]


@login_required
def change_new(request, pk):
    """The department drafts a change and sees the cumulative ratio and the route (filing or
    approval, 办法第二十八条) before anything is submitted; "preview" changes nothing."""
    project = access.get_project_for_owner_staff(request.user, pk)
    require_page(project, request.user, "change_new")
    form = ChangeForm(_posted(request))
    formset = ChangeItemFormSet(_posted(request), prefix="items")
    preview, error = None, ""
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        items = _items(formset)
        moved = sum((i["amount_yuan"] for i in items), Decimal("0"))
        try:
            # The same routing the submit step applies (办法第二十八条), computed read-only.
            route, ratio, reasons = services.change_routing(
                project,
                moved_yuan=moved,
                new_total_yuan=form.cleaned_data["new_total_yuan"],
                goals_unchanged=form.cleaned_data["goals_unchanged"],
                ground=form.cleaned_data["ground"],
            )
            preview = {
                "moved": moved,
                "ratio": ratio,
                "percent": ratio * 100,
                "reasons": reasons,
                "route": route,
                "estimate": services.change_baseline(project)[0],
            }
        except RuleViolation as exc:
            error = exc.message
        if request.POST.get("action") == "save" and not error:
            try:
                change = services.change_create(
                    project,
                    actor=request.user,
                    items=items,
                    **{name: form.cleaned_data[name] for name in ChangeRequest.FORM_FIELDS},
                )
            except RuleViolation as exc:
                error = exc.message
            else:
                messages.success(request, _("变更已保存为草稿，由负责人确认后提交。"))
                return redirect("change", pk=change.pk)
    return render(
        request,
        "lifecycle/change_form.html",
        {
            "project": project,
            "form": form,
            "formset": formset,
            "preview": preview,
            "error": error,
            # 办法第二十八条: the current approved total (the last approved change's, else the 概算)
            "baseline": services.change_baseline(project)[0],
        },
        status=400 if error else 200,
    )


@login_required
def change_detail(request, pk):
    change = access.get_change_for_user(request.user, pk)
    route = None
    if change.state == ChangeState.DRAFT:
        try:
            kind, ratio, reasons = services.change_route(change)
            route = {"route": kind, "percent": ratio * 100, "reasons": reasons}
        except RuleViolation as exc:
            route = {"error": exc.message}
    return render(
        request,
        "lifecycle/change_detail.html",
        {
            "change": change,
            "project": change.project,
            "items": change.items.all(),
            "route": route,
            "steps": services.available(change, request.user),
            "ratio_percent": change.ratio * 100 if change.ratio is not None else None,
            # Issue 11: the department edits its draft (web/draft_views.py).
            "may_edit": change_drafts.may_edit(request.user, change),
        },
    )


# ---------------------------------------------------------------- construction reports


def _owner_form(request, pk, page, form_class, title, save, success, *, initial=None, duplicate=""):
    """A report the department sends about its project (one template, titled per report).

    ``duplicate``: the message when the database refuses the report as a second one of its
    kind (a unique constraint, e.g. one performance report per project and year): that can
    happen even after the form checked, when two people send at the same moment."""
    project = access.get_project_for_owner_staff(request.user, pk)
    require_page(project, request.user, page)
    # A form that checks against the project (PerformanceReportForm: its years, its 概算,
    # the reports already sent) declares ``for_project``.
    form = form_class(
        _posted(request),
        initial=initial,
        **({"project": project} if getattr(form_class, "for_project", False) else {}),
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            save(project, form.cleaned_data)
        except RuleViolation as exc:
            error = exc.message
        except IntegrityError:
            if not duplicate:
                raise
            error = duplicate
        else:
            messages.success(request, success)
            return redirect("project", pk=project.pk)
    return render(
        request,
        "lifecycle/report_form.html",
        {"project": project, "form": form, "error": error, "title": title},
        status=400 if error or form.errors else 200,
    )


@login_required
def incident_new(request, pk):
    """办法第二十六条: serious delay or loss, reported to the bureau, copied to 财政厅 and 发改委."""
    return _owner_form(
        request,
        pk,
        "incident_new",
        IncidentForm,
        _("问题报告（办法第二十六条）"),
        lambda p, d: services.incident_report(p, actor=request.user, **d),
        _("问题已报告。"),
    )


@login_required
def rectification_report(request, pk):
    """办法第三十六条: the department reports what it rectified."""
    return _owner_form(
        request,
        pk,
        "rectification_report",
        RectificationReportForm,
        _("报送整改情况（办法第三十六条）"),
        lambda p, d: services.rectification_report(p, actor=request.user, **d),
        _("整改情况已报送。"),
    )


@login_required
def performance_report_new(request, pk):
    """办法第二十五条: the yearly performance evaluation report during construction."""
    return _owner_form(
        request,
        pk,
        "performance_report_new",
        PerformanceReportForm,
        _("年度绩效评价报告（办法第二十五条）"),
        lambda p, d: services.performance_report_submit(p, actor=request.user, **d),
        _("年度绩效评价报告已报送。"),
        initial={"year": timeutil.today().year},
        duplicate=_("本项目该年度的绩效评价报告已经报送，不能重复报送（办法第二十五条：每年报送一次）。"),
    )


# ---------------------------------------------------------------- working-day calendar


@login_required
def calendar_admin(request):
    """Administrators enter a new year's official schedule and see the deadlines it moved."""
    if not access.is_admin(request.user):
        raise PermissionDenied
    form = CalendarYearForm(_posted(request))
    changes, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            changes = services.calendar_year_enter(
                form.cleaned_data["year"],
                actor=request.user,
                holidays=form.cleaned_data["holiday_days"],
                workdays=form.cleaned_data["work_days"],
                source=form.cleaned_data["source"],
            )
        except RuleViolation as exc:
            error = exc.message
        else:
            if changes:
                messages.success(
                    request,
                    _("已录入%(year)s年节假日安排，%(n)s个时限随之调整。")
                    % {"year": form.cleaned_data["year"], "n": len(changes)},
                )
            else:
                # Issue 11: no "0个时限随之调整" — say plainly that no deadline moved.
                messages.success(
                    request,
                    _("已录入%(year)s年节假日安排；现有时限均不受影响，无需调整。")
                    % {"year": form.cleaned_data["year"]},
                )
    years = CalendarYear.objects.select_related("entered_by").order_by("-year")
    return render(
        request,
        "lifecycle/calendar.html",
        {
            "form": form,
            "changes": changes,
            "error": error,
            "years": years,
            "provisional": _provisional_clocks(),
        },
        status=400 if error or form.errors else 200,
    )


def _provisional_clocks():
    return Clock.objects.filter(provisional=True, stopped_on__isnull=True).select_related("project", "plan")
