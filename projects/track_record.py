"""办法第三十八条: a department's track record, read when the bureau reviews its new
applications and compiles the annual plan.

第三十八条 makes the results of the evaluations "下一年度安排政府投资和运行维护经费的重要依据";
the bureau therefore sees, per department: the results of its earlier self- and post-evaluations
(第三十三条), its late reports (self-evaluations, yearly performance reports, 第二十五、三十三条),
its rectification notices (第三十六条) and its unfinished projects of earlier plans (第十二条).

``track_records(organisation_ids, year=...)`` returns one ``TrackRecord`` per department. Each
kind of fact is one ``Source`` in ``SOURCES``: one query reading the facts of *all* the
departments asked for (all the sources' queries sent together) and what makes entries of its
answer, so the number of queries depends on the number of sources, never on the number of
departments or projects. A later kind of fact (e.g. the sanctions of
第三十六、三十九条: 通报批评, 暂缓安排投资计划) is added as one more ``Source`` (``register``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _l
from django_stubs_ext import StrOrPromise

from core import timeutil
from core.kept_sql import Ask, KeptQueries, answered, then, together
from core.states import BUILT_STATES, ENDED_STATES, ProjectState as S
from core.vocabulary import EvaluationGrade
from lifecycle.models import REPORT_KINDS, Clock, ClockKind, Rectification

from .models import Organisation, Project
from .supervision import sanctions_ask

GRADES = dict(EvaluationGrade.choices)


@dataclass(frozen=True)
class Entry:
    """One fact of a department's record: which source, about which project, what it says."""

    source: str
    #: None for a fact about the department as a whole (a 通报批评 of the department)
    project_id: int | None
    project_name: str
    text: str
    article: str
    #: counts against the department (a poor grade, a late report, an unreported rectification…)
    adverse: bool = False


@dataclass(frozen=True)
class Source:
    """A kind of fact: its name, its heading, its article, the one query reading it for all
    the departments at once and what makes entries of its answer.

    ``ask(organisation_ids, year, today)`` is that query (a core.kept_sql ``Ask``: the sources
    of a record are sent together, one round trip to PostgreSQL); ``entries(answer, year,
    today)`` yields ``(organisation id, Entry)`` pairs."""

    name: str
    label: StrOrPromise
    article: str
    ask: Callable[[Sequence[int], int | None, datetime.date], Ask]
    entries: Callable[[Any, int | None, datetime.date], Iterable[tuple[int, Entry]]]


@dataclass(frozen=True)
class Section:
    source: Source
    entries: tuple[Entry, ...]

    @property
    def adverse(self) -> int:
        return sum(1 for e in self.entries if e.adverse)


@dataclass(frozen=True)
class TrackRecord:
    organisation_id: int
    organisation_name: str
    entries: tuple[Entry, ...] = field(default=())

    @property
    def adverse(self) -> int:
        return sum(1 for e in self.entries if e.adverse)

    def sections(self) -> list[Section]:
        """The entries grouped by source, in the order of ``SOURCES`` (empty ones left out)."""
        result = []
        for source in SOURCES:
            entries = tuple(e for e in self.entries if e.source == source.name)
            if entries:
                result.append(Section(source, entries))
        return result

    def summary(self) -> str:
        """One line for a table cell: counts per source, e.g. "后评价2项（1项差）；逾期报告1项"."""
        parts = []
        for section in self.sections():
            text = _("%(label)s%(n)s项") % {"label": section.source.label, "n": len(section.entries)}
            if section.adverse and section.adverse != len(section.entries):
                text += _("（其中%(a)s项需关注）") % {"a": section.adverse}
            parts.append(text)
        return "；".join(parts) or _("无记录")


# ---------------------------------------------------------------- the sources

#: Issue 10: the SQL of each source's query, kept per source, number of departments (asked in
#: lists of a multiple of eight ids), plan year and day (core.kept_sql): compiling the five
#: queries of a record took longer than the database answering them, on every plan and
#: project page of the agencies.
_KEPT = KeptQueries(512)


def kept_ask(name: str, build: Callable[[Sequence[int]], Any], ids: Sequence[int], *key: Hashable) -> Ask:
    """``list(build(ids))`` as an ``Ask``, from SQL kept under ``name``, the number of ids and
    ``key`` (what else ``build`` reads: the year, the day)."""
    return _KEPT.ask_in((name, *key), lambda *some: build(some), list(ids))


