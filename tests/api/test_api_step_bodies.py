"""Whatever a program posts to a step or an opinion (issue 12), the answer is the page's: a
step taken, or a 4xx JSON refusal saying why — never a 500. Hypothesis posts bodies of every
shape (missing, wrong types, the step's own fields with any value) as the person who may act:
办法第二十九条 项目建成 (completed_on, surplus_returned_yuan) by the department's 负责人, 办法第十条
补正 requested by the bureau, and 网信办's opinion."""

from __future__ import annotations

import types

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from api import tokens
from core.states import ProjectState as S

pytestmark = pytest.mark.django_db

scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-01-13", "2026-02-30", "2999-01-01", "1,000.5", "１２３", "-1", "0", "1e9"]),
)
value = st.one_of(
    scalar, st.lists(scalar, max_size=3), st.dictionaries(st.text(max_size=5), scalar, max_size=2)
)
FIELDS = [
    "completed_on",
    "surplus_returned_yuan",
    "aspect",
    "conclusion",
    "text",
    "reason",
    "override_reason",
]
body = st.one_of(
    value,
    st.fixed_dictionaries(
        {},
        optional={
            "reason": value,
            "override_reason": value,
            "data": st.one_of(value, st.dictionaries(st.sampled_from(FIELDS), value, max_size=4)),
            "aspect": st.one_of(value, st.sampled_from(["security", "crypto", "intensive"])),
            "conclusion": st.one_of(value, st.sampled_from(["approve", "reject", "not_applicable"])),
            "text": value,
        },
    ),
)


@pytest.fixture
def world(scene, people):
    return types.SimpleNamespace(
        scene=types.SimpleNamespace(**scene),
        keys={
            name: tokens.create(people[name])[1] for name in ("owner_head", "bureau_reviewer", "cac_reviewer")
        },
    )


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(payload=body, which=st.sampled_from(["complete", "correction", "opinion"]))
def test_no_body_gives_a_server_error(client, world, payload, which):
    s = world.scene
    path, person = {
        "complete": (f"/api/v1/projects/{s.building.pk}/steps/complete_construction/", "owner_head"),
        "correction": (f"/api/v1/projects/{s.reviewing.pk}/steps/request_correction/", "bureau_reviewer"),
        "opinion": (f"/api/v1/projects/{s.reviewing.pk}/opinions/", "cac_reviewer"),
    }[which]
    answer = client.post(
        path, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Token {world.keys[person]}"
    )
    assert answer.status_code < 500, answer.content[:500]
    if answer.status_code >= 400:
        assert answer.json()["detail"]


def test_a_valid_body_takes_the_step(client, world):
    """办法第二十九条: the department's 负责人 records the completion date."""
    s = world.scene
    answer = client.post(
        f"/api/v1/projects/{s.building.pk}/steps/complete_construction/",
        {"data": {"completed_on": "2026-01-20", "surplus_returned_yuan": "0"}},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {world.keys['owner_head']}",
    )
    assert answer.status_code == 200, answer.json()
    s.building.refresh_from_db()
    assert s.building.state == S.COMPLETED and str(s.building.completed_on) == "2026-01-20"
