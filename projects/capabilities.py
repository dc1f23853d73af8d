"""What a person may do on a project now — the one answer the project page, the views and
the admin ask for.

``capabilities(project, user)`` returns three things:

* **steps**: the transitions of the machine the person may take (or could take once a
  guard holds; ``lifecycle.services.available``);
* **opinions**: the opinions the person's organisation may give now (办法第十、十二、二十九条);
* **pages**: the project's other pages (forms and reports) open to the person now.

Each page is declared once in ``PAGES`` — its URL name, label, article, who may open it and
in which states —, with the state sets the services themselves enforce
(``lifecycle.services.PAGE_STATES``), so a button is shown exactly when its page opens and
its page opens exactly when its service would accept. The views call ``require_page``; the
template lists ``pages``; nothing compares state strings in a template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.states import ProjectState as S
from lifecycle import acting, services
from lifecycle.guards import acceptance_aspects
from lifecycle.models import ASPECTS, Aspect
from lifecycle.rules import REVIEWERS

from . import evaluation
from .access import is_owner_staff, kind_of
from .models import Project
from .participation import CONFIRM_STATES, is_participant_staff
from .services import EDITABLE_STATES


def _anyone(user, project: Project) -> bool:
    # Reaching the project at all is decided by projects.access (404 otherwise).
    return True


@dataclass(frozen=True)
class Page:
    name: str  # the URL name
    label: StrOrPromise
    article: str
    states: frozenset[str]
    who: Callable[..., bool]
    args: Callable[[Project], tuple] = field(default=lambda project: (project.pk,))
    also: Callable[[Project], bool] = field(default=lambda project: True)
    view: bool = False  # a page to read (a link), not a form to fill in (a button)

    def open_to(self, user, project: Project) -> bool:
        return project.state in self.states and self.who(user, project) and self.also(project)


PAGES: tuple[Page, ...] = (
    Page(
        "application_edit",
        _("编辑申报材料"),
        "第九条",
        EDITABLE_STATES,
        is_owner_staff,
    ),
    Page(
        "call_submit",
        _("本单位统一申报"),
        "第八条",
        frozenset({S.DRAFT}),
        is_owner_staff,
        args=lambda project: (project.call.year,) if project.call else (),
        also=lambda project: project.call_id is not None,
    ),
    Page(
        "records_edit",
        _("登记项目信息（项目代码、共享章节等）"),
        "第十五条",
        services.PAGE_STATES["records"],
        is_owner_staff,
    ),
    Page(
        "contract_new",
        _("登记建设和监理合同"),
        "第二十一条",
        services.PAGE_STATES["contract"],
        is_owner_staff,
    ),
    Page(
        "change_new",
        _("调整建设内容（变更）"),
        "第二十八条",
        services.PAGE_STATES["change"],
        is_owner_staff,
    ),
    Page(
        "performance_report_new",
        _("报送年度绩效评价报告"),
        "第二十五条",
        services.PAGE_STATES["performance_report"],
        is_owner_staff,
    ),
    Page(
        "incident_new",
        _("报告严重逾期或重大损失"),
        "第二十六条",
        services.PAGE_STATES["incident"],
        is_owner_staff,
    ),
    Page(
        "rectification_report",
        _("报送整改情况"),
        "第三十六条",
        services.PAGE_STATES["rectification_report"],
        is_owner_staff,
    ),
    # 办法第十三条: the participating department reads and confirms its part before submission.
    Page(
        "participant_confirm",
        _("确认本单位参建内容（跨部门项目）"),
        "第十三条",
        CONFIRM_STATES,
        is_participant_staff,
    ),
    Page(
        "joint_review",
        _("查看联合审核"),
        "第十条",
        services.PAGE_STATES["joint_review"],
        _anyone,
        view=True,
    ),
)
PAGES += (
    # 办法第九、三十三条: the targets with the application, their achieved values before the
    # self-evaluation (projects/evaluation.py checks the same states).
    Page(
        "evaluation_targets", _("绩效目标及完成情况"), "第三十三条", evaluation.TARGET_STATES, is_owner_staff
    ),
)
PAGES_BY_NAME = {page.name: page for page in PAGES}


def opinion_aspects(project: Project, user) -> list[tuple[str, StrOrPromise]]:
    """The opinions ``user``'s organisation may give on ``project`` now (办法第十、十二、二十九条)."""
    kind = kind_of(user)
    if kind is None or not acting.holds(user, REVIEWERS):  # own role or lent (issue 12)
        return []
    result: list[tuple[str, StrOrPromise]] = []
    for aspect, (org_kind, stage) in ASPECTS.items():
        if org_kind != kind or project.state not in services.OPINION_STATES[stage] or aspect == Aspect.EXPERT:
            continue
        if stage == "acceptance" and aspect not in acceptance_aspects(project):
            continue
        result.append((aspect.value, aspect.label))
    return result


@dataclass(frozen=True)
class Capabilities:
    steps: list[dict]
    opinions: list[tuple[str, StrOrPromise]]
    pages: list[dict]

    @property
    def forms(self) -> list[dict]:
        """The pages where the person acts (buttons)."""
        return [p for p in self.pages if not p["view"]]

    @property
    def views(self) -> list[dict]:
        """The pages the person reads (links)."""
        return [p for p in self.pages if p["view"]]

    def __bool__(self) -> bool:
        """True when the person has something to do here."""
        return bool(self.steps or self.opinions or self.forms)


def pages_for(project: Project, user) -> list[dict]:
    return [
        {
            "name": p.name,
            "label": p.label,
            "article": p.article,
            "url": reverse(p.name, args=p.args(project)),
            "view": p.view,
        }
        for p in PAGES
        if p.open_to(user, project)
    ]


def capabilities(project: Project, user) -> Capabilities:
    return Capabilities(
        steps=services.available(project, user),
        opinions=opinion_aspects(project, user),
        pages=pages_for(project, user),
    )


def require_page(project: Project, user, name: str) -> None:
    """403 unless the page ``name`` of ``project`` is open to ``user`` now."""
    if not PAGES_BY_NAME[name].open_to(user, project):
        raise PermissionDenied
