"""Issue 12 item 4: the delegation page (web/delegation_views.py) and the history showing 代.

A 审核人 or 负责人 names a substitute of their own organisation; another organisation's person
is never offered and never accepted; another person's delegation is 404; while it is in force
the substitute opens the delegator's review page (办法第十条) and the project history shows
"X（代 Y）"; the day after, the page is 404 again, as before."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from core.states import ProjectState as S
from lifecycle import delegation
from lifecycle.models import AuditEntry, Delegation
from tests.lifecycle.builders import project_in

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour=10):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), SHANGHAI), tick=False)


def test_the_page_offers_only_the_own_organisation_s_active_people(client, people):
    client.force_login(people.cac_head)
    body = client.get(reverse("delegations")).content.decode()
    assert str(people.cac_reviewer) in body and str(people.cac_preparer) in body
    assert str(people.bureau_reviewer) not in body and str(people.owner_preparer) not in body


def test_naming_another_organisation_s_person_is_refused(client, people):
    client.force_login(people.cac_head)
    day = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        reverse("delegations"),
        {"substitute": people.bureau_reviewer.pk, "starts_on": day, "ends_on": day},
    )
    assert response.status_code == 400 and not Delegation.objects.exists()


def test_a_preparer_has_nothing_to_lend(client, people):
    client.force_login(people.owner_preparer)
    assert "委托代办</button>" not in client.get(reverse("delegations")).content.decode()
    day = datetime.date.today()
    response = client.post(
        reverse("delegations"), {"substitute": people.owner_head.pk, "starts_on": day, "ends_on": day}
    )
    assert response.status_code == 404


def test_another_person_s_delegation_is_404(client, people):
    d = delegation.delegation_create(
        actor=people.cac_head,
        substitute=people.cac_reviewer,
        starts_on=datetime.date.today(),
        ends_on=datetime.date.today(),
    )
    for who in (people.cac_reviewer, people.bureau_head):
        client.force_login(who)
        assert client.post(reverse("delegation_end", args=[d.pk])).status_code == 404
        assert client.post(reverse("delegation_change", args=[d.pk]), {}).status_code == 404
    client.force_login(people.cac_head)
    assert client.post(reverse("delegation_end", args=[d.pk])).status_code == 302
    assert AuditEntry.objects.filter(action="delegation.ended", actor=people.cac_head).count() == 1


def test_the_substitute_opens_the_review_page_in_range_only_and_history_shows_dai(
    client, orgs, people, call_2026
):
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    day = max(on, datetime.date(2026, 12, 1))
    with at(day - datetime.timedelta(days=1)):
        client.force_login(people.cac_reviewer)
        response = client.post(
            reverse("delegations"),
            {"substitute": people.cac_preparer.pk, "starts_on": day, "ends_on": day, "reason": "出差"},
        )
        assert response.status_code == 302
    url = reverse("aspect_review", args=[project.pk, "security"])
    client.force_login(people.cac_preparer)
    with at(day):
        assert client.get(url).status_code == 200
        response = client.post(url, {"aspect": "security", "conclusion": "approve", "text": "同意"})
        assert response.status_code == 302
        history = client.get(reverse("project", args=[project.pk])).content.decode()
        assert f"{people.cac_preparer}（代 {people.cac_reviewer}）" in history
    with at(day + datetime.timedelta(days=1), 0):
        assert client.get(url).status_code == 404


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    substitute=st.one_of(st.integers(-5, 10**6).map(str), st.text(max_size=20)),
    starts_on=st.text(max_size=20),
    ends_on=st.text(max_size=20),
    reason=st.text(max_size=50),
)
def test_no_input_answers_500(client, people, substitute, starts_on, ends_on, reason):
    client.force_login(people.bureau_head)
    response = client.post(
        reverse("delegations"),
        {"substitute": substitute, "starts_on": starts_on, "ends_on": ends_on, "reason": reason},
    )
    assert response.status_code in (302, 400)
