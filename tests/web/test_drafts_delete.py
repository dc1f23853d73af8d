"""Issue 11, drafts the department controls: a department deletes its own application draft
(projects/drafts.py, web/draft_views.py) — after a confirmation page, by POST only, audited,
only while it is a draft and only its own (404 otherwise); the deleted draft leaves every
list, queue and the consolidated submission (办法第八条) but stays for the audit trail
(审计厅 reads it, 办法第三十五、三十七条)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import drafts, services as project_services
from projects.models import CallSubmission
from tests.conftest import at
from tests.factories import ProjectFactory, UserFactory, complete_application


@pytest.fixture
def draft(orgs, call_2026):
    return ProjectFactory(owner=orgs["owner"], call=call_2026, name="待删除的草稿系统")


def test_the_preparer_confirms_then_deletes_the_draft_and_an_audit_row_says_who(client, people, draft):
    client.force_login(people.owner_preparer)
    url = reverse("application_delete", args=[draft.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "待删除的草稿系统" in body and 'method="post"' in body
    draft.refresh_from_db()
    assert draft.discarded_at is None  # the GET deleted nothing
    response = client.post(url, {"reason": "与另一申报重复"})
    assert response.status_code == 302 and response["Location"] == reverse("project_list")
    draft.refresh_from_db()
    assert draft.discarded_at is not None and draft.state == S.DRAFT
    entry = AuditEntry.objects.get(project=draft, action=drafts.DISCARDED)
    assert entry.actor == people.owner_preparer
    assert entry.organisation_id == people.owner_preparer.organisation_id
    assert (entry.from_state, entry.to_state, entry.reason) == (S.DRAFT, S.DRAFT, "与另一申报重复")


def test_the_deleted_draft_leaves_the_departments_pages(client, people, draft):
    client.force_login(people.owner_preparer)
    assert "待删除的草稿系统" in client.get(reverse("project_list")).content.decode()
    assert "待删除的草稿系统" in client.get(reverse("home")).content.decode()
    drafts.application_discard(draft, actor=people.owner_head)
    assert "待删除的草稿系统" not in client.get(reverse("project_list")).content.decode()
    assert "待删除的草稿系统" not in client.get(reverse("home")).content.decode()
    for name in ("project", "application_edit", "application_delete"):
        assert client.get(reverse(name, args=[draft.pk])).status_code == 404, name


def test_the_audit_office_still_reads_the_deleted_draft(client, people, draft):
    drafts.application_discard(draft, actor=people.owner_preparer, reason="重复")
    client.force_login(people.audit_reviewer)
    body = client.get(reverse("project", args=[draft.pk])).content.decode()
    assert "此申报草稿已由建设单位于" in body and "删除申报草稿" in body


def test_a_participating_department_no_longer_sees_the_deleted_draft(client, people, orgs, draft):
    draft.participants.create(organisation=orgs["other_owner"], part="建设子系统。")
    client.force_login(people.other_owner_head)
    assert client.get(reverse("project", args=[draft.pk])).status_code == 200
    drafts.application_discard(draft, actor=people.owner_preparer)
    assert client.get(reverse("project", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize(
    "persona",
    ["other_owner_preparer", "other_owner_head", "owner_reviewer", "bureau_head", "audit_reviewer", "admin"],
)
def test_nobody_but_the_departments_staff_deletes_it_404(client, people, draft, persona):
    client.force_login(people[persona])
    url = reverse("application_delete", args=[draft.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": ""}).status_code == 404
    draft.refresh_from_db()
    assert draft.discarded_at is None
    assert not AuditEntry.objects.filter(project=draft, action=drafts.DISCARDED).exists()


def test_anonymous_is_sent_to_sign_in(client, draft):
    response = client.post(reverse("application_delete", args=[draft.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def _submitted(orgs, people, call):
    """A complete application sent with the department's consolidated submission (办法第八条)."""
    with at(2025, 6, 20):
        project = complete_application(ProjectFactory(owner=orgs["owner"], call=call, name="已申报系统"))
        spare = complete_application(ProjectFactory(owner=orgs["owner"], call=call, name="另一草稿系统"))
        drafts.application_discard(spare, actor=people.owner_preparer)
        project_services.call_submit(
            CallSubmission.objects.create(call=call, organisation=orgs["owner"]),
            actor=people.owner_head,
            letter="申报函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
    project.refresh_from_db()
    spare.refresh_from_db()
    return project, spare


def test_a_deleted_draft_is_not_sent_with_the_consolidated_submission(orgs, people, call_2026):
    project, spare = _submitted(orgs, people, call_2026)
    assert project.state == S.SUBMITTED
    assert spare.state == S.DRAFT and spare.submission_id is None


def test_a_submitted_application_cannot_be_deleted(client, orgs, people, call_2026):
    project, _spare = _submitted(orgs, people, call_2026)
    client.force_login(people.owner_head)
    url = reverse("application_delete", args=[project.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    # The service refuses too, whoever calls it (办法第八条: withdrawn by the head instead).
    with pytest.raises(RuleViolation) as refused:
        drafts.application_discard(project, actor=people.owner_head)
    assert "办法第八条" in refused.value.message
    project.refresh_from_db()
    assert project.discarded_at is None and project.state == S.SUBMITTED


def test_a_draft_deleted_twice_is_refused_the_second_time(people, draft):
    drafts.application_discard(draft, actor=people.owner_preparer)
    with pytest.raises(RuleViolation):
        drafts.application_discard(draft, actor=people.owner_head)
    assert AuditEntry.objects.filter(project=draft, action=drafts.DISCARDED).count() == 1


def test_another_preparer_of_the_department_may_delete_it(client, orgs, people, draft):
    colleague = UserFactory(username="owner_preparer_2", organisation=orgs["owner"], role="preparer")
    client.force_login(colleague)
    assert client.post(reverse("application_delete", args=[draft.pk])).status_code == 302


def test_the_project_page_and_the_form_offer_the_deletion_only_for_a_draft(client, people, draft):
    client.force_login(people.owner_preparer)
    link = f'href="{reverse("application_delete", args=[draft.pk])}"'
    assert link in client.get(reverse("project", args=[draft.pk])).content.decode()
    assert link in client.get(reverse("application_edit", args=[draft.pk])).content.decode()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reason=st.text(max_size=700), extra=st.dictionaries(st.text(max_size=8), st.text(max_size=20)))
def test_any_reason_posted_is_an_answer_never_a_500(client, orgs, people, call_2026, reason, extra):
    project = ProjectFactory(owner=orgs["owner"], call=call_2026)
    client.force_login(people.owner_preparer)
    response = client.post(reverse("application_delete", args=[project.pk]), {**extra, "reason": reason})
    project.refresh_from_db()
    if response.status_code == 302:
        assert project.discarded_at is not None
    else:
        # Too long (over 500 characters) or a NUL character: said beside the field, nothing deleted.
        assert response.status_code == 400 and project.discarded_at is None
        assert 'class="error' in response.content.decode()
