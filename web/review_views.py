"""Pages of 办法第八、十三条 added with issue 8: the bureau's yearly call (open, extend, close
early) and a participating department's confirmation of its part in a cross-department
project. Every object comes through an access helper (404 to whoever has no relation to
it, 403 to whoever sees it in the wrong role); every change is a POST through a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import timeutil
from core.states import ProjectState as S
from core.vocabulary import OrgKind, Role
from lifecycle import acting
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import access, calls, participation, services as project_services
from projects.call_forms import CallCloseForm, CallExtendForm, CallOpenForm
from projects.capabilities import require_page
from projects.models import Call
from web import project_page

# ---------------------------------------------------------------- 办法第八条: the yearly call


def _bureau(user) -> None:
    """The call page is the bureau's: 404 to every other organisation."""
    if access.kind_of(user) != OrgKind.BUREAU and not user.is_superuser:
        raise Http404


def _bureau_head(user) -> None:
    _bureau(user)
    if not acting.holds(user, {Role.HEAD}):
        raise PermissionDenied


def _status(call: Call, today) -> str:
    if call.closed_on is not None and call.closed_on <= today:
        return str(_("已提前截止（%(d)s）") % {"d": call.closed_on.isoformat()})
    if call.is_open_on(today):
        return str(_("征集中"))
    return str(_("未开始")) if today < call.opens_on else str(_("已截止"))


def _calls_page(request, *, open_form=None, status=200):
    today = timeutil.today()
    year = calls.next_year()
    opens_on, closes_on = calls.default_dates(year)
    rows = list(Call.objects.order_by("-year"))
    for call in rows:
        call.status = _status(call, today)
        call.may_change = call.closed_on is None and call.closes_on >= today
    return render(
        request,
        "projects/_review_calls.html",
        {
            "calls": rows,
            "is_head": acting.holds(request.user, {Role.HEAD}),
            "open_form": open_form
            or CallOpenForm(initial={"year": year, "opens_on": opens_on, "closes_on": closes_on}),
            "extend_form": CallExtendForm(),
            "close_form": CallCloseForm(),
            "history": AuditEntry.objects.filter(action__in=["call.opened", calls.EXTENDED, calls.CLOSED])
            .select_related("organisation")
            .order_by("-at", "-pk")[:50],
        },
        status=status,
    )


@login_required
def call_list(request):
    """办法第八条: the bureau's calls, with the forms to open next year's, extend or close one."""
    _bureau(request.user)
    return _calls_page(request)


@login_required
@require_POST
def call_open(request):
    _bureau_head(request.user)
    form = CallOpenForm(request.POST)
    if not form.is_valid():
        return _calls_page(request, open_form=form, status=400)
    data = form.cleaned_data
    try:
        call = project_services.call_open(
            data["year"],
            actor=request.user,
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            notice=data["notice"],
            reason=data["reason"],
        )
    except RuleViolation as exc:
        form.add_error(None, exc.message)
        return _calls_page(request, open_form=form, status=400)
    messages.success(request, _("已发布%(call)s（办法第八条）。") % {"call": call})
    return redirect("call_list")


def _call_action(request, year, form_class, action):
    _bureau_head(request.user)
    call = get_object_or_404(Call, year=year)
    form = form_class(request.POST)
    if not form.is_valid():
        errors = "；".join(str(e) for field in form.errors.values() for e in field)
        messages.error(request, errors)
        return redirect("call_list")
    try:
        action(call, form.cleaned_data)
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已办理（办法第八条）。"))
    return redirect("call_list")


@login_required
@require_POST
def call_extend(request, year):
    return _call_action(
        request,
        year,
        CallExtendForm,
        lambda call, data: calls.call_extend(
            call, actor=request.user, closes_on=data["closes_on"], reason=data["reason"]
        ),
    )


@login_required
@require_POST
def call_close(request, year):
    return _call_action(
        request,
        year,
        CallCloseForm,
        lambda call, data: calls.call_close(call, actor=request.user, reason=data["reason"]),
    )


# ---------------------------------------------------------------- 办法第十三条: participation


@login_required
def participant_confirm(request, pk):
    """办法第十三条: the participating department reads the part the lead wrote for it; its
    负责人 confirms it (a POST)."""
    project = access.get_project_for_user(request.user, pk)
    require_page(project, request.user, "participant_confirm")
    participant = participation.participant_of(request.user, project)
    if participant is None:  # require_page checked it; a row deleted meanwhile
        raise Http404
    if request.method == "POST":
        if not acting.holds(request.user, {Role.HEAD}):
            raise PermissionDenied
        try:
            participation.participant_confirm(participant, actor=request.user)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已确认本单位参建内容（办法第十三条）。"))
            return redirect("project", pk=project.pk)
        participant.refresh_from_db()
    return render(
        request,
        "projects/_review_participation.html",
        {
            "project": project,
            "participant": participant,
            "others": project.participants.exclude(pk=participant.pk).select_related("organisation"),
            "is_head": acting.holds(request.user, {Role.HEAD}),
        },
    )


#: While the application is being decided (办法第十条 joint review, 第十一、十二条 the plan and
#: emergency insertion) the bureau weighs its overlap with the call's other applications
#: (第十三条). Afterwards the overlap is history, and comparing the project with every
#: application of its call on each view cost the bureau's project page most of its time at
#: provincial scale (issue 10: 55 % at 1,000 projects).
OVERLAP_STATES = frozenset(
    {
        S.SUBMITTED,
        S.JOINT_REVIEW,
        S.CORRECTING,
        S.EXPERT_EVALUATION,
        S.REVIEW_PASSED,
        S.EMERGENCY_REQUESTED,
        S.EMERGENCY_FORWARDED,
    }
)


def project_context(project, user) -> dict:
    """What the project page shows of 办法第十二、十三、十四条: the mandate of an emergency
    insertion, the participants with their parts and confirmations, the level relations,
    and — for the bureau (and 审计厅) — the overlap with other applications of the call."""
    context = {
        "review_participants": project_page.rows(project_page.participants, project),
        "review_levels": project_page.rows(project_page.levels, project),
    }
    if access.kind_of(user) in (OrgKind.BUREAU, OrgKind.AUDIT) and project.state in OVERLAP_STATES:
        context["review_overlaps"] = participation.overlaps(project)
    return context
