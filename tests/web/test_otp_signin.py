"""The second step of a sign-in (issue 9, 等保2.0 三级; web/otp_middleware.py,
web/otp_views.py::otp_verify): once a person has enrolled, the password alone opens no page;
a code of the app (or a recovery code, once) verifies the session; wrong codes are throttled
by django-otp and every attempt is an access row of the audit trail, in Chinese."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecycle import second_factor
from lifecycle.models import AuditEntry
from tests.web.otp_helpers import PASSWORD, T0, code_of, enrol, wrong_code
from tests.web.test_accessible_forms import problems, shows_an_error

STEP = datetime.timedelta(seconds=30)


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(people, frozen):
    """owner_head has enrolled (in another session); 30 s later they sign in again."""
    client = Client()
    client.force_login(people.owner_head)
    codes = enrol(client, people.owner_head)
    frozen.shift(STEP)
    return TOTPDevice.objects.get(user=people.owner_head), codes


def sign_in(client, username="owner_head", next_url=""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR="10.0.0.8")


def test_the_password_alone_opens_no_page_once_enrolled(people, enrolled):
    client = Client()
    response = sign_in(client)
    assert response.status_code == 302  # the password was right: signed in, not yet verified
    for url in (reverse("home"), reverse("project_list"), reverse("otp_setup"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("otp_verify") + "?next="), url
    page = client.get(reverse("otp_verify"))
    assert page.status_code == 200 and "动态验证码" in page.content.decode()
    # Signing out still works.
    assert client.post(reverse("logout")).status_code == 302


def test_the_right_code_verifies_the_session_and_goes_on_to_the_page_asked_for(people, enrolled):
    device, _codes = enrolled
    client = Client()
    sign_in(client, next_url=reverse("project_list"))
    target = client.get(reverse("project_list"))["Location"]
    response = client.post(target, {"token": code_of(device)}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302 and response["Location"] == reverse("project_list")
    assert client.get(reverse("home")).status_code == 200
    row = AuditEntry.objects.of_access().filter(action=second_factor.VERIFIED).get()
    assert row.actor == people.owner_head and row.action_label == "双因素认证通过"
    assert row.data["ip"] == "10.0.0.9"


def test_a_wrong_code_is_refused_in_chinese_and_audited(people, enrolled):
    device, _codes = enrolled
    client = Client()
    sign_in(client)
    response = client.post(reverse("otp_verify"), {"token": wrong_code(device)})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302  # still not verified
    row = AuditEntry.objects.of_access().get(action=second_factor.FAILED)
    assert row.object_id == "owner_head" and row.action_label.startswith("双因素认证失败")


def test_repeated_failures_are_throttled_even_for_the_right_code(people, enrolled, frozen):
    """django-otp's throttling: after n wrong codes the next attempt waits 2^(n-1) seconds."""
    device, _codes = enrolled
    client = Client()
    sign_in(client)
    for _ in range(3):
        client.post(reverse("otp_verify"), {"token": wrong_code(device)})
        frozen.shift(datetime.timedelta(seconds=3))  # long enough after 1 and 2 (1 s, 2 s), not after 3 (4 s)
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    response = client.post(reverse("otp_verify"), {"token": code_of(device)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "错误次数过多" in body and "秒后再试" in body
    assert client.get(reverse("home")).status_code == 302
    throttled = AuditEntry.objects.of_access().filter(action=second_factor.THROTTLED)
    assert throttled.count() == 1 and throttled.get().data["step"] == "sign_in"
    assert AuditEntry.objects.of_access().filter(action=second_factor.FAILED).count() == 3
    # After the wait (4 s after the third failure), the right code passes and the count resets.
    frozen.shift(STEP)
    response = client.post(reverse("otp_verify"), {"token": code_of(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_the_wait_doubles_with_each_failure(people, enrolled, frozen):
    device, _codes = enrolled
    client = Client()
    sign_in(client)
    for _ in range(6):
        client.post(reverse("otp_verify"), {"token": wrong_code(device)})
        frozen.shift(datetime.timedelta(seconds=40))  # beyond 1 … 32 s
    device.refresh_from_db()
    assert device.throttling_failure_count == 6
    client.post(reverse("otp_verify"), {"token": wrong_code(device)})  # 7th: now 64 s
    frozen.shift(datetime.timedelta(seconds=60))
    response = client.post(reverse("otp_verify"), {"token": code_of(device)})
    assert response.status_code == 400 and "错误次数过多" in response.content.decode()
    frozen.shift(datetime.timedelta(seconds=5))
    assert client.post(reverse("otp_verify"), {"token": code_of(device)}).status_code == 302


def test_a_recovery_code_works_once(people, enrolled, frozen):
    _device, codes = enrolled
    client = Client()
    sign_in(client)
    response = client.post(reverse("otp_verify"), {"token": codes[0].upper()}, follow=True)
    assert response.status_code == 200 and "还剩 9 个" in response.content.decode()
    assert AuditEntry.objects.of_access().filter(action=second_factor.RECOVERY_USED).get().data["left"] == 9
    other = Client()
    sign_in(other)
    frozen.shift(STEP)
    response = other.post(reverse("otp_verify"), {"token": codes[0]})
    assert response.status_code == 400


def test_a_person_who_has_not_enrolled_signs_in_with_the_password_alone(people):
    client = Client()
    sign_in(client, "owner_preparer")
    assert client.get(reverse("home")).status_code == 200
    # The second-step page sends them on.
    assert client.get(reverse("otp_verify")).status_code == 302


def test_the_next_parameter_never_leads_off_the_site(people, enrolled):
    device, _codes = enrolled
    client = Client()
    sign_in(client)
    response = client.post(reverse("otp_verify") + "?next=https://evil.example/", {"token": code_of(device)})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_the_second_step_page_is_accessible_blank_and_with_its_error(people, enrolled):
    """The checks of tests/web/test_accessible_forms.py on the code page (shown only to an
    enrolled person): labelled input, help and error tied to it, the refusal in an alert."""
    device, _codes = enrolled
    client = Client()
    sign_in(client)
    blank = client.get(reverse("otp_verify")).content.decode()
    assert problems(blank) == []
    refused = client.post(reverse("otp_verify"), {"token": ""}).content.decode()
    assert shows_an_error(refused) and problems(refused) == []
    wrong = client.post(reverse("otp_verify"), {"token": wrong_code(device)}).content.decode()
    assert shows_an_error(wrong) and problems(wrong) == []
