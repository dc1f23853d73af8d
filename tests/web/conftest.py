"""A small world for the web tests, built through the service layer only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from lifecycle import services
from projects import services as project_services
from projects.models import CallSubmission
from tests.conftest import at
from tests.factories import ProjectFactory, complete_application
from web.scenarios import Walker

D = datetime.date


class Scene(dict):
    def __getattr__(self, name):
        return self[name]


def go(obj, name, person, **kwargs):
    services.perform(obj, name, actor=person, **kwargs)
    obj.refresh_from_db()
    return obj


def give_joint_opinions(project, people):
    for who, aspect in (("bureau", "intensive"), ("cac", "security"), ("crypto", "crypto")):
        services.opinion_give(
            project, actor=people[f"{who}_reviewer"], aspect=aspect, conclusion="approve", text="同意。"
        )


@pytest.fixture
def scene(orgs, people, call_2026):
    """The scene of ``build_scene``, built for the test."""
    return build_scene(orgs, people, call_2026)


def refetch_scene(scene):
    """The scene's objects read again from the database: for a scene built once per module."""
    return Scene({key: type(obj).objects.get(pk=obj.pk) for key, obj in scene.items()})


def build_scene(orgs, people, call_2026):
    """building: in construction with a filed and a pending change; reviewing: in joint
    review; submitted: waiting for acceptance; draft: the department's draft; plans 2026
    (issued) and 2027 (compiling)."""
    s = Scene()
    owner = orgs["owner"]
    with at(2025, 6, 20):
        for key in ("building", "reviewing", "submitted"):
            s[key] = complete_application(
                ProjectFactory(owner=owner, call=call_2026, name=f"{key}系统"), total=Decimal("5000000.00")
            )
        submission = CallSubmission.objects.create(call=call_2026, organisation=owner)
        project_services.call_submit(
            submission,
            actor=people.owner_head,
            letter="申报函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
        for key in ("building", "reviewing", "submitted"):
            s[key].refresh_from_db()
    with at(2025, 6, 23):
        go(s.building, "accept_application", people.bureau_reviewer)
        go(s.reviewing, "accept_application", people.bureau_reviewer)
        give_joint_opinions(s.building, people)
        go(s.building, "pass_review", people.bureau_head)
    with at(2025, 9, 15):
        s["plan"] = project_services.plan_open(2026, actor=people.bureau_head)
        services.plan_include(s.plan, s.building, actor=people.bureau_reviewer)
        services.plan_finance_concur(s.plan, actor=people.finance_head)
        go(s.plan, "submit_to_government", people.bureau_head)
    with at(2025, 10, 20):
        go(
            s.plan,
            "approve",
            people.government_head,
            approval_no="黑政函〔2025〕88号",
            approved_on=D(2025, 10, 20),
        )
        go(s.plan, "issue", people.bureau_head, document_no="黑营商发〔2025〕12号")
    p = s.building
    p.refresh_from_db()
    with at(2026, 1, 12):
        p.platform_code, p.fsr_sharing_chapter = "2601-230000-04-01-123456", True
        p.save()
        walker = Walker(people)  # 办法第十五、十八条: the documents go with the submissions
        walker.upload(p, "fsr", people.owner_preparer, D(2026, 1, 12))
        go(p, "submit_fsr", people.owner_preparer)
        go(
            p,
            "approve_fsr",
            people.drc_head,
            fsr_approval_no="黑发改审批〔2026〕8号",
            fsr_estimate_yuan=Decimal("5000000.00"),
        )
        p.design_sharing_chapter = True
        p.save()
        walker.upload(p, "design", people.owner_preparer, D(2026, 1, 12))
        walker.upload(
            p,
            "fsr_approval",
            people.owner_preparer,
            D(2026, 1, 12),
            issued_on=D(2026, 1, 12),
            issuing_body="黑龙江省发展和改革委员会",
        )
        go(p, "submit_design", people.owner_preparer)
        go(
            p,
            "approve_design",
            people.bureau_head,
            design_approval_no="黑营商审〔2026〕3号",
            approved_estimate_yuan=Decimal("5000000.00"),
            design_evaluation="experts",
        )
        go(p, "submit_ratification", people.bureau_head)
        go(
            p,
            "ratify",
            people.government_head,
            ratification_no="黑政审〔2026〕1号",
            ratified_on=D(2026, 1, 12),
            decided_amount_yuan=Decimal("5000000.00"),
            decided_funding_source="省级财政资金",
        )
        walker.contracts(p, D(2026, 1, 12), supplier="监理公司")  # 办法第二十四条
        go(p, "start_construction", people.owner_preparer, construction_started_on=D(2026, 1, 12))
        s["filed"] = services.change_create(
            p,
            actor=people.owner_preparer,
            title="小调整",
            reason="部署",
            ground="deployment",
            items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": Decimal("500000")}],
        )
        services.change_submit(s.filed, actor=people.owner_head)
        s["pending"] = services.change_create(
            p,
            actor=people.owner_preparer,
            title="大调整",
            reason="优化",
            ground="optimisation",
            items=[{"from_content": "丙", "to_content": "丁", "amount_yuan": Decimal("1000000")}],
        )
        services.change_submit(s.pending, actor=people.owner_head)
        s["plan_2027"] = project_services.plan_open(2027, actor=people.bureau_head)
    s["draft"] = complete_application(ProjectFactory(owner=owner, call=call_2026, name="草稿系统"))
    for obj in s.values():
        obj.refresh_from_db()
    return s


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The .mo files are not in git (make compiles them); compile them when missing or
    older than their .po so that a bare pytest run tests the English pages too."""
    import fcntl
    import os
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    locale = Path(settings.BASE_DIR, "locale")
    # Under pytest-xdist every worker runs this: one at a time (a lock on the directory),
    # so that none reads a .mo another is writing.
    lock = os.open(locale, os.O_RDONLY)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for po in locale.glob("*/LC_MESSAGES/django.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                call_command("compilemessages", locale=[po.parent.parent.name], verbosity=0)
    finally:
        os.close(lock)
