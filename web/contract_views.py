"""The contract page of a project (办法第二十一、二十四、三十条): the owner's staff record the
construction and 监理 contracts through lifecycle.contracts.contract_record; everyone who
may see the project sees them on the project page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lifecycle.contractforms import ContractForm
from lifecycle.contracts import contract_record
from lifecycle.errors import RuleViolation
from projects import access
from projects.capabilities import require_page


@login_required
def contract_new(request, pk):
    """GET: the contracts recorded so far and the form. POST: record one (403 for anyone but
    the owner's staff while the project is ratified or being built; 404 for outsiders)."""
    project = access.get_project_for_owner_staff(request.user, pk)
    require_page(project, request.user, "contract_new")
    form = ContractForm(request.POST if request.method == "POST" else None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            contract_record(project, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(request, _("合同已登记。"))
            return redirect("project", pk=project.pk)
    return render(
        request,
        "lifecycle/contract_form.html",
        {"project": project, "form": form, "error": error, "contracts": project.contracts.all()},
        status=400 if error or form.errors else 200,
    )
