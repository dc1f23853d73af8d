"""What the project page reads, each kind of row loaded once (issue 10: the page ran 89–94
queries whatever the project, most of them the same rows asked again — may_see and the
step's audit row once per kind of filing, the material versions once per sign-off, the
recording steps once per correctable datum).

The page loads the project's audit rows, changes, rectifications, performance reports,
material versions and filings once each, and every part of the page reads those lists:
the history, the filings the person may issue or sample (``documents.filings.actions_for``),
the data the person may correct (``lifecycle.corrections.recorded``), the decision that
ended the project, the sign-offs and the kinds the person may upload. Each answer is the
one the part gives when it asks the database itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from core.kept_sql import Ask, KeptQueries, together
from core.states import LEFT_PLAN_STATES, ChangeState
from documents import evidence, filings as document_filings, services as document_services
from documents.models import Filing, MaterialVersion
from documents.registry import MaterialKind
from lifecycle import corrections
from lifecycle.models import (
    AuditEntry,
    ChangeRequest,
    Clock,
    Contract,
    Copy,
    Incident,
    Opinion,
    PerformanceReport,
    Rectification,
)
from projects.history import reads_every_row
from projects.models import (
    DataResource,
    FundingLine,
    LevelRelation,
    Participant,
    Project,
    SplitWarning,
    User,
    YearlyInvestment,
)
from projects.models_evaluation import PerformanceTarget
from projects.selectors import WARNING_COLUMNS
from projects.supervision import ProjectSupervision
from projects.supervision_models import EXCUSABLE_KINDS
from projects.templatetags.approval import ENDING_STEPS


def _own(model) -> list[str]:
    """Every column of ``model`` itself (its foreign keys as ids)."""
    return [f.name for f in model._meta.concrete_fields]


def _person(relation: str) -> tuple[str, str]:
    """What a person's name on the page reads (``User.__str__``), not their ~20 columns."""
    return f"{relation}__full_name", f"{relation}__username"


#: Issue 10: the SQL of the page's queries about one project, compiled once per process
#: (core.kept_sql.KeptQueries): building and compiling thirty querysets in Django took longer
#: than the database answering them.
_KEPT = KeptQueries(64)


def prefetch(
    project: Project, builds: Sequence[Callable[[int], QuerySet[Any]]], also: Sequence[Ask] = ()
) -> None:
    """Read the rows of ``builds`` about ``project`` now, with ``also`` (what else the page
    reads: web.read_ahead), all in one round trip to PostgreSQL (core.kept_sql.together);
    ``rows`` then hands each out once, without a query."""
    found = together([*(_KEPT.ask(build, build, project.pk) for build in builds), *also])
    project._prefetched_rows = dict(zip(builds, found[: len(builds)], strict=True))  # type: ignore[attr-defined]


def rows(build: Callable[[int], QuerySet[Any]], project: Project, parent: str = "project") -> list[Any]:
    """``list(build(project.pk))`` from SQL kept per ``build`` (or read ahead by ``prefetch``,
    handed out once); each row's ``parent`` is the page's project, as the related manager
    sets it (no query when a template reads it)."""
    ahead = getattr(project, "_prefetched_rows", {})
    found = ahead.pop(build) if build in ahead else _KEPT.list(build, build, project.pk)
    if parent:
        for row in found:
            setattr(row, parent, project)
    return found


# The page's queries about one project, by the project's id (``rows``).
def clocks(pk: int) -> QuerySet[Clock]:
    return Clock.objects.filter(project_id=pk).order_by("due_on", "pk")


def opinions(pk: int) -> QuerySet[Opinion]:
    """The opinions with the organisation and the person who gave each (办法第十、十八、二十九条)."""
    return (
        Opinion.objects.filter(project_id=pk)
        .select_related("organisation", "given_by")
        .only(*_own(Opinion), "organisation__name", *_person("given_by"))
    )


def data_resources(pk: int) -> QuerySet[DataResource]:
    return DataResource.objects.filter(project_id=pk)


def yearly(pk: int) -> QuerySet[YearlyInvestment]:
    return YearlyInvestment.objects.filter(project_id=pk)


def funding(pk: int) -> QuerySet[FundingLine]:
    return FundingLine.objects.filter(project_id=pk)


def copies(pk: int) -> QuerySet[Copy]:
    return Copy.objects.filter(project_id=pk).select_related("organisation")


def incidents(pk: int) -> QuerySet[Incident]:
    return Incident.objects.filter(project_id=pk)


def contracts(pk: int) -> QuerySet[Contract]:
    return Contract.objects.filter(project_id=pk)


def participants(pk: int) -> QuerySet[Participant]:
    """办法第十三条: the departments taking part, with who confirmed."""
    return Participant.objects.filter(project_id=pk).select_related("organisation", "confirmed_by")


def levels(pk: int) -> QuerySet[LevelRelation]:
    return LevelRelation.objects.filter(project_id=pk)


def targets(pk: int) -> QuerySet[PerformanceTarget]:
    return PerformanceTarget.objects.filter(project_id=pk)


def splits(pk: int) -> QuerySet[SplitWarning]:
    """办法第八条 and 第三条 (issue 15): the warnings naming the project, most likely first, with
    the other department of a duplicate."""
    return (
        SplitWarning.objects.filter(Q(first_id=pk) | Q(second_id=pk))
        .select_related("first__owner", "second__owner")
        .only(*WARNING_COLUMNS, "first__owner__name", "second__owner__name")
        .order_by("-score", "-pk")
    )


