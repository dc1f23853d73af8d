"""Accounts as 等保2.0 三级 asks (issue 9): repeated failures lock the account and the address
with a clear Chinese page and an administrator's unlock; every sign-in, sign-out, failure,
lockout and refusal is on the audit trail; passwords have rules."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from lifecycle.models import AuditEntry

PASSWORD = "demo12345"  # the people fixture's password (tests/conftest.py)


def sign_in(client, username, password, ip="10.0.0.1", url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_even_with_the_right_password(client, people, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert sign_in(client, "owner_preparer", "wrong").status_code == 200  # the form again
    response = sign_in(client, "owner_preparer", "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "连续5次登录失败" in body and "30分钟后再试" in body and "管理员解锁" in body
    response = sign_in(client, "owner_preparer", PASSWORD)
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # Locked is locked from any address (per account).
    assert sign_in(Client(), "owner_preparer", PASSWORD, ip="10.9.9.9").status_code == 429
    assert AuditEntry.objects.filter(action="auth.login_failed", object_id="owner_preparer").count() >= 5
    assert AuditEntry.objects.filter(action="auth.locked_out", object_id="owner_preparer").exists()


def test_failures_from_one_address_lock_the_address_for_every_account(people):
    """Password spraying: one address trying one password on many accounts."""
    client = Client()
    for name in ("bureau_head", "bureau_reviewer", "finance_head", "drc_head", "cac_head"):
        sign_in(client, name, "Spring2026!", ip="10.6.6.6")
    assert sign_in(client, "owner_head", PASSWORD, ip="10.6.6.6").status_code == 429
    assert sign_in(Client(), "owner_head", PASSWORD, ip="10.7.7.7").status_code == 302


def test_the_admin_sign_in_is_locked_the_same_way(people):
    client = Client()
    url = reverse("admin:login")
    for _ in range(5):
        sign_in(client, "admin", "wrong", url=url)
    assert sign_in(client, "admin", PASSWORD, url=url).status_code == 429


@pytest.fixture
def superuser(people):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    return people.admin


def test_the_administrator_unlocks(client, people, superuser):
    for _ in range(5):
        sign_in(client, "owner_head", "wrong")
    assert sign_in(client, "owner_head", PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(superuser)
    attempts = AccessAttempt.objects.filter(username="owner_head")
    assert attempts.exists()
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert admin.get(changelist).status_code == 200
    response = admin.post(
        changelist, {"action": "delete_selected", "_selected_action": [a.pk for a in attempts], "post": "yes"}
    )
    assert response.status_code == 302 and not AccessAttempt.objects.filter(username="owner_head").exists()
    assert sign_in(client, "owner_head", PASSWORD).status_code == 302


def test_a_success_resets_the_count(client, people):
    for _ in range(4):
        sign_in(client, "owner_head", "wrong")
    assert sign_in(client, "owner_head", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "owner_head", "wrong")
    assert sign_in(client, "owner_head", PASSWORD).status_code == 302


def test_sign_in_and_out_are_on_the_trail_with_the_address(client, people):
    assert sign_in(client, "owner_head", PASSWORD, ip="10.1.2.3").status_code == 302
    login = AuditEntry.objects.get(action="auth.login")
    assert login.actor == people.owner_head and login.organisation_id == people.owner_head.organisation_id
    assert login.data["ip"] == "10.1.2.3"
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    assert AuditEntry.objects.filter(action="auth.logout", actor=people.owner_head).exists()


def test_a_refused_request_is_on_the_trail(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.owner_preparer)
    response = client.post(reverse("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="10.4.4.4")
    assert response.status_code == 403
    entry = AuditEntry.objects.get(action="auth.denied")
    assert (
        entry.actor == people.owner_preparer
        and entry.data["status"] == 403
        and entry.data["ip"] == "10.4.4.4"
    )


@pytest.mark.parametrize(
    "password, code",
    [
        ("short1A!", "password_too_short"),
        ("abcdefghijklmn", "password_classes"),
        ("12345678901234", "password_entirely_numeric"),
        ("owner_head_2026", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(people, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=people.owner_head)
    assert code in [e.code for e in refused.value.error_list]


def test_a_good_password_passes_and_the_demo_password_only_in_the_demo(people, settings):
    validate_password("Heilongjiang-2026", user=people.owner_head)
    settings.DEMO_MODE = False
    with pytest.raises(ValidationError) as refused:
        validate_password("demo12345", user=people.owner_head)
    assert "password_demo" in [e.code for e in refused.value.error_list]
