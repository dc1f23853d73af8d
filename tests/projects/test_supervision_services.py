"""办法第三十四、三十六、三十九条: findings of the responsible agency, the 孤网 exception, and
the 通报批评 / 暂缓安排信息化投资计划 decisions — who may, what they block, what they record.

The expectations are written from the 办法, not read from the code:

* 第三十四条（一）: 未按要求共享数据资源或者重复采集数据 — data sharing is 省营商环境局's remit
  (第四条, 第十条 集约化建设和数据共享审核意见).
* 第三十四条（二）: 密码应用 — 省国家密码管理局 (第十条 密码应用审核意见); 网络安全 — 省委网信办
  (第十条 网络安全审核意见, 第三十六条 网络安全监管部门); 等级保护 — 省公安厅; a major hazard —
  省委网信办 or 省公安厅 (第三十六条 网络安全监管部门).
* 孤网: "由省营商环境局会同有关部门审核并报省政府批准后，方可建设或者保留".
* 第三十六条: 通报批评、暂缓安排信息化投资计划; 第三十九条: 通报批评 only.
"""

from __future__ import annotations

import datetime

import pytest

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry
from projects import services as project_services
from projects.models import CallSubmission, Project
from projects.supervision import (
    decision_lift,
    decision_record,
    deferrals_in_force,
    exception_decide,
    exception_request,
    exception_review,
    finding_lift,
    finding_set,
    om_funding_refusal,
    sanctions_for,
)
from projects.supervision_models import ComplianceFinding, ConnectivityException, SupervisionDecision
from tests.factories import ProjectFactory, complete_application
from tests.lifecycle.builders import project_in

D = datetime.date