def _entries(pk: int) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(project_id=pk).select_related("organisation").order_by("at", "pk")


def _changes(pk: int) -> QuerySet[ChangeRequest]:
    return ChangeRequest.objects.filter(project_id=pk).order_by("created_at", "pk")


def _rectifications(pk: int) -> QuerySet[Rectification]:
    return Rectification.objects.filter(project_id=pk).order_by("pk")


def _reports(pk: int) -> QuerySet[PerformanceReport]:
    return PerformanceReport.objects.filter(project_id=pk).order_by("pk")


def _versions(pk: int) -> QuerySet[MaterialVersion]:
    return (
        MaterialVersion.objects.filter(project_id=pk)
        .select_related("uploaded_by")
        .only(*_own(MaterialVersion), *_person("uploaded_by"))
        .order_by("kind", "-number")
    )


def _filings(pk: int) -> QuerySet[Filing]:
    return (
        Filing.objects.filter(project_id=pk)
        .select_related("issuer")
        .defer("snapshot")  # what was filed, read only to render or check the file again
        .order_by("-generated_at", "-pk")
    )


#: Every query about the project the page reads (``web.views.project_detail`` reads them all
#: ahead with ``prefetch``; the split warnings only for the bureau and 审计厅).
PAGE_PARTS = (
    clocks,
    _entries,
    _changes,
    _rectifications,
    _reports,
    _versions,
    _filings,
    opinions,
    data_resources,
    yearly,
    funding,
    copies,
    contracts,
    incidents,
    participants,
    levels,
    targets,
)


@dataclass
class Loaded:
    """The rows of one project that several parts of its page read."""

    entries: list[AuditEntry]
    changes: list[ChangeRequest]
    rectifications: list[Rectification]
    reports: list[PerformanceReport]
    versions: list[MaterialVersion]
    filings: list[Filing]


def load(project: Project) -> Loaded:
    return Loaded(
        entries=rows(_entries, project),
        changes=rows(_changes, project),
        rectifications=rows(_rectifications, project),
        reports=rows(_reports, project),
        versions=rows(_versions, project),
        filings=rows(_filings, project),
    )


def history(user: User, loaded: Loaded) -> list[AuditEntry]:
    """``projects.history.visible_history`` of the project's rows. The page's project came
    through ``visible_projects(user)`` (``access.get_project_for_user``), so every row about
    it is "about a project the department sees": a department reads them all, like the
    agencies; a person of no organisation (and no superuser) reads none."""
    if reads_every_row(user) or getattr(user, "organisation_id", None):
        return loaded.entries
    return []


def ending_decision(project: Project, loaded: Loaded) -> AuditEntry | None:
    """``projects.templatetags.approval.ending_decision`` from the rows loaded."""
    if project.state not in LEFT_PLAN_STATES:
        return None
    rows = [e for e in loaded.entries if e.action in ENDING_STEPS and e.to_state == project.state]
    return max(rows, key=lambda e: e.pk) if rows else None


def visible_changes(loaded: Loaded, owner_staff: bool) -> list[ChangeRequest]:
    """A change in draft is the department's own working paper (办法第二十八条)."""
    if owner_staff:
        return loaded.changes
    return [c for c in loaded.changes if c.state != ChangeState.DRAFT]


def recorded(project: Project, user: User, clocks: list, loaded: Loaded) -> list[dict]:
    """``lifecycle.corrections.recorded`` (the data the steps recorded, and which of them
    ``user`` may correct) from the clocks and audit rows loaded."""
    return corrections.recorded(
        project,
        user,
        clocks=corrections.latest_clocks(clocks),
        taken={e.action for e in loaded.entries},
    )


def excused_findings(supervision: ProjectSupervision) -> set[int]:
    """The open findings an approved 孤网 exception excuses (办法第三十四条), as
    ``ComplianceFinding.excusing_exception`` answers — from the department's approved
    exceptions already loaded, not one query per finding."""
    approved = {(x.organisation_id, x.system) for x in supervision.exceptions}
    return {
        f.pk
        for f in supervision.findings
        if f.kind in EXCUSABLE_KINDS and (f.organisation_id, f.system) in approved
    }


def documents_context(project: Project, user: User, loaded: Loaded) -> dict[str, Any]:
    """Materials (every version, 办法第十六、二十三、三十一条) and generated filings of the
    project, and what ``user`` may do with them now (the project is visible to ``user``)."""
    return {
        "material_versions": loaded.versions,
        "material_kinds": MaterialKind.choices,
        "filings": loaded.filings,
        # Only what the person may do now: issue a filing after its step, or a sample before it.
        "filing_actions": document_filings.actions_for(
            user,
            project,
            seen=True,
            candidates={
                "change": sorted(loaded.changes, key=lambda c: -c.pk),
                "rectification": sorted(loaded.rectifications, key=lambda r: -r.pk),
                "performance": sorted(loaded.reports, key=lambda r: (-r.year, -r.pk)),
            },
            entries=loaded.entries,
            filings=loaded.filings,
        ),
        "signoffs": document_services.signoff_status(project, loaded.versions, loaded.entries),
        "confirmable": evidence.confirmable_kinds(project, user) if user.is_authenticated else [],
        "upload_kinds": (
            document_services.uploadable_kinds(project, user, seen=True) if user.is_authenticated else []
        ),
    }
