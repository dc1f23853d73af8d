"""办法第二十九、三十二条: completion acceptance with every listed agency, none of which
disagrees; 省委保密办 answers for every project ("不涉及" only when no state secret is
involved); a refused extension of the acceptance application may be asked for again, with
new reasons."""

from __future__ import annotations

import datetime

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.workdays import add_months
from tests.lifecycle.builders import project_in

DAY = datetime.timedelta(days=1)
#: 办法第二十九条: 会同省委网信办、省委保密办、省国家密码管理局、省发改委、省公安厅.
AGENCIES = ("cac", "secrecy", "crypto", "drc", "police")


def give(project, people, on, **conclusions):
    with as_of(on):
        for kind in AGENCIES:
            services.opinion_give(
                project,
                actor=people[f"{kind}_reviewer"],
                aspect=f"{kind}_acceptance",
                conclusion=conclusions.get(kind, "approve"),
                text="意见。",
            )


def accept(project, people, on):
    with as_of(on):
        return services.perform(project, "accept", actor=people.bureau_head, accepted_on=on)


def test_acceptance_does_not_pass_while_an_agency_disagrees(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    give(project, people, on, police="reject", secrecy="not_applicable")
    with pytest.raises(RuleViolation) as exc:
        accept(project, people, on)
    assert "办法第二十九条" in exc.value.message and "省公安厅" in exc.value.message
    project.refresh_from_db()
    assert project.state == S.ACCEPTANCE_REVIEW
    # The latest opinion of each agency counts: 公安厅 agrees after the owner's improvements.
    with as_of(on + DAY):
        services.opinion_give(
            project,
            actor=people.police_reviewer,
            aspect="police_acceptance",
            conclusion="approve",
            text="已整改。",
        )
    accept(project, people, on + DAY)
    assert project.state == S.ACCEPTED


def test_the_secrecy_office_takes_part_in_every_acceptance(orgs, people, call_2026):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    assert not project.classified
    with as_of(on):
        for kind in ("cac", "crypto", "drc", "police"):
            services.opinion_give(
                project,
                actor=people[f"{kind}_reviewer"],
                aspect=f"{kind}_acceptance",
                conclusion="approve",
                text="同意",
            )
    with pytest.raises(RuleViolation) as exc:
        accept(project, people, on)
    assert "省委保密办" in exc.value.message and "办法第二十九条" in exc.value.message
    with as_of(on):
        services.opinion_give(
            project,
            actor=people.secrecy_reviewer,
            aspect="secrecy_acceptance",
            conclusion="not_applicable",
            text="本项目不涉及国家秘密。",
        )
    accept(project, people, on)
    assert project.state == S.ACCEPTED


def test_not_applicable_is_only_the_secrecy_offices_answer_for_an_unclassified_project(
    orgs, people, call_2026
):
    project, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026)
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.opinion_give(
            project, actor=people.cac_reviewer, aspect="cac_acceptance", conclusion="not_applicable", text="-"
        )
    assert "办法第二十九、三十二条" in exc.value.message
    assert not project.opinions.filter(stage="acceptance").exists()


def test_a_classified_project_gets_a_real_opinion_from_the_secrecy_office(orgs, people, call_2026):
    classified, on = project_in(S.ACCEPTANCE_REVIEW, orgs, people, call_2026, classified=True)
    with as_of(on), pytest.raises(RuleViolation):
        services.opinion_give(
            classified,
            actor=people.secrecy_reviewer,
            aspect="secrecy_acceptance",
            conclusion="not_applicable",
            text="-",
        )
    assert not classified.opinions.filter(stage="acceptance").exists()


def test_a_refused_extension_may_be_asked_for_again_with_new_reasons(orgs, people, call_2026):
    project, on = project_in(S.EXTENSION_REQUESTED, orgs, people, call_2026)
    first = project.audit_entries.get(action="request_extension")
    with as_of(on):
        services.perform(project, "refuse_extension", actor=people.bureau_head, reason="理由不充分。")
    assert project.state == S.COMPLETED
    later = on + 2 * DAY
    # 办法第二十九条: half a year from completion, asked to be moved three months later.
    due = add_months(project.completed_on, 6 + 3)
    with as_of(later), pytest.raises(RuleViolation) as exc:
        services.perform(
            project,
            "request_extension",
            actor=people.owner_head,
            reason="  " + first.reason + " ",
            requested_due_on=due,
        )
    assert "新的理由" in exc.value.message and "办法第二十九条" in exc.value.message
    project.refresh_from_db()
    assert project.state == S.COMPLETED
    with as_of(later):
        services.perform(
            project,
            "request_extension",
            actor=people.owner_head,
            reason="档案验收排期至下季度，已取得档案馆书面说明。",
            requested_due_on=due,
        )
    assert project.state == S.EXTENSION_REQUESTED
    assert project.audit_entries.filter(action="request_extension").count() == 2
