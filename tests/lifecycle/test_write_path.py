"""One write path (issue 7, item 6): every state change goes through services.perform —
from the web step page and the admin alike — which records who decided, runs the effects
the step declares, and announces the step by name; the records of a step are read-only in
the admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.states import ChangeState, PlanState, ProjectState as S
from core.timeutil import as_of
from documents import services as documents
from documents.models import SignOff
from documents.registry import STEPS
from lifecycle import audit, services
from lifecycle.errors import RuleViolation
from lifecycle.events import Action
from lifecycle.models import AuditEntry, ChangeRequest, Clock, Opinion
from projects.models import AnnualPlan, Project
from tests.conftest import TZ, at
from tests.lifecycle.builders import project_in, submitted_on
from web import step_views as lifecycle_views
from web.scenarios import Walker

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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
    """In construction; the walker approves the total investment, 5,000,000 元, as the 概算."""
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    assert project.approved_estimate_yuan == Decimal("5000000.00")
    return project, on


def draft_change(project, people, on, amount: str, ground="optimisation") -> ChangeRequest:
    with as_of(on):
        return services.change_create(
            project,
            actor=people.owner_preparer,
            title="调整建设内容",
            reason="优化技术方案",
            ground=ground,
            items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": Decimal(amount)}],
        )


# ---------------------------------------------------------------- 办法第二十八条: routing inside the step


@pytest.mark.parametrize(
    "amount, state, ratio",
    [
        # 500,000 of 5,000,000 = 10 %: within 15 %, within 概算, goals unchanged, a ground → 备案.
        ("500000.00", ChangeState.FILED, Decimal("0.100000")),
        # 1,000,000 of 5,000,000 = 20 % > 15 % → 履行审批手续.
        ("1000000.00", ChangeState.PENDING_APPROVAL, Decimal("0.200000")),
    ],
)
def test_perform_submit_routes_a_change_by_itself(building, people, amount, state, ratio):
    project, on = building
    change = draft_change(project, people, on, amount)
    with as_of(on):
        services.perform(change, "submit", actor=people.owner_head)
    change.refresh_from_db()
    assert (change.state, change.ratio) == (state, ratio)
    assert change.submitted_at is not None
    entry = AuditEntry.objects.get(
        object_type="lifecycle.changerequest", object_id=str(change.pk), action="submit"
    )
    assert entry.to_state == state and Decimal(entry.data["ratio"]) == ratio
    if state == ChangeState.PENDING_APPROVAL:
        assert (
            any("15%" in r for r in change.route_reasons)
            and entry.data["route_reasons"] == change.route_reasons
        )
    else:
        assert change.route_reasons == []


def test_the_ratio_is_computed_when_submitted_not_when_drafted(building, people):
    """Two drafts of 10 % each: the first filed makes the second 20 % cumulative → approval."""
    project, on = building
    first, second = (
        draft_change(project, people, on, "500000.00"),
        draft_change(project, people, on, "500000.00"),
    )
    with as_of(on):
        services.perform(first, "submit", actor=people.owner_head)
        services.perform(second, "submit", actor=people.owner_head)
    second.refresh_from_db()
    assert (second.state, second.ratio) == (ChangeState.PENDING_APPROVAL, Decimal("0.200000"))


def test_perform_approve_records_who_decided_and_when(building, people):
    project, on = building
    change = draft_change(project, people, on, "1000000.00")
    services.perform(change, "submit", actor=people.owner_head)
    with at(2026, 3, 2, 15):
        services.perform(change, "approve", actor=people.bureau_head, reason="同意调整。")
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED
    assert change.decided_by == people.bureau_head
    assert change.decided_at == datetime.datetime(2026, 3, 2, 15, tzinfo=TZ)
    assert change.decision_note == "同意调整。"


def test_a_refused_decision_records_nothing(building, people):
    project, on = building
    change = draft_change(project, people, on, "1000000.00")
    services.perform(change, "submit", actor=people.owner_head)
    with pytest.raises(RuleViolation):
        services.perform(change, "approve", actor=people.owner_head, reason="自己批")
    change.refresh_from_db()
    assert (change.state, change.decided_by, change.decided_at) == (ChangeState.PENDING_APPROVAL, None, None)


# ---------------------------------------------------------------- the generic step page does every step


def test_no_effect_map_and_no_special_cases_are_left():
    assert not hasattr(services, "EFFECTS") and not hasattr(lifecycle_views, "SPECIAL")
    t, _ = services.transition_of(Project(), "accept_application")
    # 受理 ends the wait from submission (办法第十条 sets no number for it) and starts the 5 days.
    assert [f.__name__ for f in t.custom["effects"]] == ["stop_intake_clock", "start_joint_review_clock"]


def test_the_step_pages_submit_approve_and_reject_changes(client, building, people):
    project, on = building
    filed, big, refused = (
        draft_change(project, people, on, a) for a in ("500000.00", "1000000.00", "1500000.00")
    )
    client.force_login(people.owner_head)
    for change in (filed, big, refused):
        response = client.post(reverse("change_step", args=[change.pk, "submit"]), {})
        assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.state, filed.ratio) == (ChangeState.FILED, Decimal("0.100000"))
    client.force_login(people.bureau_head)
    with at(2026, 3, 3, 9):
        client.post(reverse("change_step", args=[big.pk, "approve"]), {"reason": "同意。"})
        client.post(reverse("change_step", args=[refused.pk, "reject"]), {"reason": "调整幅度过大。"})
    big.refresh_from_db()
    refused.refresh_from_db()
    assert (big.state, big.decided_by, big.decision_note) == (
        ChangeState.APPROVED,
        people.bureau_head,
        "同意。",
    )
    assert (refused.state, refused.decided_by, refused.decision_note) == (
        ChangeState.REJECTED,
        people.bureau_head,
        "调整幅度过大。",
    )
    assert big.decided_at == datetime.datetime(2026, 3, 3, 9, tzinfo=TZ)


@pytest.fixture
def urgent(orgs, people, call_2026):
    """A draft with a written mandate (办法第十二条) and the approved 2026 plan."""
    project, _on = project_in(
        S.DRAFT, orgs, people, call_2026, emergency_mandate="国务院办公厅通知要求年内建成。"
    )
    plan = AnnualPlan.objects.create(year=2026)
    AnnualPlan.objects.filter(pk=plan.pk).update(state=PlanState.APPROVED)
    return project, AnnualPlan.objects.get(pk=plan.pk)


def test_the_step_page_requests_emergency_insertion_into_the_approved_plan(client, urgent, people):
    project, plan = urgent
    client.force_login(people.owner_head)
    url = reverse("project_step", args=[project.pk, "request_emergency"])
    assert "已批准的当年度建设计划" not in client.get(url).content.decode()
    assert client.post(url, {"responsible_person": people.owner_head.pk}).status_code == 302
    project.refresh_from_db()
    assert (project.state, project.plan) == (S.EMERGENCY_REQUESTED, plan)
    entry = AuditEntry.objects.get(project=project, action="request_emergency")
    assert entry.data["plan"]["id"] == plan.pk


def test_a_refused_emergency_request_leaves_the_project_outside_the_plan(urgent, people):
    project, _plan = urgent
    project.emergency_mandate = ""
    project.save()
    with pytest.raises(RuleViolation, match="第十二条"):
        services.perform(project, "request_emergency", actor=people.owner_head)
    assert project.plan_id is None
    project.refresh_from_db()
    assert (project.state, project.plan_id) == (S.DRAFT, None)


# ---------------------------------------------------------------- events keyed by names, not audit strings


def upload_fsr(project, people):
    return documents.material_upload(
        project, actor=people.owner_preparer, kind="fsr", upload=SimpleUploadedFile("可研报告.pdf", PDF)
    )


def test_materials_stay_locked_when_a_step_is_reworded(orgs, people, call_2026, monkeypatch):
    project, on = project_in(S.IN_PLAN, orgs, people, call_2026)
    project.platform_code, project.fsr_sharing_chapter = f"2601-230000-04-01-{project.pk:06d}", True
    project.save()
    version = upload_fsr(project, people)
    t, _ = services.transition_of(project, "submit_fsr")
    monkeypatch.setitem(t.custom, "label", "报送可研报告（新措辞）")
    with as_of(on):
        services.perform(project, "submit_fsr", actor=people.owner_preparer)
    version.refresh_from_db()
    assert version.locked and version.locked_by_action == "报送可研报告（新措辞）"


def test_an_audit_row_alone_locks_nothing(orgs, people, call_2026):
    """The documents app listens to steps taken, not to rows that happen to carry a name."""
    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)
    version = upload_fsr(project, people)
    audit.record(actor=people.owner_preparer, action="submit_fsr", obj=project, label="报送可行性研究报告")
    version.refresh_from_db()
    assert not version.locked


def test_an_opinion_signs_off_the_versions_it_covered(orgs, people, call_2026):
    project, _on = project_in(S.DRAFT, orgs, people, call_2026)
    application = documents.material_upload(
        project, actor=people.owner_preparer, kind="application", upload=SimpleUploadedFile("申报书.pdf", PDF)
    )
    walker = Walker(people)
    walker.submit_batch(call_2026, orgs["owner"], submitted_on(call_2026))
    walker.step(project, "accept_application", people.bureau_reviewer, submitted_on(call_2026))
    opinion = services.opinion_give(
        project, actor=people.cac_reviewer, aspect="security", conclusion="approve", text="同意。"
    )
    signoff = SignOff.objects.get(opinion=opinion)
    assert signoff.version == application and signoff.audit_entry.action == Action.OPINION_GIVEN


def test_every_materials_step_names_a_transition_or_an_action():
    transitions = set(services.transition_names(Project()))
    actions = {v for k, v in vars(Action).items() if k.isupper()}
    for key in STEPS:
        action = key[0] if isinstance(key, tuple) else key
        assert action in transitions or action in actions, key


# ------------------------------------------------------ the admin: records read-only, steps via perform


@pytest.fixture
def superuser(people):
    people.admin.is_staff = people.admin.is_superuser = True
    people.admin.save()
    return people.admin


@pytest.fixture
def reviewed(orgs, people, call_2026):
    project, _on = project_in(S.REVIEW_PASSED, orgs, people, call_2026)
    return project


def test_the_admin_cannot_rewrite_a_joint_review_opinion(client, superuser, reviewed):
    opinion = Opinion.objects.get(project=reviewed, aspect="intensive")
    before = (opinion.conclusion, opinion.text, AuditEntry.objects.of_work().count())
    client.force_login(superuser)
    url = reverse("admin:lifecycle_opinion_change", args=[opinion.pk])
    response = client.post(
        url,
        {
            "project": reviewed.pk,
            "stage": "joint_review",
            "aspect": "intensive",
            "organisation": opinion.organisation_id,
            "conclusion": "reject",
            "text": "不同意。",
            "given_by": opinion.given_by_id,
            "given_at_0": "2025-06-20",
            "given_at_1": "10:00:00",
        },
    )
    assert response.status_code == 403
    opinion.refresh_from_db()
    assert (opinion.conclusion, opinion.text, AuditEntry.objects.of_work().count()) == before
    assert (
        client.post(reverse("admin:lifecycle_opinion_delete", args=[opinion.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Opinion.objects.filter(pk=opinion.pk).exists()


@pytest.mark.parametrize(
    "label",
    [
        "lifecycle.opinion",
        "lifecycle.correction",
        "lifecycle.clock",
        "lifecycle.clockevent",
        "lifecycle.auditentry",
        "lifecycle.performancereport",
        "lifecycle.incident",
        "lifecycle.rectification",
        "lifecycle.copy",
        "documents.materialversion",
        "documents.signoff",
        "documents.filing",
    ],
)
def test_records_of_steps_cannot_be_added_changed_or_deleted_in_the_admin(rf, superuser, label):
    from django.apps import apps

    model_admin = admin.site._registry[apps.get_model(label)]
    request = rf.get("/")
    request.user = superuser
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_a_submitted_change_and_its_items_are_read_only_in_the_admin(client, rf, superuser, building, people):
    project, on = building
    change = draft_change(project, people, on, "500000.00")
    services.perform(change, "submit", actor=people.owner_head)
    model_admin = admin.site._registry[ChangeRequest]
    request = rf.get("/")
    request.user = superuser
    assert {"title", "ground", "new_total_yuan", "ratio"} <= set(
        model_admin.get_readonly_fields(request, change)
    )
    inline = model_admin.get_inline_instances(request, change)[0]
    assert not (
        inline.has_add_permission(request, change)
        or inline.has_change_permission(request, change)
        or inline.has_delete_permission(request, change)
    )
    client.force_login(superuser)
    client.post(reverse("admin:lifecycle_changerequest_change", args=[change.pk]), {"title": "改了"})
    change.refresh_from_db()
    assert change.title == "调整建设内容"


def test_the_fields_a_step_records_are_read_only_in_the_project_admin(client, superuser, building):
    project, _on = building
    client.force_login(superuser)
    body = client.get(reverse("admin:projects_project_change", args=[project.pk])).content.decode()
    for field in (
        "approved_estimate_yuan",
        "fsr_approval_no",
        "design_approval_no",
        "decided_amount_yuan",
        "construction_started_on",
        "plan",
        "submission",
    ):
        assert f'name="{field}"' not in body, field
    assert 'name="name"' in body  # application content stays editable, with an audit row


def test_an_admin_transition_runs_the_effects_of_the_step(client, superuser, orgs, people, call_2026):
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    superuser.organisation, superuser.role = orgs["bureau"], "reviewer"
    superuser.save()
    client.force_login(superuser)
    url = reverse("admin:projects_project_transition", args=[project.pk, "accept_application"])
    with at(2025, 6, 17):
        assert client.post(url, {"reason": "", "override_reason": ""}).status_code == 302
    project.refresh_from_db()
    assert project.state == S.JOINT_REVIEW
    # 办法第十条: 5 working days from 2025-06-17 (the day of receipt not counted) → 2025-06-24.
    clock = Clock.objects.get(project=project, kind="joint_review")
    assert clock.due_on == datetime.date(2025, 6, 24)
    assert AuditEntry.objects.filter(project=project, action="accept_application", actor=superuser).exists()


def test_rows_edited_inline_in_the_project_admin_leave_an_audit_row(rf, superuser, building):
    """Every way in leaves its audit row: a yearly amount (办法第九条) changed in the admin
    is recorded with its value before and after."""
    from types import SimpleNamespace

    from projects.models import YearlyInvestment

    project, _on = building
    row = YearlyInvestment.objects.filter(project=project).first()
    model_admin = admin.site._registry[Project]
    request = rf.post("/")
    request.user = superuser
    inline = next(
        i for i in model_admin.get_inline_instances(request, project) if i.model is YearlyInvestment
    )
    formset_class = inline.get_formset(request, project)
    unbound = formset_class(instance=project)
    prefix = unbound.prefix
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(unbound.initial_forms)),
        f"{prefix}-INITIAL_FORMS": str(len(unbound.initial_forms)),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for n, form in enumerate(unbound.initial_forms):
        data[f"{prefix}-{n}-id"] = str(form.instance.pk)
        data[f"{prefix}-{n}-project"] = str(project.pk)
        data[f"{prefix}-{n}-year"] = str(form.instance.year)
        data[f"{prefix}-{n}-amount_yuan"] = str(form.instance.amount_yuan)
    changed = next(n for n, f in enumerate(unbound.initial_forms) if f.instance.pk == row.pk)
    data[f"{prefix}-{changed}-amount_yuan"] = str(row.amount_yuan + 1)
    formset = formset_class(data, instance=project)
    assert formset.is_valid(), formset.errors
    before = AuditEntry.objects.filter(project=project, action=Action.ADMIN_CHANGED).count()
    model_admin.save_formset(request, SimpleNamespace(instance=project), formset, change=True)
    entry = AuditEntry.objects.filter(project=project, action=Action.ADMIN_CHANGED).order_by("-pk").first()
    assert AuditEntry.objects.filter(project=project, action=Action.ADMIN_CHANGED).count() == before + 1
    assert entry.actor == superuser and entry.data["inline"] == "yearlyinvestment"
    (item,) = entry.data["changed"]
    assert item["fields"] == ["amount_yuan"]
    assert (item["before"]["amount_yuan"], item["after"]["amount_yuan"]) == (
        str(row.amount_yuan),
        str(row.amount_yuan + 1),
    )
