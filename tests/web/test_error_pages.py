"""Errors, not crashes (issue 7): friendly Chinese 403/404/409/500 pages that say why and
link back; the twelve inputs that gave 500; two people acting at once; SQLite settings."""

from __future__ import annotations

import sqlite3

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from config import errors
from config.middleware import ErrorPagesMiddleware
from core.states import ProjectState as S
from lifecycle.errors import ConcurrentUpdate
from lifecycle.models import PerformanceReport
from projects.models import AnnualPlan
from tests.conftest import at
from tests.lifecycle.builders import project_in

# ---------------------------------------------------------------- 403 / 404 / 500 pages


def test_a_refused_step_says_who_must_take_it(client, orgs, people, call_2026):
    """办法第十八条: an intranet project's design is approved by 省内网办, not the bureau."""
    project, _on = project_in(S.DESIGN_REVIEW, orgs, people, call_2026, network="intranet")
    client.force_login(people.bureau_head)
    response = client.get(
        reverse("project_step", args=[project.pk, "approve_design"]),
        HTTP_REFERER=f"http://testserver/projects/{project.pk}/",
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "无权办理" in body and "须由" in body and "内网办" in body
    assert f'href="http://testserver/projects/{project.pk}/"' in body  # back to where the person came from
    assert 'href="/"' in body  # and home


def test_the_403_page_shows_the_message_of_the_refusal(rf, people):
    request = rf.get("/x/", HTTP_REFERER="http://evil.example/")
    request.user = people.bureau_head
    response = errors.permission_denied(request, PermissionDenied("须由省内网办办理"))
    body = response.content.decode()
    assert response.status_code == 403 and "须由省内网办办理" in body
    assert "evil.example" not in body  # only our own pages are offered as "back"


def test_a_403_without_message_still_explains(client, people, scene):
    client.force_login(people.bureau_reviewer)  # an agency may not edit a department's application
    response = client.get(reverse("records_edit", args=[scene.building.pk]))
    assert response.status_code == 403
    assert "不能办理此事项" in response.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_404_pages_are_friendly_even_with_debug_on(client, people, scene, settings, debug):
    settings.DEBUG = debug
    client.force_login(people.other_owner_preparer)  # another department's project: 404
    for url in (
        reverse("project", args=[scene.building.pk]),
        "/no-such-page/",
        "/projects/99999999999999999999/",
    ):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 404, url
        assert "页面不存在" in body and "回到工作台" in body, url
        assert "No Project matches" not in body and "URLconf" not in body and "Traceback" not in body, url


def test_the_500_page_needs_no_database_and_no_context(db, django_assert_num_queries):
    from django.views.defaults import server_error

    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "系统出错" in body and 'href="/"' in body


def test_an_unexpected_error_shows_the_chinese_500_page(client, people, monkeypatch):
    """Any crash still ends on a page that says what to do (not Django's English text)."""
    from web import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "home_queues_with", broken)
    client.raise_request_exception = False
    client.force_login(people.owner_preparer)
    response = client.get(reverse("home"))
    assert response.status_code == 500
    assert "系统出错，您的操作没有完成" in response.content.decode()


# ---------------------------------------------------------------- 409: two people at once


def _middleware_answer(exception, people):
    request = RequestFactory().post("/projects/1/steps/accept_application/")
    request.user = people.bureau_reviewer
    return ErrorPagesMiddleware(lambda r: None).process_exception(request, exception)


