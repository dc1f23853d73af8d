"""The supervision pages (办法第三十四、三十六、三十九条): who sees and who acts (404 for those
with no relation, 403 for those who see but may not act), each agency against each kind of
finding through the page, the project page's warnings, and no value of the forms gives a 500
(hypothesis)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.timeutil import as_of
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects.supervision import decision_record, exception_request, finding_set
from projects.supervision_forms import DecisionForm, ExceptionForm, FindingForm
from projects.supervision_models import ComplianceFinding, SupervisionDecision
from tests.factories import ProjectFactory

D = datetime.date

#: 办法第三十四、三十六条 (see tests/projects/test_supervision_services.py).
RESPONSIBLE = {
    "data_not_shared": {"bureau"},
    "duplicate_collection": {"bureau"},
    "crypto": {"crypto"},
    "network_security": {"cac"},
    "protection_level": {"police"},
    "security_hazard": {"cac", "police"},
}
AGENCY_ORGS = [
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
]


@pytest.fixture
def records(orgs, people):
    project = ProjectFactory(owner=orgs["owner"], name="学籍管理系统建设项目", state="construction")
    finding = finding_set(
        actor=people.cac_reviewer,
        organisation=orgs["owner"],
        kind="security_hazard",
        system="学籍管理系统",
        reason="存在高危漏洞",
        evidence="网信办通报〔2026〕5号",
        project=project,
    )
    exc = exception_request(actor=people.owner_head, system="涉密档案系统", grounds="保密法")
    with as_of(D(2026, 3, 2)):
        decision = decision_record(
            actor=people.bureau_head,
            organisation=orgs["owner"],
            kind="deferral",
            article="第三十六条",
            document_no="黑营商发〔2026〕20号",
            decided_on=D(2026, 3, 1),
            reason="逾期未整改",
            project=project,
        )
    return {"project": project, "finding": finding, "exception": exc, "decision": decision}


def _get(client, person, url):
    if person is not None:
        client.force_login(person)
    return client.get(url)


def test_who_sees_the_pages(client, people, records):
    urls = {
        "home": reverse("supervision"),
        "finding": reverse("finding", args=[records["finding"].pk]),
        "exception": reverse("connectivity_exception", args=[records["exception"].pk]),
        "decision": reverse("supervision_decision", args=[records["decision"].pk]),
    }
    for name, url in urls.items():
        client.logout()
        assert client.get(url).status_code == 302, name  # to the login page
        for who in ["owner_preparer", "owner_head", *(f"{o}_reviewer" for o in AGENCY_ORGS)]:
            client.force_login(people[who])
            assert client.get(url).status_code == 200, (name, who)
        # 404: another department, and a consulting body, have no relation to these records.
        for who in ("other_owner_head", "expert_head"):
            client.force_login(people[who])
            assert client.get(url).status_code == (
                200 if name == "home" and who == "other_owner_head" else 404
            )
    client.force_login(people.other_owner_head)
    page = client.get(urls["home"]).content.decode()
    assert "学籍管理系统" not in page and "黑营商发〔2026〕20号" not in page
    # One department's record: its own, or any for an agency; 404 for another department.
    department = f"{urls['home']}?org={records['project'].owner_id}"
    assert client.get(department).status_code == 404
    for bad in ("abc", "0", "9" * 30):
        assert client.get(f"{urls['home']}?org={bad}").status_code == 404
    for who in ("owner_preparer", "audit_reviewer", "bureau_head"):
        client.force_login(people[who])
        page = client.get(department).content.decode()
        assert "学籍管理系统" in page and "黑营商发〔2026〕20号" in page and "涉密档案系统" in page
        # 办法第三十四条: the department is told it may not apply for 运行维护经费, and why.
        assert "不得申报运行维护经费" in page and "存在重大安全隐患" in page


def test_who_opens_the_forms(client, people):
    forms = {
        "finding_new": {
            f"{o}_{r}" for o in ("bureau", "cac", "crypto", "police") for r in ("reviewer", "head")
        },
        "connectivity_exception_new": {"owner_head", "other_owner_head"},
        "supervision_decision_new": {"bureau_head"},
    }
    for name, allowed in forms.items():
        url = reverse(name)
        for who, person in people.items():
            client.force_login(person)
            status = client.get(url).status_code
            if who in allowed:
                assert status == 200, (name, who)
            elif who.startswith("expert_"):
                assert status == 404, (name, who)
            else:
                assert status == 403, (name, who)


@pytest.mark.parametrize("kind", sorted(RESPONSIBLE))
def test_each_agency_against_each_kind_through_the_page(client, orgs, people, kind):
    """An agency's page offers only its own situations; a posted foreign kind is refused
    (400) and records nothing."""
    for org in AGENCY_ORGS:
        person = people[f"{org}_reviewer"]
        client.force_login(person)
        response = client.post(
            reverse("finding_new"),
            {
                "organisation": orgs["owner"].pk,
                "system": f"{org}系统",
                "kind": kind,
                "reason": "检查发现",
                "evidence": "通报〔2026〕1号",
            },
        )
        created = ComplianceFinding.objects.filter(system=f"{org}系统", kind=kind)
        if org in RESPONSIBLE[kind]:
            assert response.status_code == 302, (org, kind)
            finding = created.get()
            assert finding.agency == orgs[org] and finding.set_by == person
            assert AuditEntry.objects.filter(action="finding.set", object_id=str(finding.pk)).exists()
        else:
            assert response.status_code in (400, 403), (org, kind)
            assert not created.exists()


def test_lifting_through_the_page(client, people, records):
    finding = records["finding"]
    url = reverse("finding", args=[finding.pk])
    data = {"reason": "漏洞已修复", "evidence": "复测报告〔2026〕2号"}
    # 省公安厅 is responsible for security hazards too, but did not find this one.
    for who in ("police_head", "owner_head", "bureau_head", "cac_preparer"):
        client.force_login(people[who])
        assert client.post(url, data).status_code == 403, who
    client.force_login(people.cac_head)
    assert "解除认定" in client.get(url).content.decode()
    assert client.post(url, {"reason": "", "evidence": ""}).status_code == 400
    assert client.post(url, data).status_code == 302
    finding.refresh_from_db()
    assert finding.lifted_by == people.cac_head and finding.lift_reason == "漏洞已修复"
    page = client.get(url).content.decode()
    assert "解除第三十四条情形" in page and "漏洞已修复" in page  # the history


def test_the_exception_through_the_pages(client, people, records):
    exc = records["exception"]
    url = reverse("connectivity_exception", args=[exc.pk])
    client.force_login(people.government_head)
    assert client.post(url, {"favourable": "1", "note": "同意", "document_no": "x"}).status_code == 403
    client.force_login(people.bureau_reviewer)
    assert client.post(url, {"favourable": "1", "note": "会同有关部门审核，同意报批"}).status_code == 302
    client.force_login(people.government_head)
    response = client.post(url, {"favourable": "1", "note": "同意", "document_no": ""})
    assert response.status_code == 400 and "批准文号" in response.content.decode()
    assert (
        client.post(url, {"favourable": "1", "note": "同意", "document_no": "黑政函〔2026〕3号"}).status_code
        == 302
    )
    exc.refresh_from_db()
    assert exc.state == "approved" and exc.document_no == "黑政函〔2026〕3号"


def test_recording_a_decision_through_the_page(client, orgs, people):
    data = {
        "organisation": orgs["owner"].pk,
        "kind": "criticism",
        "article": "第三十九条",
        "document_no": "黑营商发〔2026〕30号",
        "decided_on": "2026-03-01",
        "reason": "未履行审批程序擅自建设",
    }
    client.force_login(people.bureau_reviewer)
    assert client.post(reverse("supervision_decision_new"), data).status_code == 403
    client.force_login(people.bureau_head)
    with as_of(D(2026, 3, 2)):
        refused = client.post(reverse("supervision_decision_new"), {**data, "kind": "deferral"})
        assert refused.status_code == 400 and "办法第三十六条" in refused.content.decode()
        assert client.post(reverse("supervision_decision_new"), data).status_code == 302
    assert SupervisionDecision.objects.get().article == "第三十九条"


def test_the_project_page_warns_of_findings_and_a_deferral_in_force(client, people, records):
    client.force_login(people.bureau_reviewer)
    with as_of(D(2026, 3, 2)):
        page = client.get(reverse("project", args=[records["project"].pk])).content.decode()
    assert "被暂缓安排信息化投资计划（黑营商发〔2026〕20号）" in page
    assert "学籍管理系统" in page and "存在重大安全隐患" in page
    # The department sees the same on its own project.
    client.force_login(people.owner_preparer)
    with as_of(D(2026, 3, 2)):
        page = client.get(reverse("project", args=[records["project"].pk])).content.decode()
    assert "黑营商发〔2026〕20号" in page


def test_the_admin_changes_nothing(admin_client, records):
    for model, obj in (("compliancefinding", "finding"), ("supervisiondecision", "decision")):
        url = reverse(f"admin:projects_{model}_change", args=[records[obj].pk])
        assert admin_client.get(url).status_code == 200
        assert admin_client.get(reverse(f"admin:projects_{model}_add")).status_code == 403
        assert admin_client.post(url, {"reason": "改"}).status_code == 403
    assert ComplianceFinding.objects.get().reason == "存在高危漏洞"


# ---------------------------------------------------------------- hypothesis: no value gives a 500


@pytest.fixture
def project(orgs):
    return ProjectFactory(owner=orgs["owner"])


TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "\x00", "a" * 5000, "１２３", "<script>", "2026-02-30", "-1", "9" * 40]),
)
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@SETTINGS
@given(data=st.data())
def test_finding_and_decision_forms_refuse_in_words(db, orgs, people, project, data):
    """Any value in the forms: either a form error, a RuleViolation with the article, or a
    record — never another exception."""
    from django.db import transaction

    # Plausible values (so that the services are reached) or anything.
    plausible = {
        "organisation": [str(orgs["owner"].pk), str(orgs["cac"].pk), "0"],
        "kind": ["protection_level", "security_hazard", "crypto", "criticism", "deferral"],
        "article": ["第三十六条", "第三十九条"],
        "decided_on": ["2026-03-01", "2999-01-01", "1999-12-31", datetime.date.today().isoformat()],
        "until": ["", "2026-02-01", "2027-12-31", "2099-01-01"],
        "project": ["", str(project.pk)],
    }
    keys = ("system", "reason", "evidence", "document_no", "grounds", *plausible)
    values = {
        k: data.draw(st.one_of(st.sampled_from(plausible.get(k, ["依据"])), TEXT), label=k) for k in keys
    }
    cases = [
        (FindingForm, people.police_reviewer, lambda user, d: finding_set(actor=user, **d)),
        (DecisionForm, people.bureau_head, lambda user, d: decision_record(actor=user, **d)),
        (ExceptionForm, people.owner_head, lambda user, d: exception_request(actor=user, **d)),
    ]
    for form_class, user, act in cases:
        with transaction.atomic():
            form = form_class(values, user=user)
            if form.is_valid():
                try:
                    act(user, form.cleaned_data)
                except RuleViolation as exc:
                    assert exc.message and "\x00" not in exc.message
            transaction.set_rollback(True)
