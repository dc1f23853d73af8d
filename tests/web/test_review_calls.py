"""办法第八条: the bureau opens next year's call (June by default), extends it or closes it
early on its own page, with reasons audited; a closed call is never preselected in the
application form; nobody else reaches the page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.timeutil import as_of
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import calls, services as project_services
from projects.models import Call, CallSubmission
from tests.factories import ProjectFactory, complete_application

D = datetime.date


def _client(person):
    client = Client()
    client.force_login(person)
    return client


def test_the_bureau_head_opens_next_years_call_in_june_by_default(people):
    with as_of(D(2026, 5, 20)):
        response = _client(people.bureau_head).post(reverse("call_open"), {"year": "2027"})
    assert response.status_code == 302
    call = Call.objects.get(year=2027)
    # 办法第八条: 每年6月征集下一年度 — June 2026 for the 2027 plan.
    assert (call.opens_on, call.closes_on) == (D(2026, 6, 1), D(2026, 6, 30))
    assert AuditEntry.objects.filter(action="call.opened", article="第八条").count() == 1


def test_other_dates_need_a_reason(people):
    with as_of(D(2026, 5, 20)), pytest.raises(RuleViolation) as exc:
        project_services.call_open(2027, actor=people.bureau_head, closes_on=D(2026, 7, 15))
    assert "理由" in exc.value.message and "办法第八条" in exc.value.message
    with as_of(D(2026, 5, 20)):
        project_services.call_open(
            2027, actor=people.bureau_head, closes_on=D(2026, 7, 15), reason="机构改革，延后半月。"
        )
    assert AuditEntry.objects.get(action="call.opened").reason == "机构改革，延后半月。"


def test_a_second_call_for_the_same_year_is_refused_not_a_500(people):
    with as_of(D(2026, 5, 20)):
        project_services.call_open(2027, actor=people.bureau_head)
        response = _client(people.bureau_head).post(reverse("call_open"), {"year": "2027"})
    assert response.status_code == 400 and "已发布" in response.content.decode()


def test_extending_moves_the_closing_date_with_a_reason(people):
    with as_of(D(2026, 6, 10)):
        call = project_services.call_open(2027, actor=people.bureau_head)
        client = _client(people.bureau_head)
        client.post(reverse("call_extend", args=[2027]), {"closes_on": "2026-07-10", "reason": ""})
        assert Call.objects.get(pk=call.pk).closes_on == D(2026, 6, 30)  # no reason, no change
        client.post(
            reverse("call_extend", args=[2027]), {"closes_on": "2026-07-10", "reason": "多部门申请延期。"}
        )
    call.refresh_from_db()
    assert call.closes_on == D(2026, 7, 10) and call.is_open_on(D(2026, 7, 5))
    entry = AuditEntry.objects.get(action=calls.EXTENDED)
    assert entry.reason == "多部门申请延期。" and entry.data["closes_on_before"] == "2026-06-30"


def test_an_earlier_date_is_no_extension(people):
    with as_of(D(2026, 6, 10)):
        call = project_services.call_open(2027, actor=people.bureau_head)
        with pytest.raises(RuleViolation):
            calls.call_extend(call, actor=people.bureau_head, closes_on=D(2026, 6, 20), reason="x")


def test_closing_early_stops_submissions_from_that_day(orgs, people):
    with as_of(D(2026, 6, 10)):
        call = project_services.call_open(2027, actor=people.bureau_head)
    complete_application(ProjectFactory(owner=orgs["owner"], call=call))
    with as_of(D(2026, 6, 20)):
        _client(people.bureau_head).post(reverse("call_close", args=[2027]), {"reason": "需求已征集完毕。"})
    call.refresh_from_db()
    assert call.closed_on == D(2026, 6, 20)
    assert call.is_open_on(D(2026, 6, 19)) and not call.is_open_on(D(2026, 6, 20))
    assert AuditEntry.objects.get(action=calls.CLOSED).reason == "需求已征集完毕。"
    submission = CallSubmission.objects.create(call=call, organisation=orgs["owner"])
    with as_of(D(2026, 6, 22)), pytest.raises(RuleViolation) as exc:
        project_services.call_submit(
            submission, actor=people.owner_head, letter="申报函", responsible_person=people.owner_head
        )
    assert "办法第八条" in exc.value.message
    with as_of(D(2026, 6, 22)), pytest.raises(RuleViolation):
        calls.call_extend(call, actor=people.bureau_head, closes_on=D(2026, 7, 30), reason="x")


def test_a_closed_call_is_never_preselected(orgs, people):
    with as_of(D(2026, 6, 10)):
        call = project_services.call_open(2027, actor=people.bureau_head)
    client = _client(people.owner_preparer)
    selected = f'value="{call.pk}" selected'
    with as_of(D(2026, 6, 15)):
        assert calls.open_call() == call
        assert selected in client.get(reverse("application_new")).content.decode()
    with as_of(D(2026, 6, 16)):
        calls.call_close(call, actor=people.bureau_head, reason="提前结束。")
        assert calls.open_call() is None
        assert selected not in client.get(reverse("application_new")).content.decode()
    with as_of(D(2026, 8, 1)):
        # Past its closing date, likewise (the latest call used to be preselected whatever its dates).
        assert calls.open_call() is None
        assert selected not in client.get(reverse("application_new")).content.decode()


@pytest.mark.parametrize(
    "who,status", [("owner_head", 404), ("drc_head", 404), ("bureau_reviewer", 200), ("bureau_head", 200)]
)
def test_who_reaches_the_call_page(people, who, status):
    assert _client(people[who]).get(reverse("call_list")).status_code == status


@pytest.mark.parametrize("who,status", [("owner_head", 404), ("finance_head", 404), ("bureau_reviewer", 403)])
def test_only_the_bureau_head_acts(people, who, status):
    with as_of(D(2026, 6, 10)):
        project_services.call_open(2027, actor=people.bureau_head)
        client = _client(people[who])
        assert client.post(reverse("call_open"), {"year": "2028"}).status_code == status
        assert client.post(reverse("call_close", args=[2027]), {"reason": "x"}).status_code == status
    assert Call.objects.get(year=2027).closed_on is None and not Call.objects.filter(year=2028).exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            key: st.one_of(
                st.text(max_size=30),
                st.sampled_from(
                    [
                        "2026-02-30",
                        "9999-12-31",
                        "0001-01-01",
                        "99999999999999999999",
                        "-1",
                        "\x00",
                        "２０２７",
                    ]
                ),
                st.dates(D(1990, 1, 1), D(2110, 1, 1)).map(D.isoformat),
            )
            for key in ("year", "opens_on", "closes_on", "notice", "reason")
        },
    ),
    action=st.sampled_from(["call_open", "call_extend", "call_close"]),
)
def test_no_value_gives_a_500(people, data, action):
    if not Call.objects.filter(year=2027).exists():
        with as_of(D(2026, 6, 10)):
            project_services.call_open(2027, actor=people.bureau_head)
    args = [] if action == "call_open" else [2027]
    with as_of(D(2026, 6, 12)):
        response = _client(people.bureau_head).post(reverse(action, args=args), data)
    assert response.status_code < 500


def test_the_admin_cannot_open_or_move_a_call(client, people, call_2026):
    """办法第八条: only the bureau's call page opens, extends or closes a call (with its reason
    on the trail); the admin shows calls read-only."""
    from django.contrib import admin

    from projects.models import Call

    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    client.force_login(people.admin)
    assert client.get(reverse("admin:projects_call_add")).status_code == 403
    change = reverse("admin:projects_call_change", args=[call_2026.pk])
    client.post(change, {"year": "2026", "opens_on": "2025-01-01", "closes_on": "2025-12-31"})
    call_2026.refresh_from_db()
    assert (call_2026.opens_on.month, call_2026.closes_on.month) == (6, 6)
    assert not admin.site._registry[Call].has_delete_permission(None)
