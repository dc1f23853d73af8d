"""Issue 12 item 4: a person's delegations (代办) — the ones they gave, the ones they hold,
the form to name a substitute, change the dates or end one early. The writes are the audited
services of lifecycle/delegation.py; a delegation of someone else is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lifecycle import delegation as service
from lifecycle.errors import RuleViolation
from lifecycle.models import Delegation
from lifecycle.rules import REVIEWERS
from projects.delegation_forms import DelegationChangeForm, DelegationForm


def _may_delegate(user) -> bool:
    # the person's own role (what was lent is not lent on)
    return bool(getattr(user, "organisation_id", None)) and getattr(user, "role", "") in REVIEWERS


def _page(request, form=None, error="", status=200):
    user = request.user
    rows = service.delegations_of(user)
    context = {
        "given": [d for d in rows if d.delegator_id == user.pk],
        "received": [d for d in rows if d.substitute_id == user.pk],
        "may_delegate": _may_delegate(user),
        "form": form or (DelegationForm(delegator=user) if _may_delegate(user) else None),
        "error": error,
    }
    return render(request, "projects/delegations.html", context, status=status)


@login_required
def delegations(request):
    if request.method != "POST":
        return _page(request)
    if not _may_delegate(request.user):
        raise Http404
    form = DelegationForm(request.POST, delegator=request.user)
    if not form.is_valid():
        return _page(request, form=form, status=400)
    try:
        service.delegation_create(actor=request.user, **form.cleaned_data)
    except RuleViolation as exc:
        return _page(request, form=form, error=exc.message, status=400)
    messages.success(request, _("已委托代办。"))
    return redirect("delegations")


def _own(request, pk) -> Delegation:
    return get_object_or_404(Delegation, pk=pk, delegator_id=request.user.pk)


@login_required
@require_POST
def delegation_change(request, pk):
    item = _own(request, pk)
    form = DelegationChangeForm(request.POST)
    if not form.is_valid():
        return _page(
            request, error="；".join(e for errors in form.errors.values() for e in errors), status=400
        )
    try:
        service.delegation_change(
            item, actor=request.user, reason=request.POST.get("reason", ""), **form.cleaned_data
        )
    except RuleViolation as exc:
        return _page(request, error=exc.message, status=400)
    messages.success(request, _("代办委托已修改。"))
    return redirect("delegations")


@login_required
@require_POST
def delegation_end(request, pk):
    item = _own(request, pk)
    try:
        service.delegation_end(item, actor=request.user, reason=request.POST.get("reason", "")[:2000])
    except RuleViolation as exc:
        return _page(request, error=exc.message, status=400)
    messages.success(request, _("代办委托已终止。"))
    return redirect("delegations")
