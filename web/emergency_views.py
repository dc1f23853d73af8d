"""办法第十二条: the review page of an urgent project outside the plan, for 省营商环境局 and
省财政厅 (projects/emergency_review.py) — the requirement that makes it urgent, the items of
the agency's side, the materials, the versions sent with what changed, the other agencies'
opinions and the opinion form (the one opinion service, ``lifecycle.services.opinion_give``).
404 to anyone but the agency's 审核人 and 负责人 while the request is before them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from documents.models import MaterialVersion
from projects import aspects as review, emergency_review as emergency

from .aspect_views import opinion_step


@login_required
def emergency_review(request, pk, aspect):
    """办法第十二条: 省营商环境局's or 省财政厅's review page of an urgent project (404 to others)."""
    project, part = emergency.get_review(request.user, pk, aspect)
    label, may_give, form, error, done = opinion_step(request, project, part, "emergency_review")
    if done is not None:
        return done
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
