"""Issue 11, "a preparer cannot edit their own change draft": the 经办人 who drafted a change
(办法第二十八条) — or a 负责人 of the department — edits it until it is submitted
(lifecycle/change_drafts.py, web/draft_views.py); nobody else, and nothing once submitted."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ChangeState
from lifecycle import change_drafts, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, ChangeRequest
from tests.conftest import built_once, make_orgs, make_people, refetch_people
from tests.factories import CallFactory, UserFactory
from tests.web.conftest import build_scene, refetch_scene


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        orgs = make_orgs()
        people = make_people(orgs)
        yield orgs, people, build_scene(orgs, people, CallFactory(year=2026))


@pytest.fixture
def people(built, db):
    return refetch_people(built[1])


@pytest.fixture
def orgs(built, db):
    return {key: type(org).objects.get(pk=org.pk) for key, org in built[0].items()}


@pytest.fixture
def scene(built, db):
    return refetch_scene(built[2])


@pytest.fixture
def draft(scene, people):
    return services.change_create(
        scene.building,
        actor=people.owner_preparer,
        title="培训调整",
        reason="部署需要",
        ground="deployment",
        items=[{"from_content": "培训", "to_content": "运维", "amount_yuan": Decimal("100000")}],
    )


def form(**extra):
    data = {
        "title": "培训和接口调整",
        "reason": "按省委部署调整",
        "ground": "deployment",
        "goals_unchanged": "on",
        "new_total_yuan": "",
        "action": "save",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-from_content": "培训",
        "items-0-to_content": "接口开发",
        "items-0-amount_yuan": "8",
        "items-1-from_content": "运维",
        "items-1-to_content": "安全加固",
        "items-1-amount_yuan": "4.5",
    }
    data.update(extra)
    return data


def test_the_preparer_who_drafted_it_edits_it_and_an_audit_row_keeps_before_and_after(client, people, draft):
    client.force_login(people.owner_preparer)
    url = reverse("change_edit", args=[draft.pk])
    page = client.get(url).content.decode()
    assert 'value="培训调整"' in page and "部署需要" in page and 'value="10.00"' in page.replace(",", "")
    response = client.post(url, form())
    assert response.status_code == 302 and response["Location"] == reverse("change", args=[draft.pk])
    draft.refresh_from_db()
    assert (draft.title, draft.state) == ("培训和接口调整", ChangeState.DRAFT)
    # 万元 typed → 元 stored; the items replace the old ones.
    assert sorted((i.to_content, i.amount_yuan) for i in draft.items.all()) == [
        ("安全加固", Decimal("45000")),
        ("接口开发", Decimal("80000")),
    ]
    assert ChangeRequest.objects.filter(project=draft.project, state=ChangeState.DRAFT).count() == 1
    entry = AuditEntry.objects.get(action=change_drafts.UPDATED, object_id=str(draft.pk))
    assert entry.actor == people.owner_preparer and entry.article == "第二十八条"
    assert "title" in entry.data["fields"] and entry.data["items_before"][0]["to_content"] == "运维"


def test_the_change_page_offers_the_edit_to_the_drafter_and_the_head_only(client, people, orgs, draft):
    link = f'href="{reverse("change_edit", args=[draft.pk])}"'
    colleague = UserFactory(username="owner_preparer_2", organisation=orgs["owner"], role="preparer")
    for person, shown in ((people.owner_preparer, True), (people.owner_head, True), (colleague, False)):
        client.force_login(person)
        assert (link in client.get(reverse("change", args=[draft.pk])).content.decode()) is shown


def test_the_head_may_edit_it_too(client, people, draft):
    client.force_login(people.owner_head)
    assert client.post(reverse("change_edit", args=[draft.pk]), form(title="负责人修改")).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "负责人修改"


def test_another_preparer_of_the_department_is_refused(client, people, orgs, draft):
    colleague = UserFactory(username="owner_preparer_3", organisation=orgs["owner"], role="preparer")
    client.force_login(colleague)
    assert client.post(reverse("change_edit", args=[draft.pk]), form()).status_code == 403
    with pytest.raises(RuleViolation):
        change_drafts.change_update(draft, actor=colleague, items=[], title="x")
    draft.refresh_from_db()
    assert draft.title == "培训调整"


@pytest.mark.parametrize("persona", ["other_owner_preparer", "bureau_head", "bureau_reviewer"])
def test_outsiders_do_not_know_the_draft_exists(client, people, draft, persona):
    client.force_login(people[persona])
    assert client.get(reverse("change_edit", args=[draft.pk])).status_code == 404


def test_once_submitted_it_is_not_edited(client, people, draft):
    services.change_submit(draft, actor=people.owner_head)
    draft.refresh_from_db()
    assert draft.state != ChangeState.DRAFT
    client.force_login(people.owner_preparer)
    assert client.post(reverse("change_edit", args=[draft.pk]), form()).status_code == 403
    with pytest.raises(RuleViolation) as refused:
        change_drafts.change_update(
            draft,
            actor=people.owner_preparer,
            items=[{"from_content": "a", "to_content": "b", "amount_yuan": Decimal("1")}],
            title="提交后修改",
        )
    assert "办法第二十八条" in refused.value.message
    draft.refresh_from_db()
    assert draft.title == "培训调整"


def test_a_preview_changes_nothing(client, people, draft):
    client.force_login(people.owner_preparer)
    response = client.post(reverse("change_edit", args=[draft.pk]), form(action="preview"))
    assert response.status_code == 200 and 'id="ratio-preview"' in response.content.decode()
    draft.refresh_from_db()
    assert draft.title == "培训调整"


MONEY = st.one_of(
    st.decimals(min_value=-10, max_value=10**9, places=2, allow_nan=False).map(str),
    st.text(max_size=12),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=st.text(max_size=220),
    amount=MONEY,
    total=MONEY,
    ground=st.sampled_from(["", "deployment", "optimisation", "business", "x"]),
    action=st.sampled_from(["save", "preview", ""]),
)
def test_whatever_is_typed_the_edit_answers_never_500(
    client, people, draft, title, amount, total, ground, action
):
    client.force_login(people.owner_preparer)
    response = client.post(
        reverse("change_edit", args=[draft.pk]),
        form(
            title=title, ground=ground, action=action, new_total_yuan=total, **{"items-0-amount_yuan": amount}
        ),
    )
    assert response.status_code in (200, 302, 400)