#: 办法第三十四、三十六条 as read above: situation → the organisation kinds that find and lift it.
RESPONSIBLE = {
    "data_not_shared": {"bureau"},
    "duplicate_collection": {"bureau"},
    "crypto": {"crypto"},
    "network_security": {"cac"},
    "protection_level": {"police"},
    "security_hazard": {"cac", "police"},
}
ORG_KEYS = [
    "owner",
    "other_owner",
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
ROLES = ["preparer", "reviewer", "head"]


def _set(people, orgs, who, kind="data_not_shared", system="教育统计系统", **kw):
    return finding_set(
        actor=people[who],
        organisation=orgs["owner"],
        kind=kind,
        system=system,
        reason=kw.pop("reason", "未按目录向共享平台提供学籍数据"),
        evidence=kw.pop("evidence", "黑营商函〔2026〕3号"),
        **kw,
    )


# ---------------------------------------------------------------- who finds and lifts


@pytest.mark.parametrize("kind", sorted(RESPONSIBLE))
def test_only_the_responsible_agency_finds_each_situation(orgs, people, kind):
    """Every organisation kind × role against every situation: exactly the 审核人 and 负责人
    of the responsible agency may find it."""
    allowed = set()
    for org in ORG_KEYS:
        for role in ROLES:
            who = f"{org}_{role}"
            try:
                _set(people, orgs, who, kind=kind)
            except RuleViolation as exc:
                assert exc.code == "permission" and "办法第三十四条" in exc.message, exc.message
            else:
                allowed.add(who)
    assert allowed == {f"{org}_{role}" for org in RESPONSIBLE[kind] for role in ("reviewer", "head")}
    assert ComplianceFinding.objects.filter(kind=kind).count() == len(allowed)


@pytest.mark.parametrize("kind", sorted(RESPONSIBLE))
def test_only_the_agency_that_found_it_lifts_it(orgs, people, kind):
    setter = f"{sorted(RESPONSIBLE[kind])[0]}_reviewer"
    allowed = set()
    for org in ORG_KEYS:
        for role in ROLES:
            finding = _set(people, orgs, setter, kind=kind)
            try:
                finding_lift(finding, actor=people[f"{org}_{role}"], reason="已整改", evidence="整改报告")
            except RuleViolation as exc:
                assert exc.code == "permission" and "办法第三十四条" in exc.message
            else:
                allowed.add(f"{org}_{role}")
    # The organisation that found it: a second responsible agency (重大安全隐患 found by
    # 省委网信办) does not lift 省委网信办's finding.
    org = sorted(RESPONSIBLE[kind])[0]
    assert allowed == {f"{org}_reviewer", f"{org}_head"}


def test_a_finding_needs_reason_and_evidence_and_a_department(orgs, people):
    for bad in ({"reason": "  "}, {"evidence": ""}, {"system": " "}, {"evidence": "x" * 201}):
        kw = {"reason": "理由", "evidence": "文号", "system": "系统", **bad}
        with pytest.raises(RuleViolation):
            finding_set(
                actor=people.bureau_reviewer, organisation=orgs["owner"], kind="data_not_shared", **kw
            )
    with pytest.raises(RuleViolation, match="项目建设单位"):
        finding_set(
            actor=people.bureau_reviewer,
            organisation=orgs["cac"],
            kind="data_not_shared",
            system="系统",
            reason="理由",
            evidence="文号",
        )
    other = ProjectFactory(owner=orgs["other_owner"])
    with pytest.raises(RuleViolation, match="不属于"):
        _set(people, orgs, "bureau_reviewer", project=other)
    assert not ComplianceFinding.objects.exists()


def test_setting_and_lifting_are_audited_with_who_why_and_evidence(orgs, people):
    project = ProjectFactory(owner=orgs["owner"])
    finding = _set(
        people, orgs, "crypto_head", kind="crypto", project=project, evidence="密评报告〔2026〕1号"
    )
    lifted = finding_lift(finding, actor=people.crypto_reviewer, reason="已完成密评整改", evidence="复评报告")
    rows = AuditEntry.objects.filter(object_type="projects.compliancefinding", object_id=str(finding.pk))
    assert [r.action for r in rows] == ["finding.set", "finding.lifted"]
    set_row, lift_row = rows
    assert set_row.actor == people.crypto_head and set_row.organisation == orgs["crypto"]
    assert set_row.article == "第三十四条" and set_row.reason == "未按目录向共享平台提供学籍数据"
    assert set_row.data["evidence"] == "密评报告〔2026〕1号" and set_row.project == project
    assert lift_row.actor == people.crypto_reviewer and lift_row.reason == "已完成密评整改"
    assert lifted.lifted_by == people.crypto_reviewer and lifted.lift_evidence == "复评报告"
    with pytest.raises(RuleViolation, match="已经解除"):
        finding_lift(lifted, actor=people.crypto_head, reason="再次", evidence="x")


# ---------------------------------------------------------------- what a finding blocks


def _submit(project, person, on):
    submission, _ = CallSubmission.objects.get_or_create(call=project.call, organisation=project.owner)
    with as_of(on):
        project_services.call_submit(
            submission, actor=person, letter="申报函", responsible_person=person, splits_confirmed=True
        )


@pytest.mark.parametrize("kind", sorted(RESPONSIBLE))
def test_an_open_finding_blocks_new_applications_and_names_itself(orgs, people, call_2026, kind):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    agency = sorted(RESPONSIBLE[kind])[0]
    _set(people, orgs, f"{agency}_reviewer", kind=kind, system="学籍管理系统")
    with pytest.raises(RuleViolation) as exc:
        _submit(project, people.owner_head, D(2025, 6, 10))
    message = exc.value.message
    assert "办法第三十四条" in message and "学籍管理系统" in message and "不得新建" in message
    assert Project.objects.get(pk=project.pk).state == S.DRAFT
    # Another department is not affected.
    other = complete_application(ProjectFactory(owner=orgs["other_owner"], call=call_2026))
    _submit(other, people.other_owner_head, D(2025, 6, 10))
    assert Project.objects.get(pk=other.pk).state == S.SUBMITTED


def test_a_lifted_finding_no_longer_blocks(orgs, people, call_2026):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    finding = _set(people, orgs, "bureau_reviewer")
    finding_lift(finding, actor=people.bureau_head, reason="已接入共享平台", evidence="黑营商函〔2026〕9号")
    _submit(project, people.owner_head, D(2025, 6, 10))
    assert Project.objects.get(pk=project.pk).state == S.SUBMITTED


def test_om_funding_is_refused_while_a_finding_is_open(orgs, people):
    """办法第三十四条: 不得申报运行维护经费 (no 运维经费 application exists yet: the check)."""
    assert om_funding_refusal(orgs["owner"]) is None
    finding = _set(people, orgs, "police_reviewer", kind="protection_level", system="政务外网门户")
    refusal = om_funding_refusal(orgs["owner"])
    assert refusal and "运行维护经费" in refusal and "政务外网门户" in refusal and "办法第三十四条" in refusal
    finding_lift(finding, actor=people.police_head, reason="已完成等保测评", evidence="等保测评报告")
    assert om_funding_refusal(orgs["owner"]) is None


# ---------------------------------------------------------------- 孤网 exception


def _exception(people, system="涉密档案系统"):
    return exception_request(actor=people.owner_head, system=system, grounds="依据保密法规定不能联网共享")


def test_the_exception_path_department_bureau_government(orgs, people):
    with pytest.raises(RuleViolation, match="负责人申请"):
        exception_request(actor=people.owner_preparer, system="系统", grounds="依据")
    with pytest.raises(RuleViolation):
        exception_request(actor=people.bureau_head, system="系统", grounds="依据")
    exc = _exception(people)
    assert exc.state == ConnectivityException.State.REQUESTED
    with pytest.raises(RuleViolation, match="办理中"):
        _exception(people)
    # Only 省营商环境局 reviews; 省政府 cannot approve before the review.
    for who in ("owner_head", "cac_head", "government_head", "bureau_preparer"):
        with pytest.raises(RuleViolation):
            exception_review(exc, actor=people[who], favourable=True, note="同意")
    with pytest.raises(RuleViolation, match="不能办理"):
        exception_decide(
            exc, actor=people.government_head, approve=True, note="同意", document_no="黑政函〔2026〕1号"
        )
    exc = exception_review(
        exc, actor=people.bureau_reviewer, favourable=True, note="经会同网信办审核，同意报批"
    )
    assert exc.state == ConnectivityException.State.REVIEWED
    for who in ("bureau_head", "government_reviewer", "owner_head"):
        with pytest.raises(RuleViolation):
            exception_decide(
                exc, actor=people[who], approve=True, note="同意", document_no="黑政函〔2026〕1号"
            )
    with pytest.raises(RuleViolation, match="批准文号"):
        exception_decide(exc, actor=people.government_head, approve=True, note="同意", document_no=" ")
    exc = exception_decide(
        exc, actor=people.government_head, approve=True, note="同意", document_no="黑政函〔2026〕1号"
    )
    assert exc.state == ConnectivityException.State.APPROVED
    actions = list(
        AuditEntry.objects.filter(
            object_type="projects.connectivityexception", object_id=str(exc.pk)
        ).values_list("action", "organisation__kind", "to_state")
    )
    assert actions == [
        ("connectivity_exception.requested", "owner", "requested"),
        ("connectivity_exception.reviewed", "bureau", "reviewed"),
        ("connectivity_exception.decided", "government", "approved"),
    ]


def test_an_approved_exception_excuses_the_data_sharing_finding_of_that_system_only(orgs, people, call_2026):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    _set(people, orgs, "bureau_reviewer", system="涉密档案系统")
    exc = _exception(people)
    exc = exception_review(exc, actor=people.bureau_head, favourable=True, note="同意报批")
    # Reviewed is not approved: still blocked.
    with pytest.raises(RuleViolation, match="涉密档案系统"):
        _submit(project, people.owner_head, D(2025, 6, 10))
    exception_decide(
        exc, actor=people.government_head, approve=True, note="同意", document_no="黑政函〔2026〕2号"
    )
    # Not excused: a crypto finding on the same system, or data sharing on another system.
    crypto = _set(people, orgs, "crypto_reviewer", kind="crypto", system="涉密档案系统")
    with pytest.raises(RuleViolation, match="不符合密码应用要求"):
        _submit(project, people.owner_head, D(2025, 6, 10))
    finding_lift(crypto, actor=people.crypto_head, reason="已整改", evidence="密评报告")
    _submit(project, people.owner_head, D(2025, 6, 10))
    assert Project.objects.get(pk=project.pk).state == S.SUBMITTED


def test_a_refused_exception_excuses_nothing(orgs, people, call_2026):
    project = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026))
    _set(people, orgs, "bureau_reviewer", system="涉密档案系统")
    exc = exception_review(_exception(people), actor=people.bureau_head, favourable=False, note="可以共享")
    assert exc.state == ConnectivityException.State.REFUSED
    with pytest.raises(RuleViolation, match="办法第三十四条"):
        _submit(project, people.owner_head, D(2025, 6, 10))


