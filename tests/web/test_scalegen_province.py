"""manage.py generate_province (issue 10): a small province — every state reached through the
services, clones that keep their own department's people and history, an audit chain that
still verifies, the same database from the same seed — and the benchmarks run on it."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from core.states import ProjectState
from lifecycle import chain
from lifecycle.models import AuditEntry, Clock
from projects.models import Organisation, Project
from tests.conftest import built_once
from tests.factories import OrganisationFactory, ProjectFactory
from web import province

TODAY = datetime.date(2026, 11, 27)
SIZE = 60


def _signature():
    """What a person would recognise a generated database by: names, departments, amounts, states."""
    return [
        (p.name, p.owner.name, p.total_investment_yuan, p.state)
        for p in Project.objects.select_related("owner").order_by("pk")
    ]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Generated twice from the same seed: once rolled back, then again and kept for the
    module's tests; the signatures of both go with it."""
    storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path_factory.mktemp("documents"))},
    }
    from django.conf import settings

    storages = {**settings.STORAGES, "documents": storage}
    with override_settings(STORAGES=storages), built_once(django_db_blocker):
        from django.db import transaction

        with transaction.atomic():
            province.generate(SIZE, seed=7, today=TODAY)
            first = _signature()
            transaction.set_rollback(True)
        assert not Project.objects.exists()
        summary = province.generate(SIZE, seed=7, today=TODAY)
        yield summary, (first, _signature())


@pytest.fixture
def generated(world, db):
    return world


def test_every_state_is_reached_and_the_count_is_what_was_asked(generated):
    summary, _signatures = generated
    assert Project.objects.count() == SIZE
    assert set(Project.objects.values_list("state", flat=True)) == set(ProjectState.values)
    assert summary.clones == SIZE - summary.sample > 0


def test_forty_departments_each_with_a_preparer_and_a_head(generated):
    owners = Organisation.objects.filter(kind="owner")
    assert owners.count() == 40
    for org in owners:
        assert set(org.members.values_list("role", flat=True)) >= {"preparer", "head"}


def test_the_audit_chain_of_the_generated_database_verifies(generated, capsys):
    assert chain.verify(AuditEntry).ok
    call_command("verify_audit")  # raises CommandError on a broken link
    assert "哈希链完整" in capsys.readouterr().out


def test_same_seed_same_projects(generated):
    _summary, (first, second) = generated
    assert first == second == _signature()
    assert len(first) == SIZE


def test_another_seed_gives_other_projects(generated):
    sample = province.templates()[: generated[0].sample]
    depts = province.departments()
    one = province.plan_clones(sample, depts, 30, random.Random(7))
    other = province.plan_clones(sample, depts, 30, random.Random(8))
    assert [c.name for c in one] != [c.name for c in other]


def test_a_clone_keeps_its_own_department_in_its_history(generated):
    """办法第三十五条: each audit row says who acted for which organisation. A clone's steps taken
    by the department's people name the clone's own department and person, never the sample's."""
    summary, _ = generated
    clones = Project.objects.order_by("pk")[summary.sample :]
    checked = 0
    for project in clones:
        rows = project.audit_entries.filter(role__in=("preparer", "head"), organisation__kind="owner")
        for row in rows:
            assert row.organisation_id == project.owner_id, (project, row)
            assert row.actor.organisation_id == project.owner_id
            assert row.actor_name == str(row.actor)
            checked += 1
    assert checked > 0


def test_a_clone_has_the_rows_of_its_state(generated):
    """A clone under construction has what the 办法 asks on the way there: the design approved
    (第十八条) with an estimate, its clocks and a contract (第二十一、二十四条); its yearly
    amounts add up to its total (第九条), whatever factor scaled it."""
    summary, _ = generated
    clones = Project.objects.filter(pk__gt=Project.objects.order_by("pk")[summary.sample - 1].pk)
    built = clones.filter(state__in=("construction", "operation", "closed")).first()
    if built is None:
        pytest.skip("no clone past construction at this size")
    assert built.design_approval_no and built.approved_estimate_yuan
    assert built.contracts.filter(kind="supervision").exists()
    assert Clock.objects.filter(project=built).exists()
    for project in clones:
        yearly = sum(y.amount_yuan for y in project.yearly_investments.all())
        assert yearly == project.total_investment_yuan, project


def test_every_projects_first_due_is_its_earliest_running_deadline(generated):
    """Issue 10: the home queues' order (``Project.first_due``) is true of the clones too,
    whose clocks were copied in bulk — counted here from the clocks themselves."""
    earliest: dict[int, object] = {}
    for project_id, due, extended in Clock.objects.filter(
        project__isnull=False, stopped_on__isnull=True
    ).values_list("project_id", "due_on", "extended_to"):
        day = extended or due
        earliest[project_id] = min(day, earliest.get(project_id, day))
    stored = dict(Project.objects.values_list("pk", "first_due"))
    assert any(stored.values())
    assert stored == {pk: earliest.get(pk) for pk in stored}


def test_the_plans_tallies_are_the_sums_of_the_generated_rows(generated):
    """Issue 10: the plan tallies the database's triggers keep (projects/models_tally.py) hold
    for the clones, inserted in bulk, as for the projects taken through the services."""
    from tests.projects.test_plan_tallies import expected, kept

    tallies = kept()
    assert tallies[0] and tallies[1]
    assert tallies == expected()


def test_clones_spread_over_the_departments_with_positive_amounts(generated):
    summary, _ = generated
    clones = Project.objects.order_by("pk")[summary.sample :]
    assert len({p.owner_id for p in clones}) >= 10
    assert all(p.total_investment_yuan > Decimal(0) for p in clones)
    assert len({p.total_investment_yuan for p in clones}) > len(clones) // 2


def test_the_benchmarks_run_at_this_size(generated, settings):
    """bench/measure.py's items run against the generated database: a page, a workbook, a CSV
    and a PDF, each against its bare baseline, with a positive time, a query count and a ratio."""
    from bench import measure

    settings.ROOT_URLCONF = "bench.urls"
    pages = [i for i in measure.page_items(include_plan=True) if i.role == "edu_head"][:2]
    exports = measure.export_items()
    xlsx = next(i for i in exports if i.group == "xlsx")
    csv = next(i for i in exports if i.group == "csv")
    pdf = measure.pdf_items(include_plan=False)[0]
    results = [measure.measure(item, runs=1, slow=2.0) for item in (*pages, xlsx, csv, pdf)]
    for r in results:
        assert r.ours_ms > 0 and r.bare_ms > 0 and r.ratio > 0, r
        assert r.ours_queries is not None and r.ours_queries > 0, r
    assert results[0].bare_queries and results[0].bare_queries > 0
    table = measure.markdown(
        results, {"projects": SIZE, "database": "x", "cpus": 2, "machine": "m", "runs": 1}
    )
    assert table.count("\n| ") == len(results) + 1


@pytest.mark.django_db
def test_it_refuses_a_database_that_has_projects():
    ProjectFactory(owner=OrganisationFactory(kind="owner"))
    before = Project.objects.count()
    with pytest.raises(CommandError, match="数据库中已有项目"):
        call_command("generate_province", "--projects", "5")
    assert Project.objects.count() == before
