"""The main journey in a real browser (Debian chromium through Playwright), as the people
who do it: an owner applies, the bureau accepts, three opinions (one after a correction
round, 办法第十条), the plan is compiled, approved and issued (第十一条), FSR and design
approved (第十五、十八条), a 10% change filed and a 20% change approved (第二十八条),
acceptance (第二十九条) and self-evaluation (第三十三条). Screenshots go to test-artifacts/.

Issue 11 item 8: the journey is told as the journeys of each role — the department's
preparer and head (the June application, the answer to a 补正, a change, acceptance and the
self-evaluation), the bureau's reviewer and head (acceptance, the joint review, the plan), the
网信办 and 密码管理局 reviewers (their opinions on their aspect's review page, 办法第十条), 财政厅
(会签 of the plan, 第十一条) — each in Chinese, and the same people again in English at each
stage (a second browser context asking for English), some of them doing their part in English.
Every page visited is checked for accessibility in the browser (tests/web/a11y.py: labels,
errors announced, the keyboard, alt, lang, one h1, landmarks); a problem on any page fails the
test. Money is typed as people write it ("1,200.50" 万元) and read back in the same look.
One live server and one browser serve every journey.

The journey spans more than a year, so the server's clock travels (time-machine moves the
clock of this whole process, the live server's thread included): the June call, construction
half a year later, acceptance and go-live, then the self-evaluation window seven months on.
Dates typed into the steps are those days, so every date rule of the 办法 holds as in life."""

from __future__ import annotations

import datetime
import os
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from core.states import ChangeState, PlanState, ProjectState as S
from lifecycle.workdays import add_months
from projects.models import AnnualPlan, Call, Project
from tests.factories import CallFactory
from tests.web.a11y import Audit

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "journey"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-gpu",
]


