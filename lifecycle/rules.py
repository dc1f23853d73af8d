"""Who may take a transition, and the guards that must hold — each citing its article.

A transition declares an ``Actors`` object as its django-fsm ``permission`` and a list of
``Guard`` objects as its ``conditions``. Both can explain a refusal in words a user reads,
so the service layer turns "not allowed" into "须由省营商环境局负责人办理（办法第十条）".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.vocabulary import OrgKind, Role

from . import acting
from .fixes import fix_for
from .policy import ESTIMATE_APPROVER, get_policy

OWNER = OrgKind.OWNER  # the project's own 项目建设单位
STAFF = frozenset({Role.PREPARER, Role.HEAD})  # 经办人 or 负责人 of the owner
HEAD = frozenset({Role.HEAD})  # 负责人 who signs for the unit
REVIEWERS = frozenset({Role.REVIEWER, Role.HEAD})  # 审核人 or 负责人 of an agency


@dataclass(frozen=True)
class Grant:
    """Organisations of ``kind`` (or, for ``owner``, the project's own owner) with ``roles``.

    ``kind`` may be a callable taking the object, for routing such as 办法第十八条
    (intranet designs go to 省内网办).
    """

    kind: str | Callable
    roles: frozenset

    def kind_for(self, obj) -> str:
        return self.kind(obj) if callable(self.kind) else self.kind

    def org_matches(self, obj, user) -> bool:
        org = getattr(user, "organisation", None)
        if org is None:
            return False
        kind = self.kind_for(obj)
        if kind == OWNER:
            owner_id = getattr(obj, "owner_id", None)
            if owner_id is None and hasattr(obj, "project"):
                owner_id = obj.project.owner_id
            return org.kind == OWNER and org.pk == owner_id
        return org.kind == kind


@dataclass(frozen=True)
class CommissionedGrant(Grant):
    """办法第三十三条: only the organisation the bureau commissioned — named on the object by
    ``field`` (e.g. ``post_evaluator``) — not every organisation of ``kind``."""

    field: str = ""

    def org_matches(self, obj, user) -> bool:
        org = getattr(user, "organisation", None)
        return (
            org is not None
            and org.kind == self.kind_for(obj)
            and org.pk is not None
            and org.pk == getattr(obj, f"{self.field}_id", None)
        )


class Actors:
    """The django-fsm permission of a transition: who may take it, and why not."""

    def __init__(self, *grants: Grant):
        self.grants = grants

    def __call__(self, obj, user) -> bool:
        return self.refusal(obj, user) is None

    def refusal(self, obj, user) -> str | None:
        if user is None or not getattr(user, "is_authenticated", False):
            return _("请先登录。")
        by_org = [g for g in self.grants if g.org_matches(obj, user)]
        if not by_org:
            return _("须由%(who)s办理") % {"who": self.describe(obj)}
        # the person's own role, or one lent to them today by a delegation (issue 12, lifecycle/acting.py)
        if not acting.holds(user, {r for g in by_org for r in g.roles}):
            roles = sorted({r for g in by_org for r in g.roles})
            return _("须由本单位%(roles)s办理") % {"roles": "或".join(role_label(r) for r in roles)}
        return None

    def may_override(self, obj, user) -> bool:
        """Only the head (负责人) of an organisation that may take the step overrides a
        原则上 rule, and must give a reason."""
        return any(g.org_matches(obj, user) for g in self.grants) and acting.holds(user, {Role.HEAD})

    def authorise(self, obj, user, *, overriding: bool = False) -> None:
        """Right before the step is written: note whose role ``user`` uses — their own, or a
        delegator's (``user.acting_for``, recorded on the audit row; lifecycle/acting.py)."""
        roles = (
            {Role.HEAD}
            if overriding
            else {r for g in self.grants if g.org_matches(obj, user) for r in g.roles}
        )
        acting.authorise(user, roles)

    def kinds(self, obj) -> list[str]:
        return [g.kind_for(obj) for g in self.grants]

    def describe(self, obj) -> str:
        names = []
        for kind in self.kinds(obj):
            names.append(_("本项目建设单位") if kind == OWNER else str(OrgKind(kind).label))
        return "或".join(dict.fromkeys(names))


def role_label(role: str) -> str:
    return str(Role(role).label)


def actors(*pairs) -> Actors:
    return Actors(*(Grant(kind, frozenset(roles)) for kind, roles in pairs))


@dataclass(frozen=True)
class Guard:
    """A condition of a transition. ``overridable`` marks a 原则上 rule: a head of an
    acting organisation may pass it with a recorded reason (see services.perform)."""

    check: Callable
    message: str | Callable
    article: str
    overridable: bool = False
    name: str = field(default="")

    def __call__(self, obj) -> bool:
        if self.name in getattr(obj, "_overridden_guards", ()):
            return True
        return bool(self.check(obj))

    def explain(self, obj) -> str:
        text = self.message(obj) if callable(self.message) else str(self.message)
        # the article closes the sentence: no "。（办法…）" (issue 11)
        return f"{str(text).rstrip('。')}（办法{self.article}）"

    def fix(self, obj, step: str = ""):
        """Where this refusal is put right: a page and the field on it (lifecycle/fixes.py)."""
        return fix_for(self.name, obj, step)


def guard(message, *, article: str, overridable: bool = False):
    def decorate(fn):
        return Guard(check=fn, message=message, article=article, overridable=overridable, name=fn.__name__)

    return decorate


# ---------------------------------------------------------------- who takes the steps

BUREAU_STAFF = actors((OrgKind.BUREAU, REVIEWERS))
BUREAU_HEAD = actors((OrgKind.BUREAU, HEAD))
OWNER_STAFF = actors((OWNER, STAFF))
OWNER_HEAD = actors((OWNER, HEAD))
GOVERNMENT = actors((OrgKind.GOVERNMENT, HEAD))
DRC_STAFF = actors((OrgKind.DRC, REVIEWERS))
DRC_HEAD = actors((OrgKind.DRC, HEAD))


def _design_reviewer(project) -> str:
    return project.reviewing_kind


DESIGN_STAFF = actors((_design_reviewer, REVIEWERS))
#: 办法第三十三条: the third-party organisation commissioned for the post-evaluation.
POST_EVALUATOR = Actors(CommissionedGrant(OrgKind.EXPERT, REVIEWERS, field="post_evaluator"))
DESIGN_HEAD = actors((_design_reviewer, HEAD))


def estimate_approver(project) -> str:
    """The organisation kind that approved the project's 概算: 省发改委 with a merged FSR
    (办法第十七条), else the design approver of 第十八条 (the bureau, 省内网办 for intranet)."""
    return OrgKind.DRC if project.merged_fsr_design else project.reviewing_kind


def _change_approver(change) -> str:
    """办法第二十八条: who approves a change beyond filing — a policy setting per kind of
    change (Policy.change_content_approver / change_over_estimate_approver)."""
    policy = get_policy()
    over = getattr(change, "over_estimate", False)  # asked about a project: a change of content
    setting = policy.change_over_estimate_approver if over else policy.change_content_approver
    project = getattr(change, "project", change)
    return estimate_approver(project) if setting == ESTIMATE_APPROVER else setting


CHANGE_APPROVER_HEAD = actors((_change_approver, HEAD))


def step(*, label, article, needs_reason=False, fields=(), effects=(), prepare=(), records=(), **extra):
    """The ``custom`` dict of a transition: what the admin, the services and the UI read.

    ``fields``: the data the step takes (form fields; the method copies them onto the object).
    ``effects``: what services.perform runs after the audit row, in order
    (lifecycle/effects.py). ``prepare``: hooks run before the rules are checked (e.g. the
    plan an urgent project asks to enter). ``records``: fields the method sets that the audit
    row also shows (e.g. a change's ratio).
    """
    return {
        "label": label,
        "article": article,
        "needs_reason": needs_reason,
        "fields": tuple(fields),
        "effects": tuple(effects),
        "prepare": tuple(prepare),
        "records": tuple(records),
        "form": "lifecycle.forms.TransitionForm",
        **extra,
    }
