"""办法第二十六、三十六条: an incident report reaches the bureau's queue until the bureau
orders rectification, suspends or terminates; the order to rectify is copied to 省财政厅 and
省发改委; 暂停 and 终止 carry their 文号, shown in the history and the 项目全过程记录."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Copy, Incident
from projects.models import Project
from tests.lifecycle.builders import project_in


@pytest.fixture
def building(orgs, people, call_2026):
    return project_in(S.CONSTRUCTION, orgs, people, call_2026)


def report(project, people, on, kind="delay"):
    with as_of(on):
        return services.incident_report(
            project, actor=people.owner_preparer, kind=kind, description="工程严重逾期三个月。"
        )


def home(client, person) -> str:
    client.force_login(person)
    return client.get(reverse("home")).content.decode()


def test_an_incident_waits_in_the_bureaus_queue_with_a_count_and_a_link(client, building, people):
    project, on = building
    assert "建设单位报告的严重逾期或重大损失" in home(client, people.bureau_reviewer)
    report(project, people, on)
    report(project, people, on, kind="loss")
    page = home(client, people.bureau_reviewer)
    section = page.split("建设单位报告的严重逾期或重大损失")[1].split("</section>")[0]
    heading = page.split("建设单位报告的严重逾期或重大损失")[1][:200]
    assert '<span class="count">2</span>' in heading
    assert reverse("project", args=[project.pk]) in section and "工程严重逾期" in section
    # the department does not get the bureau's queue
    assert "建设单位报告的严重逾期或重大损失" not in home(client, people.owner_head)


@pytest.mark.parametrize(
    "name, data",
    [
        ("order_rectification", {"working_days": 10}),
        ("suspend", {"suspension_no": "黑营商停〔2025〕3号"}),
        ("terminate", {"termination_no": "黑营商终〔2025〕4号"}),
    ],
)
def test_the_bureaus_order_takes_the_incident_out_of_the_queue(building, people, name, data):
    project, on = building
    incident = report(project, people, on)
    with as_of(on):
        services.perform(project, name, actor=people.bureau_head, reason="按办法第二十六条处理。", **data)
    incident.refresh_from_db()
    assert incident.handled_at is not None and incident.handled_by == people.bureau_head
    assert not Incident.objects.filter(handled_at__isnull=True).exists()


def test_the_order_to_rectify_is_copied_to_finance_and_drc(building, people):
    project, on = building
    with as_of(on):
        services.perform(project, "order_rectification", actor=people.bureau_head, reason="整改数据共享。")
    kinds = set(
        Copy.objects.filter(project=project, subject__contains="整改").values_list(
            "organisation__kind", flat=True
        )
    )
    assert kinds == {"finance", "drc"}


@pytest.mark.parametrize("name, field", [("suspend", "suspension_no"), ("terminate", "termination_no")])
def test_suspension_and_termination_need_their_document_number(orgs, people, call_2026, name, field):
    source = S.CONSTRUCTION if name == "suspend" else S.SUSPENDED
    project, on = project_in(source, orgs, people, call_2026)
    for blank in ({}, {field: "  "}):
        with as_of(on), pytest.raises(RuleViolation) as exc:
            services.perform(project, name, actor=people.bureau_head, reason="依规办理。", **blank)
        assert exc.value.code == "data"
    assert Project.objects.get(pk=project.pk).state == source


def test_the_document_numbers_are_recorded_copied_and_shown(client, orgs, people, call_2026):
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with as_of(on):
        services.perform(
            project,
            "suspend",
            actor=people.bureau_head,
            reason="严重逾期。",
            suspension_no="黑营商停〔2025〕7号",
        )
        services.perform(
            project,
            "terminate",
            actor=people.bureau_head,
            reason="无法继续。",
            termination_no="黑营商终〔2025〕8号",
        )
    project.refresh_from_db()
    assert (project.suspension_no, project.termination_no) == ("黑营商停〔2025〕7号", "黑营商终〔2025〕8号")
    assert (
        AuditEntry.objects.get(project=project, action="suspend").data["suspension_no"]
        == "黑营商停〔2025〕7号"
    )
    assert Copy.objects.filter(project=project, subject__contains="黑营商停〔2025〕7号").count() == 2
    client.force_login(people.owner_head)
    page = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "黑营商停〔2025〕7号" in page and "黑营商终〔2025〕8号" in page


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(no=st.one_of(st.text(max_size=80), st.integers(), st.none(), st.booleans()))
def test_any_document_number_is_taken_or_refused_on_the_step_page(client, building, people, no):
    project, on = building
    client.force_login(people.bureau_head)
    url = reverse("project_step", args=[project.pk, "suspend"])
    with as_of(on):
        response = client.post(url, {"reason": "逾期。", "suspension_no": "" if no is None else str(no)})
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        Project.objects.filter(pk=project.pk).update(state=S.CONSTRUCTION)  # for the next example
