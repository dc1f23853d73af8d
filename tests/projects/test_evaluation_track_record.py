"""办法第三十八条: a department's track record — earlier evaluation results, late reports,
rectifications, unfinished projects of earlier plans — read in a constant number of queries,
shown to the bureau and the reviewing agencies with a new application under joint review, and
on the annual plan page and its export."""

from __future__ import annotations

import csv
import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle.models import Clock, ClockKind, Rectification
from projects.models import AnnualPlan, Organisation, Project
from projects.track_record import track_record, track_records
from tests.factories import OrganisationFactory, ProjectFactory

D = datetime.date
TODAY = D(2026, 9, 1)


def _project(owner, state, *, plan=None, **fields):
    project = ProjectFactory(owner=owner, plan=plan, **fields)
    Project.objects.filter(pk=project.pk).update(state=state)
    return project


def _clock(project, kind, due, stopped=None, year=None):
    return Clock.objects.create(
        kind=kind,
        article="第三十三条",
        project=project,
        unit="calendar",
        received_on=due - datetime.timedelta(days=300),
        due_on=due,
        stopped_on=stopped,
        year=year,
    )


def record_of(owner, people, plan):
    """A department with one of every kind of fact of 办法第三十八条 (and facts that do not count)."""
    evaluated = _project(
        owner,
        S.CLOSED,
        name=f"{owner.name}已评价项目",
        self_evaluation_grade="poor",
        self_evaluation_late=True,
        post_evaluation_grade="good",
    )
    # 办法第二十五条: the 2025 report sent ten days after 12月31日; 2024's in time (not listed).
    _clock(evaluated, ClockKind.PERFORMANCE_REPORT, D(2025, 12, 31), stopped=D(2026, 1, 10), year=2025)
    _clock(evaluated, ClockKind.PERFORMANCE_REPORT, D(2024, 12, 31), stopped=D(2024, 12, 20), year=2024)
    running = _project(owner, S.OPERATION, name=f"{owner.name}运行项目")
    # 办法第三十三条: a self-evaluation due 2026-08-01, not sent on 2026-09-01.
    _clock(running, ClockKind.SELF_EVALUATION, D(2026, 8, 1))
    Rectification.objects.create(
        project=running,
        ordered_by=people.bureau_head,
        ordered_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 10)),
        requirement="限期整改。",
    )
    # 办法第十二条: a project of the 2025 plan still being built; one built (not listed).
    _project(owner, S.CONSTRUCTION, plan=plan, name=f"{owner.name}未完成项目")
    _project(owner, S.OPERATION, plan=plan, name=f"{owner.name}已建成项目")


def test_the_record_names_every_kind_of_fact_and_nothing_of_other_departments(orgs, people):
    plan = AnnualPlan.objects.create(year=2025)
    record_of(orgs["owner"], people, plan)
    record_of(orgs["other_owner"], people, plan)
    with as_of(TODAY):
        record = track_record(orgs["owner"].pk, year=2027)
    texts = [(e.source, e.project_name, e.text) for e in record.entries]
    sources = {e.source for e in record.entries}
    assert sources == {"evaluations", "late_reports", "rectifications", "unfinished"}
    assert all(orgs["other_owner"].name not in name for _s, name, _t in texts)
    evaluations = [t for s, _n, t in texts if s == "evaluations"]
    assert evaluations == ["自评价：差", "后评价：良"]
    late = [t for s, _n, t in texts if s == "late_reports"]
    assert len(late) == 2
    assert any("2025年度绩效评价报告逾期报送" in t for t in late)
    assert any("自评价报告逾期未报送" in t for t in late)
    assert [n for s, n, _t in texts if s == "unfinished"] == [f"{orgs['owner'].name}未完成项目"]
    assert "整改" in record.summary() and record.adverse == 5  # 差, 2 late, 1 rectification, 1 unfinished


def test_unfinished_projects_are_those_of_earlier_plans(orgs, people):
    plan = AnnualPlan.objects.create(year=2025)
    _project(orgs["owner"], S.CONSTRUCTION, plan=plan)
    with as_of(TODAY):
        assert track_record(orgs["owner"].pk, year=2025).entries == ()
        assert len(track_record(orgs["owner"].pk, year=2026).entries) == 1


