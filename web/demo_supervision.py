"""Demo supervision records (办法第三十四、三十六、三十九条), made through the services once the
demo projects exist: a 等级保护 finding found and lifted by 省公安厅, an open 密码应用 finding
that blocks 省农业农村厅's new systems, a 孤网 exception approved by 省政府 and one waiting
for the bureau, a 通报批评 and a 暂缓安排信息化投资计划 in force."""

from __future__ import annotations

import datetime

from core.states import ProjectState as S
from core.timeutil import as_of
from projects import supervision
from projects.models import Organisation, Project, User


def load(people: dict[str, User], owners: dict[str, Organisation], today: datetime.date) -> None:
    def ago(days: int):
        return as_of(today - datetime.timedelta(days=days))

    with ago(60):
        hazard = supervision.finding_set(
            actor=people["police_reviewer"],
            organisation=owners["emergency"],
            kind="protection_level",
            system="应急指挥调度系统",
            reason="系统未按等级保护第三级要求完成测评。",
            evidence=f"黑公网安通报〔{today.year}〕7号",
        )
    with ago(20):
        supervision.finding_lift(
            hazard,
            actor=people["police_head"],
            reason="已完成等级保护测评并整改到位。",
            evidence=f"等级保护测评报告（{today.year}年）",
        )
    with ago(15):
        supervision.finding_set(
            actor=people["crypto_reviewer"],
            organisation=owners["agri"],
            kind="crypto",
            system="农业农村大数据平台",
            reason="未按要求采用商用密码，未开展密码应用安全性评估。",
            evidence=f"黑密函〔{today.year}〕12号",
        )
    with ago(40):
        approved = supervision.exception_request(
            actor=people["emergency_head"],
            system="应急指挥专网系统",
            grounds="依据有关保密规定，专网系统不能与政务外网共享数据。",
        )
        approved = supervision.exception_review(
            approved,
            actor=people["bureau_reviewer"],
            favourable=True,
            note="经会同省委网信办审核，同意报省政府批准。",
        )
    with ago(30):
        supervision.exception_decide(
            approved,
            actor=people["government_head"],
            approve=True,
            note="同意保留。",
            document_no=f"黑政函〔{today.year}〕18号",
        )
    with ago(5):
        supervision.exception_request(
            actor=people["land_head"], system="不动产登记涉密数据系统", grounds="涉及国家秘密，不能共享。"
        )
    suspended = Project.objects.filter(state=S.SUSPENDED).select_related("owner").first()
    if suspended is not None:
        with ago(10):
            supervision.decision_record(
                actor=people["bureau_head"],
                organisation=suspended.owner,
                project=suspended,
                kind="criticism",
                article="第三十六条",
                document_no=f"黑营商发〔{today.year}〕31号",
                decided_on=today - datetime.timedelta(days=10),
                reason="逾期不整改，予以通报批评。",
            )
            supervision.decision_record(
                actor=people["bureau_head"],
                organisation=suspended.owner,
                kind="deferral",
                article="第三十六条",
                document_no=f"黑营商发〔{today.year}〕32号",
                decided_on=today - datetime.timedelta(days=10),
                until=datetime.date(today.year, 12, 31),
                reason="整改后仍不符合要求，暂缓安排下一年度信息化投资计划。",
            )
