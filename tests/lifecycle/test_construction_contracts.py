"""办法第二十一条 (招标投标、政府采购、工程监理、合同管理), 第二十四条 (工程监理制) and 第三十条
(成果及知识产权归项目建设单位所有): the contracts of a project, recorded by the department's
staff through lifecycle.contracts.contract_record, audited, shown and exported."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st
from openpyxl import load_workbook

from core.states import ProjectState as S
from core.timeutil import as_of
from exports.base import write_xlsx
from exports.reports import LedgerExporter
from lifecycle import services
from lifecycle.contracts import contract_record
from lifecycle.errors import RuleViolation
from lifecycle.events import Action
from lifecycle.models import AuditEntry, Contract
from projects.models import Project
from tests.lifecycle.builders import project_in

D = datetime.date


def fields(**overrides):
    return {
        "kind": "supervision",
        "procurement_method": "open_tender",
        "supplier": "黑龙江信息工程监理有限公司",
        "number": "JL-2026-031",
        "amount_yuan": Decimal("150000.00"),
        "signed_on": D(2025, 11, 20),
        "ip_clause": True,
        **overrides,
    }


@pytest.fixture
def ratified(orgs, people, call_2026):
    project, on = project_in(S.RATIFIED, orgs, people, call_2026)
    assert not project.contracts.exists()
    return project, on


def record(project, on, actor, **overrides):
    with as_of(on):
        return contract_record(project, actor=actor, **fields(**overrides))


def test_the_department_records_its_supervision_contract_and_construction_may_start(ratified, people):
    project, on = ratified
    # 办法第二十四条: no 监理 contract, no start.
    with as_of(on), pytest.raises(RuleViolation) as exc:
        services.perform(
            project, "start_construction", actor=people.owner_preparer, construction_started_on=on
        )
    assert exc.value.article == "第二十四条"
    # a construction contract alone is not a 监理 contract
    record(project, on, people.owner_preparer, kind="construction", number="JS-1", supplier="某建设公司")
    with as_of(on), pytest.raises(RuleViolation):
        services.perform(
            project, "start_construction", actor=people.owner_preparer, construction_started_on=on
        )
    contract = record(project, on, people.owner_preparer)
    assert (contract.kind, contract.recorded_by, contract.ip_clause) == (
        "supervision",
        people.owner_preparer,
        True,
    )
    entry = AuditEntry.objects.filter(project=project, action=Action.CONTRACT_RECORDED).latest("pk")
    assert entry.article == "第二十四条" and not entry.override
    assert entry.data["number"] == "JL-2026-031" and entry.data["amount_yuan"] == "150000.00"
    with as_of(on):
        services.perform(
            project, "start_construction", actor=people.owner_preparer, construction_started_on=on
        )
    assert Project.objects.get(pk=project.pk).state == S.CONSTRUCTION


def test_without_the_ip_clause_only_a_head_with_a_reason_records_it(ratified, people):
    project, on = ratified
    for actor, reason in (
        (people.owner_preparer, ""),
        (people.owner_preparer, "原合同签订于本办法施行前"),
        (people.owner_head, "  "),
    ):
        with pytest.raises(RuleViolation) as exc:
            record(project, on, actor, ip_clause=False, ip_override_reason=reason)
        assert exc.value.article == "第三十条", (actor, reason)
    assert not project.contracts.exists()
    contract = record(
        project, on, people.owner_head, ip_clause=False, ip_override_reason="原合同签订于本办法施行前"
    )
    assert (contract.ip_override_by, contract.ip_override_reason) == (
        people.owner_head,
        "原合同签订于本办法施行前",
    )
    entry = AuditEntry.objects.get(project=project, action=Action.CONTRACT_RECORDED)
    assert entry.override and entry.reason == "原合同签订于本办法施行前" and entry.article == "第二十四条"


def test_the_database_refuses_a_contract_without_the_clause_and_without_a_reason(ratified, people):
    project, _on = ratified
    from django.db import IntegrityError
    from django.utils import timezone

    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.create(project=project, **fields(ip_clause=False), recorded_at=timezone.now())


@pytest.mark.parametrize("who", ["bureau_head", "bureau_reviewer", "other_owner_head", "drc_head", "admin"])
def test_only_the_departments_staff_record_contracts(ratified, people, who):
    project, on = ratified
    with pytest.raises(RuleViolation):
        record(project, on, people[who])
    assert not project.contracts.exists()


@pytest.mark.parametrize("state", [S.APPROVAL_COMPLETE, S.COMPLETED])
def test_contracts_are_recorded_between_ratification_and_completion(orgs, people, call_2026, state):
    project, on = project_in(state, orgs, people, call_2026)
    with pytest.raises(RuleViolation) as exc:
        record(project, on, people.owner_preparer, number="X-1")
    assert exc.value.code == "state" and exc.value.article == "第二十一条"


@pytest.mark.parametrize(
    "bad",
    [
        {"supplier": "  "},
        {"number": ""},
        {"amount_yuan": Decimal("0")},
        {"amount_yuan": Decimal("-1")},
        {"amount_yuan": Decimal("1000000000000")},
        {"amount_yuan": Decimal("1.001")},
        {"amount_yuan": "abc"},
        {"signed_on": D(2099, 1, 1)},
        {"procurement_method": "bribe"},
        {"kind": "other"},
    ],
)
def test_each_datum_is_checked(ratified, people, bad):
    project, on = ratified
    with pytest.raises(RuleViolation):
        record(project, on, people.owner_preparer, **bad)
    assert not project.contracts.exists()


def test_a_number_is_recorded_once_per_project(ratified, people):
    project, on = ratified
    record(project, on, people.owner_preparer)
    with pytest.raises(RuleViolation) as exc:
        record(project, on, people.owner_preparer, kind="construction")
    assert exc.value.code == "duplicate"


def test_the_page_records_and_the_project_page_and_the_ledger_show_it(client, ratified, people):
    project, on = ratified
    client.force_login(people.owner_preparer)
    url = reverse("contract_new", args=[project.pk])
    with as_of(on):
        assert url in client.get(reverse("project", args=[project.pk])).content.decode()
        assert client.get(url).status_code == 200
        post = {
            "kind": "construction",
            "procurement_method": "consultation",
            "supplier": "黑龙江数字政府建设运营有限公司",
            "number": "JS-2026-7",
            "amount_yuan": "450",
            "signed_on": on.isoformat(),
        }
        response = client.post(url, post)  # no IP clause, no reason
        assert response.status_code == 400 and "第三十条" in response.content.decode()
        assert client.post(url, {**post, "ip_clause": "on"}).status_code == 302
    contract = project.contracts.get()
    assert (contract.amount_yuan, contract.procurement_method) == (Decimal("4500000.00"), "consultation")
    page = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "黑龙江数字政府建设运营有限公司" in page and "竞争性磋商" in page and "JS-2026-7" in page
    # the bureau reads it too, and the 台账 lists it
    client.force_login(people.bureau_reviewer)
    assert "JS-2026-7" in client.get(reverse("project", args=[project.pk])).content.decode()
    assert client.get(url).status_code in (403, 404)
    import io

    buffer = io.BytesIO()
    write_xlsx(LedgerExporter(Project.objects.filter(pk=project.pk)), buffer)
    cells = [c.value for row in load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows() for c in row]
    assert any(
        isinstance(v, str) and "黑龙江数字政府建设运营有限公司" in v and "竞争性磋商" in v for v in cells
    )
    assert Decimal("450.00") in [Decimal(str(v)) for v in cells if isinstance(v, (int, float, Decimal))]
    assert "已载明" in cells


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "kind": st.one_of(st.sampled_from(["construction", "supervision", "", "x"]), st.text(max_size=5)),
            "procurement_method": st.one_of(
                st.sampled_from(list(Contract.Method.values)), st.text(max_size=5)
            ),
            "supplier": st.one_of(st.text(max_size=250), st.none(), st.integers()),
            "number": st.one_of(st.text(max_size=80), st.none()),
            "amount_yuan": st.one_of(
                st.decimals(allow_nan=True, allow_infinity=True), st.floats(), st.text(max_size=20), st.none()
            ),
            "signed_on": st.one_of(st.dates(), st.datetimes(), st.text(max_size=10), st.none()),
            "ip_clause": st.one_of(st.booleans(), st.none(), st.text(max_size=3)),
            "ip_override_reason": st.one_of(st.text(max_size=50), st.none()),
        },
    )
)
def test_no_value_makes_the_service_crash(ratified, people, data):
    project, on = ratified
    with transaction.atomic():
        try:
            with as_of(on):
                contract_record(project, actor=people.owner_head, **{**fields(), **data})
        except RuleViolation:
            pass
        transaction.set_rollback(True)
