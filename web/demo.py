"""Demo organisations, people and projects in every state (``manage.py load_demo``).

All demo passwords are ``demo12345``: for a local trial only, never on a real network.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.states import ProjectState as S
from core.timeutil import as_of
from core.vocabulary import OrgKind
from lifecycle import services
from lifecycle.policy import get_policy
from lifecycle.workdays import add_months
from projects import services as project_services
from projects.models import (
    Call,
    DataResource,
    FundingLine,
    Organisation,
    Participant,
    Project,
    Role,
    User,
    YearlyInvestment,
)
from web import demo_nature, demo_supervision
from web.scenarios import Walker

DEMO_PASSWORD = "demo12345"

AGENCIES = [
    # (kind, name, 机关代字, login prefix)
    ("bureau", "黑龙江省营商环境建设监督局", "黑营商", "bureau"),
    ("cac", "中共黑龙江省委网络安全和信息化委员会办公室", "黑网信", "cac"),
    ("crypto", "黑龙江省国家密码管理局", "黑密", "crypto"),
    ("drc", "黑龙江省发展和改革委员会", "黑发改", "drc"),
    ("finance", "黑龙江省财政厅", "黑财", "finance"),
    ("police", "黑龙江省公安厅", "黑公", "police"),
    ("intranet", "黑龙江省电子政务内网办公室", "黑内网", "intranet"),
    ("secrecy", "中共黑龙江省委保密委员会办公室", "黑保", "secrecy"),
    ("audit", "黑龙江省审计厅", "黑审", "audit"),
    ("government", "黑龙江省人民政府", "黑政", "government"),
    ("expert", "黑龙江省工程咨询评审中心", "黑咨", "expert"),
]
OWNERS = [
    ("黑龙江省教育厅", "黑教", "edu"),
    ("黑龙江省卫生健康委员会", "黑卫健", "health"),
    ("黑龙江省人力资源和社会保障厅", "黑人社", "hrss"),
    ("黑龙江省市场监督管理局", "黑市监", "market"),
    ("黑龙江省自然资源厅", "黑自然资", "land"),
    ("黑龙江省应急管理厅", "黑应急", "emergency"),
    ("黑龙江省农业农村厅", "黑农", "agri"),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗"
GIVEN = ["建国", "海燕", "志强", "丽华", "晓东", "文静", "立新", "春梅", "振宇", "雪松", "红霞", "国庆"]
ROLE_TITLES = {"preparer": "经办人", "head": "负责人", "reviewer": "审核人", "admin": "管理员"}


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]


def ensure_people() -> dict[str, User]:
    """Every organisation, and one person per role in each (idempotent)."""
    people, i = {}, 0
    specs = [(kind, name, code, prefix, ("reviewer", "head")) for kind, name, code, prefix in AGENCIES]
    specs += [("owner", name, code, prefix, ("preparer", "head")) for name, code, prefix in OWNERS]
    for kind, name, code, prefix, roles in specs:
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"kind": kind, "code": code})
        for role in roles:
            i += 1
            user, created = User.objects.get_or_create(
                username=f"{prefix}_{role}",
                defaults={
                    "organisation": org,
                    "role": role,
                    "full_name": _name(i),
                    "phone": f"0451-8{i:03d}6{i:03d}",
                    # Issue 12: notifications are e-mailed too; .invalid never reaches anyone
                    # (make run prints them on the console).
                    "email": f"{prefix}_{role}@demo.invalid",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            people[f"{prefix}_{role}" if kind == OrgKind.OWNER else f"{kind}_{role}"] = user
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={
            "organisation": Organisation.objects.get(kind="bureau"),
            "role": Role.ADMIN,
            "full_name": "系统管理员",
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    people["admin"] = admin
    return people


CONTENTS = [
    "建设统一受理、业务办理、监督管理、统计分析子系统，覆盖省、市、县三级约3000名用户。",
    "新建移动端服务、电子证照对接和线上审批模块，改造原有数据库，接入省一体化政务服务平台。",
    "建设感知监测网络、预警模型和指挥调度大屏，整合气象、水利等部门数据，实现分钟级预警。",
    "升级核心业务系统，迁移历史数据约2亿条，新增电子档案和统一身份认证功能。",
    "购置服务器、存储和安全设备，建设同城灾备中心，满足全省业务连续运行要求。",
    "建设数据资源中心和主题数据库，开发共享接口120个，支撑跨部门业务协同。",
]
TARGETS = [
    "业务办理时限压缩50%以上，群众满意度达到95%以上。",
    "线上办理率达到90%，跑动次数减少80%。",
    "预警提前量达到30分钟，事件处置效率提升40%。",
    "历史数据迁移完整率100%，系统可用性达到99.9%。",
    "灾备切换时间不超过30分钟，数据零丢失。",
    "数据共享率达到90%以上，接口调用响应时间小于1秒。",
]
ROUTES = [
    "依托省政务云部署，微服务架构，国产数据库。",
    "基于省一体化政务服务平台中台能力开发，前后端分离。",
    "物联网感知接入与时空大数据平台结合，GIS一张图展示。",
    "原系统平滑升级，采用双轨运行和分批迁移。",
]

# (owner login prefix, name, total 万元, network, classified, target state)
PLAN_YEAR_PROJECTS = [
    ("edu", "全省教育督导信息平台", 1280, "extranet", False, S.CLOSED),
    ("health", "全民健康信息平台（二期）", 3650, "extranet", False, S.POST_EVALUATION),
    ("hrss", "社会保障卡一卡通服务平台", 2100, "extranet", False, S.SELF_EVALUATED),
    ("market", "智慧市场监管综合平台", 1860, "extranet", False, S.OPERATION),
    ("land", "国土空间基础信息平台升级", 990, "extranet", False, S.ACCEPTED),
    ("emergency", "应急指挥一张图系统", 2450, "extranet", False, S.ACCEPTANCE_REVIEW),
    ("edu", "教育考试综合管理系统", 760, "extranet", False, S.EXTENSION_REQUESTED),
    ("health", "医疗保障基金智能监管系统", 1420, "extranet", False, S.COMPLETED),
    ("hrss", "人社业务经办一体化系统", 2980, "extranet", False, S.CONSTRUCTION),
    ("market", "特种设备安全监管系统", 680, "extranet", False, S.RECTIFICATION),
    ("land", "不动产登记信息管理平台", 1150, "extranet", False, S.SUSPENDED),
    ("emergency", "森林草原防火监测预警系统", 1730, "extranet", False, S.TERMINATED),
    ("edu", "智慧教育资源公共服务平台", 890, "extranet", False, S.RATIFIED),
    ("health", "疾病预防控制信息系统", 1560, "extranet", False, S.RATIFICATION),
    ("hrss", "就业创业服务系统", 640, "extranet", False, S.APPROVAL_COMPLETE),
    ("market", "企业信用信息公示系统升级", 470, "intranet", True, S.DESIGN_REVIEW),
    ("land", "自然资源调查监测系统", 1340, "extranet", False, S.DESIGN_CORRECTING),
    ("emergency", "安全生产风险监测预警系统", 2260, "extranet", False, S.FSR_APPROVED),
    ("edu", "学生资助管理信息系统", 380, "extranet", False, S.FSR_REVIEW),
    ("health", "妇幼健康服务信息系统", 520, "extranet", False, S.IN_PLAN),
    ("hrss", "技能人才评价服务系统", 450, "extranet", False, S.NOT_INCLUDED),
    # 办法第十一、十二、十五、十八、十九条: refused, declined, cancelled (issue 8).
    ("market", "市场主体登记档案数字化系统", 560, "extranet", False, S.FSR_REFUSED),
    ("land", "地质灾害隐患点监测系统", 780, "extranet", False, S.DESIGN_REFUSED),
    ("edu", "高校毕业生就业信息平台", 930, "extranet", False, S.RATIFICATION_DECLINED),
    ("health", "基层医疗机构远程会诊系统", 610, "extranet", False, S.CANCELLED),
]
NEXT_YEAR_PROJECTS = [
    ("edu", "全省中小学学籍管理系统", 620, S.SUBMITTED),
    ("edu", "全省中小学学籍数据管理系统（二期）", 580, S.SUBMITTED),
    ("health", "互联网医院监管平台", 880, S.JOINT_REVIEW),
    ("hrss", "工伤保险信息系统升级", 560, S.CORRECTING),
    ("market", "食品安全追溯平台", 2380, S.EXPERT_EVALUATION),
    ("land", "耕地保护动态监管系统", 940, S.REVIEW_PASSED),
    ("emergency", "危险化学品监管信息系统", 1210, S.REVIEW_REJECTED),
    ("emergency", "救灾物资管理系统", 330, S.WITHDRAWN),
]
DRAFTS = [("agri", "数字农业农村综合服务平台", 410)]
#: 办法第八条: added after the department's submission, while the call is still open (补充申报).
LATE_ADDITIONS = [("health", "基层医疗卫生机构管理信息系统", 460)]
EMERGENCIES = [
    ("health", "突发公共卫生事件应急指挥系统", 1680, S.EMERGENCY_FORWARDED),
    ("emergency", "防汛抗旱指挥调度系统", 1450, S.EMERGENCY_REQUESTED),
]


def _application(
    owner: Organisation,
    call: Call | None,
    name: str,
    wan: int,
    network="extranet",
    classified=False,
    emergency=False,
    year: int | None = None,
    variant: int | None = None,
) -> Project:
    total = Decimal(wan) * 10000
    year = call.year if call else year
    variant = Project.objects.count() if variant is None else variant
    project = Project.objects.create(
        name=name,
        owner=owner,
        call=call,
        network=network,
        classified=classified,
        basis_and_necessity=f"落实《国务院关于加强数字政府建设的指导意见》和省委、省政府数字龙江建设部署，"
        f"{owner.name}现有系统分散建设、数据标准不一，亟需建设{name}。",
        content_and_scale=f"{name}：" + CONTENTS[(variant + variant // 6) % len(CONTENTS)],
        technical_route=ROUTES[variant % len(ROUTES)],
        period_months=12 if wan < 1500 else 18,
        planned_start=datetime.date(year, 3, 1),
        total_investment_yuan=total,
        performance_targets=TARGETS[(variant // 6) % len(TARGETS)],
        cloud_requirements=(
            f"政务云计算资源{32 * (1 + variant % 4)}核、存储{10 * (1 + variant % 5)}TB，同城灾备。"
        ),
        protection_plan="按网络安全等级保护第三级要求建设并开展测评。"
        if not classified
        else "按涉密信息系统分级保护秘密级要求建设。",
        security_plan="部署边界防护、入侵检测、数据库审计、日志审计，建立安全管理制度和应急预案。",
        product_reliability="服务器、操作系统、数据库、中间件均采用安全可靠产品。",
        crypto_plan="采用SM2、SM3、SM4算法，按GB/T 39786-2021第三级要求进行密码应用设计。",
        emergency_mandate="依据国务院办公厅有关通知要求，须于年内建成投入使用。" if emergency else "",
    )
    first = total * Decimal("0.6")
    YearlyInvestment.objects.bulk_create(
        [
            YearlyInvestment(project=project, year=year, amount_yuan=first),
            YearlyInvestment(project=project, year=year + 1, amount_yuan=total - first),
        ]
    )
    FundingLine.objects.create(project=project, source="provincial", amount_yuan=total)
    DataResource.objects.bulk_create(
        [
            DataResource(
                project=project,
                name=f"{name}业务办理信息",
                provider=owner.name,
                data_format="数据库表",
                update_cycle="实时",
                sharing_type="unconditional",
                open_type="closed",
            ),
            DataResource(
                project=project,
                name=f"{name}统计信息",
                provider=owner.name,
                data_format="XLSX",
                update_cycle="每月",
                sharing_type="conditional",
                sharing_condition="仅向有关部门共享汇总数据",
                open_type="conditional",
            ),
        ]
    )
    return project


def _back(today: datetime.date, steps: int, gap: int, floor: datetime.date) -> datetime.date:
    return max(floor, today - datetime.timedelta(days=steps * gap + 5))


@transaction.atomic
def load(today: datetime.date | None = None) -> dict[str, User]:
    """Create the demo world once; a second call only returns the people."""
    today = today or timezone.localdate()
    people = ensure_people()
    if Project.objects.exists():
        return people
    walker = Walker(people)
    owners = {prefix: Organisation.objects.get(name=name) for name, _code, prefix in OWNERS}
    year = today.year  # the plan now in execution; its call was held last June
    this_call = Call.objects.create(
        year=year,
        opens_on=datetime.date(year - 1, 6, 1),
        closes_on=datetime.date(year - 1, 6, 30),
        notice="关于征集政务信息化建设需求的通知",
    )
    next_call = Call.objects.create(
        year=year + 1,
        opens_on=datetime.date(year, 6, 1),
        closes_on=datetime.date(year, 6, 30),
        notice="关于征集政务信息化建设需求的通知",
    )

    # ---- last year's call → this year's plan, projects along the whole path
    projects = [
        (_application(owners[o], this_call, n, w, net, cl), target)
        for o, n, w, net, cl, target in PLAN_YEAR_PROJECTS
    ]
    demo_nature.label(projects)  # 建设性质 (issue 15): upgrades, and 运维/购买服务 items
    projects += demo_nature.plan_items(_application, owners, this_call)
    submitted_on = datetime.date(year - 1, 6, 16)
    for prefix in {p.owner for p, _t in projects}:
        walker.submit_batch(this_call, prefix, submitted_on)
    for i, (project, _target) in enumerate(projects):
        walker.review(project, submitted_on + datetime.timedelta(days=3 + i % 5), correction=(i % 4 == 1))
    included = [p for p, t in projects if t != S.NOT_INCLUDED]
    walker.approve_plan(year, included, datetime.date(year - 1, 9, 20))
    issued_on = datetime.date(year - 1, 10, 5)

    main = [
        "in_plan",
        "fsr_review",
        "fsr_approved",
        "design_review",
        "approval_complete",
        "ratification",
        "ratified",
        "construction",
        "completed",
        "acceptance_review",
        "accepted",
        "operation",
        "self_evaluated",
        "closed",
    ]
    for project, target in projects:
        if target == S.NOT_INCLUDED or demo_nature.walks_itself(project):
            continue
        through = {
            S.POST_EVALUATION: S.SELF_EVALUATED,
            S.DESIGN_CORRECTING: S.DESIGN_REVIEW,
            S.RECTIFICATION: S.CONSTRUCTION,
            S.SUSPENDED: S.CONSTRUCTION,
            S.TERMINATED: S.CONSTRUCTION,
            S.EXTENSION_REQUESTED: S.COMPLETED,
            S.FSR_REFUSED: S.FSR_REVIEW,
            S.DESIGN_REFUSED: S.DESIGN_REVIEW,
            S.RATIFICATION_DECLINED: S.RATIFICATION,
            S.CANCELLED: S.FSR_APPROVED,
        }.get(target, target)
        steps = main.index(through)
        start = _back(today, steps + 1, walker.gap.days, issued_on)
        if steps > main.index("accepted"):  # leave room for the self-evaluation window (第三十三条)
            start = add_months(start, -get_policy().self_evaluation_opens_months)
        on = walker.forward(project, through, max(start, issued_on))
        if target != through:
            walker.branch(project, target, min(on, today))
        _extras(walker, project, today)
    demo_nature.execute(walker, projects, year=year, issued_on=issued_on, today=today)

    # ---- emergency insertion into this year's approved plan (办法第十二条)
    emergencies = [
        (_application(owners[o], None, n, w, emergency=True, year=year), target)
        for o, n, w, target in EMERGENCIES
    ]
    for project, target in emergencies:
        on = today - datetime.timedelta(days=20)
        with as_of(on):
            head = walker.owner(project)  # names himself or herself 项目责任人 (办法第二十一条)
            services.emergency_request(project, actor=head, year=year, responsible_person=head)
            services.opinion_give(
                project,
                actor=people["bureau_reviewer"],
                aspect="bureau_emergency",
                conclusion="approve",
                text="符合紧急纳入条件，同意。",
            )
        if target == S.EMERGENCY_FORWARDED:
            with as_of(on + datetime.timedelta(days=3)):
                services.opinion_give(
                    project,
                    actor=people["finance_reviewer"],
                    aspect="finance_emergency",
                    conclusion="approve",
                    text="资金来源已落实，同意。",
                )
            walker.emergency_security_opinions(project, on + datetime.timedelta(days=4))
            walker.step(project, "forward_emergency", people["bureau_head"], on + datetime.timedelta(days=5))

    # ---- this June's call → next year's plan, projects in review
    nxt = [
        (_application(owners[o], next_call, n, w, variant=1 if i < 2 else None), target)
        for i, (o, n, w, target) in enumerate(NEXT_YEAR_PROJECTS)
    ]
    nxt += demo_nature.next_items(_application, owners, next_call)  # 续建, 扩建, 运维, 购买服务
    for o, n, w in DRAFTS:
        draft = _application(owners[o], next_call, n, w)
        # 办法第十三条: a cross-department draft, its participant's confirmation pending.
        Participant.objects.get_or_create(
            project=draft,
            organisation=owners["land"],
            defaults={
                "part": "建设耕地保护与农用地数据共享子系统",
                "business_flow": "耕地变化线索由自然资源厅推送至农业农村厅核查。",
                "data_flow": "共享耕地、永久基本农田图斑数据。",
                "interfaces": "图斑数据交换接口、核查结果回传接口。",
            },
        )
    june = datetime.date(year, 6, 20)
    for prefix in {p.owner for p, _t in nxt}:
        walker.submit_batch(next_call, prefix, june)
    late = [_application(owners[o], next_call, n, w) for o, n, w in LATE_ADDITIONS]
    for owner in {p.owner for p in late}:
        walker.amend_batch(next_call, owner, june + datetime.timedelta(days=6))
    recent = today - datetime.timedelta(days=2)
    for project, target in nxt:
        if target == S.SUBMITTED:
            continue
        if target == S.WITHDRAWN:
            walker.step(
                project,
                "withdraw",
                walker.owner(project),
                june + datetime.timedelta(days=2),
                reason="与本部门另一项目合并申报。",
            )
        elif target in (S.REVIEW_PASSED, S.REVIEW_REJECTED):
            walker.review(project, june + datetime.timedelta(days=5), passed=target == S.REVIEW_PASSED)
        else:
            walker.step(project, "accept_application", people["bureau_reviewer"], recent)
            with as_of(recent):
                services.opinion_give(
                    project,
                    actor=people["crypto_reviewer"],
                    aspect="crypto",
                    conclusion="conditional",
                    text="原则同意，请细化密钥管理方案。",
                )
            if target == S.JOINT_REVIEW:
                # 办法第十条: a 补正 round already answered, shown on the review pages.
                walker.correction_round(
                    project,
                    recent,
                    people["cac_reviewer"],
                    reason="请补充等级保护测评计划。",
                    reply="已补充等级保护测评计划。",
                    protection_plan=f"{project.protection_plan}上线前完成等级保护测评，测评计划见附件。",
                )
            if target == S.CORRECTING:
                walker.step(
                    project,
                    "request_correction",
                    people["bureau_reviewer"],
                    today,
                    reason="请补充与省一体化政务服务平台的数据共享方案。",
                )
            elif target == S.EXPERT_EVALUATION:
                walker.step(
                    project,
                    "start_expert_evaluation",
                    people["bureau_reviewer"],
                    today,
                    reason="投资规模大，组织专家评估论证。",
                )
    with as_of(datetime.date(year, 9, 10)):
        next_plan = project_services.plan_open(year + 1, actor=people["bureau_head"])
        for project, target in nxt:
            if target == S.REVIEW_PASSED:
                services.plan_include(next_plan, project, actor=people["bureau_reviewer"])
    demo_supervision.load(people, owners, today)  # 办法第三十四、三十六、三十九条
    return people


def _extras(walker: Walker, project: Project, today: datetime.date) -> None:
    """Changes, reports and notices that make the construction-stage demo projects real."""
    if project.state == S.CONSTRUCTION:
        total = project.approved_estimate_yuan
        with as_of(today - datetime.timedelta(days=10)):
            filed = services.change_create(
                project,
                actor=walker.owner(project, "preparer"),
                title="调整统计分析子系统建设内容",
                reason="根据省委、省政府部署调整统计口径",
                ground="deployment",
                items=[
                    {
                        "from_content": "移动端应用",
                        "to_content": "统计分析子系统",
                        "amount_yuan": total * Decimal("0.08"),
                    }
                ],
            )
            services.change_submit(filed, actor=walker.owner(project))
            pending = services.change_create(
                project,
                actor=walker.owner(project, "preparer"),
                title="扩充数据治理建设内容",
                reason="优化技术方案",
                ground="optimisation",
                items=[
                    {
                        "from_content": "硬件购置",
                        "to_content": "数据治理",
                        "amount_yuan": total * Decimal("0.10"),
                    }
                ],
            )
            services.change_submit(pending, actor=walker.owner(project))
    if project.state == S.RECTIFICATION:
        with as_of(today - datetime.timedelta(days=3)):
            services.rectification_report(
                project, actor=walker.owner(project, "preparer"), report="已完成监理单位更换和进度计划调整。"
            )
    if project.state in (S.RECTIFICATION, S.SUSPENDED):
        # 办法第二十六条: the delay that led to the notice or the suspension.
        with as_of(today - datetime.timedelta(days=30)):
            services.incident_report(
                project,
                actor=walker.owner(project, "preparer"),
                kind="delay",
                description="因供应商交付延迟，工程进度滞后约两个月。",
            )
    if project.state == S.CONSTRUCTION:
        Participant.objects.get_or_create(
            project=project,
            organisation=Organisation.objects.get(name="黑龙江省财政厅"),
            defaults={"part": "社保基金财政专户对接"},
        )


def logins() -> list[tuple[str, str, str, str]]:
    """(username, name, organisation, role) of every demo account, for the README and the sign-in page."""
    return [
        (u.username, u.full_name, u.organisation.name if u.organisation else "", ROLE_TITLES.get(u.role, ""))
        for u in User.objects.select_related("organisation").order_by(
            "organisation__kind", "organisation__name", "username"
        )
    ]
