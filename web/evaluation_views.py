"""办法第九、三十三、三十八条 on the web: the performance targets page (the department enters
its targets with the application and reports what it achieved before the self-evaluation) and
the department's track record shown to the bureau and the reviewing agencies."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _l

from core.states import ProjectState as S
from core.vocabulary import OrgKind
from lifecycle.errors import RuleViolation
from projects import access, evaluation
from projects.capabilities import require_page
from projects.models import PerformanceTarget, Project
from projects.params import row_id
from projects.track_record import TrackRecord, track_record, track_records
from web import project_page

TEXTAREA = forms.Textarea(attrs={"rows": 2})


class TargetForm(forms.Form):
    indicator = forms.CharField(label=_l("绩效指标"), max_length=evaluation.INDICATOR_MAX)
    target_value = forms.CharField(label=_l("目标值"), max_length=evaluation.VALUE_MAX)


class TargetReportForm(forms.Form):
    achieved_value = forms.CharField(label=_l("实际完成值"), max_length=evaluation.VALUE_MAX)
    explanation = forms.CharField(
        label=_l("完成情况说明"), max_length=evaluation.EXPLANATION_MAX, widget=TEXTAREA
    )


#: 办法第十、三十八条: who sees a department's record while its application is reviewed.
TRACK_RECORD_KINDS = frozenset({OrgKind.BUREAU, OrgKind.CAC, OrgKind.CRYPTO})
UNDER_REVIEW = frozenset({S.SUBMITTED, S.JOINT_REVIEW, S.CORRECTING, S.EXPERT_EVALUATION})


def project_track_record(project: Project, user: Any) -> TrackRecord | None:
    """The owner's record (办法第三十八条) for the bureau and the reviewing agencies, while the
    project is under joint review; None for everyone else."""
    if project.state not in UNDER_REVIEW or access.kind_of(user) not in TRACK_RECORD_KINDS:
        return None
    return track_record(project.owner_id, year=project.year)


def plan_track_records(
    plan: Any, user: Any, owner_ids: list[int], names: dict[int, str] | None = None
) -> list[TrackRecord]:
    """办法第三十八条: the record of every department with a project in (or proposed for) the
    plan, for the agencies that compile and approve it; a department sees none. ``names``:
    the departments' names when the page has read them."""
    if not access.is_agency(user):
        return []
    records = track_records(owner_ids, year=plan.year, names=names)
    return sorted(records.values(), key=lambda r: r.organisation_name)


def evaluation_context(project: Project, user: Any) -> dict[str, Any]:
    """What the project page shows of 办法第九、三十三、三十八条."""
    return {
        "targets": project_page.rows(project_page.targets, project),
        "track_record": project_track_record(project, user),
    }


@login_required
def targets(request, pk):
    """办法第九、三十三条: the department's targets and, while the system runs, what it achieved."""
    project = access.get_project_for_owner_staff(request.user, pk)
    require_page(project, request.user, "evaluation_targets")
    add_form = TargetForm(prefix="add")
    report_forms = {}
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                add_form = TargetForm(request.POST, prefix="add")
                if add_form.is_valid():
                    evaluation.target_add(project, actor=request.user, **add_form.cleaned_data)
                    messages.success(request, _("绩效目标已填报。"))
                    return redirect("evaluation_targets", pk=project.pk)
            elif action in ("remove", "report"):
                target = project.targets.filter(pk=row_id(request.POST.get("target"))).first()
                if target is None:
                    raise Http404
                if action == "remove":
                    evaluation.target_remove(target, actor=request.user)
                    messages.success(request, _("绩效目标已删除。"))
                    return redirect("evaluation_targets", pk=project.pk)
                form = TargetReportForm(request.POST, prefix=f"t{target.pk}")
                report_forms[target.pk] = form
                if form.is_valid():
                    evaluation.target_report(
                        target,
                        actor=request.user,
                        achieved_value=form.cleaned_data["achieved_value"],
                        explanation=form.cleaned_data["explanation"],
                    )
                    messages.success(request, _("完成情况已填报。"))
                    return redirect("evaluation_targets", pk=project.pk)
            else:
                error = _("未知的操作。")
        except RuleViolation as exc:
            error = exc.message
    rows = []
    for target in project.targets.all():
        form = report_forms.get(target.pk) or TargetReportForm(
            prefix=f"t{target.pk}",
            initial={
                "target": target.pk,
                "achieved_value": target.achieved_value,
                "explanation": target.explanation,
            },
        )
        rows.append({"target": target, "form": form, "removable": _removable(project, target)})
    invalid = any(f.errors for f in report_forms.values()) or add_form.errors
    return render(
        request,
        "projects/_evaluation_targets.html",
        {
            "project": project,
            "rows": rows,
            "add_form": add_form,
            "can_add": project.state in evaluation.TARGET_STATES,
            "can_report": project.state in evaluation.REPORT_STATES,
            "error": error,
        },
        status=400 if error or invalid else 200,
    )


def _removable(project: Project, target: PerformanceTarget) -> bool:
    later = target.entered == PerformanceTarget.Entered.LATER
    return project.state in evaluation.APPLICATION_STATES or (
        later and project.state in evaluation.TARGET_STATES
    )
