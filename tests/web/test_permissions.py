"""URL × persona matrix: every page of the web application, every kind of person, the
exact status. No relation to the object → 404; the wrong organisation or role → 403;
anonymous → the sign-in page. 审计厅 reads everything and changes nothing (办法第三十七条)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.states import ChangeState, PlanState, ProjectState as S
from lifecycle.models import AuditEntry
from tests.conftest import built_once, make_orgs, make_people, refetch_people
from tests.factories import CallFactory
from tests.lifecycle.test_rule_table import CHANGE_RULES, PLAN_RULES, PROJECT_RULES, persona_keys
from tests.web.conftest import build_scene, refetch_scene

PERSONAS = [
    "owner_preparer",
    "owner_head",
    "other_owner_preparer",
    "bureau_reviewer",
    "bureau_head",
    "cac_reviewer",
    "crypto_reviewer",
    "drc_head",
    "finance_head",
    "government_head",
    "intranet_reviewer",
    "audit_reviewer",
    "admin",
    "anonymous",
]
AGENCIES = [
    "bureau_reviewer",
    "bureau_head",
    "cac_reviewer",
    "crypto_reviewer",
    "drc_head",
    "finance_head",
    "government_head",
    "intranet_reviewer",
    "audit_reviewer",
    "admin",
]


def expect(default, **overrides):
    """Expected statuses: ``default`` for every signed-in persona, anonymous redirected."""
    table = dict.fromkeys(PERSONAS, default)
    table["anonymous"] = 302
    table.update(overrides)
    return table


def all_(code, personas):
    return dict.fromkeys(personas, code)


def step_page(rule, source, **overrides):
    """A step's page: 200 for exactly who the table written from the 办法
    (tests/lifecycle/test_rule_table.py) lets take the step, 403 for the other signed-in
    personas, plus ``overrides`` (404 where the object is hidden). "admin" is the bureau's
    管理员."""
    allowed = persona_keys(rule.in_code(source))
    table = expect(403, **overrides)
    table.update({p: 200 for p in PERSONAS if ("bureau_admin" if p == "admin" else p) in allowed})
    return table


# Reading a project that has left the department: every agency reads it, another
# department does not know it exists.
READ = expect(200, other_owner_preparer=404)
# The department's own working pages: its staff only; agencies see the project but hold the
# wrong role; another department has no relation.
OWNER_ONLY = expect(403, owner_preparer=200, owner_head=200, other_owner_preparer=404)

MATRIX = {
    "home": (lambda s: reverse("home"), expect(200)),
    "project_list": (lambda s: reverse("project_list"), expect(200)),
    # Issue 12: every signed-in person has an inbox and settings (their own organisation's).
    "notification_inbox": (lambda s: reverse("notification_inbox"), expect(200)),
    "notification_settings": (lambda s: reverse("notification_settings"), expect(200)),
    "project_submitted": (lambda s: reverse("project", args=[s.reviewing.pk]), READ),
    # A draft is the department's own: nobody else knows it exists, except 审计厅, which
    # reads everything (办法第三十五、三十七条).
    "project_draft": (
        lambda s: reverse("project", args=[s.draft.pk]),
        expect(404, owner_preparer=200, owner_head=200, audit_reviewer=200),
    ),
    "application_new": (
        lambda s: reverse("application_new"),
        expect(403, owner_preparer=200, owner_head=200, other_owner_preparer=200),
    ),
    "application_edit_draft": (
        lambda s: reverse("application_edit", args=[s.draft.pk]),
        expect(404, owner_preparer=200, owner_head=200, audit_reviewer=403),
    ),
    # 办法第九、十条: material is edited only while drafting or correcting.
    "application_edit_in_review": (
        lambda s: reverse("application_edit", args=[s.reviewing.pk]),
        expect(403, other_owner_preparer=404),
    ),
    "records_edit": (lambda s: reverse("records_edit", args=[s.building.pk]), OWNER_ONLY),
    # 办法第十条: the bureau's 审核人 or 负责人 accepts an application.
    "step_accept_application": (
        lambda s: reverse("project_step", args=[s.submitted.pk, "accept_application"]),
        step_page(PROJECT_RULES["accept_application"], S.SUBMITTED, other_owner_preparer=404),
    ),
    "step_unknown": (lambda s: reverse("project_step", args=[s.submitted.pk, "no_such_step"]), expect(404)),
    "joint_review": (lambda s: reverse("joint_review", args=[s.reviewing.pk]), READ),
    # 办法第十条: the three opinions come from the bureau, 网信办 and 密码管理局.
    "opinion_new": (
        lambda s: reverse("opinion_new", args=[s.reviewing.pk]),
        expect(
            403,
            other_owner_preparer=404,
            bureau_reviewer=200,
            bureau_head=200,
            cac_reviewer=200,
            crypto_reviewer=200,
        ),
    ),
    # 办法第十条: each agency's review page, to its own 审核人 and 负责人 only (404 for the rest;
    # every role and state: tests/web/test_aspects_pages.py).
    **{
        f"aspect_review_{aspect}": (
            lambda s, aspect=aspect: reverse("aspect_review", args=[s.reviewing.pk, aspect]),
            expect(404, **dict.fromkeys(reviewers, 200)),
        )
        for aspect, reviewers in (
            ("intensive", ("bureau_reviewer", "bureau_head")),
            ("security", ("cac_reviewer",)),
            ("crypto", ("crypto_reviewer",)),
        )
    },
    # 办法第八条: each department submits its own batch; agencies have no such page.
    "call_submit": (
        lambda s: reverse("call_submit", args=[2026]),
        expect(404, owner_preparer=200, owner_head=200, other_owner_preparer=200),
    ),
    "plan_list": (lambda s: reverse("plan_list"), expect(200)),
    "plan_issued": (lambda s: reverse("plan", args=[2026]), expect(200)),
    # A plan in compilation is the agencies' working paper (办法第十一条).
    "plan_compiling": (
        lambda s: reverse("plan", args=[2027]),
        expect(200, owner_preparer=404, owner_head=404, other_owner_preparer=404),
    ),
    "plan_step_submit": (
        lambda s: reverse("plan_step", args=[2027, "submit_to_government"]),
        step_page(
            PLAN_RULES["submit_to_government"],
            PlanState.COMPILING,
            owner_preparer=404,
            owner_head=404,
            other_owner_preparer=404,
        ),
    ),
    "change_new": (lambda s: reverse("change_new", args=[s.building.pk]), OWNER_ONLY),
    "change_filed": (lambda s: reverse("change", args=[s.filed.pk]), READ),
    # 办法第二十八条: a change beyond filing is approved by the bureau's head.
    "change_step_approve": (
        lambda s: reverse("change_step", args=[s.pending.pk, "approve"]),
        step_page(CHANGE_RULES["approve"], ChangeState.PENDING_APPROVAL, other_owner_preparer=404),
    ),
    "incident_new": (lambda s: reverse("incident_new", args=[s.building.pk]), OWNER_ONLY),
    # 办法第二十一、二十四、三十条: the department's staff record their contracts.
    "contract_new": (lambda s: reverse("contract_new", args=[s.building.pk]), OWNER_ONLY),
    # 办法第三十六条: the report answers a 整改通知; while the project is simply being built there
    # is nothing to report, so even the department's staff get 403 (projects.capabilities).
    "rectification_report": (
        lambda s: reverse("rectification_report", args=[s.building.pk]),
        expect(403, other_owner_preparer=404),
    ),
    "performance_report_new": (lambda s: reverse("performance_report_new", args=[s.building.pk]), OWNER_ONLY),
    "calendar_admin": (lambda s: reverse("calendar_admin"), expect(403, admin=200)),
    # 办法第三十四条: each situation is found by its agency's 审核人 or 负责人 (省营商环境局, 省委网信办,
    # 省国家密码管理局, 省公安厅); the 孤网 exception is asked for by the department's 负责人.
    "supervision": (lambda s: reverse("supervision"), expect(200)),
    "finding_new": (
        lambda s: reverse("finding_new"),
        expect(403, bureau_reviewer=200, bureau_head=200, cac_reviewer=200, crypto_reviewer=200),
    ),
    "connectivity_exception_new": (
        lambda s: reverse("connectivity_exception_new"),
        expect(403, owner_head=200),
    ),
    # 办法第三十六、三十九条: decisions recorded by the bureau's 负责人.
    "supervision_decision_new": (lambda s: reverse("supervision_decision_new"), expect(403, bureau_head=200)),
}


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The personas and the web tests' scene, built once for the matrix (every test here
    asks for them) and rolled back at its end; each cell runs in its own savepoint."""
    with built_once(django_db_blocker):
        orgs = make_orgs()
        people = make_people(orgs)
        yield people, build_scene(orgs, people, CallFactory(year=2026))