class Person:
    """One browser context per person, signed in through the sign-in page."""

    def __init__(self, browser, base, username, shots, audit, locale="zh-CN"):
        self.base, self.username, self.shots, self.audit = base, username, shots, audit
        self.lang = "en" if locale.startswith("en") else "zh-hans"
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, locale=locale)
        self.page = self.context.new_page()
        self.page.goto(f"{base}/accounts/login/")
        self.check()
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "demo12345")
        self.page.click("button[type=submit].primary")
        assert self.page.url.rstrip("/") == base, self.page.url
        self.check()

    def check(self):
        """The accessibility checks of tests/web/a11y.py on the page now shown, in its language.
        A click that submits a form returns once the new page is committed, which can be before
        its ``<html>`` is parsed: wait for the page to load first."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_function("document.documentElement !== null")
        assert self.page.evaluate("document.documentElement.lang") == self.lang, self.page.url
        self.audit.page(self.page)

    def goto(self, path):
        self.page.goto(f"{self.base}{path}")
        self.check()

    def shot(self, name):
        self.shots.append(name)
        suffix = "-en" if self.lang == "en" else ""
        self.page.screenshot(
            path=str(ARTIFACTS / f"{len(self.shots):02d}-{name}{suffix}.png"), full_page=True
        )

    def open_project(self, project):
        self.goto(f"/projects/{project.pk}/")

    def step(self, project, name, shot=None, empty_first=False, **fields):
        """Open the project page, click the step, fill its form, confirm. ``empty_first``: send
        the form empty once, and see the errors announced and tied to their fields."""
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/steps/{name}/"]')
        self.check()
        if empty_first:
            self.page.click("main form button[type=submit].primary")
            assert self.page.locator("[aria-invalid=true]").count() >= 1, self.page.url
            self.check()
            self.shot(f"{name}-errors")
        for field, value in fields.items():
            box = self.page.locator(f"#id_{field}")
            if box.evaluate("e => e.tagName") == "SELECT":
                box.select_option(str(value))
            else:
                box.fill(str(value))
        if shot:
            self.shot(shot)
        self.page.click("main form button[type=submit].primary")
        assert "/steps/" not in self.page.url, self.page.inner_text("main")[:500]
        self.check()

    def opinion(self, project, aspect, text, conclusion="approve"):
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/opinion/?aspect={aspect}"]')
        self.check()
        self.page.select_option("#id_conclusion", conclusion)
        self.page.fill("#id_text", text)
        self.page.click("main form button[type=submit].primary")
        assert "/opinion/" not in self.page.url
        self.check()

    def aspect_opinion(self, project, aspect, text, shot):
        """办法第十条: the agency's reviewer opens its aspect's review page from the home page
        queue, reads the items, materials and 补正 rounds, and gives the opinion there."""
        self.goto("/")
        self.page.click(f'a[href="/projects/{project.pk}/review/{aspect}/"]')
        self.check()
        # An opinion without its text is refused, the error announced at the field.
        self.page.select_option("#id_conclusion", "approve")
        self.page.click("main form button[type=submit].primary")
        assert self.page.locator("#id_text[aria-invalid=true]").count() == 1
        self.check()
        self.page.fill("#id_text", text)
        self.shot(shot)
        self.page.click("main form button[type=submit].primary")
        assert self.page.url.endswith(f"/review/{aspect}/"), self.page.url
        assert self.page.locator("main [role=status]").count() >= 1  # 意见已出具
        self.check()

    def upload(self, project, kind, issued_on="", issuing_body=""):
        """Upload a document from the project page (办法第十五、十八、二十三、二十九、三十一条)."""
        self.open_project(project)
        self.page.select_option("#material-kind", kind)
        self.page.set_input_files(
            "#material-file",
            files=[{"name": f"{kind}.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}],
        )
        if issued_on:
            self.page.fill("#material-issued-on", issued_on)
            self.page.fill("#material-issuing-body", issuing_body)
        self.page.click("button:has-text('上传新版本')")
        assert "已上传" in self.page.inner_text("main"), self.page.inner_text("main")[:500]
        self.check()

    def confirm(self, project, label):
        self.open_project(project)
        self.page.click(f"button:has-text('{label}')")
        assert "已确认" in self.page.inner_text("main"), self.page.inner_text("main")[:500]

    def contract(self, project, **fields):
        """办法第二十一、二十四、三十条: the contract page of the project."""
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/contracts/"]')
        self.check()
        for field, value in fields.items():
            if value is True:
                self.page.check(f"#id_{field}")
            elif field in ("kind", "procurement_method"):
                self.page.select_option(f"#id_{field}", value)
            else:
                self.page.fill(f"#id_{field}", str(value))
        self.page.click("button:has-text('登记')")
        assert "/contracts/" not in self.page.url, self.page.inner_text("main")[:500]

    def records(self, project, **fields):
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/records/"]')
        self.check()
        for field, value in fields.items():
            if value is True:
                self.page.check(f"#id_{field}")
            else:
                self.page.fill(f"#id_{field}", str(value))
        self.page.click("button:has-text('保存')")
        assert "/records/" not in self.page.url, self.page.inner_text("main")[:500]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_main_journey_in_a_browser(live_server, orgs, people, settings):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM is read between browser steps
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # The people stay signed in while the clock travels over the months of the journey.
    settings.SESSION_COOKIE_AGE = 5 * 366 * 24 * 3600
    # 办法第八条: the June call of 2026 for 2027's needs; the journey starts on a working Monday.
    today = datetime.date(2026, 6, 15)
    year = today.year + 1
    CallFactory(year=year, opens_on=datetime.date(2026, 6, 1), closes_on=datetime.date(2026, 6, 30))
    shots = []
    audit = Audit()
    clock = time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=TZ), tick=True)
    time_machine_move.traveller = clock.start()
    try:
        _journey(live_server, sync_playwright, people, today, year, shots, audit)
    finally:
        clock.stop()
    assert Call.objects.filter(year=year).exists() and len(shots) >= 10
    # Issue 11 item 8: every page of every journey passed the accessibility checks.
    assert len(audit.pages) >= 20 and len(audit.walked) >= 20, sorted(audit.pages)
    assert not audit.problems, "\n".join(f"{page}: {p}" for page, ps in audit.problems.items() for p in ps)


def _journey(live_server, sync_playwright, people, today, year, shots, audit):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        people_ = {}

        def as_(username, locale="zh-CN"):
            """The person signed in, in Chinese (or, with ``locale="en-GB"``, the same person in
            a second browser asking for English)."""
            if (username, locale) not in people_:
                people_[username, locale] = Person(browser, live_server.url, username, shots, audit, locale)
            return people_[username, locale]

        def english(username):
            return as_(username, "en-GB")

        # ---- 办法第八、九条: the preparer fills the application; the check lists what is missing.
        preparer = as_("owner_preparer")
        page = preparer.page
        page.click("a:has-text('新建项目申报')")
        page.fill("#id_name", "全省教育督导信息平台")
        page.click("button:has-text('检查并申报')")
        assert "缺少“密码应用方案”（办法第九条）" in page.inner_text("main")
        preparer.shot("application-missing-items")
        for field, text in {
            "basis_and_necessity": "依据数字政府建设规划，现有系统分散。",
            "content_and_scale": "建设督导业务、数据共享模块。",
            "technical_route": "依托省政务云。",
            "performance_targets": "督导办理时限压缩50%。",
            "cloud_requirements": "64核、20TB。",
            "protection_plan": "等级保护第三级。",
            "security_plan": "边界防护、日志审计。",
            "product_reliability": "安全可靠产品。",
            "crypto_plan": "SM2/SM3/SM4。",
        }.items():
            page.fill(f"#id_{field}", text)
        preparer.check()
        page.fill("#id_period_months", "12")
        # Issue 11 item 2: money typed as people write it, in 万元 with separators.
        page.fill("#id_total_investment_yuan", "1,200.50")
        page.fill("#id_data-0-name", "督导信息")
        page.fill("#id_data-0-provider", "省教育厅")
        page.fill("#id_data-0-data_format", "数据库")
        page.fill("#id_data-0-update_cycle", "实时")
        page.select_option("#id_data-0-sharing_type", "unconditional")
        page.select_option("#id_data-0-open_type", "closed")
        page.fill("#id_yearly-0-year", str(year))
        page.fill("#id_yearly-0-amount_yuan", "1200.5")
        page.select_option("#id_funding-0-source", "provincial")
        page.fill("#id_funding-0-amount_yuan", "１，２００．５０")  # full-width, as an IME types it
        page.click("button:has-text('检查并申报')")
        assert f"/calls/{year}/submit/" in page.url
        preparer.check()
        preparer.shot("application-complete")
        project = Project.objects.get(name="全省教育督导信息平台")
        assert project.total_investment_yuan == Decimal("12005000.00")
        preparer.open_project(project)
        assert "1,200.50" in page.inner_text("main")

        # The head signs the consolidated submission.
        head = as_("owner_head")
        head.goto(f"/calls/{year}/submit/")
        head.page.fill("#letter", "关于报送政务信息化建设需求的函")
        # 办法第二十一条: the head names the unit's 主要负责人 as 项目责任人.
        head.page.select_option("#responsible_person", str(people["owner_head"].pk))
        head.shot("call-submission")
        head.page.click("button:has-text('签发并统一申报')")
        head.check()
        project.refresh_from_db()
        assert project.state == S.SUBMITTED
        # The same department in English: the project page shows the amount in the same look.
        english("owner_preparer").open_project(project)
        assert "1,200.50" in english("owner_preparer").page.inner_text("main")
        english("owner_preparer").shot("department-project-submitted")

        # ---- 办法第十条: accepted; 网信办 asks for a correction; the owner replies; three opinions.
        bureau = as_("bureau_reviewer")
        bureau.shot("bureau-home")
        english("bureau_reviewer").shot("bureau-home")
        bureau.step(project, "accept_application", shot="accept-application")
        # 网信办 asks for a 补正; a request without its content is refused at the field.
        as_("cac_reviewer").step(
            project, "request_correction", empty_first=True, reason="请补充等级保护测评计划。"
        )
        preparer.open_project(project)
        preparer.shot("department-correction-requested")
        preparer.step(project, "submit_correction", reason="已补充等级保护测评计划。")
        bureau.opinion(project, "intensive", "符合集约化建设要求。")
        # 办法第十条: each agency on its aspect's review page — 网信办 in Chinese, 密码管理局 in English.
        as_("cac_reviewer").aspect_opinion(
            project, "security", "补正后符合网络安全要求。", "cac-aspect-review"
        )
        english("crypto_reviewer").aspect_opinion(
            project, "crypto", "密码应用方案符合要求。", "crypto-aspect-review"
        )
        as_("crypto_reviewer").goto(f"/projects/{project.pk}/review/crypto/")
        as_("crypto_reviewer").shot("crypto-aspect-review-given")
        bureau.goto(f"/projects/{project.pk}/review/")
        assert "已补充等级保护测评计划。" in bureau.page.inner_text("main")
        bureau.shot("joint-review")
        english("bureau_reviewer").goto(f"/projects/{project.pk}/review/")
        english("bureau_reviewer").shot("joint-review")
        bureau_head = as_("bureau_head")
        bureau_head.step(project, "pass_review")
        project.refresh_from_db()
        assert project.state == S.REVIEW_PASSED

        # ---- 办法第十一条: plan compiled with 财政厅, approved by the government, issued.
        bureau_head.goto("/plans/")
        bureau_head.page.fill("#plan-year", str(year))
        bureau_head.page.click("button:has-text('开始编制')")
        bureau_head.check()
        bureau_head.page.check(f"#c{project.pk}")
        bureau_head.page.click("button:has-text('编入计划')")
        bureau_head.check()
        # 办法第十一条: 财政厅 reads the plan (in Chinese) and countersigns it (in English).
        as_("finance_head").goto(f"/plans/{year}/")
        as_("finance_head").shot("finance-plan")
        finance = english("finance_head")
        finance.goto(f"/plans/{year}/")
        finance.page.click(f'form[action="/plans/{year}/concur/"] button[type=submit]')
        finance.check()
        finance.shot("finance-concurred")
        assert AnnualPlan.objects.get(year=year).finance_concurred_at is not None
        bureau_head.goto(f"/plans/{year}/")
        bureau_head.shot("plan-compiled")
        bureau_head.page.click(f'a[href="/plans/{year}/steps/submit_to_government/"]')
        bureau_head.page.click("button:has-text('确认办理')")
        gov = as_("government_head")
        gov.page.goto(f"{live_server.url}/plans/{year}/")
        gov.page.click(f'a[href="/plans/{year}/steps/approve/"]')
        # 办法第十一条: the government's approval document (issue 8).
        gov.page.fill("#id_approval_no", "黑政函〔2026〕88号")
        gov.page.fill("#id_approved_on", timezone.localdate().isoformat())
        gov.page.click("button:has-text('确认办理')")
        bureau_head.page.goto(f"{live_server.url}/plans/{year}/")
        bureau_head.page.click(f'a[href="/plans/{year}/steps/issue/"]')
        bureau_head.page.fill("#id_document_no", "黑营商发〔2026〕12号")
        bureau_head.page.click("button:has-text('确认办理')")
        bureau_head.shot("plan-issued")
        assert AnnualPlan.objects.get(year=year).state == PlanState.ISSUED
        project.refresh_from_db()
        assert project.state == S.IN_PLAN

        # ---- 办法第十五至十九条: FSR, design, ratification.
        preparer.records(
            project,
            platform_code="2606-230000-04-01-123456",
            fsr_sharing_chapter=True,
            design_sharing_chapter=True,
        )
        preparer.upload(project, "fsr")
        preparer.step(project, "submit_fsr")
        as_("drc_head").step(
            project, "approve_fsr", fsr_approval_no="黑发改审批〔2026〕8号", fsr_estimate_yuan="1,200.50"
        )
        preparer.upload(project, "design")
        preparer.upload(project, "fsr_approval", today.isoformat(), "黑龙江省发展和改革委员会")
        preparer.step(project, "submit_design")
        bureau_head.step(
            project,
            "approve_design",
            shot="approve-design",
            design_approval_no="黑营商审〔2026〕3号",
            approved_estimate_yuan="1,200.50",
            design_evaluation="experts",
        )
        bureau_head.step(project, "submit_ratification")
        gov.step(
            project,
            "ratify",
            ratification_no="黑政审〔2027〕3号",
            ratified_on=timezone.localdate().isoformat(),
            decided_amount_yuan="1,200.50",
            decided_funding_source="省级财政资金",
        )
        preparer.contract(
            project,
            kind="supervision",
            procurement_method="open_tender",
            supplier="黑龙江信息工程监理有限公司",
            number="JL-2026-031",
            amount_yuan="15",
            signed_on=today.isoformat(),
            ip_clause=True,
        )
        preparer.step(project, "start_construction", construction_started_on=today.isoformat())
        project.refresh_from_db()
        assert project.state == S.CONSTRUCTION and project.approved_estimate_yuan == Decimal("12005000")

        # ---- 办法第二十八条: 10% is filed; a further 20% goes to approval — shown before submitting.
        # The department drafts the first change in Chinese, the second in English.
        for who, title, amount, expected_pct in (
            (preparer, "调整数据治理模块", "120.05", "10.00%"),
            (english("owner_preparer"), "扩充监管模块", "240.10", "30.00%"),
        ):  # 万元: 10% and 20% of 1,200.50
            who.open_project(project)
            who.page.click(f'a[href="/projects/{project.pk}/changes/new/"]')
            who.check()
            who.page.fill("#id_title", title)
            who.page.fill("#id_reason", "按省委部署调整")
            who.page.select_option("#id_ground", "deployment")
            who.page.fill("#id_items-0-from_content", "移动端")
            who.page.fill("#id_items-0-to_content", "数据治理")
            who.page.fill("#id_items-0-amount_yuan", amount)
            who.page.click("button[name=action][value=preview]")
            assert expected_pct in who.page.inner_text("#ratio-preview")
            who.check()
            who.shot(f"department-change-preview-{expected_pct[:2]}")
            who.page.click("button[name=action][value=save]")
            who.check()
            change_url = who.page.url
            head.page.goto(change_url)
            head.check()
            head.page.click('a[href$="/steps/submit/"]')
            head.check()
            head.page.click("main form button[type=submit].primary")
            head.check()
            assert expected_pct in head.page.inner_text("main")  # the change page, in percent
        filed, pending = project.changes.order_by("pk")
        assert filed.state == ChangeState.FILED and pending.state == ChangeState.PENDING_APPROVAL
        bureau_head.goto(f"/changes/{pending.pk}/")
        bureau_head.shot("bureau-change-to-approve")
        bureau_head.page.click(f'a[href="/changes/{pending.pk}/steps/approve/"]')
        bureau_head.check()
        bureau_head.page.click("main form button[type=submit].primary")
        bureau_head.check()
        pending.refresh_from_db()
        assert pending.state == ChangeState.APPROVED
        # The project page lists both with the cumulative ratio in percent, never "0.1000".
        head.open_project(project)
        assert "10.00%" in head.page.inner_text("main") and "0.1000" not in head.page.inner_text("main")

        # ---- 办法第二十九、三十一、二十三条: completion, acceptance with every agency.
        # Half a year of construction later (the clock travels; 办法第二十九条 counts from 建成).
        today = datetime.date(2027, 1, 15)
        time_machine_move(today)
        head.step(
            project, "complete_construction", completed_on=today.isoformat(), surplus_returned_yuan="1.2"
        )
        preparer.upload(project, "archive_opinion", today.isoformat(), "黑龙江省档案馆")
        preparer.upload(project, "crypto_assessment", today.isoformat(), "黑龙江省商用密码检测中心")
        head.step(project, "apply_acceptance")
        for who, aspect in (
            ("cac_reviewer", "cac_acceptance"),
            ("crypto_reviewer", "crypto_acceptance"),
            ("drc_head", "drc_acceptance"),
            ("police_reviewer", "police_acceptance"),
            ("secrecy_reviewer", "secrecy_acceptance"),
        ):
            as_(who).opinion(project, aspect, "同意通过验收。")
        bureau_head.step(project, "accept", shot="acceptance", accepted_on=today.isoformat())
        english("bureau_reviewer").open_project(project)
        english("bureau_reviewer").shot("bureau-accepted")
        preparer.upload(project, "acceptance_report", today.isoformat(), "黑龙江省教育厅")
        bureau.confirm(project, "确认验收报告已备案")
        preparer.step(project, "go_live", went_live_on=today.isoformat())
        # 办法第三十三条: seven months after going live the 6–12-month window is open.
        today = add_months(today, 7)
        time_machine_move(today)
        # 办法第九、三十三条: a target with its achieved value, then the graded report.
        from projects import evaluation

        project.refresh_from_db()  # the pages moved it on; the services read its state
        target = evaluation.target_add(
            project, actor=people.owner_preparer, indicator="时限压缩", target_value="50%"
        )
        evaluation.target_report(
            target, actor=people.owner_preparer, achieved_value="52%", explanation="已实现"
        )
        # The head reports the self-evaluation in English.
        english("owner_head").step(
            project,
            "submit_self_evaluation",
            shot="department-self-evaluation",
            self_evaluation="绩效目标基本实现。",
            self_evaluation_grade="good",
        )
        head.open_project(project)
        head.shot("self-evaluated")
        project.refresh_from_db()
        assert project.state == S.SELF_EVALUATED
        assert "已报送自评价" in head.page.inner_text(".state")
        english("owner_head").open_project(project)
        english("owner_head").shot("self-evaluated")

        # The lists each person reaches from the navigation, checked like every other page.
        for who in (preparer, bureau, english("finance_head"), english("cac_reviewer")):
            for path in ("/projects/", "/plans/", "/supervision/", "/jobs/"):
                who.goto(path)
        bureau.goto("/calls/")
        bureau.shot("bureau-calls")

        # The phone layout of the project page.
        phone = browser.new_context(viewport={"width": 390, "height": 844})
        ppage = phone.new_page()
        for cookie in head.context.cookies():
            phone.add_cookies([cookie])
        ppage.goto(f"{live_server.url}/projects/{project.pk}/")
        ppage.screenshot(path=str(ARTIFACTS / "phone-project.png"), full_page=True)
        browser.close()


def time_machine_move(day):
    """Move the travelling clock (started by the test) to 9:00 of ``day``, Beijing time."""
    time_machine_move.traveller.move_to(datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=TZ))
