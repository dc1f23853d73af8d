"""What every page may compare against: the vocabulary's enums (never bare strings in a
template) and who the person is, from the same access helpers the views use."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core import jurisdiction
from core.states import PlanState, ProjectState
from core.vocabulary import OrgKind, Role
from projects import access


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
    }
