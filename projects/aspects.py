"""办法第十条: the review page of each agency of the joint review — who opens it, and what it
shows (the application items and materials of its aspect, the 补正 rounds with what changed,
the review clock).

The items and materials of each aspect are data of the policy in force
(``Policy.review_aspects``, core/review_aspects.py). Who may open a page follows 办法第十条:
the 审核人 and 负责人 of the agency that gives that opinion (省营商环境局 集约化和数据共享,
省委网信办 网络安全, 省国家密码管理局 密码应用), while the project is in the joint review
(受理 to its conclusion: in review, in 陈述和补正, with the experts). Nobody else — not the
department, not another agency, not the other two reviewers — reaches another agency's page
(404).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.kept_sql import Ask
from core.review_aspects import ReviewAspect
from core.states import ProjectState as S
from lifecycle import acting
from lifecycle.models import Aspect, Clock, ClockKind, Correction
from lifecycle.policy import get_policy
from lifecycle.rules import REVIEWERS
from lifecycle.workdays import WorkCalendar

from . import versions
from .access import kind_of
from .models import ApplicationVersion, Project, User
from .selectors import visible_projects

#: 办法第十条: from 受理 to the conclusion of the joint review.
REVIEW_STATES = frozenset({S.JOINT_REVIEW, S.CORRECTING, S.EXPERT_EVALUATION})


def review_aspects() -> tuple[ReviewAspect, ...]:
    return get_policy().review_aspects


def aspect_named(name: str) -> ReviewAspect | None:
    return next((a for a in review_aspects() if a.aspect == name), None)


def may_open(user: User, project: Project, aspect: ReviewAspect) -> bool:
    """The agency's 审核人 or 负责人, while the project is in the joint review (办法第十条)."""
    return (
        kind_of(user) == aspect.org_kind
        and acting.holds(user, REVIEWERS)  # own role or lent by a delegation (issue 12)
        and project.state in REVIEW_STATES
    )


def get_review(user: User, pk: Any, name: str) -> tuple[Project, ReviewAspect]:
    """The project and the aspect of a review page, or 404 to anyone who may not open it."""
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
    """The review pages ``user`` may open on ``project`` (for the project page)."""
    return [
        {
            "url": reverse("aspect_review", args=[project.pk, a.aspect]),
            "label": Aspect(a.aspect).label,
            "article": a.article,
        }
        for a in review_aspects()
        if may_open(user, project, a)
    ]


def queue_aspect(user: User) -> str:
    """The aspect whose page ``user``'s home queue links to, or "" (办法第十条)."""
    aspect = _organisation_aspect(user)
    # Whether the person reviews (own role or one lent by a delegation) is asked only of an
    # organisation that has an aspect (issue 10).
    return aspect if aspect and acting.holds(user, REVIEWERS) else ""


def queue_aspect_asks(user: User) -> list[Ask]:
    """What ``queue_aspect`` reads from the database — the delegations lent to a person whose
    own role does not review — as asks the home page sends with its own (issue 10)."""
    return acting.holds_asks(user, REVIEWERS) if _organisation_aspect(user) else []


def _organisation_aspect(user: User) -> str:
    kind = kind_of(user)
    return next((a.aspect for a in review_aspects() if a.org_kind == kind), "")


# ---------------------------------------------------------------- what the page shows


@dataclass(frozen=True)
class Item:
    name: str
    label: StrOrPromise
    article: str
    text: str
    rows: list[list[str]] | None  # a list of rows, cell by cell
    columns: list[StrOrPromise] | None


