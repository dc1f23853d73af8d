"""Who may upload which material, and when — a table written from the 办法, not from
documents/registry.py (issue 7: "materials replaced by outsiders").

Every upload goes through the web view (documents:material_upload): exactly the
organisation and role the article names, in the states it names, get 201; everyone else
gets 403 (or 404 when they may not even see the project).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from documents.models import MaterialVersion, SignOff
from lifecycle import services as lifecycle
from projects.models import Project
from tests.conftest import at

from .conftest import PDF, put_in_plan, upload

ALL_STATES = [s.value for s in S]
OWNER_STAFF = {("owner", "preparer"), ("owner", "head")}
SECRECY_STAFF = {("secrecy", "reviewer"), ("secrecy", "head")}
APPLYING = {S.DRAFT, S.CORRECTING}  # 第九条 申报; 第十条 陈述和补正
FSR = {S.IN_PLAN}  # 第十五条 before 报送可研
DESIGN = {S.FSR_APPROVED, S.DESIGN_CORRECTING}  # 第十八条 报送 / 补正初步设计
BEFORE_ACCEPTANCE = {S.COMPLETED, S.EXTENSION_REQUESTED, S.ACCEPTANCE_REVIEW}  # 第二十三、三十一条
ENDED = {S.REVIEW_REJECTED, S.NOT_INCLUDED, S.TERMINATED, S.CLOSED, S.WITHDRAWN}

#: kind → (who: set of (organisation kind, role), states), from the articles of the 办法.
TABLE = {
    # 第九条 申报材料、密码应用方案; 第十条 陈述和补正 during joint review.
    "application": (OWNER_STAFF, APPLYING),
    "crypto_plan": (OWNER_STAFF, APPLYING),
    # 第九条 数据资源目录; 第十六条 信息资源目录是审批的必备条件 (FSR and design).
    "catalogue": (OWNER_STAFF, APPLYING | FSR | DESIGN),
    # 第十五条 the department submits its FSR.
    "fsr": (OWNER_STAFF, FSR),
    # 第十八条 项目建设单位连同项目批复文件、项目初步设计方案等相关材料一并报省营商环境局.
    "fsr_approval": (OWNER_STAFF, DESIGN),
    "design": (OWNER_STAFF, DESIGN),
    # 第二十四条 监理 contracted before construction (or replaced during it).
    "supervision_contract": (OWNER_STAFF, {S.RATIFIED, S.CONSTRUCTION, S.RECTIFICATION}),
    # 第二十五条 every year of the construction period.
    "performance_report": (OWNER_STAFF, {S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED, S.COMPLETED}),
    # 第二十三条 项目验收时需提供密码应用安全性评估报告.
    "crypto_assessment": (OWNER_STAFF, BEFORE_ACCEPTANCE),
    # 第九条 (application), 第二十三条 在报批阶段要对产品安全可靠情况进行说明, and at acceptance.
    "product_reliability": (OWNER_STAFF, APPLYING | FSR | DESIGN | BEFORE_ACCEPTANCE),
    # 第三十二条 the 保密行政管理部门's own 测评审查 opinion, before the system is used.
    "secrecy_evaluation": (SECRECY_STAFF, BEFORE_ACCEPTANCE | {S.ACCEPTED}),
    # 第三十一条 档案验收 before 项目验收.
    "archive_opinion": (OWNER_STAFF, BEFORE_ACCEPTANCE),
    # 第二十九条 验收完成后 the department files the 验收报告.
    "acceptance_report": (OWNER_STAFF, {S.ACCEPTED}),
    # 第三十三条 自评价 after go-live.
    "self_evaluation": (OWNER_STAFF, {S.OPERATION}),
    # 第三十三条 后评价 by the third-party organisation the bureau commissioned (only that one:
    # tests/lifecycle/test_evaluation_post.py).
    "post_evaluation": ({("expert", "reviewer"), ("expert", "head")}, {S.POST_EVALUATION}),
    # Other material of the department's own file, while the project is alive (第三十五条).
    "other": (OWNER_STAFF, set(ALL_STATES) - ENDED),
}

AGENCIES = [
    "bureau",
    "cac",
    "crypto",
    "drc",
    "finance",
    "police",
    "intranet",
    "secrecy",
    "audit",
    "government",
    "expert",
]
PERSONAS = (
    [("owner", r) for r in ("preparer", "head", "reviewer")]
    + [("other_owner", r) for r in ("preparer", "head")]
    + [(a, r) for a in AGENCIES for r in ("preparer", "reviewer", "head")]
)


def _post(client, project, person, kind, name="材料.pdf"):
    client.force_login(person)
    return client.post(
        reverse("documents:material_upload", args=[project.pk]),
        {"kind": kind, "file": upload(name, PDF), "issued_on": "2025-12-01", "issuing_body": "出具单位"},
    )


def _in_state(project, state, *, classified=False, evaluator=None):
    Project.objects.filter(pk=project.pk).update(state=state, classified=classified, post_evaluator=evaluator)
    return Project.objects.get(pk=project.pk)


def _evaluator(kind, people):
    """办法第三十三条: the organisation commissioned for the post-evaluation, for its report."""
    return people.expert_reviewer.organisation if kind == "post_evaluation" else None


def test_the_table_covers_every_kind():
    from documents.registry import MaterialKind

    assert set(TABLE) == set(MaterialKind.values)


@pytest.mark.parametrize("kind", list(TABLE))
def test_exactly_the_named_organisation_and_role_may_upload(client, project, people, kind):
    who, states = TABLE[kind]
    project = _in_state(
        project,
        sorted(states)[0],
        classified=kind == "secrecy_evaluation",
        evaluator=_evaluator(kind, people),
    )
    for org, role in PERSONAS:
        response = _post(client, project, people[f"{org}_{role}"], kind)
        if (org, role) in who:
            assert response.status_code == 201, (org, role, response.content.decode())
        else:
            assert response.status_code in (403, 404), (org, role)
    assert MaterialVersion.objects.filter(project=project, kind=kind).count() == len(who)
    assert set(
        MaterialVersion.objects.filter(project=project).values_list(
            "uploaded_by__organisation__kind", "uploaded_by__role"
        )
    ) == {("owner" if org == "owner" else org, role) for org, role in who}


@pytest.mark.parametrize("kind", list(TABLE))
def test_the_named_person_may_upload_only_in_the_named_states(client, project, people, kind):
    who, states = TABLE[kind]
    org, role = sorted(who)[0]
    person = people[f"{org}_{role}"]
    for state in ALL_STATES:
        project = _in_state(
            project, state, classified=kind == "secrecy_evaluation", evaluator=_evaluator(kind, people)
        )
        response = _post(client, project, person, kind)
        if state in states:
            assert response.status_code == 201, (state, response.content.decode())
        else:
            # The owner always sees its project (403); an agency does not see drafts (404).
            assert response.status_code == (403 if org == "owner" else 404 if state == S.DRAFT else 403), (
                state
            )
    assert MaterialVersion.objects.filter(project=project, kind=kind).count() == len(states)


def test_a_refusal_says_who_may_upload_in_which_stage_under_which_article(client, project, people):
    project = put_in_plan(project)
    response = _post(client, project, people.bureau_reviewer, "fsr")
    assert response.status_code == 403
    error = response.json()["error"]
    assert "可行性研究报告" in error and "本项目建设单位" in error and "已纳入年度计划" in error
    assert "办法第十五条" in error
    project = _in_state(project, S.DRAFT)
    error = _post(client, project, people.owner_preparer, "fsr").json()["error"]
    assert "办法第十五条" in error and "本项目当前为“草稿”" in error


def test_the_refusal_comes_back_to_the_project_page_in_chinese(client, project, people):
    project = put_in_plan(project)
    page = reverse("project", args=[project.pk])
    client.force_login(people.drc_head)
    response = client.post(
        reverse("documents:material_upload", args=[project.pk]),
        {"kind": "fsr", "file": upload("a.pdf", PDF), "next": page},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == page
    assert "须由本项目建设单位经办人或负责人" in response.content.decode()
    assert not MaterialVersion.objects.exists()


def test_the_secrecy_evaluation_is_only_for_classified_projects(client, project, people):
    project = _in_state(project, S.COMPLETED, classified=False)
    response = _post(client, project, people.secrecy_reviewer, "secrecy_evaluation")
    assert response.status_code == 403 and "办法第三十二条" in response.json()["error"]


def test_the_form_lists_only_the_kinds_the_person_may_upload_now(client, project, people):
    project = put_in_plan(project)
    page = reverse("project", args=[project.pk])
    client.force_login(people.owner_preparer)
    body = client.get(page).content.decode()
    options = set(
        __import__("re").findall(
            r'<option value="([a-z_]+)">', body.split('id="material-kind"')[1].split("</select>")[0]
        )
    )
    assert options == {k for k, (who, states) in TABLE.items() if S.IN_PLAN in states}
    client.force_login(people.bureau_head)
    body = client.get(page).content.decode()
    assert 'id="material-kind"' not in body and "上传新版本" not in body


def test_an_outsiders_upload_is_refused_and_the_drc_signs_off_the_owners_version(client, project, people):
    """Regression (issue 7): an agency uploaded a new 可研报告 and 发改委's approval then
    covered the outsider's version."""
    project = put_in_plan(project)
    with at(2026, 1, 12):
        assert _post(client, project, people.owner_preparer, "fsr", "可研报告.pdf").status_code == 201
        lifecycle.perform(project, "submit_fsr", actor=people.owner_preparer)
    project.refresh_from_db()
    owners = MaterialVersion.objects.get(project=project, kind="fsr")
    with at(2026, 1, 20):
        for person in (
            people.bureau_reviewer,
            people.bureau_head,
            people.drc_reviewer,
            people.cac_head,
            people.owner_preparer,
        ):
            assert _post(client, project, person, "fsr", "替换的可研报告.pdf").status_code == 403
    with at(2026, 2, 2):
        # 办法第十五条: the approval records its 文号 and the estimate it approves.
        lifecycle.perform(
            project,
            "approve_fsr",
            actor=people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕8号",
            fsr_estimate_yuan=project.total_investment_yuan,
        )
    assert list(MaterialVersion.objects.filter(project=project, kind="fsr")) == [owners]
    signoff = SignOff.objects.get(project=project, version__kind="fsr")
    assert signoff.version == owners and signoff.version.uploaded_by == people.owner_preparer
    assert not signoff.outdated


