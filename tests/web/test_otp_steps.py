"""负责人 steps and the second factor (issue 9, 等保2.0 三级 two factors for privileged acts;
lifecycle/second_factor.py, checked in services._check for every way in).

A step is a 负责人 step when only a head may take it — read here from the rule table of
tests/lifecycle/test_rule_table.py (written from the 办法, not from the machine). The step is
refused without a verified session when the head has enrolled (always), and for every head
when OTP_REQUIRED_FOR_HEADS is on; the demo default (off, nobody enrolled) changes nothing."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from core.states import ProjectState as S
from lifecycle import second_factor, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from tests.factories import ProjectFactory, complete_application
from tests.lifecycle.test_rule_table import MACHINES
from tests.web.otp_helpers import T0, code_of, enrol

STEP = datetime.timedelta(seconds=30)
REASON = {"reason": "本单位决定暂不申报，待方案完善后再申报。"}


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def draft(orgs, call_2026, frozen):
    """The department's draft: its 负责人 may withdraw it (办法第八条, a 负责人 step)."""
    return complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026, name="二次认证测试系统"))


def withdraw_page(draft):
    return reverse("project_step", args=[draft.pk, "withdraw"])


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_the_head_steps_are_exactly_those_the_rule_table_gives_to_heads_alone(machine):
    model, table = MACHINES[machine]
    for t in model._meta.get_field("state").get_all_transitions(model):
        who = table[t.name].in_code(t.source)
        heads_only = {role for _kind, role in who} == {"head"}
        assert second_factor.head_step(t.permission) == heads_only, (machine, t.name, t.source)


def test_by_default_a_head_who_has_not_enrolled_takes_head_steps_as_before(people, draft, settings):
    assert settings.OTP_REQUIRED_FOR_HEADS is False  # the documented default: optional
    client = Client()
    client.force_login(people.owner_head)
    response = client.post(withdraw_page(draft), REASON)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
    row = AuditEntry.objects.of_work().get(action="withdraw", project=draft)
    assert second_factor.CODE not in row.data  # not verified: nothing claimed


def test_with_the_setting_on_a_head_without_a_second_factor_is_refused_with_a_link(people, draft, settings):
    settings.OTP_REQUIRED_FOR_HEADS = True
    client = Client()
    client.force_login(people.owner_head)
    page = client.get(withdraw_page(draft)).content.decode()
    assert "本系统要求负责人启用双因素认证后办理" in page  # said before the form is filled
    assert f'href="{reverse("otp_setup")}?next=' in page
    response = client.post(withdraw_page(draft), REASON)
    assert response.status_code == 400
    body = response.content.decode()
    assert "负责人签批的操作" in body and "双因素认证" in body and reverse("otp_setup") in body
    draft.refresh_from_db()
    assert draft.state == S.DRAFT
    assert not AuditEntry.objects.of_work().filter(action="withdraw").exists()
    # The server refuses on every way in, not only on the page: a direct call to the service.
    with pytest.raises(RuleViolation) as refused:
        services.perform(draft, "withdraw", actor=people.owner_head, **REASON)
    assert refused.value.code == second_factor.CODE


def test_with_the_setting_on_steps_that_are_not_the_heads_alone_are_not_concerned(people, settings, draft):
    settings.OTP_REQUIRED_FOR_HEADS = True
    # The 经办人's steps, and steps a 审核人 may take too, are not 负责人 steps.
    project_rules = MACHINES["project"][1]
    assert {r for _k, r in project_rules["accept_application"].expected()} == {"reviewer", "head"}
    t, _possible = services.transition_of(draft, "accept_application")
    assert second_factor.refusal(people.bureau_head, t.permission, label="x") is None


def test_after_verification_the_head_step_is_taken_and_the_audit_row_says_so(people, draft, settings, frozen):
    settings.OTP_REQUIRED_FOR_HEADS = True
    client = Client()
    client.force_login(people.owner_head)
    enrol(client, people.owner_head)  # the session that enrolled is verified
    response = client.post(withdraw_page(draft), REASON)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
    row = AuditEntry.objects.of_work().get(action="withdraw", project=draft)
    assert row.actor == people.owner_head and row.data[second_factor.CODE] == "totp"


def test_once_enrolled_head_steps_need_the_verified_session_whatever_the_setting(
    people, draft, settings, frozen
):
    assert settings.OTP_REQUIRED_FOR_HEADS is False
    client = Client()
    client.force_login(people.owner_head)
    enrol(client, people.owner_head)
    # A session (or any caller) that did not pass the second step: refused on the server.
    with pytest.raises(RuleViolation) as refused:
        services.perform(draft, "withdraw", actor=people.owner_head, **REASON)
    assert refused.value.code == second_factor.CODE and reverse("otp_verify") in refused.value.message
    # A new sign-in with the password reaches the step only after the code.
    other = Client()
    other.force_login(people.owner_head)
    assert other.post(withdraw_page(draft), REASON)["Location"].startswith(reverse("otp_verify"))
    draft.refresh_from_db()
    assert draft.state == S.DRAFT
    frozen.shift(STEP)
    device = second_factor.confirmed_device(people.owner_head)
    assert other.post(reverse("otp_verify"), {"token": code_of(device)}).status_code == 302
    assert other.post(withdraw_page(draft), REASON).status_code == 302
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN


def test_a_head_s_override_of_a_principle_rule_is_a_head_act_too():
    from lifecycle.rules import OWNER_STAFF

    assert not second_factor.head_step(OWNER_STAFF)
    assert second_factor.head_step(OWNER_STAFF, overriding=True)


def test_a_command_run_on_the_server_needs_no_session(people, draft, settings):
    """manage.py load_demo (and any operator's command on the server) runs the heads' steps
    without a sign-in; the demo keeps working under the setting."""
    settings.OTP_REQUIRED_FOR_HEADS = True
    with pytest.raises(RuleViolation):
        services.perform(draft, "withdraw", actor=people.owner_head, **REASON)
    with second_factor.on_the_server():
        services.perform(draft, "withdraw", actor=people.owner_head, **REASON)
    draft.refresh_from_db()
    assert draft.state == S.WITHDRAWN
    assert second_factor.CODE not in AuditEntry.objects.of_work().get(action="withdraw").data
    # Outside the block the rule holds again.
    permission = services.transition_of(draft, "withdraw")[0].permission
    assert second_factor.refusal(people.owner_head, permission, label="x") is not None
