"""Walking a project along the 办法 to a given state, dated as of a timeline.

Used by the demo data command (projects in every state, with a plausible history) and by
the tests that need "a project sitting in state X". Every step goes through the service
layer, so every rule is checked and every audit row written, exactly as for a person.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from core.states import ProjectState as S
from core.timeutil import as_of
from core.vocabulary import OrgKind
from documents import services as documents
from documents.evidence import evidence_confirm, latest
from documents.registry import MaterialKind
from lifecycle import services
from lifecycle.contracts import contract_record
from lifecycle.guards import acceptance_aspects
from lifecycle.nature_guards import on_service_path
from lifecycle.policy import get_policy
from lifecycle.workdays import add_months
from projects import evaluation, services as project_services
from projects.models import AnnualPlan, CallSubmission, User

from .aspect_scenarios import revise_application

DAY = datetime.timedelta(days=1)

#: The main line from a submitted application to a closed project.
MAIN_LINE = [
    S.SUBMITTED,
    S.JOINT_REVIEW,
    S.REVIEW_PASSED,
    S.IN_PLAN,
    S.FSR_REVIEW,
    S.FSR_APPROVED,
    S.DESIGN_REVIEW,
    S.APPROVAL_COMPLETE,
    S.RATIFICATION,
    S.RATIFIED,
    S.CONSTRUCTION,
    S.COMPLETED,
    S.ACCEPTANCE_REVIEW,
    S.ACCEPTED,
    S.OPERATION,
    S.SELF_EVALUATED,
    S.CLOSED,
]
#: Side states: (the main-line state they branch from, the step taking them there).
BRANCHES = {
    S.WITHDRAWN: (S.SUBMITTED, "withdraw"),
    S.CORRECTING: (S.JOINT_REVIEW, "request_correction"),
    S.EXPERT_EVALUATION: (S.JOINT_REVIEW, "start_expert_evaluation"),
    S.REVIEW_REJECTED: (S.JOINT_REVIEW, "reject_review"),
    S.NOT_INCLUDED: (S.REVIEW_PASSED, "leave_out"),
    S.DESIGN_CORRECTING: (S.DESIGN_REVIEW, "return_design"),
    S.RECTIFICATION: (S.CONSTRUCTION, "order_rectification"),
    S.SUSPENDED: (S.CONSTRUCTION, "suspend"),
    S.TERMINATED: (S.SUSPENDED, "terminate"),
    S.EXTENSION_REQUESTED: (S.COMPLETED, "request_extension"),
    S.POST_EVALUATION: (S.SELF_EVALUATED, "commission_post_evaluation"),
    # 办法第十一、十二、十五、十八、十九条 (issue 8): refusals and a cancelled planned project.
    S.FSR_REFUSED: (S.FSR_REVIEW, "refuse_fsr"),
    S.DESIGN_REFUSED: (S.DESIGN_REVIEW, "refuse_design"),
    S.RATIFICATION_DECLINED: (S.RATIFICATION, "decline_ratification"),
    S.CANCELLED: (S.FSR_APPROVED, "cancel_planned"),
}
#: The reasons the demo gives for those decisions (each is recorded in the project's history).
BRANCH_REASONS = {
    "refuse_fsr": "建设内容与已建省级平台功能重复，不具备建设必要性，不予批复。",
    "refuse_design": "初步设计方案技术路线不可行，评估论证结论为不予批复。",
    "decline_ratification": "资金来源未落实，省政府不予审定。",
    "cancel_planned": "相关业务已由国家统一平台承接，本项目不再实施，撤销计划。",
}
EMERGENCY_LINE = [S.EMERGENCY_REQUESTED, S.EMERGENCY_FORWARDED, S.IN_PLAN]


class Walker:
    """Moves projects forward one dated step at a time.

    ``people`` maps "bureau_head", "cac_reviewer", … to users of the agencies; the owner's
    people are found among the members of the project's owner.
    """

    def __init__(self, people: dict[str, User], *, gap_days: int = 7):
        self.people = people
        self.gap = datetime.timedelta(days=gap_days)

    # -------------------------------------------------------------- people

    def owner(self, project, role="head") -> User:
        return project.owner.members.filter(role=role).first()

    def __getitem__(self, key) -> User:
        return self.people[key]

    # -------------------------------------------------------------- stepping

    def step(self, obj, name, who, on, **kw):
        obj.refresh_from_db()
        with as_of(on):
            services.perform(obj, name, actor=who, **kw)
        obj.refresh_from_db()

    def upload(self, project, kind, who, on, *, issued_on=None, issuing_body=""):
        """Upload a (tiny) PDF of ``kind`` as ``who`` on ``on`` unless one is there already;
        the documents behind preconditions carry their date and issuer (办法第十五、十八、
        二十三、二十九、三十一、三十二条, documents/evidence.py)."""

        if latest(project, kind) is not None:
            return
        label = MaterialKind(kind).label
        body = f"%PDF-1.4\n% {project.pk} {kind}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".encode()
        with as_of(on):
            documents.material_upload(
                project,
                actor=who,
                kind=kind,
                upload=SimpleUploadedFile(f"{label}.pdf", body),
                issued_on=issued_on,
                issuing_body=issuing_body,
            )

    @staticmethod
    def _day_of(project, action, default):
        """The effective day of the project's last ``action`` (its as-of day, else its time)."""
        entry = project.audit_entries.filter(action=action).order_by("-pk").first()
        if entry is None:
            return default
        return (
            datetime.date.fromisoformat(entry.data["as_of"]) if entry.data.get("as_of") else entry.at.date()
        )

    def confirm(self, project, kind, who, on):
        with as_of(on):
            evidence_confirm(project, kind, actor=who)

    def contracts(self, project, on, *, supplier="黑龙江省信息工程监理有限公司"):
        """办法第二十一、二十四、三十条: the owner records the construction contract won in an
        open tender and the 监理 contract, both stating that the results and their IP belong
        to the owner — unless a 监理 contract is recorded already."""
        if project.contracts.filter(kind="supervision").exists():
            return
        amount = (
            project.decided_amount_yuan or project.approved_estimate_yuan or project.total_investment_yuan
        )
        with as_of(on):
            for kind, name, number, share in (
                ("construction", "黑龙江数字政府建设运营有限公司", f"JS-{on.year}-{project.pk:03d}", "0.90"),
                ("supervision", supplier, f"JL-{on.year}-{project.pk:03d}", "0.03"),
            ):
                contract_record(
                    project,
                    actor=self.owner(project, "preparer"),
                    kind=kind,
                    procurement_method="open_tender",
                    supplier=name,
                    number=number,
                    amount_yuan=(amount * Decimal(share)).quantize(Decimal("0.01")),
                    signed_on=on,
                    ip_clause=True,
                )

    def submit_batch(self, call, organisation, on, *, confirm_splits=True):
        """办法第八条: the department's head signs its one consolidated submission, naming
        himself or herself as 项目责任人 (第二十一条), after looking at the split warnings."""
        head = organisation.members.filter(role="head").first()
        submission, _ = CallSubmission.objects.get_or_create(call=call, organisation=organisation)
        with as_of(on):
            project_services.call_submit(
                submission,
                actor=head,
                letter=f"关于报送{call.year}年度政务信息化建设需求的函",
                responsible_person=head,
                splits_confirmed=confirm_splits,
            )
        return submission

    def emergency_security_opinions(self, project, on):
        """办法第十二条 (with 第十条): 网信办 and 密码管理局 give their opinions on an emergency
        insertion before the bureau forwards it."""
        with as_of(on):
            for key, aspect, text in (
                ("cac_reviewer", "cac_emergency", "网络安全方案符合等级保护第三级要求，同意。"),
                ("crypto_reviewer", "crypto_emergency", "密码应用方案符合GB/T 39786-2021第三级要求，同意。"),
            ):
                services.opinion_give(
                    project, actor=self[key], aspect=aspect, conclusion="approve", text=text
                )

    def amend_batch(self, call, organisation, on, *, confirm_splits=True):
        """办法第八条: a late addition to the department's submission, while the call is open."""
        head = organisation.members.filter(role="head").first()
        submission = CallSubmission.objects.get(call=call, organisation=organisation)
        with as_of(on):
            return project_services.call_amend(
                submission,
                actor=head,
                letter=f"关于补充报送{call.year}年度政务信息化建设需求的函",
                splits_confirmed=confirm_splits,
            )

    def correction_round(self, project, on, reviewer, *, reason, reply, **changes):
        """办法第十条: ``reviewer`` asks for 陈述和补正, the department revises ``changes`` in its
        application (web/aspect_scenarios.py) and sends it back, all on ``on``."""
        self.step(project, "request_correction", reviewer, on, reason=reason)
        revise_application(project, self.owner(project, "preparer"), on, **changes)
        self.step(project, "submit_correction", self.owner(project, "preparer"), on, reason=reply)

    def review(self, project, on, *, correction=False, passed=True):
        """submitted → joint_review (→ correction round) → opinions → passed/rejected."""
        self.step(project, "accept_application", self["bureau_reviewer"], on)
        if correction:
            self.step(
                project,
                "request_correction",
                self["cac_reviewer"],
                on + DAY,
                reason="请补充等级保护测评计划和安全管理制度。",
            )
            # 办法第十条: the department revises what was asked for (shown on the review pages).
            project.refresh_from_db()
            revise_application(
                project,
                self.owner(project, "preparer"),
                on + 2 * DAY,
                protection_plan=f"{project.protection_plan}上线前完成等级保护测评，测评计划见附件。",
                security_plan=f"{project.security_plan}建立安全管理制度和应急预案。",
            )
            self.step(
                project,
                "submit_correction",
                self.owner(project, "preparer"),
                on + 2 * DAY,
                reason="已补充等级保护测评计划及安全管理制度。",
            )
        with as_of(on + 3 * DAY):
            for key, aspect, text in (
                ("bureau_reviewer", "intensive", "依托省政务云和共性支撑平台建设，数据资源目录完整，同意。"),
                ("cac_reviewer", "security", "网络安全建设内容完整，按等级保护第三级要求建设，同意。"),
                ("crypto_reviewer", "crypto", "密码应用方案符合GB/T 39786-2021第三级要求，同意。"),
            ):
                conclusion = "approve" if passed or key != "bureau_reviewer" else "reject"
                services.opinion_give(
                    project,
                    actor=self[key],
                    aspect=aspect,
                    conclusion=conclusion,
                    text=text if conclusion != "reject" else "与已建系统功能重复，不符合集约化建设要求。",
                )
        if passed:
            self.step(project, "pass_review", self["bureau_head"], on + 4 * DAY)
        else:
            self.step(
                project, "reject_review", self["bureau_head"], on + 4 * DAY, reason="与已建系统功能重复。"
            )

    def approve_plan(self, year, projects, on, *, issue=True) -> AnnualPlan:
        """Compile ``year``'s plan with ``projects``, have 财政厅 concur, the government
        approve (which closes the passed applications left out) and the bureau issue it."""
        with as_of(on):
            plan = project_services.plan_open(year, actor=self["bureau_head"])
            for project in projects:
                services.plan_include(plan, project, actor=self["bureau_reviewer"])
            services.plan_finance_concur(plan, actor=self["finance_head"])
        self.step(plan, "submit_to_government", self["bureau_head"], on + DAY)
        self.step(
            plan,
            "approve",
            self["government_head"],
            on + 10 * DAY,
            approval_no=f"黑政函〔{year - 1}〕{year % 100}号",
            approved_on=on + 10 * DAY,
        )
        if issue:
            self.step(
                plan,
                "issue",
                self["bureau_head"],
                on + 12 * DAY,
                document_no=f"黑营商发〔{year - 1}〕{20 + year % 10}号",
            )
        for project in projects:
            project.refresh_from_db()
        return plan

    def forward(self, project, target, on) -> datetime.date:
        """From ``in_plan`` (or later) along the main line up to ``target``; returns the date
        after the last step."""
        order = MAIN_LINE.index
        while project.state != target and project.state in MAIN_LINE and order(project.state) < order(target):
            on = self._next(project, on) + self.gap
        if project.state != target:
            raise ValueError(f"cannot walk {project} from {project.state} to {target}")
        return on

    def branch(self, project, target, on):
        source, name = BRANCHES[target]
        if project.state != source:
            on = (
                self.forward(project, source, on) if source in MAIN_LINE else self.branch(project, source, on)
            )
        if target == S.NOT_INCLUDED:
            # 办法第十一条: a project is left out only by the approval of a plan without it.
            self.approve_plan(project.call.year, [], on)
            project.refresh_from_db()
            return on + self.gap
        who = self._actor_for(project, name)
        kw = {"reason": BRANCH_REASONS.get(name, "依据办法有关规定办理。")}
        if name == "suspend":  # 办法第二十六条: the decision carries its 文号
            kw["suspension_no"] = f"黑营商停〔{on.year}〕{project.pk}号"
        if name == "terminate":  # 办法第三十六条
            kw["termination_no"] = f"黑营商终〔{on.year}〕{project.pk}号"
        if name == "request_extension":
            # 办法第二十九条: three months beyond the half-year deadline counted from completion.
            kw["requested_due_on"] = add_months(on, get_policy().acceptance_application_months + 3)
        if name == "commission_post_evaluation":
            # 办法第三十三条: the bureau names the third-party organisation it commissions.
            kw["post_evaluator"] = self["expert_reviewer"].organisation
        self.step(project, name, who, on, **kw)
        return on + self.gap

    def _actor_for(self, project, name):
        """Someone allowed to take ``name``: the first grant's organisation, its most junior role."""
        t, _ = services.transition_of(project, name)
        grant = t.permission.grants[0]
        kind = grant.kind_for(project)
        role = next(r for r in ("preparer", "reviewer", "head") if r in grant.roles)
        return self.owner(project, role) if kind == OrgKind.OWNER else self[f"{kind}_{role}"]

    def service_contract(self, project, on):
        """建设性质 运维、购买服务 (issue 15; 办法第二十一、三十条): the O&M or service contract
        won in an open tender, stating that the results and their IP belong to the owner."""
        if project.contracts.filter(kind="construction").exists():
            return
        with as_of(on):
            contract_record(
                project,
                actor=self.owner(project, "preparer"),
                kind="construction",
                procurement_method="open_tender",
                supplier="黑龙江数字政府建设运营有限公司",
                number=f"FW-{on.year}-{project.pk:03d}",
                amount_yuan=project.total_investment_yuan,
                signed_on=on,
                ip_clause=True,
            )

    def yearly_reports(self, project, on):
        """办法第二十五条: a 绩效评价报告 for every year of execution up to ``on`` (no 监理 on the
        short path of 运维、购买服务, so no 监理 opinion)."""
        start = project.construction_started_on or on
        done = set(project.performance_reports.values_list("year", flat=True))
        with as_of(on):
            for year in range(start.year, on.year + 1):
                if year not in done:
                    services.performance_report_submit(
                        project,
                        actor=self.owner(project, "preparer"),
                        year=year,
                        progress="按合同提供运维和服务，服务响应和系统可用性均达到合同约定。",
                        investment_executed_yuan=project.total_investment_yuan or Decimal("0"),
                        user_opinions="使用单位对服务质量满意。",
                        supervisor_opinion="",
                    )

    def _serve(self, p, on) -> datetime.date:
        """The short execution path of 运维、购买服务 (issue 15, lifecycle/nature_guards.py)."""
        if p.state == S.IN_PLAN:
            self.step(p, "start_service", self.owner(p, "preparer"), on, construction_started_on=on)
            self.service_contract(p, on)  # procured and signed as execution starts
            return on
        self.service_contract(p, on)
        self.yearly_reports(p, on)
        self.step(
            p, "finish_service", self.owner(p), on, completed_on=on, surplus_returned_yuan=Decimal("0.00")
        )
        return on

    def _next(self, project, on) -> datetime.date:
        s = project.state
        p = project
        if on_service_path(p) and s in (S.IN_PLAN, S.CONSTRUCTION):
            return self._serve(p, on)
        if s == S.IN_PLAN:
            p.platform_code = p.platform_code or f"{on:%y%m}-230000-04-01-{p.pk:06d}"
            p.fsr_sharing_chapter = True
            p.save()
            self.upload(p, "fsr", self.owner(p, "preparer"), on)
            self.step(p, "submit_fsr", self.owner(p, "preparer"), on)
        elif s == S.FSR_REVIEW:
            self.step(
                p,
                "approve_fsr",
                self["drc_head"],
                on,
                fsr_approval_no=f"黑发改审批〔{on.year}〕{p.pk}号",
                fsr_estimate_yuan=p.total_investment_yuan,
                # 办法第十七条: a merged approval states the depth of the preparatory work.
                **(
                    {"preliminary_work_depth": "已完成需求调研、技术方案比选和设备询价，达到初步设计深度。"}
                    if p.merged_fsr_design
                    else {}
                ),
            )
        elif s == S.FSR_APPROVED:
            p.design_sharing_chapter = True
            p.save()
            # 办法第十八条: the design goes with the FSR approval (省发改委's document).
            self.upload(
                p,
                "fsr_approval",
                self.owner(p, "preparer"),
                on,
                issued_on=self._day_of(p, "approve_fsr", on),
                issuing_body=self["drc_head"].organisation.name,
            )
            self.upload(p, "design", self.owner(p, "preparer"), on)
            self.step(p, "submit_design", self.owner(p, "preparer"), on)
        elif s == S.DESIGN_REVIEW:
            reviewer = "intranet_head" if p.reviewing_kind == OrgKind.INTRANET else "bureau_head"
            self.step(
                p,
                "approve_design",
                self[reviewer],
                on,
                design_approval_no=f"黑营商审〔{on.year}〕{p.pk}号",
                approved_estimate_yuan=p.total_investment_yuan,
                design_evaluation="experts",
            )
        elif s == S.APPROVAL_COMPLETE:
            self.step(p, "submit_ratification", self["bureau_head"], on)
        elif s == S.RATIFICATION:
            self.step(
                p,
                "ratify",
                self["government_head"],
                on,
                ratification_no=f"黑政审〔{on.year}〕{p.pk}号",
                ratified_on=on,
                decided_amount_yuan=p.approved_estimate_yuan,
                decided_funding_source="省级财政资金",
            )
        elif s == S.RATIFIED:
            self.contracts(p, on)
            self.step(p, "start_construction", self.owner(p, "preparer"), on, construction_started_on=on)
        elif s == S.CONSTRUCTION:
            self.step(
                p,
                "complete_construction",
                self.owner(p),
                on,
                completed_on=on,
                surplus_returned_yuan=Decimal("0.00"),
            )
        elif s == S.COMPLETED:
            # 办法第二十三、三十一、三十二条: the documents themselves, dated the day before.
            preparer = self.owner(p, "preparer")
            self.upload(p, "archive_opinion", preparer, on, issued_on=on - DAY, issuing_body="黑龙江省档案馆")
            self.upload(
                p,
                "crypto_assessment",
                preparer,
                on,
                issued_on=on - DAY,
                issuing_body="黑龙江省商用密码应用安全性评估中心",
            )
            if p.classified:
                self.upload(
                    p,
                    "secrecy_evaluation",
                    self["secrecy_reviewer"],
                    on,
                    issued_on=on - DAY,
                    issuing_body=self["secrecy_reviewer"].organisation.name,
                )
                self.confirm(p, "secrecy_evaluation", self["secrecy_reviewer"], on)
            self.step(p, "apply_acceptance", self.owner(p), on)
        elif s == S.ACCEPTANCE_REVIEW:
            with as_of(on):
                for aspect in acceptance_aspects(p):
                    kind = aspect.split("_")[0]
                    # 办法第二十九、三十二条: 省委保密办 answers "不涉及" for an unclassified project.
                    moot = aspect == "secrecy_acceptance" and not p.classified
                    services.opinion_give(
                        p,
                        actor=self[f"{kind}_reviewer"],
                        aspect=aspect,
                        conclusion="not_applicable" if moot else "approve",
                        text="本项目不涉及国家秘密。" if moot else "经现场测试和文档审查，同意通过竣工验收。",
                    )
            self.step(p, "accept", self["bureau_head"], on, accepted_on=on)
        elif s == S.ACCEPTED:
            # 办法第二十九条: the department files the 验收报告, the bureau confirms receipt.
            self.upload(
                p, "acceptance_report", self.owner(p, "preparer"), on, issued_on=on, issuing_body=p.owner.name
            )
            self.confirm(p, "acceptance_report", self["bureau_reviewer"], on)
            self.step(p, "go_live", self.owner(p, "preparer"), on, went_live_on=on)
            # Wait until the self-evaluation window of 办法第三十三条 is open.
            return add_months(on, get_policy().self_evaluation_opens_months) + DAY
        elif s == S.OPERATION:
            # 办法第九、三十三条: each performance target with its achieved value.
            preparer = self.owner(p, "preparer")
            with as_of(on):
                if not p.targets.exists():
                    evaluation.target_add(p, actor=preparer, indicator="数据共享率", target_value="≥95%")
                for target in p.targets.all():
                    if not target.reported:
                        evaluation.target_report(
                            target, actor=preparer, achieved_value="96%", explanation="按期完成，运行稳定。"
                        )
            self.step(
                p,
                "submit_self_evaluation",
                self.owner(p),
                on,
                self_evaluation_grade="good",
                self_evaluation="建设目标全部实现，数据共享率96%，业务办理时限压缩52%。",
            )
        elif s == S.SELF_EVALUATED:
            self.step(p, "close", self["bureau_head"], on)
        else:
            raise ValueError(f"no forward step from {s}")
        return on