def test_dated_evidence_needs_its_date_and_issuer_and_sets_the_project_date(client, project, people):
    project = _in_state(project, S.COMPLETED)
    client.force_login(people.owner_preparer)
    url = reverse("documents:material_upload", args=[project.pk])
    response = client.post(url, {"kind": "archive_opinion", "file": upload("档案验收意见.pdf", PDF)})
    assert response.status_code == 400 and "出具日期和出具单位" in response.json()["error"]
    assert "办法第三十一条" in response.json()["error"]
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    response = client.post(
        url,
        {
            "kind": "archive_opinion",
            "file": upload("档案验收意见.pdf", PDF),
            "issued_on": tomorrow.isoformat(),
            "issuing_body": "黑龙江省档案馆",
        },
    )
    assert response.status_code == 400 and "晚于今天" in response.json()["error"]
    response = client.post(
        url,
        {
            "kind": "archive_opinion",
            "file": upload("档案验收意见.pdf", PDF),
            "issued_on": "2026-13-01",
            "issuing_body": "黑龙江省档案馆",
        },
    )
    assert response.status_code == 400 and "不是有效日期" in response.json()["error"]
    assert not MaterialVersion.objects.exists()
    response = client.post(
        url,
        {
            "kind": "archive_opinion",
            "file": upload("档案验收意见.pdf", PDF),
            "issued_on": "2026-03-01",
            "issuing_body": "黑龙江省档案馆",
        },
    )
    assert response.status_code == 201
    version = MaterialVersion.objects.get(project=project)
    assert (version.issued_on, version.issuing_body) == (datetime.date(2026, 3, 1), "黑龙江省档案馆")
    project.refresh_from_db()
    assert project.archive_accepted_on == datetime.date(2026, 3, 1)


def test_the_owner_no_longer_types_the_evidence_dates():
    from projects.forms import RecordsForm

    assert not {
        "archive_accepted_on",
        "crypto_assessment_on",
        "secrecy_evaluated_on",
        "acceptance_report_filed_on",
    } & set(RecordsForm.base_fields)