@pytest.fixture
def people(built, db):
    return refetch_people(built[0])


@pytest.fixture
def scene(built, db):
    return refetch_scene(built[1])


def client_for(client, people, persona):
    if persona != "anonymous":
        client.force_login(people[persona])
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", sorted(MATRIX))
def test_every_page_answers_each_persona_with_the_exact_status(client, people, scene, page, persona):
    url_for, expected = MATRIX[page]
    before = AuditEntry.objects.of_work().count()
    response = client_for(client, people, persona).get(url_for(scene))
    assert response.status_code == expected[persona], (page, persona)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("login"))
    # GET never changes state; a 403 is on the trail as an access row (issue 9).
    assert AuditEntry.objects.of_work().count() == before
    assert AuditEntry.objects.of_access().filter(action="auth.denied").exists() == (expected[persona] == 403)


POSTS = {
    "plan_open": (
        lambda s: reverse("plan_open"),
        {"year": "2028"},
        expect(
            403,
            owner_preparer=404,
            owner_head=404,
            other_owner_preparer=404,
            bureau_reviewer=302,
            bureau_head=302,
        ),
    ),
    "plan_concur": (
        lambda s: reverse("plan_concur", args=[2027]),
        {},
        expect(403, owner_preparer=404, owner_head=404, other_owner_preparer=404, finance_head=302),
    ),
    "plan_include": (
        lambda s: reverse("plan_include", args=[2027]),
        {},
        expect(
            403,
            owner_preparer=404,
            owner_head=404,
            other_owner_preparer=404,
            bureau_reviewer=302,
            bureau_head=302,
        ),
    ),
}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", sorted(POSTS))
def test_plan_posts_are_refused_to_everyone_but_the_acting_agency(client, people, scene, action, persona):
    url_for, data, expected = POSTS[action]
    response = client_for(client, people, persona).post(url_for(scene), data)
    assert response.status_code == expected[persona], (action, persona)


