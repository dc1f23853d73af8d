"""Issue 10: the project page's queries about one project, and "this project if the person may
see it", run SQL compiled once per process (``core.kept_sql.KeptQueries``) with the project's
id bound in its place. Kept SQL must give exactly the rows a freshly compiled queryset gives,
for every project after the first, and visibility kept for one department must never answer
another department's request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.http import Http404

from core.kept_sql import KeptPages, KeptQueries, together
from projects import access, plan_stage, selectors
from projects.models import AnnualPlan, Level, LevelRelation, Project, SplitWarning
from web import plan_page, project_page

#: Every query of the project page kept through ``project_page.rows``.
PARTS = [
    project_page.clocks,
    project_page.opinions,
    project_page.data_resources,
    project_page.yearly,
    project_page.funding,
    project_page.copies,
    project_page.incidents,
    project_page.contracts,
    project_page.participants,
    project_page.levels,
    project_page.targets,
    project_page.splits,
    project_page._entries,
    project_page._changes,
    project_page._rectifications,
    project_page._reports,
    project_page._versions,
    project_page._filings,
]


def _as_read(rows):
    """What a page reads of each row: its loaded columns and the rows joined to it."""
    out = []
    for row in rows:
        loaded = {
            f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if f.attname in row.__dict__
        }
        joined = {name: getattr(obj, "pk", None) for name, obj in row._state.fields_cache.items()}
        out.append((type(row).__name__, row.pk, loaded, joined))
    return out


@pytest.fixture
def projects(scene, call_2026):
    """The scene's projects, one of them named by a split warning and with a level relation."""
    SplitWarning.objects.create(
        call=call_2026, first=scene.building, second=scene.reviewing, score=Decimal("0.91")
    )
    LevelRelation.objects.create(
        project=scene.reviewing, level=Level.NATIONAL, related_system="国家政务服务平台"
    )
    return [scene.building, scene.reviewing, scene.submitted, scene.draft]


@pytest.mark.parametrize("part", PARTS, ids=lambda f: f.__name__)
def test_each_part_of_the_project_page_reads_as_its_queryset_compiled_afresh(projects, part):
    project_page._KEPT.clear()
    for project in projects:  # the first compiles and keeps; the others bind their own id
        kept = project_page._KEPT.list(part, part, project.pk)
        assert _as_read(kept) == _as_read(list(part(project.pk))), project.name
    assert len(project_page._KEPT) == 1


def test_the_projects_of_the_scene_differ_in_what_the_parts_read(projects):
    """Otherwise the test above could not tell one project's rows from another's."""
    for part in (project_page.clocks, project_page._entries, project_page.splits, project_page.levels):
        assert len({repr(_as_read(part(p.pk))) for p in projects[:2]}) == 2, part.__name__


def test_each_row_knows_the_page_s_project_without_a_query(projects, django_assert_num_queries):
    project = projects[0]
    rows = project_page.rows(project_page.clocks, project)
    assert rows
    with django_assert_num_queries(0):
        assert all(r.project is project for r in rows)


def test_a_value_no_column_holds_is_answered_as_django_answers_it():
    kept = KeptQueries(4)
    build = lambda pk: Project.objects.filter(pk=pk)  # noqa: E731
    assert kept.list("p", build, 2**70) == []
    assert kept.list("p", build, -(2**63) - 1) == []
    assert len(kept) == 0


def test_a_value_that_is_not_a_parameter_of_the_query_is_refused(db):
    kept = KeptQueries(4)
    with pytest.raises(ValueError, match="not a parameter"):
        kept.list("all", lambda pk: Project.objects.all(), 1)


def test_kept_visibility_of_one_department_never_answers_another(people, projects):
    """The SQL of "this project if the person may see it" carries the department: the other
    department (same kind of organisation) gets 404 for our draft after we read it."""
    access._VISIBLE_PROJECT.clear()
    ours = projects[3]  # the department's draft
    assert access.get_project_for_user(people.owner_head, ours.pk) == ours
    with pytest.raises(Http404):
        access.get_project_for_user(people.other_owner_head, ours.pk)
    assert len(access._VISIBLE_PROJECT) == 2
    # an agency sees every project but a department's draft; 审计厅 reads drafts too
    assert access.get_project_for_user(people.bureau_reviewer, projects[0].pk) == projects[0]
    with pytest.raises(Http404):
        access.get_project_for_user(people.bureau_reviewer, ours.pk)
    assert access.get_project_for_user(people.audit_reviewer, ours.pk) == ours  # 办法第三十七条


@pytest.mark.parametrize("pk", [0, -1, 2**63, 2**70])
def test_no_project_is_404_whatever_the_id(people, projects, pk):
    with pytest.raises(Http404):
        access.get_project_for_user(people.bureau_reviewer, pk)


def test_no_one_signed_in_sees_no_project(projects):
    with pytest.raises(Http404):
        access.get_project_for_user(AnonymousUser(), projects[0].pk)


