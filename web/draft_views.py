"""Issue 11, drafts the department controls: deleting one of its own application drafts
(projects/drafts.py), after a page that asks for confirmation; editing its change (变更)
draft before it is submitted (lifecycle/change_drafts.py, 办法第二十八条)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy

from lifecycle import change_drafts, services
from lifecycle.errors import RuleViolation
from lifecycle.models import ChangeRequest
from lifecycle.webforms import ChangeForm, ChangeItemFormSet
from projects import access, drafts
from web.step_views import _items


class DiscardForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("删除原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("可不填；填写的原因记入操作记录。"),
    )


@login_required
def application_delete(request, pk):
    """GET: what will be deleted, and a button; POST: deleted (audited), back to the list.
    404 for anyone but the department's 经办人 or 负责人 and for anything but a draft."""
    project = access.get_project_for_user(request.user, pk)
    if not drafts.may_discard(request.user, project):
        raise Http404
    form = DiscardForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            drafts.application_discard(project, actor=request.user, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            messages.error(request, exc.message)
            return redirect("project", pk=project.pk)
        messages.success(request, _("已删除申报草稿《%(name)s》。") % {"name": project.name})
        return redirect("project_list")
    return render(
        request,
        "projects/_drafts_delete.html",
        {"project": project, "form": form},
        status=400 if form.is_bound else 200,
    )


# ---------------------------------------------------------------- change drafts (第二十八条)


@login_required
def change_edit(request, pk):
    """办法第二十八条: the department edits its change while it is a draft — its 经办人 who
    drafted it or a 负责人 (lifecycle/change_drafts.py); the same ratio preview as a new one."""
    change = access.get_change_for_user(request.user, pk)
    if not change_drafts.may_edit(request.user, change):
        raise PermissionDenied
    project = change.project
    data = request.POST if request.method == "POST" else None
    form = ChangeForm(data, instance=change)
    initial = [
        {"from_content": i.from_content, "to_content": i.to_content, "amount_yuan": i.amount_yuan}
        for i in change.items.order_by("pk")
    ]
    formset = ChangeItemFormSet(data, prefix="items", initial=None if data is not None else initial)
    preview, error = None, ""
    if data is not None and form.is_valid() and formset.is_valid():
        items = _items(formset)
        moved = sum((i["amount_yuan"] for i in items), Decimal("0"))
        try:
            route, ratio, reasons = services.change_routing(
                project,
                moved_yuan=moved,
                new_total_yuan=form.cleaned_data["new_total_yuan"],
                goals_unchanged=form.cleaned_data["goals_unchanged"],
                ground=form.cleaned_data["ground"],
                excluding=change,
            )
            preview = {
                "moved": moved,
                "ratio": ratio,
                "percent": ratio * 100,
                "reasons": reasons,
                "route": route,
                "estimate": services.change_baseline(project, excluding=change)[0],
            }
        except RuleViolation as exc:
            error = exc.message
        if request.POST.get("action") == "save" and not error:
            try:
                change_drafts.change_update(
                    change,
                    actor=request.user,
                    items=items,
                    **{name: form.cleaned_data[name] for name in ChangeRequest.FORM_FIELDS},
                )
            except RuleViolation as exc:
                error = exc.message
            else:
                messages.success(request, _("变更草稿已修改，由负责人确认后提交。"))
                return redirect("change", pk=change.pk)
    return render(
        request,
        "lifecycle/change_form.html",
        {
            "project": project,
            "change": change,
            "form": form,
            "formset": formset,
            "preview": preview,
            "error": error,
            "baseline": services.change_baseline(project, excluding=change)[0],
        },
        status=400 if error or (data is not None and not (form.is_valid() and formset.is_valid())) else 200,
    )