@pytest.mark.parametrize("persona", ["audit_reviewer", "cac_reviewer", "government_head"])
def test_it_refuses_a_post_of_a_step_to_an_agency_without_changing_anything(client, people, scene, persona):
    client.force_login(people[persona])
    url = reverse("project_step", args=[scene.submitted.pk, "accept_application"])
    assert client.post(url, {"reason": "x"}).status_code == 403
    scene.submitted.refresh_from_db()
    assert scene.submitted.state == S.SUBMITTED


def test_the_audit_office_changes_nothing_anywhere(client, people, scene):
    """办法第三十七条: 审计厅 reads; every write it tries is refused."""
    client.force_login(people.audit_reviewer)
    before = AuditEntry.objects.of_work().count()
    pk = scene.building.pk
    writes = [
        (reverse("project_step", args=[scene.reviewing.pk, "request_correction"]), {"reason": "x"}),
        (
            reverse("opinion_new", args=[scene.reviewing.pk]),
            {"aspect": "security", "conclusion": "approve", "text": "x"},
        ),
        (reverse("records_edit", args=[pk]), {"platform_code": ""}),
        (reverse("change_step", args=[scene.pending.pk, "approve"]), {}),
        (reverse("plan_step", args=[2027, "submit_to_government"]), {}),
        (reverse("incident_new", args=[pk]), {"kind": "delay", "description": "x"}),
        (reverse("calendar_admin"), {"year": "2030"}),
        (reverse("finding_new"), {"organisation": scene.building.owner_id, "kind": "crypto"}),
        (reverse("supervision_decision_new"), {"organisation": scene.building.owner_id}),
    ]
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
    assert AuditEntry.objects.of_work().count() == before
    # 等保 security audit: each refusal is on the trail as an access row, with the person.
    denied = AuditEntry.objects.of_access().filter(action="auth.denied", actor=people.audit_reviewer)
    assert denied.count() == len(writes)
    scene.pending.refresh_from_db()
    assert scene.pending.state == ChangeState.PENDING_APPROVAL
    scene.plan_2027.refresh_from_db()
    assert scene.plan_2027.state == PlanState.COMPILING


def test_post_only_views_refuse_get(client, people, scene):
    client.force_login(people.bureau_head)
    assert client.get(reverse("plan_open")).status_code == 405
    assert client.get(reverse("plan_include", args=[2027])).status_code == 405
    assert client.get(reverse("logout")).status_code == 405


def test_every_change_needs_the_csrf_token(people, scene):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(people.bureau_reviewer)
    url = reverse("project_step", args=[scene.submitted.pk, "accept_application"])
    assert client.post(url, {}).status_code == 403
    scene.submitted.refresh_from_db()
    assert scene.submitted.state == S.SUBMITTED
