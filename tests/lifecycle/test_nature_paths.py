"""建设性质 (issue 15): each of the five natures walks its own path, written here from the
办法 (not read from lifecycle/machine.py), and the steps of the other path are refused with
their article.

* 新建, 续建, 扩建·升级改造: 申报 → 联合审核 → 年度计划 (第八、十、十一条) → 可研 (第十五条) →
  初步设计 (第十八条; merged into the 可研 for an upgrade under 第十七条（一）) → 审定 (第十九条) →
  开工 with 监理 (第二十四条) → 建成, 竣工验收 (第二十九条) → 投入运行, 自评价 (第三十三条).
* 运维, 购买服务: 申报 → 联合审核 → 年度计划 like every item; then 开始执行 with the contract
  (第二十一条), a 绩效评价报告 for each year (第二十五条), 服务期满 — no 可研, 初步设计, 审定,
  监理 or 竣工验收 (第十五、二十四、二十九条 concern construction). A system under a 第三十四条
  finding gets no 运行维护经费.
"""

from __future__ import annotations

import datetime

import pytest

from core.nature import ProjectNature as N
from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import guards as g, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects.models import Project
from projects.supervision import finding_lift, finding_set
from projects.supervision_models import FindingKind
from tests.factories import ProjectFactory
from tests.lifecycle.builders import nature_project_in, project_in

D = datetime.date

#: The steps of the plan stage, every nature alike (第八、十、十一条).
PLAN = ["submit", "accept_application", "pass_review", "enter_plan"]
#: The long path after the plan (第十五至十九、二十四、二十九、三十三条).
APPROVAL = ["submit_fsr", "approve_fsr", "submit_design", "approve_design", "submit_ratification", "ratify"]
BUILD = ["start_construction", "complete_construction", "apply_acceptance", "accept", "go_live"]
EVALUATE = ["submit_self_evaluation", "close"]
#: The short path of 运维 and 购买服务 (第二十一、二十五条).
SHORT = ["start_service", "finish_service"]
LONG_ONLY = set(APPROVAL + BUILD + EVALUATE)


def steps_of(project) -> list[str]:
    """The project's transitions, in the order they were taken (its audit rows)."""
    names = {t.name for t in Project._meta.get_field("state").get_all_transitions(Project)}
    rows = AuditEntry.objects.filter(project=project).order_by("pk").values_list("action", flat=True)
    return [a for a in rows if a in names]


def refused(project, name, person, on, **data) -> RuleViolation:
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(project, name, actor=person, **data)
    assert Project.objects.get(pk=project.pk).state == project.state
    return exc.value


def offered(project, person, on) -> set[str]:
    with as_of(on):
        return {s["name"] for s in services.available(project, person)}


# ================================================================ each nature walks its own path


@pytest.mark.django_db
def test_a_new_project_walks_the_whole_construction_path(orgs, people, call_2026):
    project, _on = project_in(S.CLOSED, orgs, people, call_2026)
    assert project.nature == N.NEW  # the default, as for every project before issue 15
    assert steps_of(project) == PLAN + APPROVAL + BUILD + EVALUATE
    assert project.contracts.filter(kind="supervision").exists()  # 第二十四条


@pytest.mark.django_db
def test_a_continuation_walks_the_construction_path_and_names_its_earlier_project(orgs, people, call_2026):
    earlier = ProjectFactory(owner=orgs["owner"], name="前期平台", state=S.CLOSED, accepted_on=D(2024, 5, 6))
    project, _on = nature_project_in(
        S.CONSTRUCTION, orgs, people, call_2026, N.CONTINUED, predecessor=earlier
    )
    assert steps_of(project) == PLAN + APPROVAL + ["start_construction"]
    assert project.predecessor == earlier


