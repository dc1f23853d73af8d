"""The demo data covers every state, and every model works in the admin."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from core.states import ProjectState
from lifecycle.models import AuditEntry
from projects.models import Project, User
from tests.conftest import built_once
from web import demo

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module (every test here asks for it) and rolled back at
    its end; each test runs in a savepoint, so what it changes is undone."""
    with built_once(django_db_blocker):
        yield demo.load(today=TODAY)


@pytest.fixture
def demo_world(demo_loaded, db):
    return demo_loaded


def test_the_demo_has_a_project_in_every_state(demo_world):
    states = set(Project.objects.values_list("state", flat=True))
    assert states == set(ProjectState.values)


def test_loading_the_demo_twice_changes_nothing(demo_world):
    counts = (Project.objects.count(), User.objects.count(), AuditEntry.objects.of_work().count())
    demo.load(today=TODAY)
    assert (Project.objects.count(), User.objects.count(), AuditEntry.objects.of_work().count()) == counts


def test_every_demo_login_works_with_the_documented_password(demo_world, client):
    # Through the sign-in page, as a person does (the lockout backend needs the request).
    for username, *_ in demo.logins():
        response = client.post(reverse("login"), {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.logout()


def test_every_admin_page_opens(demo_world, client):
    client.force_login(User.objects.get(username="admin"))
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        obj = model._default_manager.first()
        if obj is not None:
            change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            assert client.get(change).status_code == 200, change


def test_an_admin_transition_button_goes_through_the_rules(demo_world, client):
    project = Project.objects.get(state=ProjectState.SUBMITTED, name="全省中小学学籍管理系统")
    url = reverse("admin:projects_project_transition", args=[project.pk, "accept_application"])
    client.force_login(User.objects.get(username="bureau_head"))
    User.objects.filter(username="bureau_head").update(is_staff=True, is_superuser=True)
    response = client.post(url, {"reason": "", "override_reason": ""})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.state == ProjectState.JOINT_REVIEW
    entry = AuditEntry.objects.filter(project=project, action="accept_application").get()
    assert entry.actor.username == "bureau_head"
    # The owner's head, even as a superuser, is refused by the rules of 办法第十条.
    other = Project.objects.get(state=ProjectState.SUBMITTED, name="全省中小学学籍数据管理系统（二期）")
    User.objects.filter(username="edu_head").update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(username="edu_head"))
    client.post(reverse("admin:projects_project_transition", args=[other.pk, "accept_application"]), {})
    other.refresh_from_db()
    assert other.state == ProjectState.SUBMITTED
