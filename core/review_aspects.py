"""What each agency of the joint review reads (办法第十条), as data.

办法第十条: 省营商环境局 gives the opinion on 集约化建设和数据共享, 省委网信办 on 网络安全 and
省国家密码管理局 on 密码应用. Each of them judges some of the 第九条 application items and some
of the uploaded materials; ``HEILONGJIANG_REVIEW`` says which, each item with the article
that asks for it. It is the ``review_aspects`` of the policy in force (lifecycle/policy.py),
so a city or another province that divides the review otherwise replaces it there
(办法第四十条) and the review pages follow (projects/aspects.py, web/aspect_views.py).

``field`` names a field of ``projects.Project`` or one of its lists of rows
(``data_resources``, ``participants``, ``level_relations``, ``yearly_investments``,
``funding_lines``); ``aspect`` is the value of the opinion the agency gives
(``lifecycle.models.Aspect``), which is also the address of its page. This module imports
nothing above ``core``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import MaterialKind, OrgKind


@dataclass(frozen=True)
class Section:
    """One application item an agency judges, and the article that asks for it."""

    field: str
    article: str


@dataclass(frozen=True)
class ReviewAspect:
    """One agency's part of the joint review: its opinion, the items and materials it reads."""

    aspect: str
    org_kind: str
    article: str
    sections: tuple[Section, ...]
    materials: tuple[str, ...]


HEILONGJIANG_REVIEW: tuple[ReviewAspect, ...] = (
    # 办法第十条: 省营商环境局 — 集约化建设和数据共享.
    ReviewAspect(
        aspect="intensive",
        org_kind=OrgKind.BUREAU,
        article="第十条",
        sections=(
            Section("content_and_scale", "第九条"),
            # 办法第六条: 集约节约建设; 单独建设须提供文件依据.
            Section("separate_build_basis", "第六条"),
            # 办法第九、十六条: 数据资源目录 — 信息资源目录是审批的必备条件.
            Section("data_resources", "第十六条"),
            Section("cloud_requirements", "第九条"),
            # 办法第十三条: 跨部门项目的业务流、数据流、系统接口; 第十四条: 跨层级衔接.
            Section("participants", "第十三条"),
            Section("level_relations", "第十四条"),
        ),
        materials=(MaterialKind.APPLICATION, MaterialKind.CATALOGUE),
    ),
    # 办法第十条: 省委网信办 — 网络安全 (办法第九、二十二条).
    ReviewAspect(
        aspect="security",
        org_kind=OrgKind.CAC,
        article="第十条",
        sections=(
            Section("security_plan", "第九条"),
            # 办法第九、二十三条: 等级保护或分级保护方案 (涉密项目: 分级保护).
            Section("protection_plan", "第九条"),
            Section("network", "第九条"),
            Section("classified", "第二十三条"),
            Section("technical_route", "第九条"),
            Section("cloud_requirements", "第二十二条"),
        ),
        materials=(MaterialKind.APPLICATION,),
    ),
    # 办法第十条: 省国家密码管理局 — 密码应用 (办法第九、二十三条).
    ReviewAspect(
        aspect="crypto",
        org_kind=OrgKind.CRYPTO,
        article="第十条",
        sections=(
            Section("crypto_plan", "第九条"),
            Section("product_reliability", "第二十三条"),
            Section("technical_route", "第九条"),
        ),
        materials=(MaterialKind.CRYPTO_PLAN, MaterialKind.PRODUCT_RELIABILITY, MaterialKind.APPLICATION),
    ),
)