# ---------------------------------------------------------------- 第三十六、三十九条 decisions


def _decide(people, orgs, who="bureau_head", **kw):
    args = {
        "organisation": orgs["owner"],
        "kind": "criticism",
        "article": "第三十六条",
        "document_no": "黑营商发〔2026〕20号",
        "decided_on": D(2026, 3, 1),
        "reason": "逾期未整改",
        **kw,
    }
    with as_of(D(2026, 3, 2)):
        return decision_record(actor=people[who], **args)


def test_only_the_bureaus_head_records_a_decision(orgs, people):
    allowed = set()
    for org in ORG_KEYS:
        for role in ROLES:
            try:
                _decide(people, orgs, who=f"{org}_{role}")
            except RuleViolation as exc:
                assert exc.code == "permission" and "办法第三十六条" in exc.message
            else:
                allowed.add(f"{org}_{role}")
    assert allowed == {"bureau_head"}


def test_decisions_rest_on_their_article_and_carry_a_document_number(orgs, people):
    with pytest.raises(RuleViolation, match="第三十六条"):
        _decide(people, orgs, kind="deferral", article="第三十九条")
    with pytest.raises(RuleViolation, match="文号"):
        _decide(people, orgs, document_no="  ")
    with pytest.raises(RuleViolation, match="不能晚于今天"):
        _decide(people, orgs, decided_on=D(2026, 3, 3))
    with pytest.raises(RuleViolation, match="期限"):
        _decide(people, orgs, kind="criticism", until=D(2026, 12, 31))
    with pytest.raises(RuleViolation, match="不能早于"):
        _decide(people, orgs, kind="deferral", until=D(2026, 2, 1))
    with pytest.raises(RuleViolation, match="项目建设单位"):
        _decide(people, orgs, organisation=orgs["cac"])
    criticism = _decide(people, orgs, article="第三十九条", reason="未履行审批程序擅自建设")
    row = AuditEntry.objects.get(object_type="projects.supervisiondecision", object_id=str(criticism.pk))
    assert row.action == "supervision_decision.recorded" and row.article == "第三十九条"
    assert row.actor == people.bureau_head and row.data["document_no"] == "黑营商发〔2026〕20号"


