"""办法第十二条: the review page of an urgent project outside the plan, for 省营商环境局 and
省财政厅 (projects/emergency_review.py) — the requirement that makes it urgent, the items of
the agency's side, the materials, the versions sent with what changed, the other agencies'
opinions and the opinion form (the one opinion service, ``lifecycle.services.opinion_give``).
404 to anyone but the agency's 审核人 and 负责人 while the request is before them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from documents.models import MaterialVersion
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import Aspect
from lifecycle.webforms import OpinionForm
from projects import aspects as review, emergency_review as emergency
from projects.capabilities import opinion_aspects


@login_required
def emergency_review(request, pk, aspect):
    """办法第十二条: 省营商环境局's or 省财政厅's review page of an urgent project (404 to others)."""
    project, part = emergency.get_review(request.user, pk, aspect)
    label = Aspect(part.aspect).label
    may_give = any(a == part.aspect for a, _label in opinion_aspects(project, request.user))
    form = OpinionForm(
        request.POST if request.method == "POST" else None,
        aspects=[(part.aspect, label)],
        initial={"aspect": part.aspect},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_give(project, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            error = exc.message
        else:
            messages.success(request, _("意见已出具。"))
            return redirect("emergency_review", pk=project.pk, aspect=part.aspect)
    sent, open_requests = review.rounds(project, part)
    given = list(
        project.opinions.filter(stage="emergency")
        .select_related("organisation", "given_by")
        .order_by("-given_at", "-pk")
    )
    context = {
        "project": project,
        "part": part,
        "label": label,
        "items": review.items(project, part),
        "materials": MaterialVersion.objects.filter(project=project, kind__in=part.materials)
        .select_related("uploaded_by")
        .order_by("kind", "-number"),
        "rounds": sent,
        "open_requests": open_requests,
        "opinions": [o for o in given if o.aspect == part.aspect],
        "others": [o for o in given if o.aspect != part.aspect],
        "form": form,
        "may_give": may_give,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/emergency_review.html", context, status=status)
