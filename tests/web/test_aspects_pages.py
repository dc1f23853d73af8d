"""办法第十条: each agency of the joint review reads what it judges on its own review page.

省营商环境局 gives the 集约化建设和数据共享 opinion, 省委网信办 the 网络安全 opinion, 省国家密码
管理局 the 密码应用 opinion (第十条); the page of each aspect shows the application items and
materials of that aspect (第九条: 建设内容, 数据资源目录, 政务云需求方案; 安全保障方案,
等级保护或分级保护方案, 依托网络; 密码应用方案, 产品安全可靠情况), the 陈述和补正 rounds with what
changed, and the opinion form with the working days left of the five (第十条).

The expectations below are written from the 办法, not read from the code.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from core.states import ProjectState as S
from lifecycle import services
from lifecycle.models import AuditEntry, Opinion
from projects import services as project_services, versions
from projects.models import ApplicationVersion, CallSubmission
from tests.conftest import AGENCIES, at
from tests.factories import ProjectFactory, complete_application
from web.aspect_scenarios import revise_application

D = datetime.date

#: 办法第十条: which agency gives which opinion of the joint review.
AGENCY_OF = {"intensive": "bureau", "security": "cac", "crypto": "crypto"}
#: Who in an agency reviews: its 审核人 and 负责人 (not its 经办人).
REVIEWING_ROLES = {"reviewer", "head"}
#: 办法第十条: from 受理 to the conclusion — in review, in 陈述和补正, with the experts.
IN_JOINT_REVIEW = {"joint_review", "correcting", "expert_evaluation"}


def _go(project, name, who, on, **kw):
    with at(on.year, on.month, on.day):
        services.perform(project, name, actor=who, **kw)
    project.refresh_from_db()


def _world(orgs, people, call):
    """One project in each state around the joint review, through the services."""
    with at(2025, 6, 16):
        made = {
            key: complete_application(ProjectFactory(owner=orgs["owner"], call=call, name=f"{key}平台"))
            for key in ("submitted", "joint_review", "correcting", "expert_evaluation", "review_passed")
        }
        project_services.call_submit(
            CallSubmission.objects.create(call=call, organisation=orgs["owner"]),
            actor=people.owner_head,
            letter="关于报送2026年度政务信息化建设需求的函",
            responsible_person=people.owner_head,
            splits_confirmed=True,
        )
        made["draft"] = complete_application(ProjectFactory(owner=orgs["owner"], call=call, name="草稿平台"))
    for p in made.values():
        p.refresh_from_db()
    day = D(2025, 6, 17)
    for key in ("joint_review", "correcting", "expert_evaluation", "review_passed"):
        _go(made[key], "accept_application", people.bureau_reviewer, day)
    _go(made["correcting"], "request_correction", people.crypto_reviewer, day, reason="请补充密码应用方案。")
    _go(
        made["expert_evaluation"], "start_expert_evaluation", people.bureau_reviewer, day, reason="投资规模大"
    )
    with at(2025, 6, 18):
        for aspect, who in AGENCY_OF.items():
            services.opinion_give(
                made["review_passed"],
                actor=people[f"{who}_reviewer"],
                aspect=aspect,
                conclusion="approve",
                text="同意。",
            )
    _go(made["review_passed"], "pass_review", people.bureau_head, D(2025, 6, 18))
    assert {k: p.state for k, p in made.items()} == {k: k for k in made}
    return made


# ---------------------------------------------------------------- who opens which page


def test_each_agency_reviewer_and_head_alone_opens_its_own_aspect_page_while_in_review(
    orgs, people, call_2026
):
    """Every person of every organisation × every aspect page × a project before, in and after
    the joint review: 200 exactly for the 审核人 and 负责人 of the agency giving that opinion
    while the project is in the joint review; 404 for everyone else, the department included."""
    made = _world(orgs, people, call_2026)
    client = Client()
    wrong = []
    for persona, person in people.items():
        client.force_login(person)
        kind = person.organisation.kind
        for aspect, agency in AGENCY_OF.items():
            for state, project in made.items():
                expected = (
                    200
                    if (kind == agency and person.role in REVIEWING_ROLES and state in IN_JOINT_REVIEW)
                    else 404
                )
                got = client.get(reverse("aspect_review", args=[project.pk, aspect])).status_code
                if got != expected:
                    wrong.append((persona, aspect, state, got, expected))
    assert wrong == []
    # Every organisation of the province took part (the matrix is not vacuous).
    assert {p.organisation.kind for p in people.values()} >= set(AGENCIES) | {"owner"}


def test_no_page_for_an_opinion_that_is_not_an_aspect_of_the_joint_review(orgs, people, call_2026):
    made = _world(orgs, people, call_2026)
    client = Client()
    for persona in ("bureau_head", "expert_reviewer", "finance_head", "cac_head"):
        client.force_login(people[persona])
        for aspect in ("expert", "bureau_emergency", "cac_acceptance", "nothing"):
            assert (
                client.get(reverse("aspect_review", args=[made["joint_review"].pk, aspect])).status_code
                == 404
            )


def test_a_visitor_who_has_not_signed_in_is_sent_to_sign_in(orgs, people, call_2026):
    made = _world(orgs, people, call_2026)
    response = Client().get(reverse("aspect_review", args=[made["joint_review"].pk, "crypto"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_reviewer_home_queue_and_the_project_page_link_to_the_aspect_page(orgs, people, call_2026):
    made = _world(orgs, people, call_2026)
    client = Client()
    for who, aspect in (
        ("cac_reviewer", "security"),
        ("crypto_head", "crypto"),
        ("bureau_reviewer", "intensive"),
    ):
        client.force_login(people[who])
        url = reverse("aspect_review", args=[made["joint_review"].pk, aspect])
        assert url in client.get(reverse("home")).content.decode(), who
        assert url in client.get(reverse("project", args=[made["joint_review"].pk])).content.decode(), who
        # Not for a project whose review is over.
        passed = reverse("aspect_review", args=[made["review_passed"].pk, aspect])
        assert passed not in client.get(reverse("project", args=[made["review_passed"].pk])).content.decode()
    # The department sees no review page link on its own project.
    client.force_login(people.owner_head)
    body = client.get(reverse("project", args=[made["joint_review"].pk])).content.decode()
    assert (
        "/review/security/" not in body and "/review/crypto/" not in body and "/review/intensive/" not in body
    )


# ---------------------------------------------------------------- what the pages show


def test_each_page_shows_the_items_its_agency_judges_and_not_the_others(orgs, people, call_2026):
    made = _world(orgs, people, call_2026)
    p = made["joint_review"]
    client = Client()
    pages = {}
    for aspect, agency in AGENCY_OF.items():
        client.force_login(people[f"{agency}_reviewer"])
        with at(2025, 6, 18):
            pages[aspect] = client.get(reverse("aspect_review", args=[p.pk, aspect])).content.decode()
    # 办法第九、十条: 网信办 reads the security plan, the 等保 plan and the network.
    assert p.security_plan in pages["security"] and p.protection_plan in pages["security"]
    assert "电子政务外网" in pages["security"]
    # 密码管理局 reads the 密码应用方案, the products statement and the technical route.
    assert p.crypto_plan in pages["crypto"] and p.product_reliability in pages["crypto"]
    assert p.technical_route in pages["crypto"]
    # The bureau reads the content, the data catalogue and the 政务云 needs.
    assert p.content_and_scale in pages["intensive"] and p.cloud_requirements in pages["intensive"]
    assert "业务办理信息" in pages["intensive"]  # the catalogue row (tests.factories)
    # Each page keeps to its aspect.
    assert p.crypto_plan not in pages["intensive"] and p.crypto_plan not in pages["security"]
    assert p.security_plan not in pages["crypto"]
    for page in pages.values():
        # Accepted Tue 17 June 2025: on Wed 18 June, 19, 20, 23 June are left (办法第十条).
        assert "剩余4个工作日" in page and "2025-06-24" in page


def test_a_correction_round_keeps_both_versions_and_the_page_shows_what_changed(orgs, people, call_2026):
    """办法第十条: 密码管理局 asks for a correction; the department rewrites its 密码应用方案 and
    its catalogue row and sends it back. Both versions are kept (with an audit row each), and
    the 密码 page shows the rewritten plan as deleted and inserted text, the catalogue change
    among the other items."""
    made = _world(orgs, people, call_2026)
    p = made["correcting"]
    before = p.crypto_plan
    # Through the application service, as the edit page posts it (web/aspect_scenarios.py).
    revise_application(
        p,
        people.owner_preparer,
        D(2025, 6, 18),
        crypto_plan="采用SM2/SM3/SM4算法，按GB/T 39786第三级要求建设，部署服务器密码机。",
        **{"data-0-update_cycle": "每日"},
    )
    _go(p, "submit_correction", people.owner_preparer, D(2025, 6, 19), reason="已补充密码应用方案。")
    assert p.state == S.JOINT_REVIEW
    sent = list(ApplicationVersion.objects.filter(project=p).order_by("number"))
    assert [(v.number, v.action) for v in sent] == [(1, "submit"), (2, "submit_correction")]
    assert sent[0].content["crypto_plan"] == before and sent[1].content["crypto_plan"] != before
    rows = AuditEntry.objects.filter(project=p, action="application.versioned").order_by("at", "pk")
    assert [r.data["number"] for r in rows] == [1, 2]
    assert rows[1].actor == people.owner_preparer and rows[1].article == "第十条"
    assert rows[1].data["changed"] == ["crypto_plan", "data_resources"]
    # The change, piece by piece: what was taken out and what was put in.
    change = versions.changes(sent[0].content, sent[1].content, ("crypto_plan",))[0]
    assert "".join(t for op, t in change.pieces if op != "insert") == before
    assert "".join(t for op, t in change.pieces if op != "delete") == sent[1].content["crypto_plan"]
    assert ("insert", "，部署服务器密码机") in change.pieces

    client = Client()
    client.force_login(people.crypto_reviewer)
    body = client.get(reverse("aspect_review", args=[p.pk, "crypto"])).content.decode()
    assert "<ins>，部署服务器密码机</ins>" in body
    assert "请补充密码应用方案。" in body and "已补充密码应用方案。" in body  # the round itself
    assert "第2版" in body and "与第1版相比" in body
    assert "其他事项修改1项" in body  # the catalogue row, on the bureau's aspect
    client.force_login(people.bureau_reviewer)
    body = client.get(reverse("aspect_review", args=[p.pk, "intensive"])).content.decode()
    assert "<del>实时</del><ins>每日</ins>" in body


def test_a_refused_correction_keeps_no_version(orgs, people, call_2026):
    made = _world(orgs, people, call_2026)
    p = made["correcting"]
    with pytest.raises(services.RuleViolation):
        _go(p, "submit_correction", people.owner_preparer, D(2025, 6, 19), reason="")
    assert list(ApplicationVersion.objects.filter(project=p).values_list("number", flat=True)) == [1]


# ---------------------------------------------------------------- the review clock


def _days_left(body: str) -> str:
    found = re.search(r'class="days-left">([^<]+)<', body)
    return found.group(1) if found else ""


def test_the_working_days_left_are_counted_on_the_official_calendar(orgs, people, call_2026):
    """Accepted on Thursday 25 September 2025 (受理日 not counted, 办法第十条 five working days):
    Fri 26, Sun 28 (a make-up working day), Mon 29, Tue 30 September, then the National Day
    holiday 1–8 October, and Thu 9 October is the fifth: the deadline. On Fri 26 September
    four are left (28, 29, 30 Sep, 9 Oct); on Mon 29 two (30 Sep, 9 Oct).

    网信办 asks for a correction on Mon 29 September: the count stands at two. The department
    answers on Fri 10 October: the pause covered 30 Sep, 9 Oct and 10 Oct (three working days),
    the deadline moves to the eighth working day after receipt — 26, 28, 29, 30 Sep, 9, 10,
    Sat 11 Oct (make-up), Mon 13 Oct — and on 10 October two are left again (11 and 13 Oct)."""
    with at(2025, 6, 16):
        p = complete_application(ProjectFactory(owner=orgs["owner"], call=call_2026, name="审核时限平台"))
        project_services.call_submit(
            CallSubmission.objects.create(call=call_2026, organisation=orgs["owner"]),
            actor=people.owner_head,
            letter="关于报送2026年度政务信息化建设需求的函",
            responsible_person=people.owner_head,
        )
    p.refresh_from_db()
    _go(p, "accept_application", people.bureau_reviewer, D(2025, 9, 25))
    client = Client()
    client.force_login(people.cac_reviewer)
    url = reverse("aspect_review", args=[p.pk, "security"])
    for day, left in ((D(2025, 9, 26), 4), (D(2025, 9, 29), 2), (D(2025, 10, 9), 0)):
        with at(day.year, day.month, day.day):
            body = client.get(url).content.decode()
        assert _days_left(body) == f"剩余{left}个工作日", day
    assert "2025-10-09" in body
    with at(2025, 10, 10):
        assert _days_left(client.get(url).content.decode()) == "已逾期1个工作日"
    _go(p, "request_correction", people.cac_reviewer, D(2025, 9, 29), reason="请补充等级保护测评计划。")
    for day in (D(2025, 10, 3), D(2025, 10, 9)):
        with at(day.year, day.month, day.day):
            body = client.get(url).content.decode()
        assert _days_left(body) == "剩余2个工作日" and "暂停计时" in body
    _go(p, "submit_correction", people.owner_preparer, D(2025, 10, 10), reason="已补充。")
    with at(2025, 10, 10):
        body = client.get(url).content.decode()
    assert _days_left(body) == "剩余2个工作日" and "2025-10-13" in body


# ---------------------------------------------------------------- the opinion form


def test_the_opinion_given_on_the_page_is_the_agency_opinion_of_the_joint_review(orgs, people, call_2026):
    made = _world(orgs, people, call_2026)
    p = made["joint_review"]
    client = Client()
    client.force_login(people.crypto_head)
    url = reverse("aspect_review", args=[p.pk, "crypto"])
    response = client.post(url, {"aspect": "crypto", "conclusion": "conditional", "text": "按意见修改。"})
    assert response.status_code == 302 and response["Location"] == url
    opinion = Opinion.objects.get(project=p)
    assert (opinion.aspect, opinion.organisation, opinion.given_by) == (
        "crypto",
        orgs["crypto"],
        people.crypto_head,
    )
    assert AuditEntry.objects.filter(project=p, action="opinion.given").count() == 1
    # The page cannot be used to give another agency's opinion.
    response = client.post(url, {"aspect": "security", "conclusion": "approve", "text": "同意。"})
    assert response.status_code == 400 and Opinion.objects.filter(project=p).count() == 1
    # In 陈述和补正 the opinion waits for the corrected material (services.opinion_give refuses).
    client.force_login(people.cac_reviewer)
    url = reverse("aspect_review", args=[made["correcting"].pk, "security"])
    body = client.get(url).content.decode()
    assert 'name="conclusion"' not in body and "待恢复联合审核后出具意见" in body
    response = client.post(url, {"aspect": "security", "conclusion": "approve", "text": "同意。"})
    assert response.status_code == 400 and not Opinion.objects.filter(project=made["correcting"]).exists()


TEXT = st.one_of(
    st.sampled_from(
        ["", " ", "同意。", "a" * 5000, "\x00", "<script>x</script>", "😀", "security", "crypto"]
    ),
    st.text(max_size=50),
)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "aspect": st.one_of(st.sampled_from(["crypto", "security", "intensive", "expert"]), TEXT),
            "conclusion": st.one_of(
                st.sampled_from(["approve", "conditional", "reject", "not_applicable"]), TEXT
            ),
            "text": TEXT,
        },
    ),
    persona=st.sampled_from(
        ["crypto_reviewer", "crypto_head", "crypto_preparer", "cac_reviewer", "owner_head"]
    ),
    state=st.sampled_from(["joint_review", "correcting"]),
)
def test_no_value_posted_to_the_opinion_form_gives_a_500(hypothesis_world, data, persona, state):
    made, people = hypothesis_world
    client = Client()
    client.force_login(people[persona])
    from django.db import transaction

    with transaction.atomic():
        response = client.post(reverse("aspect_review", args=[made[state].pk, "crypto"]), data)
        transaction.set_rollback(True)
    assert response.status_code in (200, 302, 400, 404), response.status_code
    if persona not in ("crypto_reviewer", "crypto_head"):
        assert response.status_code == 404


@pytest.fixture
def hypothesis_world(orgs, people, call_2026):
    return _world(orgs, people, call_2026), people


# ---------------------------------------------------------------- queries


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_runs_the_same_queries_whatever_the_rounds_rows_and_materials(orgs, people, call_2026):
    """One more 补正 round, more catalogue rows and more opinions: not one more query."""
    made = _world(orgs, people, call_2026)
    p = made["correcting"]
    client = Client()
    client.force_login(people.bureau_reviewer)
    url = reverse("aspect_review", args=[p.pk, "intensive"])
    _go(p, "submit_correction", people.owner_preparer, D(2025, 6, 18), reason="已补充。")
    first = _queries(client, url)
    for n in range(3):
        p.data_resources.create(
            name=f"目录{n}",
            provider="省教育厅",
            data_format="库表",
            update_cycle="每日",
            sharing_type="unconditional",
            open_type="closed",
        )
    with at(2025, 6, 19):
        services.opinion_give(
            p, actor=people.bureau_reviewer, aspect="intensive", conclusion="reject", text="不同意。"
        )
    _go(p, "request_correction", people.bureau_reviewer, D(2025, 6, 19), reason="请补充共享条件。")
    _go(p, "submit_correction", people.owner_preparer, D(2025, 6, 20), reason="已补充共享条件。")
    assert p.application_versions.count() == 3
    assert _queries(client, url) == first


# ---------------------------------------------------------------- the policy's data


def test_the_aspects_are_the_three_opinions_of_the_joint_review_given_by_their_agencies():
    """办法第十条: the map of the policy names each opinion of the joint review once, with the
    agency that gives it, and every item it names is an item of the 第九条 application."""
    from lifecycle.policy import get_policy

    book = get_policy().review_aspects
    assert {a.aspect: a.org_kind for a in book} == AGENCY_OF
    for a in book:
        assert a.article == "第十条"
        for section in a.sections:
            assert section.field in (*versions.FIELDS, *versions.ROWS), section
            assert section.article.startswith("第") and section.article.endswith("条")


def test_another_province_moves_an_item_to_another_aspect_in_its_policy(orgs, people, call_2026, settings):
    """办法第四十条: a policy whose 密码 review does not read the technical route, and whose
    网信办 reads the 密码应用方案 too: the pages follow, nothing else changes."""
    import dataclasses

    from core.review_aspects import HEILONGJIANG_REVIEW, Section
    from lifecycle import policy as policy_module

    intensive, security, crypto = HEILONGJIANG_REVIEW
    policy_module.ASPECTS_TEST = dataclasses.replace(
        policy_module.HEILONGJIANG_2023,
        review_aspects=(
            intensive,
            dataclasses.replace(security, sections=(*security.sections, Section("crypto_plan", "第九条"))),
            dataclasses.replace(crypto, sections=(Section("crypto_plan", "第九条"),)),
        ),
    )
    settings.LIFECYCLE_POLICY = "lifecycle.policy.ASPECTS_TEST"
    try:
        made = _world(orgs, people, call_2026)
        p = made["joint_review"]
        client = Client()
        client.force_login(people.crypto_reviewer)
        body = client.get(reverse("aspect_review", args=[p.pk, "crypto"])).content.decode()
        assert p.crypto_plan in body and p.technical_route not in body
        client.force_login(people.cac_reviewer)
        assert p.crypto_plan in client.get(reverse("aspect_review", args=[p.pk, "security"])).content.decode()
    finally:
        del policy_module.ASPECTS_TEST