def items(project: Project, aspect: ReviewAspect) -> list[Item]:
    """The application items the aspect judges, as they stand now (one query per list)."""
    content = versions.application_content(project, [s.field for s in aspect.sections])
    result = []
    for section in aspect.sections:
        value = content[section.field]
        if section.field in versions.ROWS:
            model = Project._meta.get_field(section.field).related_model
            columns = versions.ROWS[section.field]
            result.append(
                Item(
                    section.field,
                    versions.label(section.field),
                    section.article,
                    "",
                    [[versions.cell(model, c, row.get(c)) for c in columns] for row in value],
                    [model._meta.get_field(c).verbose_name for c in columns],
                )
            )
        else:
            text = versions.text(section.field, value)
            result.append(
                Item(section.field, versions.label(section.field), section.article, text, None, None)
            )
    return result


@dataclass(frozen=True)
class Round:
    """One version of the application as sent, with the 补正 request it answered and what
    changed since the version before (the aspect's items, then the others)."""

    version: ApplicationVersion
    correction: Correction | None
    previous: ApplicationVersion | None
    changes: list[versions.Change]
    other_changes: list[versions.Change]


def rounds(project: Project, aspect: ReviewAspect) -> tuple[list[Round], list[Correction]]:
    """The versions sent, newest first, each with its 补正 request; and the requests not
    answered yet. Two queries."""
    sent = list(project.application_versions.select_related("taken_by").order_by("number"))
    requests = list(
        project.corrections.select_related(
            "requested_by", "requested_by__organisation", "replied_by"
        ).order_by("requested_at", "pk")
    )
    answered = [c for c in requests if c.replied_at is not None]
    open_requests = [c for c in requests if c.replied_at is None]
    names = tuple(s.field for s in aspect.sections)
    others = tuple(n for n in (*versions.FIELDS, *versions.ROWS) if n not in names)
    result: list[Round] = []
    replies = iter(answered)
    previous: ApplicationVersion | None = None
    for version in sent:
        correction = next(replies, None) if version.action == "submit_correction" else None
        older: dict[str, Any] | None = previous.content if previous else None
        result.append(
            Round(
                version,
                correction,
                previous,
                versions.changes(older, version.content, names) if older is not None else [],
                versions.changes(older, version.content, others) if older is not None else [],
            )
        )
        previous = version
    return list(reversed(result)), open_requests


@dataclass(frozen=True)
class ReviewClock:
    clock: Clock | None
    days_left: int | None  # working days left (negative: late); frozen while paused

    @property
    def days_late(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def remaining_working_days(clock: Clock, today: datetime.date, calendar: WorkCalendar) -> int:
    """Working days left on ``clock`` on ``today``: those after today up to the deadline
    (today itself is not counted, as the deadline counts from the day after receipt); while the
    clock is paused (陈述和补正, experts), those after the pause day — the count stands still
    and the deadline moves by the paused days on resumption (lifecycle.clocks.resume). Negative:
    the working days since the deadline passed."""
    due = clock.effective_due_on
    on = clock.paused_on if clock.paused_on is not None else today
    if due >= on:
        return calendar.working_days_between(on, due)
    return -calendar.working_days_between(due, on)


def review_clock(project: Project) -> ReviewClock:
    """办法第十条: the joint-review clock of ``project`` and the working days left on it."""
    clock = project.clocks.filter(kind=ClockKind.JOINT_REVIEW).order_by("-pk").first()
    if clock is None or clock.stopped_on is not None:
        return ReviewClock(clock, None)
    today = timeutil.today()
    due = clock.effective_due_on
    on = clock.paused_on or today
    calendar = WorkCalendar(set(range(min(on, due).year, max(on, due).year + 1)))
    return ReviewClock(clock, remaining_working_days(clock, today, calendar))


def link_queue(queues: list[dict[str, Any]], user: User) -> None:
    """Give each project of ``user``'s home queues that is in the joint review the address of
    ``user``'s review page (``review_url``); no query."""
    name = queue_aspect(user)
    if not name:
        return
    for q in queues:
        if q.get("kind") != "projects":
            continue
        for p in q["items"]:
            if p.state in REVIEW_STATES:
                p.review_url = reverse("aspect_review", args=[p.pk, name])
