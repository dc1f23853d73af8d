"""办法第三十三条: the bureau commissions a third-party organisation of its choice for the
post-evaluation; only that organisation sees the file for it, uploads its report and gives its
conclusion; both evaluations are filed as PDFs (documents/filings.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.states import ProjectState as S
from core.timeutil import as_of
from documents import filings
from documents.models import Filing
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects.models import Project
from tests.documents.conftest import PDF, upload
from tests.factories import OrganisationFactory, UserFactory
from tests.lifecycle.builders import project_in
from web.scenarios import Walker


@pytest.fixture
def rival(db):
    """A second 第三方咨询评估机构 that was not commissioned, with its 审核人 and 负责人."""
    org = OrganisationFactory(kind="expert", name="黑龙江省另一咨询评估公司")
    return {
        "org": org,
        "reviewer": UserFactory(username="rival_reviewer", organisation=org, role="reviewer"),
        "head": UserFactory(username="rival_head", organisation=org, role="head"),
    }


def commissioned(orgs, people, call):
    """Self-evaluated, then the bureau commissions 省工程咨询评审中心 (orgs["expert"])."""
    project, on = project_in(S.SELF_EVALUATED, orgs, people, call)
    with as_of(on):
        services.perform(
            project, "commission_post_evaluation", actor=people.bureau_head, post_evaluator=orgs["expert"]
        )
    return project, on


def finish(project, who, on):
    with as_of(on):
        return services.perform(
            project,
            "finish_post_evaluation",
            actor=who,
            post_evaluation="绩效目标实现较好。",
            post_evaluation_grade="good",
        )


def test_the_bureau_names_a_third_party_organisation(orgs, people, call_2026):
    project, on = project_in(S.SELF_EVALUATED, orgs, people, call_2026)
    for wrong in (None, "", orgs["drc"], orgs["drc"].pk, "abc", -1, 10**30):
        with as_of(on), pytest.raises(RuleViolation) as exc:
            services.perform(
                project, "commission_post_evaluation", actor=people.bureau_head, post_evaluator=wrong
            )
        assert "办法第三十三条" in exc.value.message
    with as_of(on):
        services.perform(
            project,
            "commission_post_evaluation",
            actor=people.bureau_head,
            post_evaluator=str(orgs["expert"].pk),
        )
    project.refresh_from_db()
    assert project.state == S.POST_EVALUATION and project.post_evaluator == orgs["expert"]
    assert AuditEntry.objects.filter(project=project, action="commission_post_evaluation").exists()


def test_only_the_commissioned_organisation_reports_the_post_evaluation(
    client, orgs, people, call_2026, rival
):
    project, on = commissioned(orgs, people, call_2026)
    # The report first (guard of 办法第三十三条).
    with pytest.raises(RuleViolation) as exc:
        finish(project, people.expert_reviewer, on)
    assert "后评价报告" in exc.value.message
    # Another consulting organisation neither sees the file nor uploads nor concludes.
    client.force_login(rival["reviewer"])
    assert client.get(reverse("project", args=[project.pk])).status_code == 404
    response = client.post(
        reverse("documents:material_upload", args=[project.pk]),
        {"kind": "post_evaluation", "file": upload("后评价报告.pdf", PDF)},
    )
    assert response.status_code == 404
    Walker(people).upload(project, "post_evaluation", people.expert_reviewer, on)
    for who in (
        rival["reviewer"],
        rival["head"],
        people.bureau_head,
        people.bureau_reviewer,
        people.owner_head,
    ):
        with pytest.raises(RuleViolation) as exc:
            finish(project, who, on)
        assert exc.value.code == "permission" and "办法第三十三条" in exc.value.message
    assert Project.objects.get(pk=project.pk).state == S.POST_EVALUATION
    finish(project, people.expert_reviewer, on)
    project.refresh_from_db()
    assert project.state == S.CLOSED and project.post_evaluation_grade == "good"
    entry = AuditEntry.objects.get(project=project, action="finish_post_evaluation")
    assert entry.organisation == orgs["expert"]


def test_a_rival_upload_is_refused_by_the_service_even_when_it_sees_the_project(
    orgs, people, call_2026, rival
):
    from documents import services as documents

    project, _on = commissioned(orgs, people, call_2026)
    refusal = documents.upload_refusal(project, rival["reviewer"], "post_evaluation", seen=True)
    assert refusal is not None and refusal.code == "permission" and "办法第三十三条" in refusal.message
    assert documents.upload_refusal(project, people.expert_reviewer, "post_evaluation") is None


def test_both_evaluations_have_their_filing(orgs, people, call_2026, rival):
    project, on = commissioned(orgs, people, call_2026)
    with as_of(on):
        self_form = filings.generate("self_evaluation_form", actor=people.owner_preparer, project=project)
    text = str(self_form.snapshot)
    assert "绩效目标完成情况" in text and "数据共享率" in text and "按期报送" in text
    Walker(people).upload(project, "post_evaluation", people.expert_reviewer, on)
    with as_of(on), pytest.raises(RuleViolation):
        filings.generate("post_evaluation_report", actor=people.expert_reviewer, project=project)
    finish(project, people.expert_reviewer, on)
    with as_of(on), pytest.raises(RuleViolation):
        filings.generate("post_evaluation_report", actor=rival["reviewer"], project=project)
    with as_of(on):
        report = filings.generate("post_evaluation_report", actor=people.expert_reviewer, project=project)
    assert report.issuer == orgs["expert"] and report.pages >= 1
    assert orgs["expert"].name in str(report.snapshot) and "良" in str(report.snapshot)
    assert Filing.objects.filter(project=project, kind="post_evaluation_report").count() == 1
