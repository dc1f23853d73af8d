"""办法第九、三十三条 on the web: the targets page is the department's own (404 to outsiders,
403 to agencies), reachable from the project page; its forms never answer 500; the steps of
the post-evaluation are offered to the commissioned organisation only."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from projects import evaluation
from projects.models import PerformanceTarget, Project
from tests.factories import OrganisationFactory, ProjectFactory, UserFactory
from tests.lifecycle.builders import project_in

VALUES = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "9" * 40, "<script>", "\x00", "１２３", "NaN"]),
)


def test_the_targets_page_is_the_departments_own(client, orgs, people, call_2026):
    project = ProjectFactory(owner=orgs["owner"], call=call_2026)
    url = reverse("evaluation_targets", args=[project.pk])
    client.force_login(people.owner_preparer)
    assert "绩效目标及完成情况" in client.get(reverse("project", args=[project.pk])).content.decode()
    response = client.post(url, {"action": "add", "add-indicator": "数据共享率", "add-target_value": "≥95%"})
    assert response.status_code == 302
    target = PerformanceTarget.objects.get(project=project)
    assert target.entered == PerformanceTarget.Entered.APPLICATION
    history = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "填报绩效目标" in history  # the audit row in the project history
    client.force_login(people.other_owner_head)
    assert client.get(url).status_code == 404
    Project.objects.filter(pk=project.pk).update(state=S.JOINT_REVIEW)
    client.force_login(people.bureau_head)
    assert client.get(url).status_code == 403
    response = client.post(url, {"action": "remove", "target": target.pk})
    assert response.status_code == 403 and PerformanceTarget.objects.filter(pk=target.pk).exists()


def test_achieved_values_are_entered_on_the_page_while_the_system_runs(client, orgs, people, call_2026):
    project = ProjectFactory(owner=orgs["owner"], call=call_2026)
    target = evaluation.target_add(
        project, actor=people.owner_preparer, indicator="办件量", target_value="10万件"
    )
    Project.objects.filter(pk=project.pk).update(state=S.OPERATION)
    client.force_login(people.owner_head)
    url = reverse("evaluation_targets", args=[project.pk])
    response = client.post(url, {"action": "report", "target": target.pk, f"t{target.pk}-explanation": "x"})
    assert response.status_code == 400
    response = client.post(
        url,
        {
            "action": "report",
            "target": target.pk,
            f"t{target.pk}-achieved_value": "12万件",
            f"t{target.pk}-explanation": "超额完成。",
        },
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.reported and target.achieved_value == "12万件"


@pytest.mark.parametrize("state", [S.DRAFT, S.OPERATION, S.SELF_EVALUATED])
def test_no_value_on_the_targets_page_gives_a_500(client, orgs, people, call_2026, state):
    project = ProjectFactory(owner=orgs["owner"], call=call_2026)
    target = evaluation.target_add(
        project, actor=people.owner_preparer, indicator="覆盖率", target_value="100%"
    )
    Project.objects.filter(pk=project.pk).update(state=state)
    client.force_login(people.owner_preparer)
    url = reverse("evaluation_targets", args=[project.pk])

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        action=st.sampled_from(["add", "remove", "report", "", "?"]),
        ident=st.one_of(st.just(str(target.pk)), VALUES),
        a=VALUES,
        b=VALUES,
    )
    def post(action, ident, a, b):
        data = {
            "action": action,
            "target": ident,
            "add-indicator": a,
            "add-target_value": b,
            f"t{target.pk}-achieved_value": a,
            f"t{target.pk}-explanation": b,
        }
        data = {k: v.replace("\x00", "") for k, v in data.items()}
        with transaction.atomic():
            response = client.post(url, data)
            transaction.set_rollback(True)
        assert response.status_code < 500

    post()


def test_the_post_evaluation_steps_are_offered_to_the_commissioned_organisation_only(
    client, orgs, people, call_2026
):
    project, on = project_in(S.SELF_EVALUATED, orgs, people, call_2026)
    client.force_login(people.bureau_head)
    step = reverse("project_step", args=[project.pk, "commission_post_evaluation"])
    with as_of(on):
        page = client.get(step).content.decode()
        assert orgs["expert"].name in page and orgs["drc"].name not in page.split("<form")[-1]
        response = client.post(step, {"post_evaluator": orgs["expert"].pk})
    assert response.status_code == 302
    rival_org = OrganisationFactory(kind="expert", name="另一咨询公司")
    rival = UserFactory(username="rival", organisation=rival_org, role="reviewer")
    finish = reverse("project_step", args=[project.pk, "finish_post_evaluation"])
    client.force_login(rival)
    assert client.get(finish).status_code == 404
    client.force_login(people.bureau_head)
    assert client.get(finish).status_code == 403
    client.force_login(people.expert_reviewer)
    with as_of(on):
        assert client.get(finish).status_code == 200
        steps = [
            s["name"] for s in services.available(Project.objects.get(pk=project.pk), people.expert_reviewer)
        ]
    assert "finish_post_evaluation" in steps
