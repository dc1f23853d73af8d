"""办法第二十八条: changes after the 概算 — the 15% of the *current* approved total (an
approved change is the new baseline), "累计" since the last approved change, the approver
named by the policy for each kind of change, and the decision printed as its own letter.

Amounts from the 办法 and the walker's project: 概算总投资 5,000,000 元 (the walker approves the
total investment), so 15% is 750,000 元; after an approved change to 6,000,000 元, 15% is
900,000 元."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from core.states import ChangeState, ProjectState as S
from core.timeutil import as_of
from documents import filings, storage
from lifecycle import policy as policy_module, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from lifecycle.policy import HEILONGJIANG_2023
from lifecycle.rules import estimate_approver
from projects.models import Project
from tests.documents import pdfcheck
from tests.lifecycle.builders import project_in

ESTIMATE = Decimal("5000000.00")


@pytest.fixture(autouse=True)
def documents_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "docs")},
        },
    }


@pytest.fixture
def building(orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    assert project.approved_estimate_yuan == ESTIMATE
    return project, on


def change(project, people, on, amount, *, new_total=None, ground="optimisation", goals_unchanged=True):
    with as_of(on):
        c = services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整建设内容",
            reason="优化技术方案",
            ground=ground,
            goals_unchanged=goals_unchanged,
            new_total_yuan=Decimal(new_total) if new_total else None,
            items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": Decimal(amount)}],
        )
        return services.change_submit(c, actor=people.owner_head)


def decide(c, who, on, approve=True):
    with as_of(on):
        return services.change_decide(c, actor=who, approve=approve, note="同意。" if approve else "不同意。")


@pytest.mark.parametrize(
    "amount, state",
    [("750000.00", ChangeState.FILED), ("750000.01", ChangeState.PENDING_APPROVAL)],
)
def test_exactly_15_percent_of_the_estimate_is_filed_a_cent_more_needs_approval(
    building, people, amount, state
):
    project, on = building
    assert change(project, people, on, amount).state == state


def approved_raise(project, people, on, total="6000000.00"):
    """A change raising the total to 6,000,000 元: 超出概算批复 → approval by the body that
    approved the 概算 (the bureau, for this extranet project)."""
    raise_ = change(project, people, on, "100000.00", new_total=total)
    assert raise_.state == ChangeState.PENDING_APPROVAL and raise_.over_estimate
    assert raise_.baseline_yuan == ESTIMATE
    return decide(raise_, people.bureau_head, on)


@pytest.mark.parametrize(
    "amount, state",
    [
        # 15% of the new total: 900,000 元 is still filed (it would be 18% of the old 概算)
        ("900000.00", ChangeState.FILED),
        ("900000.01", ChangeState.PENDING_APPROVAL),
    ],
)
def test_an_approved_change_is_the_new_baseline(building, people, amount, state):
    project, on = building
    assert approved_raise(project, people, on).state == ChangeState.APPROVED
    later = change(project, people, on, amount, new_total="6000000.00")
    assert (later.state, later.baseline_yuan) == (state, Decimal("6000000.00"))
    assert later.ratio == (Decimal(amount) / Decimal("6000000")).quantize(Decimal("0.000001"))


def test_a_rejected_change_changes_no_baseline(building, people):
    project, on = building
    raise_ = change(project, people, on, "100000.00", new_total="6000000.00")
    decide(raise_, people.bureau_head, on, approve=False)
    assert change(project, people, on, "750000.01").state == ChangeState.PENDING_APPROVAL


def test_filed_changes_add_up_since_the_last_approval(building, people):
    project, on = building
    assert change(project, people, on, "500000.00").state == ChangeState.FILED  # 10%
    # another 250,000.01 would make 15% and a cent: approval
    assert change(project, people, on, "250000.01").state == ChangeState.PENDING_APPROVAL
    # 250,000 more makes exactly 15% cumulatively: filed
    assert change(project, people, on, "250000.00").state == ChangeState.FILED
    # an approved change (6,000,000 元) opens a new allowance: 900,000 of it
    approved_raise(project, people, on)
    assert change(project, people, on, "900000.00", new_total="6000000.00").state == ChangeState.FILED


NO_RESET = dataclasses.replace(HEILONGJIANG_2023, change_cumulative_since_last_approval=False)
DRC_APPROVES_CONTENT = dataclasses.replace(HEILONGJIANG_2023, change_content_approver="drc")


@pytest.fixture
def policy(settings):
    def use(name, value):
        setattr(policy_module, name, value)
        settings.LIFECYCLE_POLICY = f"lifecycle.policy.{name}"

    yield use
    for name in ("NO_RESET_TEST", "DRC_CONTENT_TEST"):
        if hasattr(policy_module, name):
            delattr(policy_module, name)


def test_read_without_reset_every_filed_change_counts(building, people, policy):
    policy("NO_RESET_TEST", NO_RESET)
    project, on = building
    assert change(project, people, on, "500000.00").state == ChangeState.FILED
    approved_raise(project, people, on)
    # 500,000 + 400,000.01 over 6,000,000 = 15% and a bit: approval
    assert (
        change(project, people, on, "400000.01", new_total="6000000.00").state == ChangeState.PENDING_APPROVAL
    )


# ---------------------------------------------------------------- who approves (policy)


def refused(c, who, on):
    with pytest.raises(RuleViolation) as exc, as_of(on):
        services.change_decide(c, actor=who, approve=True)
    assert exc.value.code == "permission" and "第二十八条" in exc.value.message
    c.refresh_from_db()
    assert c.state == ChangeState.PENDING_APPROVAL


def test_a_content_change_is_approved_by_the_bureau(building, people):
    project, on = building
    c = change(project, people, on, "1000000.00")  # 20%, within 概算
    assert not c.over_estimate
    for who in ("drc_head", "bureau_reviewer", "owner_head", "intranet_head"):
        refused(c, people[who], on)
    assert decide(c, people.bureau_head, on).state == ChangeState.APPROVED


def test_an_intranet_projects_over_estimate_change_is_approved_by_the_intranet_office(
    orgs, people, call_2026
):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026, network="intranet")
    assert project.reviewing_kind == "intranet"
    c = change(project, people, on, "100000.00", new_total="5500000.00")
    assert c.over_estimate
    refused(c, people.bureau_head, on)
    assert decide(c, people.intranet_head, on).state == ChangeState.APPROVED
    # a content change of the same project: the bureau (Policy.change_content_approver)
    content = change(project, people, on, "900000.00", new_total="5500000.00", goals_unchanged=False)
    refused(content, people.intranet_head, on)
    assert decide(content, people.bureau_head, on).state == ChangeState.APPROVED


def test_the_estimate_approver_of_a_merged_fsr_is_the_drc():
    assert estimate_approver(Project(network="extranet", merged_fsr_design=True)) == "drc"
    assert estimate_approver(Project(network="extranet", merged_fsr_design=False)) == "bureau"
    assert estimate_approver(Project(network="intranet", merged_fsr_design=False)) == "intranet"


def test_the_approver_is_a_policy_setting(building, people, policy):
    policy("DRC_CONTENT_TEST", DRC_APPROVES_CONTENT)
    project, on = building
    c = change(project, people, on, "1000000.00")
    refused(c, people.bureau_head, on)
    assert decide(c, people.drc_head, on).state == ChangeState.APPROVED


# ---------------------------------------------------------------- the letter and the history


def text(filing) -> str:
    with storage.open_file(filing.storage_key) as fh:
        return re.sub(r"\s+", "", pdfcheck.text(fh.read()))


def test_the_decision_is_its_own_numbered_letter_by_the_approver(building, orgs, people):
    project, on = building
    orgs["bureau"].code = "黑营商"
    orgs["bureau"].save()
    c = change(project, people, on, "100000.00", new_total="6000000.00")
    with pytest.raises(RuleViolation):  # before the decision: no letter
        filings.generate("change_approval", actor=people.bureau_head, project=project, object_id=c.pk)
    decide(c, people.bureau_head, on)
    with pytest.raises(RuleViolation):  # not by the department
        filings.generate("change_approval", actor=people.owner_head, project=project, object_id=c.pk)
    filing = filings.generate("change_approval", actor=people.bureau_head, project=project, object_id=c.pk)
    body = text(filing)
    assert "项目变更的批复" in body and "同意该项变更" in body and "第二十八条" in body
    assert "600.00万元" in body and "批复总投资基数" in body
    entry = AuditEntry.objects.get(
        object_id=str(c.pk), action="submit", object_type="lifecycle.changerequest"
    )
    assert entry.data["baseline_yuan"] == "5000000.00" and entry.data["over_estimate"] is True
    assert AuditEntry.objects.filter(project=project, action="approve").exists()


def test_the_approver_finds_the_letter_on_the_project_page(client, building, orgs, people):
    project, on = building
    c = change(project, people, on, "1000000.00")
    client.force_login(people.bureau_head)
    url = f"/projects/{project.pk}/"
    assert "项目变更审批意见" not in client.get(url).content.decode()
    decide(c, people.bureau_head, on, approve=False)
    assert "项目变更审批意见" in client.get(url).content.decode()
    client.force_login(people.owner_head)  # the department reads it once issued, but does not issue it
    assert "项目变更审批意见" not in client.get(url).content.decode()


def test_a_refusal_is_a_letter_too(building, orgs, people):
    project, on = building
    orgs["bureau"].code = "黑营商"
    orgs["bureau"].save()
    c = decide(change(project, people, on, "1000000.00"), people.bureau_head, on, approve=False)
    body = text(
        filings.generate("change_approval", actor=people.bureau_head, project=project, object_id=c.pk)
    )
    assert "不予批准" in body and "不同意该项变更" in body and "批复总投资基数" not in body