def _evaluations_ask(ids: Sequence[int], year: int | None, today: datetime.date) -> Ask:
    """办法第三十三条: the grades of the self- and post-evaluations given."""
    return kept_ask(
        "evaluations",
        lambda ids: (
            Project.objects.filter(owner_id__in=ids)
            .filter(~Q(self_evaluation_grade="") | ~Q(post_evaluation_grade=""))
            .order_by("owner_id", "pk")
            .values_list("owner_id", "pk", "name", "self_evaluation_grade", "post_evaluation_grade")
        ),
        ids,
    )


def _evaluations(rows: list[Any], year: int | None, today: datetime.date) -> Iterable[tuple[int, Entry]]:
    poor = (EvaluationGrade.FAIR, EvaluationGrade.POOR)
    for owner_id, pk, name, self_grade, post_grade in rows:
        if self_grade:
            text = _("自评价：%(g)s") % {"g": GRADES[self_grade]}
            yield owner_id, Entry("evaluations", pk, name, text, "第三十三条", adverse=self_grade in poor)
        if post_grade:
            text = _("后评价：%(g)s") % {"g": GRADES[post_grade]}
            yield owner_id, Entry("evaluations", pk, name, text, "第三十三条", adverse=post_grade in poor)


def _late_reports_ask(ids: Sequence[int], year: int | None, today: datetime.date) -> Ask:
    """办法第二十五、三十三条: yearly performance reports and self-evaluations sent after their
    deadline, or not sent although the deadline has passed."""
    return kept_ask(
        "late_reports",
        lambda ids: (
            # Read through the indexes clock_report_running_due and clock_report_sent_late.
            Clock.objects.filter(project__owner_id__in=ids, kind__in=REPORT_KINDS)
            .annotate(due=Coalesce(F("extended_to"), F("due_on")))
            .filter(Q(stopped_on__gt=F("due")) | Q(stopped_on__isnull=True, due__lt=today))
            .order_by("project__owner_id", "due", "pk")
            .values_list(
                "project__owner_id", "project_id", "project__name", "kind", "year", "due", "stopped_on"
            )
        ),
        ids,
        today,
    )


def _late_reports(rows: list[Any], year: int | None, today: datetime.date) -> Iterable[tuple[int, Entry]]:
    for owner_id, pk, name, kind, clock_year, due, stopped in rows:
        what = (
            _("%(y)s年度绩效评价报告") % {"y": clock_year}
            if kind == ClockKind.PERFORMANCE_REPORT
            else _("自评价报告")
        )
        if stopped:
            text = _("%(what)s逾期报送（应于%(due)s前，%(on)s报送）") % {
                "what": what,
                "due": due,
                "on": stopped,
            }
        else:
            text = _("%(what)s逾期未报送（应于%(due)s前）") % {"what": what, "due": due}
        article = "第二十五条" if kind == ClockKind.PERFORMANCE_REPORT else "第三十三条"
        yield owner_id, Entry("late_reports", pk, name, text, article, adverse=True)


def _rectifications_ask(ids: Sequence[int], year: int | None, today: datetime.date) -> Ask:
    """办法第三十六条: the rectification notices the department received, and whether it reported."""
    return kept_ask(
        "rectifications",
        lambda ids: (
            Rectification.objects.filter(project__owner_id__in=ids)
            .order_by("project__owner_id", "ordered_at", "pk")
            .values_list("project__owner_id", "project_id", "project__name", "ordered_at", "reported_at")
        ),
        ids,
    )


def _rectifications(rows: list[Any], year: int | None, today: datetime.date) -> Iterable[tuple[int, Entry]]:
    for owner_id, pk, name, ordered, reported in rows:
        text = _("%(on)s责令限期整改，%(state)s") % {
            "on": timezone.localtime(ordered).date(),
            "state": _("已报送整改情况") if reported else _("尚未报送整改情况"),
        }
        yield owner_id, Entry("rectifications", pk, name, text, "第三十六条", adverse=True)


#: Projects of an earlier plan that ended without being built (terminated, withdrawn, refused,
#: cancelled: core.states.ENDED_STATES) are not "unfinished" either, as in the 第十二条 guard.
_NOT_UNFINISHED = BUILT_STATES | ENDED_STATES


