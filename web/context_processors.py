"""What every page may compare against: the vocabulary's enums (never bare strings in a
template) and who the person is, from the same access helpers the views use."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import get_script_prefix, reverse

from core import jurisdiction
from core.states import PlanState, ProjectState
from core.vocabulary import OrgKind, Role
from projects import access

#: The header's links (templates/base.html), by URL name.
NAV = (
    "home",
    "project_list",
    "plan_list",
    "call_list",
    "statistics",
    "supervision",
    "calendar_admin",
    "notification_inbox",
    "job_list",
    "delegations",
    "otp_setup",
    "api_token",
    "logout",
    "set_language",
)


@functools.cache
def _nav(prefix: str) -> dict[str, str]:
    return {name: reverse(name) for name in NAV}


def vocabulary(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "OrgKind": OrgKind,
        "Role": Role,
        "ProjectState": ProjectState,
        "PlanState": PlanState,
        # 办法第四十条: the citation of the 办法 in force (a city's own under its policy).
        "jurisdiction": jurisdiction.current(),
        # Callables: a template evaluates them only where it asks (no query on other pages).
        "is_agency": lambda: access.is_agency(user),
        "is_admin": lambda: user.is_authenticated and access.is_admin(user),
        # Issue 10: the header's fourteen addresses, reversed once per process (and prefix),
        # not by a URL tag on every page.
        "nav": _nav(get_script_prefix()),
    }
