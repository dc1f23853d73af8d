"""API tokens (issue 12): made and revoked by their person on a settings page, both audited;
only the digest is stored; and no way around the second factor (等保2.0 第三级,
lifecycle/second_factor.py): who must use it makes a token only from a verified session."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from api import tokens
from api.models import ApiToken
from core.states import ProjectState as S
from lifecycle import second_factor
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from tests.web.otp_helpers import T0, enrol

pytestmark = pytest.mark.django_db
PAGE = "/accounts/api-token/"


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _get(key, path="/api/v1/projects/"):
    return Client().get(path, HTTP_AUTHORIZATION=f"Token {key}")


def _post(key, path, body):
    return Client().post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")


def test_a_person_creates_a_token_seen_once_and_revokes_it_both_audited(scene, people):
    client = Client()
    client.force_login(people.owner_preparer)
    assert client.get(PAGE).status_code == 200
    made = client.post(PAGE, {"action": "create"})
    assert made.status_code == 200
    key = made.context["key"]
    assert len(key) >= 40 and key in made.content.decode()
    stored = ApiToken.objects.get(user=people.owner_preparer, revoked_at__isnull=True)
    assert stored.digest != key and key not in stored.digest and stored.prefix == key[:8]
    row = AuditEntry.objects.of_access().get(action=tokens.CREATED, actor=people.owner_preparer)
    assert row.data["token"] == key[:8] and row.data["ip"]
    assert _get(key).status_code == 200
    # the key is not shown again
    assert key not in client.get(PAGE).content.decode()
    assert client.post(PAGE, {"action": "revoke"}).status_code == 302
    assert AuditEntry.objects.of_access().filter(action=tokens.REVOKED, actor=people.owner_preparer).exists()
    assert _get(key).status_code == 401


def test_a_new_token_replaces_the_old_one(scene, people):
    _t, first = tokens.create(people.owner_preparer)
    _t, second = tokens.create(people.owner_preparer)
    assert _get(first).status_code == 401 and _get(second).status_code == 200


def test_an_enrolled_head_makes_a_token_only_verified_and_its_steps_carry_the_second_factor(
    scene, people, frozen
):
    head = people.owner_head
    client = Client()
    client.force_login(head)
    enrol(client, head)  # the enrolling session is verified
    with pytest.raises(RuleViolation) as refused:
        tokens.create(type(head).objects.get(pk=head.pk))  # a person not verified in this request
    assert refused.value.code == second_factor.CODE
    # A password-only session of an enrolled person never reaches the page (web/otp_middleware.py).
    other = Client()
    other.force_login(head)
    assert other.post(PAGE, {"action": "create"})["Location"].startswith(reverse("otp_verify"))
    key = client.post(PAGE, {"action": "create"}).context["key"]
    assert ApiToken.objects.get(user=head, revoked_at__isnull=True).otp_device
    # 办法第八条: the head withdraws the department's draft — a 负责人 step, taken through the
    # token as in the verified session, and recorded so.
    answer = _post(key, f"/api/v1/projects/{scene.draft.pk}/steps/withdraw/", {"reason": "暂不申报"})
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == S.WITHDRAWN
    row = AuditEntry.objects.of_work().get(action="withdraw", project=scene.draft)
    assert row.actor == head and row.data[second_factor.CODE] == "totp"


def test_a_token_made_before_enrolment_stops_at_enrolment(scene, people, frozen):
    head = people.owner_head
    _t, key = tokens.create(head)
    assert _get(key).status_code == 200
    client = Client()
    client.force_login(head)
    enrol(client, head)
    answer = _get(key)
    assert answer.status_code == 401 and "双因素认证" in answer.json()["detail"]
    # and so the 负责人 step cannot be taken with it
    assert (
        _post(key, f"/api/v1/projects/{scene.draft.pk}/steps/withdraw/", {"reason": "x"}).status_code == 401
    )


def test_the_administrators_reset_ends_the_token(scene, people, frozen):
    head = people.owner_head
    client = Client()
    client.force_login(head)
    enrol(client, head)
    key = client.post(PAGE, {"action": "create"}).context["key"]
    assert _get(key).status_code == 200
    second_factor.reset(head, by=people.admin)
    assert _get(key).status_code == 401


def test_with_heads_required_to_use_it_an_unenrolled_head_makes_no_token(scene, people, settings):
    head = people.owner_head
    _t, old = tokens.create(head)
    settings.OTP_REQUIRED_FOR_HEADS = True
    client = Client()
    client.force_login(head)
    page = client.get(PAGE)
    assert "双因素认证" in page.content.decode() and 'value="create"' not in page.content.decode()
    refused = client.post(PAGE, {"action": "create"})
    assert refused.status_code == 403
    assert not ApiToken.objects.filter(user=head, revoked_at__isnull=True).exclude(
        digest=tokens.digest_of(old)
    )
    assert _get(old).status_code == 401
    # a preparer is not concerned
    client.force_login(people.owner_preparer)
    assert client.post(PAGE, {"action": "create"}).status_code == 200
