"""Supervision records (办法第三十四、三十六、三十九条) for the web tests' worlds, made through
the services: a finding by 省委网信办, a 孤网 exception waiting for the bureau and one waiting
for 省政府, a 暂缓安排 decision in force and a 通报批评."""

from __future__ import annotations

import datetime

from core.timeutil import as_of
from projects.supervision import decision_record, exception_request, exception_review, finding_set


def supervision_records(orgs, people, project) -> dict:
    owner = orgs["owner"]
    finding = finding_set(
        actor=people["cac_reviewer"],
        organisation=owner,
        kind="security_hazard",
        system="测试业务系统",
        reason="存在高危漏洞",
        evidence="网信办通报〔2026〕5号",
        project=project,
    )
    requested = exception_request(actor=people["owner_head"], system="涉密档案系统", grounds="保密法")
    reviewed = exception_review(
        exception_request(actor=people["owner_head"], system="应急指挥专网系统", grounds="专网"),
        actor=people["bureau_reviewer"],
        favourable=True,
        note="同意报批",
    )
    with as_of(datetime.date(2026, 3, 2)):
        deferral = decision_record(
            actor=people["bureau_head"],
            organisation=owner,
            kind="deferral",
            article="第三十六条",
            document_no="黑营商发〔2026〕20号",
            decided_on=datetime.date(2026, 3, 1),
            reason="逾期未整改",
            project=project,
        )
        criticism = decision_record(
            actor=people["bureau_head"],
            organisation=owner,
            kind="criticism",
            article="第三十九条",
            document_no="黑营商发〔2026〕21号",
            decided_on=datetime.date(2026, 3, 1),
            reason="未履行审批程序",
        )
    return {
        "findings": [finding],
        "exceptions": [requested, reviewed],
        "decisions": [deferral, criticism],
    }
