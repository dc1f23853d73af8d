"""办法第八条: 省级有关部门和单位……汇总整合、严格审核把关后统一申报，不得分散申报；相似的项目不得
拆分申报。办法第二十一条: 项目责任人为项目建设单位主要负责人.

A department's drafts enter review only through its one consolidated submission for the
call (申报函 signed by its 负责人, split check, 项目责任人), or through an explicit, audited
补充申报 of that submission while the call is open. Dates follow the June window of 第八条:
the 2026 call is open from 2025-06-01 to 2025-06-30.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import services as project_services
from projects.models import CallSubmission, Project, SplitWarning, SubmissionAmendment
from tests.conftest import at
from tests.factories import ProjectFactory, UserFactory, complete_application
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

D = datetime.date
IN_JUNE = D(2025, 6, 10)
LATER_IN_JUNE = D(2025, 6, 20)
AFTER_JUNE = D(2025, 7, 1)

UNRELATED = {
    "content_and_scale": "建设火情感知网络与林区视频监控，接入气象数据。",
    "performance_targets": "火情发现时间缩短到15分钟以内。",
    "technical_route": "物联网感知与GIS一张图。",
}


def draft(orgs, call, name, **fields):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call, name=name))
    for field, value in fields.items():
        setattr(project, field, value)
    project.save()
    return project


def submission_of(orgs, call):
    return CallSubmission.objects.get_or_create(call=call, organisation=orgs["owner"])[0]


def submit(orgs, people, call, on=IN_JUNE, **kw):
    kw = {
        "actor": people.owner_head,
        "letter": "关于报送2026年度政务信息化建设需求的函",
        "responsible_person": people.owner_head,
        **kw,
    }
    with as_of(on):
        return project_services.call_submit(submission_of(orgs, call), **kw)


def refused(fn, *args, **kw) -> RuleViolation:
    """``fn(*args, **kw)`` raises a RuleViolation; ``submit``/``amend`` take their own ``on``."""
    with pytest.raises(RuleViolation) as exc:
        fn(*args, **kw)
    return exc.value


def perform_on(on, *args, **kw):
    with as_of(on):
        return services.perform(*args, **kw)


# ------------------------------------------------------------ no per-project submit


def test_perform_refuses_the_per_project_submit(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(perform_on, IN_JUNE, project, "submit", actor=people.owner_head)
    assert error.code == "via" and "办法第八条" in error.message and "不得逐个项目分散申报" in error.message
    project.refresh_from_db()
    assert project.state == S.DRAFT and project.submission is None
    assert not AuditEntry.objects.filter(project=project).exists()


def test_perform_refuses_a_via_step_named_for_another_service(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(perform_on, IN_JUNE, project, "submit", actor=people.owner_head, via="plan_approval")
    assert error.code == "via"
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


def test_the_submit_step_is_not_offered_to_anyone(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    for person in (people.owner_head, people.owner_preparer):
        with as_of(IN_JUNE):
            names = {s["name"] for s in services.available(project, person)}
        assert "submit" not in names
    # The emergency request of 办法第十二条 stays a step of its own.
    assert "request_emergency" in {s["name"] for s in services.available(project, people.owner_head)}


def test_the_project_page_has_no_per_project_submit_button(client, orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    client.force_login(people.owner_head)
    with at(2025, 6, 10):
        page = client.get(reverse("project", args=[project.pk])).content.decode()
    assert reverse("project_step", args=[project.pk, "submit"]) not in page
    # The way in is the department's consolidated submission.
    assert reverse("call_submit", args=[2026]) in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_step_url_refuses_the_per_project_submit(client, orgs, people, call_2026, method):
    project = draft(orgs, call_2026, "学生资助管理系统")
    client.force_login(people.owner_head)
    url = reverse("project_step", args=[project.pk, "submit"])
    with at(2025, 6, 10):
        response = getattr(client, method)(url, {"reason": ""}, follow=True)
    assert "办法第八条" in response.content.decode() and "不得逐个项目分散申报" in response.content.decode()
    project.refresh_from_db()
    assert project.state == S.DRAFT
    assert not AuditEntry.objects.filter(project=project).exists()


def test_the_step_url_is_forbidden_to_the_preparer(client, orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    client.force_login(people.owner_preparer)
    with at(2025, 6, 10):
        assert client.post(reverse("project_step", args=[project.pk, "submit"]), {}).status_code == 403
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


def test_the_admin_cannot_submit_one_project(client, orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    head = people.owner_head
    head.is_staff = head.is_superuser = True
    head.save()
    client.force_login(head)
    with at(2025, 6, 10):
        client.post(
            reverse("admin:projects_project_transition", args=[project.pk, "submit"]),
            {"reason": "", "override_reason": ""},
        )
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


def test_a_project_enters_the_plan_only_with_the_plans_approval(orgs, people, call_2026):
    """办法第十一条: the government approves the plan as a whole."""
    project, on = project_in(S.REVIEW_PASSED, orgs, people, call_2026)
    for name in ("enter_plan", "leave_out"):
        error = refused(perform_on, on, project, name, actor=people.government_head, reason="x")
        assert error.code == "via" and "办法第十一条" in error.message
        assert name not in {s["name"] for s in services.available(project, people.government_head)}
    assert Project.objects.get(pk=project.pk).state == S.REVIEW_PASSED


# ------------------------------------------------------------ the consolidated submission


def test_the_submission_needs_a_letter(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(submit, orgs, people, call_2026, letter="   ")
    assert error.code == "letter" and "申报函" in error.message and "办法第八条" in error.message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT
    assert CallSubmission.objects.get().submitted_at is None


@pytest.mark.parametrize("signer", ["owner_preparer", "other_owner_head", "bureau_head"])
def test_the_submission_is_signed_by_the_departments_head(orgs, people, call_2026, signer):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(submit, orgs, people, call_2026, actor=people[signer])
    assert error.code == "permission" and "办法第八条" in error.message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


def test_the_responsible_person_must_be_named(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(submit, orgs, people, call_2026, responsible_person=None)
    assert error.code == "responsible_person" and "办法第二十一条" in error.message
    assert Project.objects.get(pk=project.pk).responsible_person is None


@pytest.mark.parametrize("person", ["owner_preparer", "other_owner_head"])
def test_the_responsible_person_is_a_head_of_the_department(orgs, people, call_2026, person):
    """办法第二十一条: 项目责任人为项目建设单位主要负责人 — not a clerk, not another unit's head."""
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(submit, orgs, people, call_2026, responsible_person=people[person])
    assert error.code == "responsible_person" and "办法第二十一条" in error.message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


