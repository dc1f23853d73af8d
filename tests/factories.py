"""factory_boy factories. ``complete_application`` fills every item of 办法第九条."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory

from projects.models import (
    Call,
    DataResource,
    FundingLine,
    Organisation,
    Project,
    User,
    YearlyInvestment,
)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    kind = "owner"
    name = factory.Sequence(lambda n: f"省测试厅{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试人员{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    role = "preparer"
    password = factory.django.Password("demo12345")


class CallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Call
        django_get_or_create = ["year"]

    year = 2026
    opens_on = factory.LazyAttribute(lambda c: datetime.date(c.year - 1, 6, 1))
    closes_on = factory.LazyAttribute(lambda c: datetime.date(c.year - 1, 6, 30))


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试政务系统{n}")
    owner = factory.SubFactory(OrganisationFactory)
    call = factory.SubFactory(CallFactory)


def complete_application(project: Project, *, total=Decimal("5000000.00"), name=None) -> Project:
    """Fill every material of 办法第九条 on ``project`` and save it."""
    project.name = name or project.name
    project.basis_and_necessity = "依据《国务院关于加强数字政府建设的指导意见》，现有系统分散建设，亟需整合。"
    project.content_and_scale = "建设统一业务受理、审批、监管模块，覆盖全省13个市（地）。"
    project.technical_route = "依托省政务云，采用微服务架构，国产数据库。"
    project.period_months = 12
    project.total_investment_yuan = total
    project.performance_targets = "业务办理时限压缩50%，数据共享率达到90%。"
    project.cloud_requirements = "政务云计算资源64核、存储20TB。"
    project.protection_plan = "按等级保护第三级要求建设。"
    project.security_plan = "部署边界防护、入侵检测、日志审计。"
    project.product_reliability = "服务器、操作系统、数据库均采用安全可靠产品。"
    project.crypto_plan = "采用SM2/SM3/SM4算法，按GB/T 39786三级要求建设。"
    project.save()
    year = project.call.year if project.call_id else 2026
    YearlyInvestment.objects.create(project=project, year=year, amount_yuan=total)
    FundingLine.objects.create(project=project, source="provincial", amount_yuan=total)
    DataResource.objects.create(
        project=project,
        name="业务办理信息",
        provider=project.owner.name,
        data_format="数据库",
        update_cycle="实时",
        sharing_type="unconditional",
        open_type="closed",
    )
    return project