def test_a_concurrent_update_is_a_409_that_says_someone_else_did_it(people, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = _middleware_answer(ConcurrentUpdate(), people)
    body = response.content.decode()
    assert response.status_code == 409
    assert "该事项已被他人处理，请刷新后重试" in body


@pytest.mark.parametrize("message", ["database is locked", "database table is locked"])
def test_a_locked_database_is_a_409_not_a_500(people, message):
    response = _middleware_answer(OperationalError(message), people)
    assert response.status_code == 409 and "该事项已被他人处理" in response.content.decode()


def test_other_database_errors_are_not_hidden(people):
    assert _middleware_answer(OperationalError("no such table: x"), people) is None


def test_a_step_taken_meanwhile_by_someone_else_is_refused_with_a_message(client, orgs, people, call_2026):
    """Two reviewers open the same project; the first accepts it; the second one's POST
    is refused with a message, not a 500, and nothing is recorded twice."""
    project, on = project_in(S.SUBMITTED, orgs, people, call_2026)
    other = type(client)()
    client.force_login(people.bureau_reviewer)
    other.force_login(people.bureau_head)
    url = reverse("project_step", args=[project.pk, "accept_application"])
    with at(on.year, on.month, on.day):
        assert client.get(url).status_code == other.get(url).status_code == 200
        assert client.post(url, {"reason": ""}).status_code == 302
        late = other.post(url, {"reason": ""}, follow=True)
    assert late.status_code == 200
    assert project.audit_entries.filter(action="accept_application").count() == 1


# ---------------------------------------------------------------- SQLite settings


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout_and_immediate_transactions(db, settings, tmp_path):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite settings")
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5
    from django.db.backends.sqlite3.base import DatabaseWrapper

    wrapper = DatabaseWrapper(
        {**connection.settings_dict, "NAME": str(tmp_path / "x.sqlite3")}, alias="wal-check"
    )
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == int(options["timeout"] * 1000)
    finally:
        wrapper.close()


def test_an_immediate_transaction_waits_for_the_other_writer_instead_of_failing(tmp_path):
    """What IMMEDIATE buys: with DEFERRED, two transactions that both read and then write
    fail with "database is locked" even with a timeout (SQLite cannot upgrade the second
    reader); with BEGIN IMMEDIATE the second waits for the first and then proceeds."""
    import threading

    path = str(tmp_path / "race.sqlite3")
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE t (n INTEGER)")
    setup.execute("INSERT INTO t VALUES (0)")
    setup.commit()
    setup.close()

    def race(begin):
        barrier, outcomes = threading.Barrier(2), []

        def worker():
            db = sqlite3.connect(path, timeout=5, isolation_level=None)
            try:
                barrier.wait()
                db.execute(begin)
                (n,) = db.execute("SELECT n FROM t").fetchone()
                barrier_reached.wait(timeout=0.3)
                db.execute("UPDATE t SET n = ?", (n + 1,))
                db.execute("COMMIT")
                outcomes.append("ok")
            except sqlite3.OperationalError as exc:
                outcomes.append(str(exc))
            finally:
                db.close()

        barrier_reached = threading.Event()
        threads = [threading.Thread(target=worker) for _ in range(2)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        return outcomes

    deferred = race("BEGIN")
    assert "database is locked" in deferred  # the failure users saw as a 500
    immediate = race("BEGIN IMMEDIATE")
    assert immediate == ["ok", "ok"]
    check = sqlite3.connect(path)
    assert check.execute("SELECT n FROM t").fetchone()[0] == 3  # 1 from the deferred race + 2
    check.close()


# ---------------------------------------------------------------- the inputs that gave 500


def test_the_project_list_with_an_impossible_department_or_year(client, people, scene):
    client.force_login(people.bureau_reviewer)
    for query in ({"owner": "9" * 20}, {"year": "9" * 20}, {"owner": str(2**63)}, {"year": "0"}):
        response = client.get(reverse("project_list"), query)
        assert response.status_code == 200, query
        assert scene.building.name not in response.content.decode(), query


@pytest.mark.parametrize("value", ["abc", "9" * 20, "-1", ""])
def test_plan_include_with_a_bad_project_is_a_message(client, people, scene, value):
    client.force_login(people.bureau_reviewer)
    response = client.post(reverse("plan_include", args=[2027]), {"project": value}, follow=True)
    assert response.status_code == 200
    assert "请在候选项目中勾选" in response.content.decode()


@pytest.mark.parametrize("value", ["-5", "9" * 20, "abc", "1999", "2101", ""])
def test_opening_a_plan_for_an_impossible_year_is_a_message(client, people, scene, value):
    client.force_login(people.bureau_head)
    before = AnnualPlan.objects.count()
    response = client.post(reverse("plan_open"), {"year": value}, follow=True)
    assert response.status_code == 200
    assert "请填写2000至2100之间的计划年度" in response.content.decode()
    assert AnnualPlan.objects.count() == before


@pytest.mark.parametrize(
    "kind", ["change_receipt", "rectification_notice", "change_form", "performance_form"]
)
@pytest.mark.parametrize("value", ["abc", "9" * 20, "-1"])
def test_a_filing_for_an_object_id_that_is_no_id_is_refused(
    client, people, scene, kind, value, settings, tmp_path
):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    client.force_login(
        people.bureau_reviewer
        if kind in ("change_receipt", "rectification_notice")
        else people.owner_preparer
    )
    response = client.post(
        reverse("documents:filing_generate", args=[scene.building.pk, kind]), {"object_id": value}
    )
    assert response.status_code == 400
    assert "所选事项不存在" in response.json()["error"]


@pytest.mark.parametrize("value", ["abc", "9" * 20, "-1"])
def test_import_with_a_call_that_is_no_id_is_refused(client, people, call_2026, value):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(people.owner_preparer)
    response = client.post(
        reverse("documents:application_import"), {"call": value, "file": SimpleUploadedFile("a.xlsx", b"x")}
    )
    assert response.status_code == 400
    assert "请选择征集年度" in response.json()["errors"][0]["text"]


def test_a_second_performance_report_for_the_same_year_is_a_form_error(client, people, scene):
    """办法第二十五条: one report a year. Even when the form does not catch the duplicate
    (two people sending at once), the database refuses it and the page says why."""
    client.force_login(people.owner_preparer)
    url = reverse("performance_report_new", args=[scene.building.pk])
    data = {
        "year": "2026",
        "user_opinions": "使用单位满意",
        "supervisor_opinion": "监理认可",
        "progress": "按计划推进",
        "investment_executed_yuan": "100",
    }  # 万元
    with at(2026, 11, 2):
        assert client.post(url, data).status_code == 302
        again = client.post(url, data)
    assert again.status_code == 400
    assert "不能重复报送" in again.content.decode() or "已报送" in again.content.decode()
    assert PerformanceReport.objects.filter(project=scene.building, year=2026).count() == 1


def test_a_rectification_with_a_huge_number_of_days_is_refused_without_a_500(client, people, scene):
    """办法第三十六条 整改: a deadline millions of working days away leaves the calendar."""
    client.force_login(people.bureau_head)
    url = reverse("project_step", args=[scene.building.pk, "order_rectification"])
    with at(2026, 3, 3):
        response = client.post(url, {"reason": "限期整改", "working_days": str(10**7)})
    assert 400 <= response.status_code < 500
    scene.building.refresh_from_db()
    assert scene.building.rectifications.count() == 0