@pytest.mark.django_db
def test_an_upgrade_may_take_the_merged_path_of_article_17_ground_one(orgs, people, call_2026):
    project, _on = nature_project_in(
        S.CONSTRUCTION, orgs, people, call_2026, N.UPGRADE, merged_fsr_design=True, merged_ground="extension"
    )
    # 办法第十七条: only the FSR is approved, the design is merged into it.
    expected = ["submit_fsr", "approve_fsr", "submit_ratification", "ratify", "start_construction"]
    assert steps_of(project) == PLAN + expected
    assert project.approved_estimate_yuan == project.fsr_estimate_yuan


@pytest.mark.django_db
@pytest.mark.parametrize("nature", [N.OPERATION, N.SERVICE])
def test_operation_and_service_walk_the_short_path(orgs, people, call_2026, nature):
    project, _on = nature_project_in(S.CLOSED, orgs, people, call_2026, nature)
    assert steps_of(project) == PLAN + SHORT
    # 办法第二十一条: the contract; 第二十四条: no 监理; 第二十五条: a report for each year.
    assert project.contracts.filter(kind="construction").exists()
    assert not project.contracts.filter(kind="supervision").exists()
    years = set(project.performance_reports.values_list("year", flat=True))
    assert years == set(range(project.construction_started_on.year, project.completed_on.year + 1))


# ================================================================ the other path is refused


@pytest.mark.django_db
@pytest.mark.parametrize("nature", [N.OPERATION, N.SERVICE])
def test_the_long_path_is_refused_and_not_offered_to_operation_and_service(orgs, people, call_2026, nature):
    project, on = nature_project_in(S.IN_PLAN, orgs, people, call_2026, nature)
    preparer = people.owner_preparer
    error = refused(project, "submit_fsr", preparer, on)
    assert error.article == "第十五条" and "办法第十五条" in error.message
    assert str(N(nature).label) in error.message and "不编报可行性研究报告" in error.message
    steps = offered(project, preparer, on)
    assert "start_service" in steps and "submit_fsr" not in steps

    with as_of(on):
        services.perform(project, "start_service", actor=preparer, construction_started_on=on)
    error = refused(project, "complete_construction", people.owner_head, on + datetime.timedelta(days=3))
    assert error.article == "第二十九条" and "不组织竣工验收" in error.message
    steps = offered(project, people.owner_head, on + datetime.timedelta(days=3))
    assert "finish_service" in steps and "complete_construction" not in steps


@pytest.mark.django_db
def test_the_short_path_is_refused_to_a_new_project(orgs, people, call_2026):
    project, on = project_in(S.IN_PLAN, orgs, people, call_2026)
    error = refused(project, "start_service", people.owner_preparer, on, construction_started_on=on)
    assert error.article == "第十五条" and "须经可行性研究报告、初步设计方案批复和省政府审定" in error.message
    assert "start_service" not in offered(project, people.owner_preparer, on)


@pytest.mark.django_db
def test_ending_the_service_needs_the_contract_and_every_yearly_report(orgs, people, call_2026):
    project, on = nature_project_in(S.IN_PLAN, orgs, people, call_2026, N.OPERATION)
    with as_of(on):
        services.perform(project, "start_service", actor=people.owner_preparer, construction_started_on=on)
    later = D(on.year + 1, 3, 2)  # two years of execution: on.year and the next
    error = refused(project, "finish_service", people.owner_head, later, completed_on=later)
    assert "办法第二十一条" in error.message  # no contract yet
    assert "办法第二十五条" in error.message and f"{on.year}、{on.year + 1}年度" in error.message
    from web.scenarios import Walker

    walker = Walker(people)
    walker.service_contract(project, on)
    with as_of(later):
        services.performance_report_submit(
            project,
            actor=people.owner_preparer,
            year=on.year,
            progress="按合同运维。",
            investment_executed_yuan=project.total_investment_yuan,
            user_opinions="满意。",
            supervisor_opinion="",  # no 监理 on the short path (第二十四条)
        )
    error = refused(project, "finish_service", people.owner_head, later, completed_on=later)
    assert error.article == "第二十五条" and f"尚缺{on.year + 1}年度" in error.message
    walker.yearly_reports(project, later)
    with as_of(later):
        services.perform(project, "finish_service", actor=people.owner_head, completed_on=later)
    assert Project.objects.get(pk=project.pk).state == S.CLOSED