@pytest.mark.parametrize("n", [1, 3, 8, 9, 16])
def test_a_home_page_s_rows_are_read_as_with_the_prefetch_whatever_their_number(scene, n):
    """The rows a home page shows (``selectors._shown_rows``: ids padded to a multiple of
    eight, SQL kept per length) are the projects asked, each with its running clocks in the
    order of the ``running_clocks`` prefetch."""
    owner = scene.building.owner
    Project.objects.bulk_create([Project(name=f"行{i}", owner=owner, state="submitted") for i in range(16)])
    ids = sorted(Project.objects.values_list("pk", flat=True))[:n]
    kept = selectors._shown_rows(ids)
    kept_again = selectors._shown_rows(ids[::-1])  # from the kept SQL
    fresh = list(
        plan_stage.with_plan(
            Project.objects.filter(pk__in=ids).select_related("owner").only(*selectors.ROW_COLUMNS)
        ).prefetch_related(selectors.running_clocks())
    )

    def read(rows):
        return sorted(
            (p.pk, p.name, p.owner.name, p.plan_year, p.plan_state, [c.pk for c in p.running_clocks])
            for p in rows
        )

    assert read(kept) == read(kept_again) == read(fresh)
    assert len(kept) == n
    assert any(p.running_clocks for p in fresh) or n < 8


def test_kept_pages_paginate_as_the_queryset_does(scene):
    """A long list paged from kept SQL (``KeptPages``): the same count and the same rows on
    every page as Django's Paginator over the queryset, and new rows are counted."""
    owner = scene.building.owner
    Project.objects.bulk_create(
        [Project(name=f"分页{i:02d}", owner=owner, state="submitted") for i in range(23)]
    )

    def build(owner_id):
        return Project.objects.filter(owner_id=owner_id, name__startswith="分页").order_by("name", "pk")

    kept = KeptQueries(64)
    for rows in (23, 26):
        fresh = Paginator(build(owner.pk), 5)
        paged = Paginator(KeptPages(kept, "pages", build, owner.pk), 5)
        assert paged.count == fresh.count == rows
        for number in (1, 2, 5, "last", 99, "x"):
            ours, theirs = paged.get_page(number), fresh.get_page(number)
            assert ours.number == theirs.number
            assert [p.pk for p in ours] == [p.pk for p in theirs]
        Project.objects.bulk_create(
            [Project(name=f"分页{i}", owner=owner, state="submitted") for i in (23, 24, 25)]
        )
    other = Paginator(KeptPages(kept, "pages", build, scene.building.owner.pk + 10_000), 5)
    assert other.count == 0 and list(other.get_page(1)) == []


PLAN_PARTS = [plan_page._by_owner, plan_page._by_source, plan_page._emergencies, plan_page._compilation_clock]


@pytest.mark.parametrize("part", PLAN_PARTS, ids=lambda f: f.__name__)
def test_each_part_of_the_plan_page_reads_as_its_queryset_compiled_afresh(scene, part):
    """The plan page's sums and lists from kept SQL, for each plan after the first."""
    plan_page._KEPT.clear()
    plans = [scene.plan, *AnnualPlan.objects.exclude(pk=scene.plan.pk)]
    assert len(plans) >= 2
    for plan in plans:
        kept = plan_page._KEPT.list(part, part, plan.pk)
        assert _as_values(kept) == _as_values(list(part(plan.pk))), plan.year


def _as_values(rows):
    return [r if isinstance(r, dict) else (type(r).__name__, r.pk) for r in rows]


def test_the_plan_page_s_department_rows_are_those_of_the_department_asked(scene, orgs):
    """The rows of one department of one plan: the kept SQL binds both ids."""
    plan = scene.plan
    Project.objects.bulk_create(
        [
            Project(name=f"计划行{i}", owner=orgs[k], state="in_plan", plan=plan)
            for i in range(3)
            for k in ("owner", "other_owner")
        ]
    )
    plan_page._KEPT.clear()
    for owner in (orgs["owner"], orgs["other_owner"]):
        page = Paginator(
            KeptPages(plan_page._KEPT, plan_page._rows, plan_page._rows, plan.pk, owner.pk), 25
        ).get_page(1)
        assert {p.owner_id for p in page} == {owner.pk}
        assert [p.pk for p in page] == [p.pk for p in plan_page._rows(plan.pk, owner.pk)]


def test_track_records_from_kept_sql_are_those_read_afresh(scene, orgs):
    """办法第三十八条: each department's record (every source's query kept per number of
    departments, year and day) is the record read with freshly compiled SQL."""
    from projects import supervision, track_record

    asked = [[orgs["owner"].pk], [orgs["other_owner"].pk], [orgs["owner"].pk, orgs["other_owner"].pk]]
    kept = [track_record.track_records(ids, year=2027) for ids in asked]
    again = [track_record.track_records(ids, year=2027) for ids in asked]
    track_record._KEPT.clear()
    supervision._KEPT.clear()
    fresh = []
    for ids in asked:
        fresh.append(track_record.track_records(ids, year=2027))
        track_record._KEPT.clear()
        supervision._KEPT.clear()
    assert kept == again == fresh
    assert any(r.entries for records in fresh for r in records.values())


