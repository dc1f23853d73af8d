"""办法第十三条: a cross-department project lists its participants with their part, business
flow, data flow and interfaces; each participating department's 负责人 confirms its part
before the lead submits; editing the part clears the confirmation; the participants see the
project they are asked to confirm and nothing else; the bureau sees overlaps; 办法第十四条
level relations are shown to reviewers."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import participation, selectors, services as project_services
from projects.forms import ApplicationForm, application_formsets
from projects.models import CallSubmission, Level, LevelRelation, Organisation, Participant, Project
from tests.factories import ProjectFactory, complete_application

D = datetime.date
ON = D(2025, 6, 10)  # inside the June 2025 call for 2026


@pytest.fixture
def third(db):
    return Organisation.objects.create(kind="owner", name="黑龙江省民政厅", code="黑民")


def _cross(orgs, call, **part):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call, name="一网通办协同平台"))
    participant = Participant.objects.create(
        project=project,
        organisation=orgs["other_owner"],
        part=part.get("part", "建设卫生健康业务受理子系统。"),
        business_flow="受理事项推送至牵头部门统一平台。",
        data_flow="共享电子证照数据。",
        interfaces="统一身份认证接口、事项推送接口。",
    )
    return project, participant


def _submit(orgs, people, call):
    submission, _ = CallSubmission.objects.get_or_create(call=call, organisation=orgs["owner"])
    with as_of(ON):
        project_services.call_submit(
            submission, actor=people.owner_head, letter="申报函", responsible_person=people.owner_head
        )


def test_submission_refuses_an_unconfirmed_participant(orgs, people, call_2026):
    project, _p = _cross(orgs, call_2026)
    with pytest.raises(RuleViolation) as exc:
        _submit(orgs, people, call_2026)
    assert "办法第十三条" in exc.value.message and orgs["other_owner"].name in exc.value.message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT


def test_the_participating_head_confirms_then_the_lead_submits(orgs, people, call_2026):
    project, participant = _cross(orgs, call_2026)
    with as_of(ON):
        participation.participant_confirm(participant, actor=people.other_owner_head)
    entry = AuditEntry.objects.get(project=project, action=participation.CONFIRMED)
    assert entry.article == "第十三条" and entry.organisation == orgs["other_owner"]
    assert entry.data["interfaces"] == "统一身份认证接口、事项推送接口。"
    _submit(orgs, people, call_2026)
    assert Project.objects.get(pk=project.pk).state == S.SUBMITTED


@pytest.mark.parametrize("who", ["other_owner_preparer", "owner_head", "bureau_head", "other_owner_reviewer"])
def test_only_the_participating_departments_head_confirms(orgs, people, call_2026, who):
    _project, participant = _cross(orgs, call_2026)
    with as_of(ON), pytest.raises(RuleViolation) as exc:
        participation.participant_confirm(participant, actor=people[who])
    assert "办法第十三条" in exc.value.message
    assert Participant.objects.get(pk=participant.pk).confirmed_at is None


def test_no_confirmation_after_submission(orgs, people, call_2026):
    _project, participant = _cross(orgs, call_2026)
    with as_of(ON):
        participation.participant_confirm(participant, actor=people.other_owner_head)
    _submit(orgs, people, call_2026)
    Participant.objects.filter(pk=participant.pk).update(confirmed_at=None)
    with as_of(ON), pytest.raises(RuleViolation) as exc:
        participation.participant_confirm(
            Participant.objects.get(pk=participant.pk), actor=people.other_owner_head
        )
    assert exc.value.code == "state"


def _post_application(client, project, **participant_fields):
    form = ApplicationForm(instance=project)
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    data["call"] = project.call_id
    data["total_investment_yuan"] = "500"
    data["planned_start"] = ""
    for prefix, formset, _h, _k in application_formsets(instance=project):
        mgmt = formset.management_form
        data.update({f"{prefix}-{k}": v for k, v in mgmt.initial.items()})
        for i, sub in enumerate(formset.forms):
            for name in sub.fields:
                value = sub[name].value()
                if name in ("amount_yuan",):
                    value = str(sub.instance.amount_yuan / 10000) if sub.instance.pk else ""
                data[f"{prefix}-{i}-{name}"] = "" if value is None else value
            if prefix == "participants" and sub.instance.pk:
                for name, value in participant_fields.items():
                    data[f"{prefix}-{i}-{name}"] = value
    return client.post(reverse("application_edit", args=[project.pk]), data)


def test_editing_the_part_clears_the_confirmation(orgs, people, call_2026):
    project, participant = _cross(orgs, call_2026)
    with as_of(ON):
        participation.participant_confirm(participant, actor=people.other_owner_head)
    client = Client()
    client.force_login(people.owner_preparer)
    with as_of(ON):
        # Saving without touching the part keeps the confirmation …
        _post_application(client, project)
        assert Participant.objects.get(pk=participant.pk).confirmed_at is not None
        # … editing the data flow clears it, with an audit row naming the department.
        response = _post_application(client, project, data_flow="共享电子证照和办件数据。")
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.confirmed_at is None and participant.data_flow == "共享电子证照和办件数据。"
    entry = AuditEntry.objects.get(project=project, action=participation.CLEARED)
    assert entry.article == "第十三条" and entry.data["organisation"] == orgs["other_owner"].name
    with pytest.raises(RuleViolation):
        _submit(orgs, people, call_2026)


def test_a_participant_sees_the_project_and_nothing_else_of_the_lead(orgs, people, call_2026, third):
    project, _p = _cross(orgs, call_2026)
    other = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    visible = set(selectors.visible_projects(people.other_owner_preparer).values_list("pk", flat=True))
    assert project.pk in visible and other.pk not in visible
    client = Client()
    client.force_login(people.other_owner_preparer)
    assert client.get(reverse("project", args=[project.pk])).status_code == 200
    assert client.get(reverse("participant_confirm", args=[project.pk])).status_code == 200
    assert client.get(reverse("project", args=[other.pk])).status_code == 404
    assert client.get(reverse("application_edit", args=[project.pk])).status_code == 403
    # The preparer reads the part; only the head confirms.
    assert client.post(reverse("participant_confirm", args=[project.pk])).status_code == 403


def test_an_outsider_gets_404_on_the_confirmation_page(orgs, people, call_2026, third):
    project, _p = _cross(orgs, call_2026)
    outsider = people.owner_head.__class__.objects.create_user(
        username="minzheng_head", password="x", organisation=third, role="head"
    )
    client = Client()
    client.force_login(outsider)
    assert client.get(reverse("participant_confirm", args=[project.pk])).status_code == 404
    assert client.post(reverse("participant_confirm", args=[project.pk])).status_code == 404
    assert client.get(reverse("project", args=[project.pk])).status_code == 404


def test_the_lead_and_the_bureau_cannot_confirm_through_the_page(orgs, people, call_2026):
    project, _p = _cross(orgs, call_2026)
    # The lead sees the page's project but is not the participant: 403; the bureau does not
    # see another department's draft at all: 404.
    for who, status in (("owner_head", 403), ("bureau_head", 404)):
        client = Client()
        client.force_login(people[who])
        assert client.post(reverse("participant_confirm", args=[project.pk])).status_code == status


def test_the_head_confirms_on_the_page_and_it_shows_in_the_history(orgs, people, call_2026):
    project, participant = _cross(orgs, call_2026)
    client = Client()
    client.force_login(people.other_owner_head)
    with as_of(ON):
        response = client.post(reverse("participant_confirm", args=[project.pk]))
    assert response.status_code == 302
    assert Participant.objects.get(pk=participant.pk).confirmed_by == people.other_owner_head
    page = Client()
    page.force_login(people.owner_preparer)
    html = page.get(reverse("project", args=[project.pk])).content.decode()
    assert "参建部门确认参建内容" in html and "统一身份认证接口" in html


def test_the_bureau_sees_overlap_and_level_relations(orgs, people, call_2026, third):
    project, participant = _cross(orgs, call_2026)
    LevelRelation.objects.create(project=project, level=Level.NATIONAL, related_system="国家政务服务平台")
    with as_of(ON):
        participation.participant_confirm(participant, actor=people.other_owner_head)
    # Another department's application in the same call names the same participant.
    rival = complete_application(ProjectFactory(owner=third, call=call_2026, name="社会救助信息系统"))
    Participant.objects.create(project=rival, organisation=orgs["other_owner"], part="医疗救助数据")
    Project.objects.filter(pk=rival.pk).update(state=S.SUBMITTED)
    _submit(orgs, people, call_2026)
    found = participation.overlaps(Project.objects.get(pk=project.pk))
    assert [o["project"].pk for o in found] == [rival.pk]
    assert orgs["other_owner"].name in found[0]["reasons"][0]
    client = Client()
    client.force_login(people.bureau_reviewer)
    html = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "社会救助信息系统" in html and "国家政务服务平台" in html and "办法第十四条" in html


# ---------------------------------------------------------------- no value gives a 500


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {
            name: st.one_of(
                st.text(max_size=60),
                st.sampled_from(["", "\x00", "a" * 3000, "<script>", "-1", "99999999999999999999"]),
            )
            for name in ("part", "business_flow", "data_flow", "interfaces")
        }
    )
)
def test_no_participant_value_gives_a_500(orgs, people, call_2026, values):
    project = Project.objects.filter(name="一网通办协同平台").first()
    if project is None:
        project, _p = _cross(orgs, call_2026)
    client = Client()
    client.force_login(people.owner_preparer)
    with as_of(ON):
        response = _post_application(client, project, **values)
    assert response.status_code < 500


def test_the_lead_cannot_confirm_itself_as_a_participant(orgs, people, call_2026):
    project, _p = _cross(orgs, call_2026)
    own = Participant.objects.create(project=project, organisation=orgs["owner"], part="牵头部门自身")
    with as_of(ON), pytest.raises(RuleViolation) as exc:
        participation.participant_confirm(own, actor=people.owner_head)
    assert exc.value.code == "lead" and "办法第十三条" in exc.value.message


def test_editing_the_part_in_the_admin_clears_the_confirmation_too(rf, orgs, people, call_2026):
    """办法第十三条: every way in — the admin's inline rows as much as the application page."""
    from types import SimpleNamespace

    from django.contrib import admin

    project, participant = _cross(orgs, call_2026)
    with as_of(ON):
        participation.participant_confirm(participant, actor=people.other_owner_head)
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    model_admin = admin.site._registry[Project]
    request = rf.post("/")
    request.user = people.admin
    inline = next(i for i in model_admin.get_inline_instances(request, project) if i.model is Participant)
    unbound = inline.get_formset(request, project)(instance=project)
    prefix = unbound.prefix
    data = {
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
        f"{prefix}-0-id": str(participant.pk),
        f"{prefix}-0-project": str(project.pk),
        f"{prefix}-0-organisation": str(orgs["other_owner"].pk),
        f"{prefix}-0-part": participant.part,
        f"{prefix}-0-business_flow": participant.business_flow,
        f"{prefix}-0-data_flow": "改由管理员录入的数据流向。",
        f"{prefix}-0-interfaces": participant.interfaces,
    }
    formset = inline.get_formset(request, project)(data, instance=project)
    assert formset.is_valid(), formset.errors
    with as_of(ON):
        model_admin.save_formset(request, SimpleNamespace(instance=project), formset, True)
    participant.refresh_from_db()
    assert participant.confirmed_at is None and participant.data_flow == "改由管理员录入的数据流向。"
    assert AuditEntry.objects.filter(project=project, action=participation.CLEARED).exists()


def test_the_overlap_is_weighed_while_the_application_is_decided_not_afterwards(
    orgs, people, call_2026, third, monkeypatch
):
    """办法第十三条: the bureau weighs the overlap with the call's other applications while it
    decides the application (第十、十一条); a project under construction is past that, and its
    page does not compare it with every application of its call again (issue 10)."""
    project, _participant = _cross(orgs, call_2026)
    rival = complete_application(ProjectFactory(owner=third, call=call_2026, name="社会救助信息系统"))
    Participant.objects.create(project=rival, organisation=orgs["other_owner"], part="医疗救助数据")
    Project.objects.filter(pk__in=[project.pk, rival.pk]).update(state=S.JOINT_REVIEW)
    client = Client()
    client.force_login(people.bureau_reviewer)
    assert "社会救助信息系统" in client.get(reverse("project", args=[project.pk])).content.decode()
    Project.objects.filter(pk=project.pk).update(state=S.CONSTRUCTION)
    monkeypatch.setattr(
        participation, "overlaps", lambda p: pytest.fail("overlap computed after the decision")
    )
    html = client.get(reverse("project", args=[project.pk])).content.decode()
    assert "与本次征集其他申报的交叉" not in html