def test_the_named_principal_head_becomes_every_projects_responsible_person(orgs, people, call_2026):
    # A deputy signs; the unit's 主要负责人 is another head account, named explicitly.
    principal = UserFactory(username="owner_principal", organisation=orgs["owner"], role="head")
    first = draft(orgs, call_2026, "学生资助管理系统")
    second = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    submission = submit(orgs, people, call_2026, responsible_person=principal)
    for project in (first, second):
        project.refresh_from_db()
        assert project.state == S.SUBMITTED and project.submission == submission
        assert project.responsible_person == principal
    assert submission.responsible_person == principal and submission.signed_by == people.owner_head


def test_the_submission_leaves_an_audit_row_and_each_project_names_it(orgs, people, call_2026):
    first = draft(orgs, call_2026, "学生资助管理系统")
    second = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    submission = submit(orgs, people, call_2026)
    entry = AuditEntry.objects.get(action="call.submitted")
    assert entry.actor == people.owner_head and entry.article == "第八条"
    assert entry.object_type == "projects.callsubmission" and entry.object_id == str(submission.pk)
    assert entry.reason == "关于报送2026年度政务信息化建设需求的函"
    assert sorted(entry.data["projects"]) == sorted([first.pk, second.pk])
    assert entry.data["responsible_person"]["id"] == people.owner_head.pk
    for project in (first, second):
        row = AuditEntry.objects.get(project=project, action="submit")
        assert row.actor == people.owner_head and row.data["submission"] == submission.pk
        assert (row.from_state, row.to_state) == (S.DRAFT, S.SUBMITTED)


def test_likely_split_applications_must_be_confirmed_before_signing(orgs, people, call_2026):
    """办法第八条: 建设目标、主要内容、技术路线等相似的项目不得拆分申报."""
    a = draft(orgs, call_2026, "中小学学籍管理系统")
    b = draft(orgs, call_2026, "中小学学籍管理系统数据交换")
    error = refused(submit, orgs, people, call_2026)
    assert error.code == "split" and "办法第八条" in error.message
    assert "中小学学籍管理系统" in error.message and "中小学学籍管理系统数据交换" in error.message
    assert set(Project.objects.values_list("state", flat=True)) == {S.DRAFT}
    assert not SplitWarning.objects.exists()

    submission = submit(orgs, people, call_2026, splits_confirmed=True)
    assert [(w["first"], w["second"]) for w in submission.split_warnings] == [(a.pk, b.pk)]
    assert [(w.first_id, w.second_id) for w in SplitWarning.objects.all()] == [(a.pk, b.pk)]
    entry = AuditEntry.objects.get(action="call.submitted")
    assert [(w["first"], w["second"]) for w in entry.data["split_warnings"]] == [(a.pk, b.pk)]


