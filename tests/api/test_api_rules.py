"""The API under the rules of the 办法, as the pages (issue 12): what a person may see, who may
take a step, in which state, and the refusals with their article. Expectations are written
from the 办法 (articles, actors), not read from the code."""

from __future__ import annotations

import pytest

from core.states import ProjectState as S
from lifecycle.models import AuditEntry
from tests.conftest import at

pytestmark = pytest.mark.django_db


def test_another_departments_project_is_404_through_the_api_as_on_the_web(scene, people, api, client):
    """办法第十三条 / access rule: a department sees its own projects only."""
    stranger = api(people.other_owner_preparer)
    project = scene.building
    for path in (
        f"/api/v1/projects/{project.pk}/",
        f"/api/v1/projects/{project.pk}/steps/",
        f"/api/v1/projects/{project.pk}/clocks/",
        f"/api/v1/projects/{project.pk}/opinions/",
        f"/api/v1/projects/{project.pk}/changes/",
        f"/api/v1/projects/{project.pk}/materials/",
        f"/api/v1/projects/{project.pk}/filings/",
        f"/api/v1/changes/{scene.filed.pk}/",
        f"/api/v1/progress/{project.platform_code}/",
    ):
        answer = stranger.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["detail"] == "不存在或无权查看。"
    assert stranger.post(f"/api/v1/projects/{project.pk}/steps/complete_construction/").status_code == 404
    client.force_login(people.other_owner_preparer)
    assert client.get(f"/projects/{project.pk}/").status_code == 404
    listed = stranger.get("/api/v1/projects/").json()
    assert listed["count"] == 0


def test_the_owner_lists_its_own_projects_and_an_agency_not_the_drafts(scene, people, api):
    owner = api(people.owner_preparer).get("/api/v1/projects/").json()
    assert {p["id"] for p in owner["results"]} == {
        scene.building.pk,
        scene.reviewing.pk,
        scene.submitted.pk,
        scene.draft.pk,
    }
    bureau = api(people.bureau_reviewer)
    ids = {p["id"] for p in bureau.get("/api/v1/projects/").json()["results"]}
    assert scene.draft.pk not in ids and scene.building.pk in ids
    # A department's draft is its own working paper: 404 to the agencies (as on the pages).
    assert bureau.get(f"/api/v1/projects/{scene.draft.pk}/").status_code == 404


def test_a_step_not_allowed_in_the_state_is_refused_with_its_article(scene, people, api):
    """办法第十五条: 省发改委 approves the FSR of a project whose FSR was submitted — not of one
    still in joint review."""
    answer = api(people.drc_head).post(
        f"/api/v1/projects/{scene.reviewing.pk}/steps/approve_fsr/",
        {"data": {"fsr_approval_no": "黑发改审批〔2026〕9号", "fsr_estimate_yuan": "100"}},
    )
    assert answer.status_code == 409
    body = answer.json()
    assert body["article"] == "第十五条" and body["code"] == "state"
    assert "当前状态" in body["detail"]
    scene.reviewing.refresh_from_db()
    assert scene.reviewing.state == S.JOINT_REVIEW


def test_a_step_of_another_organisation_is_refused_with_its_article(scene, people, api):
    """办法第十条: the joint review is concluded by the bureau, not by the department."""
    answer = api(people.owner_head).post(f"/api/v1/projects/{scene.reviewing.pk}/steps/pass_review/")
    assert answer.status_code == 403
    assert answer.json()["article"] == "第十条"
    assert "办法第十条" in answer.json()["detail"]


def test_a_guard_refuses_with_its_article_and_nothing_is_written(scene, people, api):
    """办法第十条: the joint review passes only with the opinions of 网信办 and 密码管理局 (and the
    bureau's own) — none has been given on this project."""
    before = AuditEntry.objects.count()
    with at(2025, 6, 30):
        answer = api(people.bureau_head).post(
            f"/api/v1/projects/{scene.reviewing.pk}/steps/pass_review/", {"reason": "同意"}
        )
    assert answer.status_code == 400, answer.json()
    assert answer.json()["article"] == "第十条"
    scene.reviewing.refresh_from_db()
    assert scene.reviewing.state == S.JOINT_REVIEW
    # only the access row of the token's creation; no step row
    assert not AuditEntry.objects.filter(pk__gt=0, action="pass_review", project=scene.reviewing).exists()
    assert AuditEntry.objects.count() - before == 1


