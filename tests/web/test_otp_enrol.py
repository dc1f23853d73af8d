"""Enrolling an authenticator (issue 9, 等保2.0 三级 two-factor sign-in; lifecycle/second_factor.py,
web/otp_views.py): the page shows a QR code drawn on this server and the key in text, the
device counts only after a correct code, turning it off needs a current code, and an
administrator's reset is audited. Codes are computed from the device's key at frozen time."""

from __future__ import annotations

import base64
import datetime
import re
from base64 import b32encode

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from lifecycle import second_factor
from lifecycle.models import AuditEntry
from tests.web.otp_helpers import T0, code_of, enrol, pending, wrong_code

STEP = datetime.timedelta(seconds=30)


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def head_client(people, frozen):
    client = Client()
    client.force_login(people.owner_head)
    return client


def test_the_page_shows_a_local_qr_code_and_the_key_in_text(head_client, people):
    response = head_client.get(reverse("otp_setup"))
    assert response.status_code == 200
    device = pending(people.owner_head)
    assert not device.confirmed
    body = response.content.decode()
    # The QR code is an SVG drawn here (a data: image), never a call to an outside service.
    src = re.search(r'<img src="(data:image/svg\+xml;base64,[^"]+)"', body).group(1)
    svg = base64.b64decode(src.split(",", 1)[1]).decode()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "style=" not in svg
    assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body
    # The key for manual entry, in base32 as the apps ask for it (groups of four).
    key = b32encode(device.bin_key).decode().rstrip("=")
    shown = re.search(r'<code id="otp-key">([^<]+)</code>', body).group(1)
    assert shown.replace(" ", "") == key
    # Reloading shows the same key: one pending device per person.
    head_client.get(reverse("otp_setup"))
    assert TOTPDevice.objects.filter(user=people.owner_head).count() == 1


def test_a_wrong_code_does_not_confirm_the_device(head_client, people, frozen):
    head_client.get(reverse("otp_setup"))
    device = pending(people.owner_head)
    response = head_client.post(reverse("otp_setup"), {"action": "confirm", "token": wrong_code(device)})
    assert response.status_code == 400
    assert "验证码不正确" in response.content.decode()
    assert not second_factor.enrolled(people.owner_head)
    assert AuditEntry.objects.filter(action=second_factor.ENROL_FAILED, object_id="owner_head").count() == 1


def test_a_right_code_confirms_the_device_verifies_the_session_and_gives_recovery_codes(head_client, people):
    codes = enrol(head_client, people.owner_head)
    device = TOTPDevice.objects.get(user=people.owner_head)
    assert device.confirmed
    assert len(codes) == second_factor.RECOVERY_CODES == len(set(codes))
    assert StaticToken.objects.filter(device__user=people.owner_head).count() == 10
    row = AuditEntry.objects.of_access().get(action=second_factor.ENROLLED)
    assert row.actor == people.owner_head and row.object_id == "owner_head"
    assert row.data["recovery_codes"] == 10 and "ip" in row.data
    # The session that enrolled is verified: the other pages open at once.
    assert head_client.get(reverse("home")).status_code == 200


def test_the_same_code_cannot_be_used_twice(head_client, people, frozen):
    enrol(head_client, people.owner_head)
    device = TOTPDevice.objects.get(user=people.owner_head)
    # The code that confirmed the device does not verify a sign-in within the same 30 s.
    other = Client()
    other.force_login(people.owner_head)
    response = other.post(reverse("otp_verify"), {"token": code_of(device)})
    assert response.status_code == 400
    frozen.shift(STEP)
    response = other.post(reverse("otp_verify"), {"token": code_of(device)})
    assert response.status_code == 302


def test_turning_it_off_needs_a_current_code(head_client, people, frozen):
    enrol(head_client, people.owner_head)
    device = TOTPDevice.objects.get(user=people.owner_head)
    frozen.shift(STEP)
    response = head_client.post(reverse("otp_setup"), {"action": "disable", "token": wrong_code(device)})
    assert response.status_code == 400 and "未停用" in response.content.decode()
    assert second_factor.enrolled(people.owner_head)
    frozen.shift(STEP * 2)  # past the throttle of the wrong code
    response = head_client.post(reverse("otp_setup"), {"action": "disable", "token": code_of(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=people.owner_head).exists()
    assert not StaticDevice.objects.filter(user=people.owner_head).exists()
    assert AuditEntry.objects.filter(action=second_factor.DISABLED, object_id="owner_head").exists()
    # Re-enrolling gives a new key.
    head_client.get(reverse("otp_setup"))
    assert pending(people.owner_head).key != device.key


def test_an_enrolled_person_cannot_enrol_a_second_device(head_client, people, frozen):
    enrol(head_client, people.owner_head)
    frozen.shift(STEP)
    response = head_client.post(reverse("otp_setup"), {"action": "confirm", "token": "123456"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=people.owner_head).count() == 1


@pytest.fixture
def superuser(people):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    return people.admin


def test_the_administrator_resets_a_lost_device_audited_never_seeing_the_key(head_client, people, superuser):
    enrol(head_client, people.owner_head)
    device = TOTPDevice.objects.get(user=people.owner_head)
    admin = Client()
    admin.force_login(superuser)
    changelist = reverse("admin:otp_totp_totpdevice_changelist")
    page = admin.get(changelist)
    assert page.status_code == 200 and device.key not in page.content.decode()
    detail = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert detail.status_code == 200 and device.key not in detail.content.decode()
    assert admin.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    response = admin.post(changelist, {"action": "reset_selected", "_selected_action": [device.pk]})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=people.owner_head).exists()
    assert not StaticDevice.objects.filter(user=people.owner_head).exists()
    row = AuditEntry.objects.of_access().get(action=second_factor.RESET)
    assert row.actor == superuser and row.object_id == "owner_head" and row.data["account"] == "owner_head"
    # The person signs in with the password alone again, and may enrol anew.
    again = Client()
    again.force_login(people.owner_head)
    assert again.get(reverse("home")).status_code == 200


def test_the_admin_no_longer_offers_django_otp_s_own_pages_with_secrets(superuser):
    admin = Client()
    admin.force_login(superuser)
    index = admin.get(reverse("admin:index")).content.decode()
    assert reverse("admin:otp_totp_totpdevice_changelist") in index
    assert "otp_static/staticdevice" not in index  # recovery codes are never listed
