"""The main journey in a real browser (Debian chromium through Playwright), as the people
who do it: an owner applies, the bureau accepts, three opinions (one after a correction
round, 办法第十条), the plan is compiled, approved and issued (第十一条), FSR and design
approved (第十五、十八条), a 10% change filed and a 20% change approved (第二十八条),
acceptance (第二十九条) and self-evaluation (第三十三条). Screenshots go to test-artifacts/.

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

    def __init__(self, browser, base, username, shots):
        self.base, self.username, self.shots = base, username, shots
        self.context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
        self.page = self.context.new_page()
        self.page.goto(f"{base}/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", "demo12345")
        self.page.click("button[type=submit].primary")
        assert self.page.url.rstrip("/") == base, self.page.url

    def shot(self, name):
        self.shots.append(name)
        self.page.screenshot(path=str(ARTIFACTS / f"{len(self.shots):02d}-{name}.png"), full_page=True)

    def open_project(self, project):
        self.page.goto(f"{self.base}/projects/{project.pk}/")

    def step(self, project, name, shot=None, **fields):
        """Open the project page, click the step, fill its form, confirm."""
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/steps/{name}/"]')
        for field, value in fields.items():
            box = self.page.locator(f"#id_{field}")
            if box.evaluate("e => e.tagName") == "SELECT":
                box.select_option(str(value))
            else:
                box.fill(str(value))
        if shot:
            self.shot(shot)
        self.page.click("button:has-text('确认办理')")
        assert "/steps/" not in self.page.url, self.page.inner_text("main")[:500]

    def opinion(self, project, aspect, text, conclusion="approve"):
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/opinion/?aspect={aspect}"]')
        self.page.select_option("#id_conclusion", conclusion)
        self.page.fill("#id_text", text)
        self.page.click("button:has-text('出具意见')")
        assert "/opinion/" not in self.page.url

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

    def confirm(self, project, label):
        self.open_project(project)
        self.page.click(f"button:has-text('{label}')")
        assert "已确认" in self.page.inner_text("main"), self.page.inner_text("main")[:500]

    def contract(self, project, **fields):
        """办法第二十一、二十四、三十条: the contract page of the project."""
        self.open_project(project)
        self.page.click(f'a[href="/projects/{project.pk}/contracts/"]')
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
    clock = time_machine.travel(datetime.datetime(2026, 6, 15, 9, 0, tzinfo=TZ), tick=True)
    time_machine_move.traveller = clock.start()
    try:
        _journey(live_server, sync_playwright, people, today, year, shots)
    finally:
        clock.stop()
    assert Call.objects.filter(year=year).exists() and len(shots) >= 10


def _journey(live_server, sync_playwright, people, today, year, shots):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        people_ = {}

        def as_(username):
            if username not in people_:
                people_[username] = Person(browser, live_server.url, username, shots)
            return people_[username]

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
        page.fill("#id_period_months", "12")
        page.fill("#id_total_investment_yuan", "500")  # 万元
        page.fill("#id_data-0-name", "督导信息")
        page.fill("#id_data-0-provider", "省教育厅")
        page.fill("#id_data-0-data_format", "数据库")
        page.fill("#id_data-0-update_cycle", "实时")
        page.select_option("#id_data-0-sharing_type", "unconditional")
        page.select_option("#id_data-0-open_type", "closed")
        page.fill("#id_yearly-0-year", str(year))
        page.fill("#id_yearly-0-amount_yuan", "500")
        page.select_option("#id_funding-0-source", "provincial")
        page.fill("#id_funding-0-amount_yuan", "500")
        page.click("button:has-text('检查并申报')")
        assert f"/calls/{year}/submit/" in page.url
        preparer.shot("application-complete")
        project = Project.objects.get(name="全省教育督导信息平台")

        # The head signs the consolidated submission.
        head = as_("owner_head")
        head.page.goto(f"{live_server.url}/calls/{year}/submit/")
        head.page.fill("#letter", "关于报送政务信息化建设需求的函")
        # 办法第二十一条: the head names the unit's 主要负责人 as 项目责任人.
        head.page.select_option("#responsible_person", str(people["owner_head"].pk))
        head.shot("call-submission")
        head.page.click("button:has-text('签发并统一申报')")
        project.refresh_from_db()
        assert project.state == S.SUBMITTED

        # ---- 办法第十条: accepted; 网信办 asks for a correction; the owner replies; three opinions.
        bureau = as_("bureau_reviewer")
        bureau.shot("bureau-home")
        bureau.step(project, "accept_application", shot="accept-application")
        as_("cac_reviewer").step(project, "request_correction", reason="请补充等级保护测评计划。")
        preparer.step(project, "submit_correction", reason="已补充等级保护测评计划。")
        bureau.opinion(project, "intensive", "符合集约化建设要求。")
        as_("cac_reviewer").opinion(project, "security", "补正后符合网络安全要求。")
        as_("crypto_reviewer").opinion(project, "crypto", "密码应用方案符合要求。")
        bureau.page.goto(f"{live_server.url}/projects/{project.pk}/review/")
        assert "已补充等级保护测评计划。" in bureau.page.inner_text("main")
        bureau.shot("joint-review")
        bureau_head = as_("bureau_head")
        bureau_head.step(project, "pass_review")
        project.refresh_from_db()
        assert project.state == S.REVIEW_PASSED

        # ---- 办法第十一条: plan compiled with 财政厅, approved by the government, issued.
        bureau_head.page.goto(f"{live_server.url}/plans/")
        bureau_head.page.fill("#plan-year", str(year))
        bureau_head.page.click("button:has-text('开始编制')")
        bureau_head.page.check(f"#c{project.pk}")
        bureau_head.page.click("button:has-text('编入计划')")
        as_("finance_head").page.goto(f"{live_server.url}/plans/{year}/")
        as_("finance_head").page.click("button:has-text('财政厅会签')")
        bureau_head.page.goto(f"{live_server.url}/plans/{year}/")
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
            project, "approve_fsr", fsr_approval_no="黑发改审批〔2026〕8号", fsr_estimate_yuan="500"
        )
        preparer.upload(project, "design")
        preparer.upload(project, "fsr_approval", today.isoformat(), "黑龙江省发展和改革委员会")
        preparer.step(project, "submit_design")
        bureau_head.step(
            project,
            "approve_design",
            shot="approve-design",
            design_approval_no="黑营商审〔2026〕3号",
            approved_estimate_yuan="500",
            design_evaluation="experts",
        )
        bureau_head.step(project, "submit_ratification")
        gov.step(
            project,
            "ratify",
            ratification_no="黑政审〔2027〕3号",
            ratified_on=timezone.localdate().isoformat(),
            decided_amount_yuan="500",
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
        assert project.state == S.CONSTRUCTION and project.approved_estimate_yuan == Decimal("5000000")

        # ---- 办法第二十八条: 10% is filed; a further 20% goes to approval — shown before submitting.
        for title, amount, expected_pct in (
            ("调整数据治理模块", "50", "10.00%"),
            ("扩充监管模块", "100", "30.00%"),
        ):  # 万元
            preparer.open_project(project)
            preparer.page.click(f'a[href="/projects/{project.pk}/changes/new/"]')
            preparer.page.fill("#id_title", title)
            preparer.page.fill("#id_reason", "按省委部署调整")
            preparer.page.select_option("#id_ground", "deployment")
            preparer.page.fill("#id_items-0-from_content", "移动端")
            preparer.page.fill("#id_items-0-to_content", "数据治理")
            preparer.page.fill("#id_items-0-amount_yuan", amount)
            preparer.page.click("button:has-text('计算调整比例')")
            assert expected_pct in preparer.page.inner_text("#ratio-preview")
            preparer.shot(f"change-preview-{expected_pct[:2]}")
            preparer.page.click("button:has-text('保存变更草稿')")
            change_url = preparer.page.url
            head.page.goto(change_url)
            head.page.click("a:has-text('提交变更')")
            head.page.click("button:has-text('确认办理')")
        filed, pending = project.changes.order_by("pk")
        assert filed.state == ChangeState.FILED and pending.state == ChangeState.PENDING_APPROVAL
        bureau_head.page.goto(f"{live_server.url}/changes/{pending.pk}/")
        bureau_head.page.click("a:has-text('批准变更')")
        bureau_head.page.click("button:has-text('确认办理')")
        pending.refresh_from_db()
        assert pending.state == ChangeState.APPROVED

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
        head.step(
            project,
            "submit_self_evaluation",
            self_evaluation="绩效目标基本实现。",
            self_evaluation_grade="good",
        )
        head.open_project(project)
        head.shot("self-evaluated")
        project.refresh_from_db()
        assert project.state == S.SELF_EVALUATED
        assert "已报送自评价" in head.page.inner_text(".state")

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
