"""What the pages do: the application form (办法第九条), the consolidated submission
(第八条), steps with reasons and overrides, the change ratio shown before submitting
(第二十八条), the calendar page, and query counts of lists and queues."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.states import ChangeState, ProjectState as S
from lifecycle.models import AuditEntry, CalendarDay, ChangeRequest, Clock
from projects import services as project_services
from projects.models import Project
from tests.conftest import at, built_once, make_orgs, make_people, refetch_people
from tests.factories import CallFactory, ProjectFactory, complete_application
from tests.web.conftest import build_scene, refetch_scene


def management(prefix, total=1, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def application_post(call, **extra):
    data = {"name": "全省教育督导平台", "call": str(call.pk), "network": "extranet", "action": "save"}
    for prefix in ("data", "yearly", "funding", "participants", "levels"):
        data.update(management(prefix))
    data.update(extra)
    return data


def test_the_login_page_lists_demo_accounts_grouped_by_organisation(client, people, settings):
    settings.DEMO_MODE = True
    body = client.get(reverse("login")).content.decode()
    assert "owner_preparer" in body and "黑龙江省教育厅" in body and "demo12345" in body


def test_the_login_page_lists_no_accounts_outside_demo_mode(client, people, settings):
    settings.DEMO_MODE = False
    assert "owner_preparer" not in client.get(reverse("login")).content.decode()


def test_a_person_signs_in_and_lands_on_the_home_page(client, people):
    response = client.post(reverse("login"), {"username": "owner_preparer", "password": "demo12345"})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_preparer_saves_a_draft_with_only_a_name(client, people, call_2026):
    client.force_login(people.owner_preparer)
    response = client.post(reverse("application_new"), application_post(call_2026))
    project = Project.objects.get(name="全省教育督导平台")
    assert response.status_code == 302
    assert project.owner == people.owner_preparer.organisation and project.state == S.DRAFT
    entry = AuditEntry.objects.get(project=project, action="application.saved")
    assert entry.actor == people.owner_preparer and entry.article == "第九条"


def test_checking_an_incomplete_application_lists_every_missing_item_next_to_its_field(
    client, people, call_2026
):
    client.force_login(people.owner_preparer)
    response = client.post(
        reverse("application_new"), application_post(call_2026, action="check"), follow=True
    )
    body = response.content.decode()
    project = Project.objects.get()
    assert response.redirect_chain == [(reverse("application_edit", args=[project.pk]) + "?check=1", 302)]
    for item in ("建设依据和必要性", "密码应用方案", "数据资源目录", "资金来源", "年度投资额"):
        assert f"缺少“{item}”（办法第九条）" in body
    # The draft was kept: what was typed is not lost.
    assert Project.objects.filter(name="全省教育督导平台").exists()


def test_invalid_input_keeps_what_was_typed(client, people, call_2026):
    client.force_login(people.owner_preparer)
    data = application_post(
        call_2026,
        basis_and_necessity="依据数字政府建设规划",
        period_months="十二",
        **management("data"),
        **{
            "data-0-name": "学籍信息",
            "data-0-sharing_type": "conditional",
            "data-0-provider": "省教育厅",
            "data-0-data_format": "库表",
            "data-0-update_cycle": "每日",
            "data-0-open_type": "closed",
        },
    )
    response = client.post(reverse("application_new"), data)
    body = response.content.decode()
    assert response.status_code == 200 and not Project.objects.exists()
    assert "依据数字政府建设规划" in body and "学籍信息" in body
    # 办法第十六条: conditional sharing must say its condition, shown next to that cell.
    assert "有条件共享或不予共享须说明条件或依据（办法第十六条）" in body


def test_a_complete_application_with_rows_goes_to_the_consolidated_submission(client, people, call_2026):
    client.force_login(people.owner_preparer)
    text = dict.fromkeys(
        (
            "basis_and_necessity",
            "content_and_scale",
            "performance_targets",
            "cloud_requirements",
            "protection_plan",
            "security_plan",
            "product_reliability",
            "crypto_plan",
        ),
        "内容",
    )
    data = application_post(
        call_2026,
        action="check",
        period_months="12",
        total_investment_yuan="300",
        **text,
        **{
            "data-0-name": "学籍信息",
            "data-0-provider": "省教育厅",
            "data-0-data_format": "库表",
            "data-0-update_cycle": "每日",
            "data-0-sharing_type": "unconditional",
            "data-0-open_type": "closed",
            "yearly-0-year": "2026",
            "yearly-0-amount_yuan": "300",
            "funding-0-source": "provincial",
            "funding-0-amount_yuan": "300",
        },
    )  # 万元
    response = client.post(reverse("application_new"), data)
    assert response.status_code == 302 and response["Location"] == reverse("call_submit", args=[2026])
    project = Project.objects.get()
    assert project.missing_application_items() == []
    assert project.data_resources.get().name == "学籍信息"


def test_only_the_head_signs_the_consolidated_submission_in_the_june_window(client, people, call_2026):
    """办法第八条."""
    project = complete_application(ProjectFactory(owner=people.owner_head.organisation, call=call_2026))
    client.force_login(people.owner_preparer)
    with at(2025, 6, 20):
        assert client.post(reverse("call_submit", args=[2026]), {"letter": "函"}).status_code == 403
    client.force_login(people.owner_head)
    with at(2025, 7, 2):
        response = client.post(reverse("call_submit", args=[2026]), {"letter": "关于报送需求的函"})
    assert response.status_code == 400 and "不在年度需求征集期内" in response.content.decode()
    assert "关于报送需求的函" in response.content.decode()
    with at(2025, 6, 20):
        response = client.post(
            reverse("call_submit", args=[2026]),
            {"letter": "关于报送需求的函", "responsible_person": people.owner_head.pk},
        )
    project.refresh_from_db()
    assert response.status_code == 302 and project.state == S.SUBMITTED
    assert project.submission.signed_by == people.owner_head


def test_a_step_that_needs_a_reason_is_refused_without_one_and_keeps_the_form(client, people, scene):
    client.force_login(people.cac_reviewer)
    url = reverse("project_step", args=[scene.reviewing.pk, "request_correction"])
    assert client.post(url, {"reason": ""}).status_code == 400
    scene.reviewing.refresh_from_db()
    assert scene.reviewing.state == S.JOINT_REVIEW
    assert client.post(url, {"reason": "请补充等级保护测评计划。"}).status_code == 302
    scene.reviewing.refresh_from_db()
    assert scene.reviewing.state == S.CORRECTING
    assert scene.reviewing.corrections.get().request == "请补充等级保护测评计划。"


def test_a_step_refused_by_a_rule_shows_the_article(client, people, scene):
    """办法第十条: the review cannot pass before the three opinions."""
    client.force_login(people.bureau_head)
    response = client.post(reverse("project_step", args=[scene.reviewing.pk, "pass_review"]), {})
    assert response.status_code == 400
    assert "办法第十条" in response.content.decode()


def test_the_project_page_lists_only_the_steps_this_person_may_take(client, people, scene):
    client.force_login(people.bureau_reviewer)
    body = client.get(reverse("project", args=[scene.submitted.pk])).content.decode()
    assert reverse("project_step", args=[scene.submitted.pk, "accept_application"]) in body
    assert "withdraw" not in body
    client.force_login(people.owner_head)
    body = client.get(reverse("project", args=[scene.submitted.pk])).content.decode()
    assert reverse("project_step", args=[scene.submitted.pk, "withdraw"]) in body
    assert "accept_application" not in body


def test_the_change_page_shows_the_cumulative_ratio_before_anything_is_saved(client, people, scene):
    """办法第二十八条: 10% already filed + 6% now = 16% → approval, shown on preview."""
    client.force_login(people.owner_preparer)
    data = {
        "title": "扩充",
        "reason": "优化",
        "ground": "optimisation",
        "goals_unchanged": "on",
        "action": "preview",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-from_content": "培训",
        "items-0-to_content": "监管",
        "items-0-amount_yuan": "30",
    }  # 万元
    before = ChangeRequest.objects.count()
    body = client.post(reverse("change_new", args=[scene.building.pk]), data).content.decode()
    assert "16.00%" in body and "须履行审批手续" in body
    assert ChangeRequest.objects.count() == before
    data["items-0-amount_yuan"], data["action"] = "20", "save"
    response = client.post(reverse("change_new", args=[scene.building.pk]), data)
    change = ChangeRequest.objects.latest("pk")
    assert response.status_code == 302 and change.state == ChangeState.DRAFT
    client.force_login(people.owner_head)
    assert "14.00%" in client.get(reverse("change", args=[change.pk])).content.decode()
    client.post(reverse("change_step", args=[change.pk, "submit"]), {})
    change.refresh_from_db()
    assert change.state == ChangeState.FILED and change.ratio == Decimal("0.140000")


def test_an_administrator_enters_a_holiday_notice_and_sees_the_deadlines_it_moved(client, people, scene):
    from lifecycle import services

    with at(2027, 12, 29):  # Wednesday; 5 working days run into 2028, which has no schedule yet
        services.perform(scene.submitted, "accept_application", actor=people.bureau_reviewer)
    clock = Clock.objects.get(project=scene.submitted, kind="joint_review")
    assert clock.provisional and clock.due_on == datetime.date(2028, 1, 5)
    client.force_login(people.admin)
    response = client.post(
        reverse("calendar_admin"),
        {"year": "2028", "source": "国办发明电〔2027〕1号", "holidays": "2027-12-31 错\n", "workdays": ""},
    )
    assert response.status_code == 400 and "不属于 2028 年" in response.content.decode()
    response = client.post(
        reverse("calendar_admin"),
        {
            "year": "2028",
            "source": "国办发明电〔2027〕1号",
            "holidays": "2028-01-01..2028-01-03 元旦",
            "workdays": "",
        },
    )
    clock.refresh_from_db()
    assert response.status_code == 200
    assert CalendarDay.objects.filter(date=datetime.date(2028, 1, 3), is_workday=False).exists()
    body = response.content.decode()
    # 2028-01-03 (Monday) is now a day off: 12-30, 12-31, 1-4, 1-5, 1-6.
    assert clock.due_on == datetime.date(2028, 1, 6) and "2028-01-06" in body and "2028-01-05" in body


def add_projects(orgs, people, n, year):
    """``n`` more applications of another department for ``year``: submitted, half of them
    in joint review with a clock, plus ``n`` drafts of the owner's department."""
    from lifecycle import services
    from projects.models import CallSubmission
    from tests.factories import CallFactory

    call = CallFactory(year=year)
    projects = [
        complete_application(ProjectFactory(owner=orgs["other_owner"], call=call, name=f"加量系统{year}-{i}"))
        for i in range(n)
    ]
    for i in range(n):
        complete_application(ProjectFactory(owner=orgs["owner"], call=call, name=f"草稿系统{year}-{i}"))
    with at(year - 1, 6, 10):
        submission = CallSubmission.objects.create(call=call, organisation=orgs["other_owner"])
        project_services.call_submit(
            submission,
            actor=people.other_owner_head,
            letter="函",
            responsible_person=people.other_owner_head,
            splits_confirmed=True,
        )
    with at(year - 1, 6, 15):
        for project in projects[: n // 2]:
            project.refresh_from_db()
            services.perform(project, "accept_application", actor=people.bureau_reviewer)


PAGES = {
    "home": lambda: reverse("home"),
    "list": lambda: reverse("project_list"),
    "list_overdue": lambda: reverse("project_list") + "?overdue=1",
    "list_search": lambda: reverse("project_list") + "?q=%E7%B3%BB%E7%BB%9F&stage=1",
}


class TestQueryCounts:
    """The scene is built once for the class (setUpTestData-style: rolled back after the
    class, each test in its own savepoint), so only these tests see it."""

    @pytest.fixture(scope="class")
    @classmethod
    def built(cls, django_db_setup, django_db_blocker):
        with built_once(django_db_blocker):
            orgs = make_orgs()
            people = make_people(orgs)
            yield orgs, people, build_scene(orgs, people, CallFactory(year=2026))

    @pytest.fixture
    def orgs(self, built, db):
        return {key: type(org).objects.get(pk=org.pk) for key, org in built[0].items()}

    @pytest.fixture
    def people(self, built, db):
        return refetch_people(built[1])

    @pytest.fixture
    def scene(self, built, db):
        return refetch_scene(built[2])

    @pytest.mark.parametrize("page", sorted(PAGES))
    @pytest.mark.parametrize(
        "persona",
        [
            "owner_head",
            "bureau_head",
            "cac_reviewer",
            "crypto_reviewer",
            "drc_head",
            "finance_head",
            "government_head",
            "intranet_reviewer",
            "audit_reviewer",
            "other_owner_head",
        ],
    )
    def test_list_and_queue_pages_run_the_same_queries_whatever_the_number_of_projects(
        self, client, orgs, people, scene, persona, page, django_assert_num_queries
    ):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client.force_login(people[persona])
        url = PAGES[page]()
        add_projects(orgs, people, 2, 2027)
        with CaptureQueriesContext(connection) as small:
            assert client.get(url).status_code == 200
        add_projects(orgs, people, 14, 2028)
        with django_assert_num_queries(len(small.captured_queries)):
            response = client.get(url)
        assert response.status_code == 200
        # The larger data set is really on the page for those who may see it.
        if persona in ("bureau_head", "audit_reviewer") and page == "list":
            assert "加量系统2028" in response.content.decode()
