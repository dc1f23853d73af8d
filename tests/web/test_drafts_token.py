"""Issue 11, "going back after saving a new application and saving again creates a second
draft": the new-application form carries a token (projects/drafts.py); its first post
creates the draft and redirects to the draft's own page (post/redirect/get); the same form
posted again — back and save, a double click, two posts at once — updates that one draft."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from lifecycle.models import AuditEntry
from projects import drafts
from projects.models import Participant, Project
from tests.factories import ProjectFactory


def management(prefix, total=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def new_form(client):
    """The blank form's token, as the browser got it."""
    body = client.get(reverse("application_new")).content.decode()
    found = re.search(r'name="form_token" value="([0-9a-f-]{36})"', body)
    assert found, "the new-application form carries no token"
    return found.group(1)


def post(call, token, **extra):
    data = {"name": "全省教育督导平台", "call": str(call.pk), "network": "extranet", "action": "save"}
    for prefix in ("data", "yearly", "funding", "participants", "levels"):
        data.update(management(prefix))
    if token is not None:
        data["form_token"] = token
    data.update(extra)
    return data


def yearly(year, amount):
    return {**management("yearly", 1), "yearly-0-year": str(year), "yearly-0-amount_yuan": amount}


def test_each_blank_form_gets_its_own_token(client, people):
    client.force_login(people.owner_preparer)
    assert new_form(client) != new_form(client)


def test_saving_redirects_to_the_drafts_own_page(client, people, call_2026):
    client.force_login(people.owner_preparer)
    response = client.post(reverse("application_new"), post(call_2026, new_form(client)))
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "application_edit", args=[project.pk]
    )


def test_back_and_save_again_updates_the_same_draft(client, people, call_2026):
    client.force_login(people.owner_preparer)
    token = new_form(client)
    client.post(reverse("application_new"), post(call_2026, token, **yearly(2026, "100")))
    # The browser's back button shows the blank form again, with the same token; the person
    # changes the name and the year's amount and saves once more.
    response = client.post(
        reverse("application_new"),
        post(call_2026, token, name="全省教育督导平台（修改）", **yearly(2026, "120")),
    )
    project = Project.objects.get()
    assert response["Location"] == reverse("application_edit", args=[project.pk])
    assert project.name == "全省教育督导平台（修改）" and project.state == S.DRAFT
    # The rows of the form replace the draft's rows (not added to them).
    assert [(y.year, y.amount_yuan) for y in project.yearly_investments.all()] == [(2026, 1200000)]
    assert AuditEntry.objects.filter(project=project, action="application.saved").count() == 2


def test_a_double_click_leaves_one_draft_with_what_was_typed(client, people, call_2026):
    client.force_login(people.owner_preparer)
    data = post(call_2026, new_form(client), basis_and_necessity="依据数字政府建设规划", **yearly(2026, "50"))
    first = client.post(reverse("application_new"), data)
    second = client.post(reverse("application_new"), data)
    project = Project.objects.get()
    assert first["Location"] == second["Location"] == reverse("application_edit", args=[project.pk])
    assert project.basis_and_necessity == "依据数字政府建设规划"
    assert project.yearly_investments.count() == 1


def test_two_posts_at_once_the_second_finds_the_first_draft(client, people, call_2026, monkeypatch):
    """The second post looked for the token before the first had committed: its insert breaks
    the UNIQUE token, and it is sent to the draft the first post created."""
    client.force_login(people.owner_preparer)
    token = new_form(client)
    client.post(reverse("application_new"), post(call_2026, token))
    first = Project.objects.get()
    real = drafts.token_draft
    calls = []

    def not_yet(user, value):
        calls.append(value)
        return None if len(calls) == 1 else real(user, value)

    # Neither lookup of the second post saw the first draft (not committed yet).
    monkeypatch.setattr(drafts, "usable_token", lambda user, value: value)
    monkeypatch.setattr(drafts, "token_draft", not_yet)
    response = client.post(reverse("application_new"), post(call_2026, token), follow=True)
    assert Project.objects.get() == first
    assert response.redirect_chain[-1][0] == reverse("application_edit", args=[first.pk])
    assert "未重复创建草稿" in response.content.decode()


