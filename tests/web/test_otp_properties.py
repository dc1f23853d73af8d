"""No value typed into the two-factor forms gives a 500 (issue 7's rule for every form; issue 9
pages web/otp_views.py): the second step of a sign-in, the enrolment and the disabling, each
with codes right and wrong, recovery codes, huge numbers, other digits, control characters and
long text — the answer is a page (200/302/400), never an error. Each example runs in a
transaction that is rolled back, with clients signed in afresh."""

from __future__ import annotations

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from lifecycle import second_factor
from tests.web.otp_helpers import T0, code_of, enrol

NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "000000",
            "9" * 40,
            str(2**63),
            "1" + "0" * 400,
            "1e400",
            "NaN",
            "１２３４５６",
            "٣٣٣٣٣٣",
            "²²²²²²",
            "12 34 56",
            "\x00",
            "\u202e123456",
            "<script>x</script>",
            "a" * 3000,
            "😀",
        ]
    ),
    st.text(max_size=30),
    st.text(alphabet="0123456789", min_size=1, max_size=10),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz234567ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=8, max_size=8),
)
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def world(people):
    """owner_head enrolled (with recovery codes); bureau_head not."""
    with time_machine.travel(T0, tick=False):
        client = Client()
        client.force_login(people.owner_head)
        codes = enrol(client, people.owner_head)
    return {"people": people, "codes": codes, "device": second_factor.confirmed_device(people.owner_head)}


def tokens(world):
    right = st.builds(lambda: code_of(world["device"]))
    return st.one_of(NASTY, st.sampled_from(world["codes"]), right)


def _post(client, url, data):
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


@pytest.mark.django_db
def test_no_value_on_the_second_step_gives_a_500(world):
    people = world["people"]

    @FUZZ
    @given(token=tokens(world), next_url=st.one_of(st.just(""), NASTY), extra=st.booleans())
    def check(token, next_url, extra):
        with time_machine.travel(T0.timestamp() + 90, tick=False), transaction.atomic():
            world["device"].throttle_reset()
            client = Client()
            client.force_login(people.owner_head)
            data = {"token": token, "next": next_url} if extra else {"token": token}
            response = client.post(reverse("otp_verify"), data)
            assert response.status_code < 500, (token, response.status_code)
            transaction.set_rollback(True)

    check()


@pytest.mark.django_db
def test_no_value_on_the_enrolment_and_disabling_forms_gives_a_500(world):
    people = world["people"]

    @FUZZ
    @given(
        token=tokens(world),
        action=st.one_of(st.sampled_from(["confirm", "disable", ""]), NASTY),
        who=st.sampled_from(["owner_head", "bureau_head"]),
    )
    def check(token, action, who):
        with time_machine.travel(T0.timestamp() + 90, tick=False), transaction.atomic():
            world["device"].throttle_reset()
            client = Client()
            client.force_login(people[who])
            if who == "owner_head":  # the enrolled person's session passes the second step first
                assert (
                    client.post(reverse("otp_verify"), {"token": code_of(world["device"])}).status_code == 302
                )
            page = client.get(reverse("otp_setup"))
            assert page.status_code == 200
            response = client.post(reverse("otp_setup"), {"action": action, "token": token})
            assert response.status_code < 500, (who, action, token, response.status_code)
            transaction.set_rollback(True)

    check()