def test_a_deferral_is_in_force_until_its_date_or_until_lifted(orgs, people):
    project = ProjectFactory(owner=orgs["owner"])
    deferral = _decide(people, orgs, kind="deferral", until=D(2026, 12, 31), project=project)
    _decide(people, orgs, kind="criticism", article="第三十九条", document_no="黑营商发〔2026〕21号")
    assert deferrals_in_force(orgs["owner"].pk, D(2026, 12, 31)) == [deferral]
    assert deferrals_in_force(orgs["owner"].pk, D(2027, 1, 1)) == []
    with as_of(D(2026, 3, 2)):
        records = sanctions_for([orgs["owner"].pk, orgs["other_owner"].pk])
    assert records[orgs["other_owner"].pk] == []
    mine = records[orgs["owner"].pk]
    assert {(s.kind, s.article, s.in_force) for s in mine} == {
        ("deferral", "第三十六条", True),
        ("criticism", "第三十九条", True),
    }
    assert next(s for s in mine if s.kind == "deferral").project_name == project.name
    criticism = SupervisionDecision.objects.get(kind="criticism")
    with as_of(D(2026, 3, 2)), pytest.raises(RuleViolation, match="不能解除"):
        decision_lift(criticism, actor=people.bureau_head, reason="撤销")
    with as_of(D(2026, 3, 2)), pytest.raises(RuleViolation):
        decision_lift(deferral, actor=people.bureau_reviewer, reason="已整改")
    with as_of(D(2026, 6, 1)):
        decision_lift(deferral, actor=people.bureau_head, reason="已整改到位")
    assert deferrals_in_force(orgs["owner"].pk, D(2026, 6, 2)) == []
    rows = AuditEntry.objects.filter(object_type="projects.supervisiondecision", object_id=str(deferral.pk))
    assert [r.action for r in rows] == ["supervision_decision.recorded", "supervision_decision.lifted"]
    assert rows[0].project == project


# ---------------------------------------------------------------- 暂缓安排 and the annual plan


def test_a_deferral_in_force_keeps_the_departments_projects_out_of_the_plan(orgs, people, call_2026):
    """办法第三十六条: 暂缓安排信息化投资计划 — while in force the bureau does not arrange the
    department's reviewed projects in the annual plan; once lifted it may."""
    project, _on = project_in(S.REVIEW_PASSED, orgs, people, call_2026)
    day = D(2025, 9, 15)
    with as_of(day):
        plan = project_services.plan_open(2026, actor=people.bureau_head)
        deferral = decision_record(
            actor=people.bureau_head,
            organisation=orgs["owner"],
            kind="deferral",
            article="第三十六条",
            document_no="黑营商发〔2025〕40号",
            decided_on=day,
            reason="逾期不整改",
        )
        with pytest.raises(RuleViolation) as exc:
            services.plan_include(plan, project, actor=people.bureau_reviewer)
        assert "办法第三十六条" in exc.value.message and "黑营商发〔2025〕40号" in exc.value.message
        assert Project.objects.get(pk=project.pk).plan_id is None
        # A 通报批评 alone does not keep a project out.
        decision_lift(deferral, actor=people.bureau_head, reason="已整改到位")
        _decide(people, orgs, article="第三十九条", decided_on=D(2025, 9, 1))
        services.plan_include(plan, project, actor=people.bureau_reviewer)
    assert Project.objects.get(pk=project.pk).plan_id == plan.pk
