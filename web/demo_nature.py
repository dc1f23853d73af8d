"""建设性质 in the demo (issue 15): a few applications of each nature, the short execution
path of 运维 and 购买服务 walked to every point (in the plan, executing, ended), a 续建 and an
upgrade in next year's review showing the earlier project's results (办法第三十八条), and an
upgrade approved on the merged path of 办法第十七条（一）.

Called by web/demo.py; every step goes through the services (web/scenarios.Walker).
"""

from __future__ import annotations

import datetime

from core.nature import ProjectNature as N
from core.states import ProjectState as S
from core.vocabulary import MergedGround
from lifecycle.nature_guards import on_service_path
from projects.models import Project

DAY = datetime.timedelta(days=1)

#: Demo projects of web/demo.py given a nature: name → (nature, the existing system, merged
#: path of 第十七条（一）).
NATURES = {
    "国土空间基础信息平台升级": (N.UPGRADE, "国土空间基础信息平台", True),
    "企业信用信息公示系统升级": (N.UPGRADE, "企业信用信息公示系统", False),
    "工伤保险信息系统升级": (N.UPGRADE, "工伤保险信息系统", False),
}

#: 运维 and 购买服务 items of this year's plan: (owner, name, 万元, nature, system, target).
PLAN_ITEMS = [
    ("health", "全民健康信息平台运行维护", 320, N.OPERATION, "全民健康信息平台", S.CONSTRUCTION),
    ("edu", "全省教育督导信息平台运行维护", 150, N.OPERATION, "全省教育督导信息平台", S.CLOSED),
    ("market", "市场监管移动执法终端租赁服务", 260, N.SERVICE, "", S.CONSTRUCTION),
    ("hrss", "社会保障卡制发数据处理服务", 210, N.SERVICE, "", S.IN_PLAN),
]

#: Next year's call: (owner, name, 万元, nature, system, earlier project's name, target).
NEXT_ITEMS = [
    ("edu", "全省教育督导信息平台（二期）", 540, N.CONTINUED, "", "全省教育督导信息平台", S.JOINT_REVIEW),
    (
        "land",
        "国土空间基础信息平台三维扩展",
        420,
        N.UPGRADE,
        "国土空间基础信息平台",
        "国土空间基础信息平台升级",
        S.SUBMITTED,
    ),
    (
        "hrss",
        "社会保障卡一卡通服务平台运行维护",
        180,
        N.OPERATION,
        "社会保障卡一卡通服务平台",
        "",
        S.SUBMITTED,
    ),
    ("market", "政务云资源租用服务", 900, N.SERVICE, "", "", S.SUBMITTED),
]


def label(projects) -> None:
    """Set the nature of the demo's own upgrades (before they are submitted)."""
    for project, _target in projects:
        if project.name in NATURES:
            nature, system, merged = NATURES[project.name]
            project.nature, project.system_name = nature, system
            if merged:  # 办法第十七条（一）: FSR and design merged, only the FSR approved
                project.merged_fsr_design, project.merged_ground = True, MergedGround.EXTENSION
            project.save()


def plan_items(application, owners, call) -> list[tuple[Project, str]]:
    items: list[tuple[Project, str]] = []
    for owner, name, wan, nature, system, target in PLAN_ITEMS:
        project = application(owners[owner], call, name, wan)
        project.nature, project.system_name = nature, system
        project.period_months = 12
        project.save()
        items.append((project, target))
    return items


def next_items(application, owners, call) -> list[tuple[Project, str]]:
    items: list[tuple[Project, str]] = []
    for owner, name, wan, nature, system, before, target in NEXT_ITEMS:
        project = application(owners[owner], call, name, wan)
        project.nature, project.system_name = nature, system
        if before:
            project.predecessor = Project.objects.get(name=before)
        project.save()
        items.append((project, target))
    return items


def walks_itself(project: Project) -> bool:
    """The plan items of the short path are walked by ``execute``, not by demo.load's loop."""
    return on_service_path(project)


def execute(walker, projects, *, year: int, issued_on: datetime.date, today: datetime.date) -> None:
    """办法第二十一、二十五、二十七条 on the short path: started in January of the plan year
    (or as late as the demo's today allows), ended a few days before today."""
    start = max(issued_on + DAY, min(datetime.date(year, 1, 5), today - 20 * DAY))
    for project, target in projects:
        if not walks_itself(project) or target == S.IN_PLAN:
            continue
        walker.forward(project, S.CONSTRUCTION, start)
        if target == S.CLOSED:
            walker.forward(project, S.CLOSED, today - 2 * DAY)
