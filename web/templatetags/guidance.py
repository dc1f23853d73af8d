"""Refusals with the place that puts them right (issue 11): each line of a step's
``blocked_by`` (lifecycle.services.available) with the page and field of its guard
(lifecycle/fixes.py) — a link for a person who may open that page, the page's name for
anyone else. Every template that lists refusals includes ``_guidance_blocked.html``."""

from __future__ import annotations

from typing import Any

from django import template
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from lifecycle import guards, services
from lifecycle.fixes import Fix
from lifecycle.rules import Guard
from projects import access, supervision
from projects.capabilities import PAGES_BY_NAME, opinion_aspects
from projects.models import Project

register = template.Library()


def fix_url(fix: Fix, obj: Any) -> str:
    """The link of ``fix`` for ``obj``: its page, query and anchor; "" when the page has no
    URL for this object (a project outside any call has no submission page)."""
    args = fix.args(obj)
    try:
        url = reverse(fix.page, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}{'?' + fix.query if fix.query else ''}#{fix.anchor}"


def may_open(fix: Fix, obj: Any, user) -> bool:
    """Whether ``user`` may open the page of ``fix`` now (the pages' own access rules)."""
    project = obj if isinstance(obj, Project) else getattr(obj, "project", None)
    page = PAGES_BY_NAME.get(fix.page)
    if page is not None:
        return project is not None and page.open_to(user, project)
    if fix.page == "project":
        return project is not None
    if fix.page == "project_step":
        step = fix.args(obj)[-1]
        transition, possible = services.transition_of(obj, step)
        permission: Any = transition.permission  # a lifecycle.rules.Actors
        return possible and permission.refusal(obj, user) is None
    if fix.page == "opinion_new":
        return project is not None and bool(opinion_aspects(project, user))
    if fix.page == "supervision":
        return supervision.sees_supervision(user)
    if fix.page == "plan":
        try:
            access.get_plan_for_user(user, *fix.args(obj))
        except (Http404, PermissionDenied, TypeError):
            return False
        return True
    return fix.page == "plan_list"


def blocks_of(step: dict, obj: Any, user) -> list[dict]:
    result = []
    names = step.get("guards") or [None] * len(step["blocked_by"])
    for text, name in zip(step["blocked_by"], names, strict=False):
        gd = getattr(guards, name, None) if name else None
        fix = gd.fix(obj, step["name"]) if isinstance(gd, Guard) else None
        url = fix_url(fix, obj) if fix is not None else ""
        result.append(
            {
                "text": text,
                "where": fix.label if fix is not None else "",
                "url": url if fix is not None and url and may_open(fix, obj, user) else "",
            }
        )
    return result


@register.simple_tag(takes_context=True)
def refusals(context, step: dict, obj: Any) -> list[dict]:
    """{% refusals s project as blocks %}: the step's refusals, each with where to fix it."""
    return blocks_of(step, obj, context["request"].user)