def test_a_second_consolidated_submission_is_refused(orgs, people, call_2026):
    """办法第八条: 统一申报，不得分散申报."""
    draft(orgs, call_2026, "学生资助管理系统")
    submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    error = refused(submit, orgs, people, call_2026, on=LATER_IN_JUNE)
    assert (
        error.code == "already_submitted"
        and "不得分散申报" in error.message
        and "办法第八条" in error.message
    )
    assert Project.objects.get(pk=late.pk).state == S.DRAFT
    assert AuditEntry.objects.filter(action="call.submitted").count() == 1


def test_the_submission_is_refused_outside_the_june_window(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(submit, orgs, people, call_2026, on=AFTER_JUNE)
    assert error.code == "closed" and "办法第八条" in error.message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


# ------------------------------------------------------------ 补充申报


def amend(orgs, people, call, on=LATER_IN_JUNE, **kw):
    kw = {"actor": people.owner_head, "letter": "关于补充报送2026年度政务信息化建设需求的函", **kw}
    with as_of(on):
        return project_services.call_amend(submission_of(orgs, call), **kw)


def test_a_late_project_is_added_by_an_audited_amendment_while_the_call_is_open(orgs, people, call_2026):
    first = draft(orgs, call_2026, "学生资助管理系统")
    submission = submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    amendment = amend(orgs, people, call_2026)
    assert (amendment.submission, amendment.number, amendment.signed_by) == (submission, 1, people.owner_head)
    assert list(amendment.projects.all()) == [late]
    late.refresh_from_db()
    assert late.state == S.SUBMITTED and late.submission == submission
    assert late.responsible_person == people.owner_head
    row = AuditEntry.objects.get(project=late, action="submit")
    assert row.data["amendment"] == amendment.pk and row.data["submission"] == submission.pk
    entry = AuditEntry.objects.get(action="call.amended")
    assert entry.actor == people.owner_head and entry.article == "第八条"
    assert entry.object_type == "projects.submissionamendment" and entry.data["projects"] == [late.pk]
    assert entry.reason == "关于补充报送2026年度政务信息化建设需求的函"
    # The first project is untouched by the amendment.
    assert not AuditEntry.objects.filter(project=first, data__amendment=amendment.pk).exists()


def test_a_second_amendment_gets_the_next_number(orgs, people, call_2026):
    draft(orgs, call_2026, "学生资助管理系统")
    submit(orgs, people, call_2026)
    draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    amend(orgs, people, call_2026)
    draft(
        orgs,
        call_2026,
        "危险化学品监管系统",
        content_and_scale="危化品企业在线监测。",
        performance_targets="重大危险源全部联网。",
        technical_route="视频与传感器接入。",
    )
    assert amend(orgs, people, call_2026, on=D(2025, 6, 25)).number == 2


def test_an_amendment_is_refused_after_the_call_closed(orgs, people, call_2026):
    draft(orgs, call_2026, "学生资助管理系统")
    submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    error = refused(amend, orgs, people, call_2026, on=AFTER_JUNE)
    assert error.code == "closed" and "办法第八条" in error.message and "补充申报" in error.message
    assert Project.objects.get(pk=late.pk).state == S.DRAFT
    assert not SubmissionAmendment.objects.exists()


def test_an_amendment_is_refused_before_the_first_submission(orgs, people, call_2026):
    project = draft(orgs, call_2026, "学生资助管理系统")
    error = refused(amend, orgs, people, call_2026)
    assert error.code == "not_submitted" and "办法第八条" in error.message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT
    assert not SubmissionAmendment.objects.exists()


def test_an_amendment_needs_its_own_letter_and_the_head(orgs, people, call_2026):
    draft(orgs, call_2026, "学生资助管理系统")
    submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    assert refused(amend, orgs, people, call_2026, letter="").code == "letter"
    assert refused(amend, orgs, people, call_2026, actor=people.owner_preparer).code == "permission"
    assert Project.objects.get(pk=late.pk).state == S.DRAFT


def test_an_amendment_is_checked_for_splits_against_what_was_already_submitted(orgs, people, call_2026):
    first = draft(orgs, call_2026, "中小学学籍管理系统")
    submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "中小学学籍管理系统数据交换")
    error = refused(amend, orgs, people, call_2026)
    assert error.code == "split" and "中小学学籍管理系统" in error.message and "办法第八条" in error.message
    assert Project.objects.get(pk=late.pk).state == S.DRAFT
    amendment = amend(orgs, people, call_2026, splits_confirmed=True)
    assert [(w["first"], w["second"]) for w in amendment.split_warnings] == [(first.pk, late.pk)]
    assert [(w.first_id, w.second_id) for w in SplitWarning.objects.all()] == [(first.pk, late.pk)]


