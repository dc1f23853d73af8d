"""Issue 10: the project list's free-text search compares case-sensitively when the term has
no letters of two cases (selectors.project_list), so that PostgreSQL estimates the matches
well. For any term a person can type, the rows found are those a case-insensitive search
finds — checked on names of many scripts, with letters whose case changes their length."""

from __future__ import annotations

import pytest
from django.db.models import Q
from hypothesis import HealthCheck, example, given, settings, strategies as st

from projects import selectors
from projects.models import Project

NAMES = [
    "全省一体化政务服务平台",
    "政务服务平台（二期）",
    "Platform 数据共享",
    "PLATFORM数据共享交换",
    "straße监测系统",
    "STRASSE监测系统",
    "İstanbul联络平台",
    "ǅ字母ǆ系统",
    "Σίσυφος信息系统",
    "ΣΊΣΥΦΟΣ信息系统",
    "2026年度项目_100%完成",
    "反斜杠\\项目",
]
ALPHABET = "平台服务数据系统二期年度ΣσςPLATFORMplatformßSsİiıǅǆǄ2026_%\\ （）"


@pytest.fixture
def named(db, orgs, people):
    Project.objects.bulk_create(
        [
            Project(name=name, owner=orgs["owner"], state="submitted", platform_code=f"2601-{n:06d}")
            for n, name in enumerate(NAMES)
        ]
    )
    return people.bureau_reviewer


def _found(user, q):
    return set(selectors.project_list(user, q=q).values_list("pk", flat=True))


def _case_insensitive(user, q):
    return set(
        selectors.visible_projects(user)
        .filter(Q(name__icontains=q) | Q(platform_code__icontains=q))
        .values_list("pk", flat=True)
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(alphabet=ALPHABET, min_size=1, max_size=4))
@example(q="平台")
@example(q="platform")
@example(q="ß")
@example(q="Σ")
@example(q="2026")
@example(q="%")
@example(q="_")
@example(q="\\")
def test_any_term_finds_what_a_case_insensitive_search_finds(named, q):
    assert _found(named, q) == _case_insensitive(named, q)


def test_a_chinese_term_finds_every_name_holding_it(named):
    assert {Project.objects.get(pk=pk).name for pk in _found(named, "平台")} == {
        n for n in NAMES if "平台" in n
    }
