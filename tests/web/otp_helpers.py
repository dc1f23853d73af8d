"""Shared by the two-factor tests (tests/web/test_otp_*.py): the code an authenticator app
shows, computed here from the device's own key at the (frozen) time — never written down."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "demo12345"  # the people fixture's password (tests/conftest.py)
#: A weekday morning in Harbin; the tests freeze time here (time-machine) and step by 30 s.
T0 = datetime.datetime(2026, 3, 10, 9, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def code_of(device: TOTPDevice) -> str:
    """What the person's app shows now (RFC 6238: HMAC-SHA1 of the 30-second step)."""
    token = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(token).zfill(device.digits)


def wrong_code(device: TOTPDevice) -> str:
    right = int(code_of(device))
    return str((right + 500_000) % 1_000_000).zfill(6)


def pending(user) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def enrol(client, user) -> list[str]:
    """Open the page (the device is made), confirm with the app's code; the recovery codes."""
    assert client.get(reverse("otp_setup")).status_code == 200
    response = client.post(reverse("otp_setup"), {"action": "confirm", "token": code_of(pending(user))})
    assert response.status_code == 200, response.content.decode()[:2000]
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return list(response.context["codes"])