def test_a_step_through_the_api_is_the_pages_step(scene, people, api):
    """办法第十条: the bureau accepts (受理) a submitted application; the same audit row as the
    step page writes: who, which organisation, from/to state, article."""
    with at(2025, 6, 24):
        answer = api(people.bureau_reviewer).post(
            f"/api/v1/projects/{scene.submitted.pk}/steps/accept_application/"
        )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["state"] == S.JOINT_REVIEW
    row = AuditEntry.objects.get(project=scene.submitted, action="accept_application")
    assert (row.actor, row.organisation_id, row.from_state, row.to_state) == (
        people.bureau_reviewer,
        people.bureau_reviewer.organisation_id,
        S.SUBMITTED,
        S.JOINT_REVIEW,
    )
    # and the joint review's clock of 办法第十条 runs
    clocks = api(people.owner_preparer).get(f"/api/v1/projects/{scene.submitted.pk}/clocks/").json()
    assert any(c["article"] == "第十条" and c["running"] for c in clocks)


def test_an_opinion_through_the_api_uses_the_opinion_service(scene, people, api):
    """办法第十条: 网信办 gives its opinion on the security aspect during the joint review; the
    department may give none."""
    with at(2025, 6, 24):
        given = api(people.cac_reviewer).post(
            f"/api/v1/projects/{scene.reviewing.pk}/opinions/",
            {"aspect": "security", "conclusion": "approve", "text": "同意。"},
        )
    assert given.status_code == 201, given.json()
    assert given.json()["organisation"] == people.cac_reviewer.organisation.name
    refused = api(people.owner_head).post(
        f"/api/v1/projects/{scene.reviewing.pk}/opinions/",
        {"aspect": "security", "conclusion": "approve", "text": "同意。"},
    )
    assert refused.status_code == 403
    wrong = api(people.crypto_reviewer).post(
        f"/api/v1/projects/{scene.reviewing.pk}/opinions/",
        {"aspect": "security", "conclusion": "approve", "text": "同意。"},
    )
    assert wrong.status_code == 400 and "aspect" in wrong.json()["errors"]


def test_a_change_draft_is_the_departments_own(scene, people, api):
    """办法第二十八条: a change still in draft is not shown to the bureau."""
    bureau = api(people.bureau_reviewer)
    listed = bureau.get(f"/api/v1/projects/{scene.building.pk}/changes/").json()
    assert {c["id"] for c in listed} == {scene.filed.pk, scene.pending.pk}


def test_no_token_no_answer(scene, client):
    assert client.get("/api/v1/projects/").status_code == 401
    answer = client.get("/api/v1/projects/", HTTP_AUTHORIZATION="Token nonsense")
    assert answer.status_code == 401
    assert "令牌" in answer.json()["detail"]


def test_materials_and_filings_download_through_the_same_check(scene, people, api):
    owner = api(people.owner_preparer)
    materials = owner.get(f"/api/v1/projects/{scene.building.pk}/materials/").json()
    assert materials, "the scene uploaded the FSR and the design"
    answer = owner.get(materials[0]["download"])
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content)
    assert AuditEntry.objects.filter(action="material.downloaded", actor=people.owner_preparer).exists()
    assert api(people.other_owner_preparer).get(materials[0]["download"]).status_code == 404


def test_a_change_drafted_through_the_api_is_the_change_pages(scene, people, api):
    """办法第二十八条: the department drafts a change of its project under construction (amounts
    in 万元 as on the page); the bureau may not; then its 负责人 submits it, and a move of 10 万元
    of the 500 万元 概算 with a ground of the article is a filing (备案)."""
    owner = api(people.owner_preparer)
    body = {
        "title": "接口调整",
        "reason": "部署方式调整",
        "ground": "deployment",
        "goals_unchanged": True,
        "new_total_yuan": "500",
        "items": [{"from_content": "服务器", "to_content": "云资源", "amount_yuan": "10"}],
    }
    made = owner.post(f"/api/v1/projects/{scene.building.pk}/changes/", body)
    assert made.status_code == 201, made.json()
    change = made.json()
    assert change["state"] == "draft" and change["items"][0]["amount_yuan"] == "100000.00"
    assert AuditEntry.objects.filter(action="change.created", actor=people.owner_preparer).exists()
    assert (
        api(people.bureau_head).post(f"/api/v1/projects/{scene.building.pk}/changes/", body).status_code
        == 403
    )
    bad = owner.post(f"/api/v1/projects/{scene.building.pk}/changes/", {**body, "items": []})
    assert bad.status_code == 400 and bad.json()["errors"]
    submitted = api(people.owner_head).post(f"/api/v1/changes/{change['id']}/steps/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == "filed"
