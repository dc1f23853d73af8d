"""办法第十条: the review page of each agency of the joint review (projects/aspects.py).

Side by side: the application items the agency judges and the materials of its aspect; the
versions sent with the 补正 rounds and what changed; the opinion form (the one opinion
service, ``lifecycle.services.opinion_give``) with the working days left on the review clock.
404 to anyone but the agency's 审核人 and 负责人 while the project is in the joint review.
"""

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
from projects import aspects as review
from projects.capabilities import opinion_aspects


def opinion_step(request, project, part, url_name):
    """The opinion form of a review page for ``part``'s aspect (办法第十、十二条), posted through
    ``services.opinion_give`` — the aspect pages and the emergency pages alike: (label, whether
    the person may give it now, the form, the refusal, the redirect after a success or None)."""
    label = Aspect(part.aspect).label
    may_give = any(a == part.aspect for a, _label in opinion_aspects(project, request.user))
    form = OpinionForm(
        request.POST if request.method == "POST" else None,
        aspects=[(part.aspect, label)],
        initial={"aspect": part.aspect},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.opinion_give(project, actor=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            return label, may_give, form, exc.message, None
        messages.success(request, _("意见已出具。"))
        return label, may_give, form, "", redirect(url_name, pk=project.pk, aspect=part.aspect)
    return label, may_give, form, "", None


@login_required
def aspect_review(request, pk, aspect):
    project, part = review.get_review(request.user, pk, aspect)
    # The opinion may be given while the project is in review (services.OPINION_STATES); in
    # 陈述和补正 or with the experts the form waits, and the page says why.
    label, may_give, form, error, done = opinion_step(request, project, part, "aspect_review")
    if done is not None:
        return done
    sent, open_requests = review.rounds(project, part)
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
        "opinions": project.opinions.filter(stage="joint_review", aspect=part.aspect)
        .select_related("organisation", "given_by")
        .order_by("-given_at", "-pk"),
        "review_clock": review.review_clock(project),
        "form": form,
        "may_give": may_give,
        "error": error,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/aspect_review.html", context, status=status)