def _queries(ids):
    with as_of(TODAY), CaptureQueriesContext(connection) as ctx:
        records = track_records(ids, year=2027)
        for r in records.values():
            r.summary()
            r.sections()
    return len(ctx.captured_queries), records


def test_the_number_of_queries_does_not_grow_with_the_departments(orgs, people):
    plan = AnnualPlan.objects.create(year=2025)
    departments = [OrganisationFactory(kind="owner", name=f"省第{i}厅") for i in range(6)]
    for org in departments:
        record_of(org, people, plan)
    two, records_two = _queries([d.pk for d in departments[:2]])
    six, records_six = _queries([d.pk for d in departments])
    assert two == six
    assert len(records_six) == 6 and all(len(r.entries) == 6 for r in records_six.values())
    assert len(records_two) == 2


def test_the_record_is_shown_to_the_bureau_and_reviewers_while_the_application_is_reviewed(
    client, orgs, people, call_2026
):
    plan = AnnualPlan.objects.create(year=2025)
    record_of(orgs["owner"], people, plan)
    application = _project(orgs["owner"], S.JOINT_REVIEW, call=call_2026, name="新申报项目")
    page = reverse("project", args=[application.pk])
    unfinished = f"{orgs['owner'].name}未完成项目"
    with as_of(TODAY):
        for who in (people.bureau_reviewer, people.cac_reviewer, people.crypto_reviewer):
            client.force_login(who)
            body = client.get(page).content.decode()
            assert "履约记录" in body and unfinished in body, who
        for who in (people.owner_head, people.drc_head, people.finance_head):
            client.force_login(who)
            response = client.get(page)
            assert response.status_code in (200, 404)
            assert "履约记录" not in response.content.decode(), who
        Project.objects.filter(pk=application.pk).update(state=S.CONSTRUCTION)
        client.force_login(people.bureau_reviewer)
        assert "履约记录" not in client.get(page).content.decode()


def test_the_plan_page_and_its_export_show_each_departments_record(client, orgs, people, call_2026):
    old = AnnualPlan.objects.create(year=2025)
    record_of(orgs["owner"], people, old)
    plan = AnnualPlan.objects.create(year=2027)
    _project(orgs["owner"], S.IN_PLAN, plan=plan, name="计划内项目", total_investment_yuan=1000000)
    unfinished = f"{orgs['owner'].name}未完成项目"
    with as_of(TODAY):
        client.force_login(people.bureau_reviewer)
        body = client.get(reverse("plan", args=[2027])).content.decode()
        assert "各部门履约记录" in body and unfinished in body
        response = client.get(reverse("exports:plan", args=[2027]), {"format": "csv"})
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        header = next(r for r in rows if "部门履约记录（办法第三十八条）" in r)
        column = header.index("部门履约记录（办法第三十八条）")
        subtotal = next(r for r in rows if r[1].startswith(f"{orgs['owner'].name}小计"))
        assert "以前年度计划未完成项目1项" in subtotal[column]
        # A department reads the issued plan without the other departments' records.
        client.force_login(people.owner_head)
        AnnualPlan.objects.filter(pk=plan.pk).update(state="issued")
        assert "各部门履约记录" not in client.get(reverse("plan", args=[2027])).content.decode()
        response = client.get(reverse("exports:plan", args=[2027]), {"format": "csv"})
        assert "部门履约记录" not in b"".join(response.streaming_content).decode("utf-8-sig")


def test_a_new_source_is_one_more_entry_in_every_record(orgs, people):
    from core.kept_sql import answered
    from projects import track_record as module

    def asked(ids, year, today):  # a source that needs no query: its answer is the ids
        return answered(list(ids))

    def commendations(found, year, today):
        for pk in found:
            yield pk, module.Entry("commendations", None, "", "通报表扬", "第三十八条")

    source = module.Source("commendations", "通报表扬", "第三十八条", asked, commendations)
    module.register(source)
    try:
        with as_of(TODAY):
            record = track_record(orgs["owner"].pk)
        assert [s.source.name for s in record.sections()] == ["commendations"]
    finally:
        module.SOURCES.remove(source)
    assert Organisation.objects.filter(pk=orgs["owner"].pk).exists()