# ================================================================ 第三十四条: no 运维经费


@pytest.mark.django_db
def test_an_operation_request_for_a_system_under_a_finding_is_refused(orgs, people, call_2026):
    project, on = nature_project_in(S.IN_PLAN, orgs, people, call_2026, N.OPERATION)
    with as_of(on):
        finding = finding_set(
            actor=people.bureau_reviewer,
            organisation=orgs["owner"],
            kind=FindingKind.DATA_NOT_SHARED,
            system=project.system_name,
            reason="未按目录共享数据",
            evidence="黑营商函〔2025〕9号",
        )
    project.refresh_from_db()
    assert g.system_compliant(project) is False
    error = refused(project, "start_service", people.owner_preparer, on, construction_started_on=on)
    assert error.article == "第三十四条" and "不得申报运行维护经费" in error.message
    assert project.system_name in error.message
    with as_of(on):
        finding_lift(
            finding, actor=people.bureau_reviewer, reason="已整改共享", evidence="黑营商函〔2025〕10号"
        )
    project.refresh_from_db()
    with as_of(on):
        services.perform(project, "start_service", actor=people.owner_preparer, construction_started_on=on)


@pytest.mark.django_db
def test_a_finding_against_the_earlier_project_counts_for_its_system(orgs, people):
    earlier = ProjectFactory(owner=orgs["owner"], name="已建系统建设项目", state=S.CLOSED)
    finding_set(
        actor=people.cac_reviewer,
        organisation=orgs["owner"],
        kind=FindingKind.NETWORK_SECURITY,
        system="另一个名称",
        reason="未通过网络安全检查",
        evidence="黑网信函〔2025〕2号",
        project=earlier,
    )
    om = ProjectFactory(owner=orgs["owner"], nature=N.OPERATION, system_name="已建系统", predecessor=earlier)
    upgrade = ProjectFactory(
        owner=orgs["owner"], nature=N.UPGRADE, system_name="已建系统", predecessor=earlier
    )
    new = ProjectFactory(owner=orgs["owner"], nature=N.NEW, predecessor=earlier)
    assert "不得申报运行维护经费" in g.system_compliant.explain(om)
    assert "不得改建、扩建" in g.system_compliant.explain(upgrade)
    assert not g.system_compliant(om) and not g.system_compliant(upgrade) and g.system_compliant(new)


# ================================================================ 第三十八条, 第十七条（一）


@pytest.mark.django_db
def test_links_each_nature_needs_before_submission(orgs):
    continued = ProjectFactory(owner=orgs["owner"], nature=N.CONTINUED)
    message = g.nature_links_given.explain(continued)
    assert not g.nature_links_given(continued) and "前期项目" in message and "第三十八条" in message
    om = ProjectFactory(owner=orgs["owner"], nature=N.OPERATION, system_name=" ")
    assert not g.nature_links_given(om) and "第三十四条" in g.nature_links_given.explain(om)
    for nature in (N.NEW, N.SERVICE):
        assert g.nature_links_given(ProjectFactory(owner=orgs["owner"], nature=nature))


@pytest.mark.django_db
def test_ground_one_is_refused_to_a_project_that_is_not_an_upgrade(orgs, people, call_2026):
    project, on = project_in(S.IN_PLAN, orgs, people, call_2026)
    Project.objects.filter(pk=project.pk).update(merged_fsr_design=True, merged_ground="extension")
    project.refresh_from_db()
    error = refused(project, "submit_fsr", people.owner_preparer, on)
    assert "办法第十七条" in error.message and "部分扩建、改建（升级改造）" in error.message