def _unfinished_ask(ids: Sequence[int], year: int | None, today: datetime.date) -> Ask:
    """办法第十二、三十八条: projects of earlier annual plans not yet built."""

    def build(ids: Sequence[int]) -> Any:
        qs = Project.objects.filter(owner_id__in=ids, plan__isnull=False).exclude(state__in=_NOT_UNFINISHED)
        if year is not None:
            qs = qs.filter(plan__year__lt=year)
        return qs.order_by("owner_id", "plan__year", "pk").values_list(
            "owner_id", "pk", "name", "plan__year", "state"
        )

    return kept_ask("unfinished", build, ids, year)


def _unfinished(rows: list[Any], year: int | None, today: datetime.date) -> Iterable[tuple[int, Entry]]:
    labels = dict(S.choices)
    for owner_id, pk, name, plan_year, state in rows:
        text = _("%(y)s年度计划项目，当前%(state)s") % {"y": plan_year, "state": labels.get(state, state)}
        yield owner_id, Entry("unfinished", pk, name, text, "第十二条", adverse=True)


def _sanctions_ask(ids: Sequence[int], year: int | None, today: datetime.date) -> Ask:
    """办法第三十六、三十九条: 通报批评 and 暂缓安排信息化投资计划 against the department or one of
    its projects (projects.supervision.sanctions_for, one query)."""
    return sanctions_ask(ids)


def _sanctions(
    found: dict[int, list[Any]], year: int | None, today: datetime.date
) -> Iterable[tuple[int, Entry]]:
    """办法第三十六、三十九条: each decision against the department or one of its projects, in
    force, lifted or expired, is an entry of its record."""
    for owner_id, sanctions in found.items():
        for d in sanctions:
            state = _("执行中") if d.in_force else (_("已解除") if d.lifted else "")
            text = _("%(kind)s（%(no)s，%(on)s%(state)s）") % {
                "kind": d.kind_label,
                "no": d.document_no,
                "on": d.decided_on,
                "state": f"，{state}" if state else "",
            }
            yield owner_id, Entry("sanctions", d.project_id, d.project_name, text, d.article, adverse=True)


SOURCES: list[Source] = [
    Source("evaluations", _l("自评价和后评价结果"), "第三十三条", _evaluations_ask, _evaluations),
    Source("late_reports", _l("逾期报告"), "第二十五、三十三条", _late_reports_ask, _late_reports),
    Source("rectifications", _l("整改"), "第三十六条", _rectifications_ask, _rectifications),
    Source("unfinished", _l("以前年度计划未完成项目"), "第十二条", _unfinished_ask, _unfinished),
    Source("sanctions", _l("通报批评和暂缓安排投资计划"), "第三十六、三十九条", _sanctions_ask, _sanctions),
]


def register(source: Source) -> None:
    """Add a kind of fact (e.g. the sanctions of 办法第三十六、三十九条) to every track record."""
    if any(s.name == source.name for s in SOURCES):
        raise ValueError(f"track-record source {source.name!r} is registered already")
    SOURCES.append(source)


# ---------------------------------------------------------------- the selector


def _names(ids: Sequence[int]) -> Any:
    return Organisation.objects.filter(pk__in=ids).values_list("pk", "name")


def track_records(
    organisation_ids: Iterable[int], *, year: int | None = None, names: dict[int, str] | None = None
) -> dict[int, TrackRecord]:
    """办法第三十八条: the record of each department in ``organisation_ids``; ``year``: the plan year being
    compiled or applied for (unfinished projects are those of earlier plans). One query for
    the names (none when ``names`` holds them all) plus one per source, whatever the number of
    departments."""
    ids = sorted(set(organisation_ids))
    if not ids:
        return {}
    today = timeutil.today()
    sources = list(SOURCES)
    # The departments' names, unless the caller holds them all (a names query, or none).
    named = (
        answered(names)
        if names is not None and set(ids) <= set(names)
        else then(kept_ask("names", _names, ids), dict)
    )
    # Issue 10: every source's query in one round trip to PostgreSQL (core.kept_sql.together).
    known, *answers = together([named, *(source.ask(ids, year, today) for source in sources)])
    entries: dict[int, list[Entry]] = {pk: [] for pk in ids if pk in known}
    for source, answer in zip(sources, answers, strict=True):
        for owner_id, entry in source.entries(answer, year, today):
            entries.setdefault(owner_id, []).append(entry)
    return {
        pk: TrackRecord(organisation_id=pk, organisation_name=known.get(pk, ""), entries=tuple(entries[pk]))
        for pk in entries
    }


def track_record(organisation_id: int, *, year: int | None = None) -> TrackRecord:
    return track_records([organisation_id], year=year).get(
        organisation_id, TrackRecord(organisation_id=organisation_id, organisation_name="")
    )
