"""办法第十二条: the review page of an urgent project outside the annual plan (紧急纳入).

党中央、国务院或省委、省政府以及国家部委有明确要求且建设任务迫切的重要项目, applied for by the
department (``request_emergency``), is reviewed by 省营商环境局 and 省财政厅 before the bureau
reports it to 省政府 (``forward_emergency``). Each of the two reads, on its own page, the
requirement that makes the project urgent (``emergency_mandate``) and the application items
of its side — like the joint-review pages of 办法第十条 (projects/aspects.py), whose item, round
and diff helpers it uses. Who opens a page follows the same rule as those pages: the 审核人 and
负责人 of the agency that gives that opinion (or a substitute acting in that role today,
lifecycle/acting.py), while the request is before the two (``EMERGENCY_REQUESTED``); anyone
else gets 404. The 办法 sets no period for this review, so no clock is shown.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.review_aspects import ReviewAspect, Section
from core.states import ProjectState as S
from core.vocabulary import MaterialKind, OrgKind
from lifecycle import acting
from lifecycle.models import Aspect
from lifecycle.rules import REVIEWERS

from .access import kind_of
from .models import Project, User
from .selectors import visible_projects

#: 办法第十二条: while the request is before 省营商环境局 and 省财政厅.
REVIEW_STATES = frozenset({S.EMERGENCY_REQUESTED})

_MANDATE = Section("emergency_mandate", "第十二条")
_BASIS = Section("basis_and_necessity", "第九条")

EMERGENCY_REVIEW: tuple[ReviewAspect, ...] = (
    # 办法第十二条 (with 第六、十条): 省营商环境局 — the urgency, and what is built (集约化, 数据共享).
    ReviewAspect(
        aspect=Aspect.BUREAU_EMERGENCY,
        org_kind=OrgKind.BUREAU,
        article="第十二条",
        sections=(
            _MANDATE,
            _BASIS,
            Section("content_and_scale", "第九条"),
            Section("separate_build_basis", "第六条"),
            Section("cloud_requirements", "第九条"),
            Section("data_resources", "第十六条"),
        ),
        materials=(MaterialKind.APPLICATION, MaterialKind.CATALOGUE),
    ),
    # 办法第十二条: 省财政厅 — the urgency, and the money (投资、年度投资、资金来源、工期).
    ReviewAspect(
        aspect=Aspect.FINANCE_EMERGENCY,
        org_kind=OrgKind.FINANCE,
        article="第十二条",
        sections=(
            _MANDATE,
            _BASIS,
            Section("total_investment_yuan", "第九条"),
            Section("yearly_investments", "第九条"),
            Section("funding_lines", "第九条"),
            Section("period_months", "第九条"),
            Section("planned_start", "第九条"),
        ),
        materials=(MaterialKind.APPLICATION,),
    ),
)


def aspect_named(name: str) -> ReviewAspect | None:
    return next((a for a in EMERGENCY_REVIEW if a.aspect == name), None)


def may_open(user: User, project: Project, aspect: ReviewAspect) -> bool:
    """办法第十二条: the agency's 审核人 or 负责人 (own role or lent today), while the request is
    before 省营商环境局 and 省财政厅."""
    return (
        kind_of(user) == aspect.org_kind and acting.holds(user, REVIEWERS) and project.state in REVIEW_STATES
    )


def get_review(user: User, pk: Any, name: str) -> tuple[Project, ReviewAspect]:
    """The project and the aspect of an emergency review page, or 404 to anyone else."""
    aspect = aspect_named(name)
    if aspect is None:
        raise Http404
    project = get_object_or_404(
        visible_projects(user).select_related("owner", "call", "plan", "responsible_person"), pk=pk
    )
    if not may_open(user, project, aspect):
        raise Http404
    return project, aspect


def pages_for(project: Project, user: User) -> list[dict[str, Any]]:
    """The emergency review pages ``user`` may open on ``project`` (for the project page)."""
    if project.state not in REVIEW_STATES:
        return []
    return [
        {
            "url": reverse("emergency_review", args=[project.pk, a.aspect]),
            "label": Aspect(a.aspect).label,
            "article": a.article,
        }
        for a in EMERGENCY_REVIEW
        if may_open(user, project, a)
    ]