def test_a_form_without_a_token_still_creates_a_draft(client, people, call_2026):
    client.force_login(people.owner_preparer)
    client.post(reverse("application_new"), post(call_2026, None))
    client.post(reverse("application_new"), post(call_2026, "not-a-token"))
    assert Project.objects.count() == 2
    assert not Project.objects.filter(form_token__isnull=False).exists()


def test_another_departments_token_is_nobodys(client, people, orgs, call_2026):
    token = uuid.uuid4()
    theirs = ProjectFactory(owner=orgs["other_owner"], call=call_2026, name="别人的草稿", form_token=token)
    client.force_login(people.owner_preparer)
    response = client.post(reverse("application_new"), post(call_2026, str(token)))
    # Theirs untouched; ours created without the token.
    theirs.refresh_from_db()
    assert theirs.name == "别人的草稿"
    ours = Project.objects.get(owner=orgs["owner"])
    assert response.status_code == 302 and ours.name == "全省教育督导平台" and ours.form_token is None


def test_the_form_of_a_deleted_draft_saves_nothing(client, people, call_2026):
    client.force_login(people.owner_preparer)
    token = new_form(client)
    client.post(reverse("application_new"), post(call_2026, token))
    project = Project.objects.get()
    drafts.application_discard(project, actor=people.owner_preparer)
    response = client.post(reverse("application_new"), post(call_2026, token, name="又改了名"), follow=True)
    assert "已删除" in response.content.decode()
    assert Project.objects.count() == 1
    project.refresh_from_db()
    assert project.name == "全省教育督导平台"


def test_the_form_of_a_submitted_application_changes_nothing(client, people, call_2026):
    client.force_login(people.owner_preparer)
    token = new_form(client)
    client.post(reverse("application_new"), post(call_2026, token))
    Project.objects.update(state=S.SUBMITTED)
    response = client.post(reverse("application_new"), post(call_2026, token, name="提交后再改"), follow=True)
    assert "当前阶段不能修改申报材料" in response.content.decode()
    assert list(Project.objects.values_list("name", flat=True)) == ["全省教育督导平台"]


def test_invalid_input_keeps_the_token_so_the_corrected_post_is_still_one_draft(client, people, call_2026):
    client.force_login(people.owner_preparer)
    token = new_form(client)
    bad = client.post(reverse("application_new"), post(call_2026, token, period_months="十二"))
    assert bad.status_code == 200 and f'value="{token}"' in bad.content.decode()
    client.post(reverse("application_new"), post(call_2026, token))
    client.post(reverse("application_new"), post(call_2026, token))
    assert Project.objects.count() == 1


@pytest.mark.parametrize("same", [True, False])
def test_a_participants_confirmation_survives_an_unchanged_resave_only(client, people, orgs, call_2026, same):
    """办法第十三条: the participating department confirmed its part; the form posted again
    keeps the confirmation if the part comes back unchanged, and clears it (audited) if not."""
    client.force_login(people.owner_preparer)
    token = new_form(client)
    part = {
        **management("participants", 1),
        "participants-0-organisation": str(orgs["other_owner"].pk),
        "participants-0-part": "建设本部门子系统。",
    }
    client.post(reverse("application_new"), post(call_2026, token, **part))
    project = Project.objects.get()
    Participant.objects.filter(project=project).update(
        confirmed_at="2025-06-21T09:00:00+08:00", confirmed_by=people.other_owner_head
    )
    if not same:
        part["participants-0-part"] = "建设本部门子系统和数据接口。"
    client.post(reverse("application_new"), post(call_2026, token, **part))
    row = Participant.objects.get(project=project)
    assert (row.confirmed_at is not None) is same
    cleared = AuditEntry.objects.filter(project=project, action="participant.confirmation_cleared")
    assert cleared.exists() is not same


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(min_size=1, max_size=250),
    times=st.integers(min_value=1, max_value=3),
    token=st.one_of(st.none(), st.uuids().map(str), st.text(max_size=40)),
)
def test_any_form_posted_again_and_again_is_at_most_one_draft_never_a_500(
    client, people, call_2026, name, times, token
):
    client.force_login(people.owner_preparer)
    Project.objects.filter(form_token__isnull=False).update(form_token=None)
    before = Project.objects.count()
    for _ in range(times):
        response = client.post(reverse("application_new"), post(call_2026, token, name=name))
        assert response.status_code in (200, 302)
    created = Project.objects.count() - before
    if drafts.parse_token(token) is not None:
        assert created <= 1