@pytest.mark.parametrize("n", [1, 3, 8, 9])
def test_a_list_of_ids_is_padded_with_nulls_which_match_no_row(scene, n):
    """``KeptQueries.list_in`` binds the ids asked followed by NULLs up to a multiple of eight:
    a NULL matches no row, and PostgreSQL estimates the list as the ids asked (a repeated id
    counted eight times over made it scan every clock for one department's record)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    owner = scene.building.owner
    Project.objects.bulk_create([Project(name=f"填充{i}", owner=owner, state="submitted") for i in range(9)])
    ids = sorted(Project.objects.filter(name__startswith="填充").values_list("pk", flat=True))[:n]
    kept = KeptQueries(8)
    with CaptureQueriesContext(connection) as seen:
        found = kept.list_in(
            "ids", lambda *ids: Project.objects.filter(pk__in=ids).values_list("pk", flat=True), ids
        )
    assert sorted(found) == ids
    (query,) = seen.captured_queries
    assert query["sql"].upper().count("NULL") == -n % 8


def test_the_plan_page_counts_its_lists_from_the_tallies(scene, orgs, people, rf):
    """The plan page's department list and emergency list are paginated with the numbers the
    plan's tallies hold (no count query): the same numbers and the same pages as counting the
    projects themselves."""
    plan = scene.plan
    Project.objects.bulk_create(
        [Project(name=f"计数{i:02d}", owner=orgs["owner"], state="in_plan", plan=plan) for i in range(27)]
        + [
            Project(name=f"紧急{i}", owner=orgs["other_owner"], state="emergency_requested", plan=plan)
            for i in range(12)
        ]
    )
    request = rf.get("/", {"owner": orgs["owner"].pk, "page": "2"})
    request.user = people.bureau_head
    context = plan_page.context(request, plan)
    mine = Project.objects.filter(plan=plan, owner=orgs["owner"])
    emergencies = Project.objects.filter(plan=plan, state__in=["emergency_requested", "emergency_forwarded"])
    assert context["page"].paginator.count == mine.count() >= 27
    assert [p.pk for p in context["page"]] == [p.pk for p in mine.order_by("name", "pk")[25:50]]
    assert context["emergencies"].paginator.count == emergencies.count() >= 12


def test_the_project_page_s_parts_read_together_are_those_read_one_by_one(
    projects, django_assert_num_queries
):
    """Kept asks run ``together`` (one pipeline on PostgreSQL) give each part the rows it gives
    alone, for every project after the first; ``prefetch`` hands each part out once."""
    assert set(project_page.PAGE_PARTS) <= set(PARTS)
    parts = [*project_page.PAGE_PARTS, project_page.splits]
    for fresh in (True, False):
        if fresh:
            project_page._KEPT.clear()
        for project in projects:
            with django_assert_num_queries(len(parts)):
                read = together([project_page._KEPT.ask(part, part, project.pk) for part in parts])
            assert [_as_read(rows) for rows in read] == [_as_read(list(part(project.pk))) for part in parts]
    project = projects[0]
    project_page.prefetch(project, parts)
    with django_assert_num_queries(0):
        first = [project_page.rows(part, project) for part in parts]
    with django_assert_num_queries(len(parts)):  # handed out once: read again afterwards
        again = [project_page.rows(part, project) for part in parts]
    assert [_as_read(r) for r in first] == [_as_read(r) for r in again]


def test_together_answers_what_kept_sql_cannot_hold_as_django_does(projects):
    """A value no column holds and a query that cannot match, among kept ones."""
    kept = KeptQueries(8)

    def none(pk):
        return Project.objects.none()

    def by_pk(pk):
        return Project.objects.filter(pk=pk)

    found = together(
        [
            kept.ask(project_page.clocks, project_page.clocks, projects[0].pk),
            kept.ask("big", by_pk, 2**70),
            kept.ask("none", none, projects[0].pk),
            kept.ask(project_page.clocks, project_page.clocks, projects[1].pk),
        ]
    )
    assert found[1] == [] and found[2] == []
    assert _as_read(found[0]) == _as_read(list(project_page.clocks(projects[0].pk)))
    assert _as_read(found[3]) == _as_read(list(project_page.clocks(projects[1].pk)))


def test_a_failing_query_among_others_raises_django_s_error(db):
    """A query that fails among queries sent together (a pipeline on PostgreSQL) raises the
    exception Django's cursor raises, not the driver's."""
    from django.db import transaction
    from django.db.utils import DatabaseError

    from core.kept_sql import Ask, together

    good = Ask("default", "SELECT 1", (), list)
    bad = Ask("default", "SELECT * FROM no_such_table_anywhere", (), list)
    with pytest.raises(DatabaseError), transaction.atomic():
        together([good, bad, good])