# ------------------------------------------------------------ the page


def test_the_page_shows_the_split_warnings_before_signing_and_writes_nothing(client, orgs, people, call_2026):
    draft(orgs, call_2026, "中小学学籍管理系统")
    draft(orgs, call_2026, "中小学学籍管理系统数据交换")
    client.force_login(people.owner_head)
    before = AuditEntry.objects.of_work().count()
    with at(2025, 6, 10):
        page = client.get(reverse("call_submit", args=[2026])).content.decode()
    assert (
        "拆分申报预警" in page and "中小学学籍管理系统数据交换" in page and 'name="splits_confirmed"' in page
    )
    assert 'name="responsible_person"' in page and f'value="{people.owner_head.pk}"' in page
    assert not SplitWarning.objects.exists() and AuditEntry.objects.of_work().count() == before


def test_the_head_submits_through_the_page(client, orgs, people, call_2026):
    a = draft(orgs, call_2026, "中小学学籍管理系统")
    b = draft(orgs, call_2026, "中小学学籍管理系统数据交换")
    client.force_login(people.owner_head)
    url = reverse("call_submit", args=[2026])
    data = {"letter": "关于报送需求的函", "responsible_person": str(people.owner_head.pk)}
    with at(2025, 6, 10):
        response = client.post(url, data)
        assert response.status_code == 400 and "可能属于拆分申报" in response.content.decode()
        assert not CallSubmission.objects.exists()
        response = client.post(url, {**data, "responsible_person": "abc"})
        assert response.status_code == 400 and "办法第二十一条" in response.content.decode()
        response = client.post(url, {**data, "splits_confirmed": "1"})
    assert response.status_code == 302
    assert set(Project.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True)) == {S.SUBMITTED}
    with at(2025, 6, 11):
        response = client.post(url, {**data, "splits_confirmed": "1"})
    assert response.status_code == 400 and "不得分散申报" in response.content.decode()


def test_the_page_offers_the_amendment_after_submission_and_refuses_it_after_close(
    client, orgs, people, call_2026
):
    draft(orgs, call_2026, "学生资助管理系统")
    submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    client.force_login(people.owner_head)
    page_url, amend_url = reverse("call_submit", args=[2026]), reverse("call_amend", args=[2026])
    with at(2025, 7, 2):
        page = client.get(page_url).content.decode()
        assert amend_url not in page and "征集已截止，不能再补充申报" in page
        response = client.post(amend_url, {"letter": "补充申报函"})
    assert response.status_code == 400 and "不在年度需求征集期内" in response.content.decode()
    assert Project.objects.get(pk=late.pk).state == S.DRAFT
    with at(2025, 6, 20):
        page = client.get(page_url).content.decode()
        assert amend_url in page and "补充申报函正文" in page
        response = client.post(amend_url, {"letter": "关于补充报送需求的函"})
    assert response.status_code == 302
    assert Project.objects.get(pk=late.pk).state == S.SUBMITTED
    assert SubmissionAmendment.objects.get().letter == "关于补充报送需求的函"


def test_only_the_head_posts_an_amendment(client, orgs, people, call_2026):
    draft(orgs, call_2026, "学生资助管理系统")
    submit(orgs, people, call_2026)
    late = draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    url = reverse("call_amend", args=[2026])
    with at(2025, 6, 20):
        for persona, status in (("owner_preparer", 403), ("bureau_head", 404)):
            client.force_login(people[persona])
            assert client.post(url, {"letter": "函"}).status_code == status
        client.force_login(people.owner_head)
        assert client.get(url).status_code == 405
    assert Project.objects.get(pk=late.pk).state == S.DRAFT


# ------------------------------------------------------------ outside the call (办法第十二条)


def test_the_emergency_path_needs_no_submission(orgs, people, call_2026):
    project, _on = project_in(S.EMERGENCY_REQUESTED, orgs, people, call_2026)
    assert project.state == S.EMERGENCY_REQUESTED
    assert project.call is None and project.submission is None
    assert AuditEntry.objects.filter(project=project, action="request_emergency").exists()


def test_the_walker_submits_and_amends_through_the_services(orgs, people, call_2026):
    draft(orgs, call_2026, "学生资助管理系统")
    walker = Walker(people)
    submission = walker.submit_batch(call_2026, orgs["owner"], IN_JUNE)
    draft(orgs, call_2026, "森林草原防火监测系统", **UNRELATED)
    amendment = walker.amend_batch(call_2026, orgs["owner"], LATER_IN_JUNE)
    assert amendment.submission == submission
    assert set(Project.objects.values_list("state", flat=True)) == {S.SUBMITTED}
