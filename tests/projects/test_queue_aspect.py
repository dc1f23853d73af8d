"""办法第十条: the joint review's opinions come from 省营商环境局 (集约化建设和数据共享),
省委网信办 (网络安全) and 省国家密码管理局 (密码应用), each given by the agency's 审核人 or
负责人. A home queue links to the review page of the person's own agency only for those who
may give the opinion — by their own role, or one lent to them by a delegation in force
(issue 12) — and to none for anybody else."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from lifecycle import delegation
from projects.aspects import queue_aspect

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D1 = datetime.date(2026, 12, 7)


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10), SHANGHAI), tick=False)


def fresh(user):
    return type(user).objects.select_related("organisation").get(pk=user.pk)


@pytest.mark.parametrize(
    ("person", "aspect"),
    [
        ("bureau_reviewer", "intensive"),
        ("bureau_head", "intensive"),
        ("cac_reviewer", "security"),
        ("cac_head", "security"),
        ("crypto_reviewer", "crypto"),
        ("crypto_head", "crypto"),
        # Not a reviewer of the joint review: no link.
        ("cac_preparer", ""),
        ("bureau_preparer", ""),
        ("admin", ""),
        ("owner_head", ""),
        ("finance_head", ""),
    ],
)
def test_only_the_agencies_reviewers_get_their_review_page(people, person, aspect):
    with at(D1):
        assert queue_aspect(fresh(people[person])) == aspect


def test_a_substitute_gets_the_link_while_the_delegation_is_in_force(people):
    with at(D1 - datetime.timedelta(days=1)):
        delegation.delegation_create(
            actor=people.cac_reviewer, substitute=people.cac_preparer, starts_on=D1, ends_on=D1
        )
        assert queue_aspect(fresh(people.cac_preparer)) == ""
    with at(D1):
        assert queue_aspect(fresh(people.cac_preparer)) == "security"
    with at(D1 + datetime.timedelta(days=1)):
        assert queue_aspect(fresh(people.cac_preparer)) == ""
