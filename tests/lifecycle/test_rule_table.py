"""Who may take each step — a table written from the 办法, article by article, and NOT read
from ``lifecycle/machine.py`` or ``lifecycle/services.py``.

Every step of the project machine, the annual plan machine and the change machine, and every
service that acts as a step, has one entry below: the article it rests on, a one-line reading
of why, and the set of (organisation kind, role) pairs that may take it. The tests build an
object in each source state once per module, then ask every persona (one person per
organisation kind × role, plus another department's staff, plus an intranet project for the
第十八条 routing) and assert that exactly the table's set passes. Other test files
(tests/lifecycle/test_transitions.py, tests/web/test_permissions.py) import the table from here,
so there is one independent source of truth.

Organisation kinds: "owner" = this project's own department (项目建设单位; another department
is never allowed), "bureau" 省营商环境局, "cac" 省委网信办, "crypto" 省国家密码管理局, "drc"
省发改委, "finance" 省财政厅, "police" 省公安厅, "intranet" 省内网办, "secrecy" 省委保密办,
"audit" 省审计厅, "government" 省政府, "expert" 专家/第三方咨询评估机构.
Roles: "preparer" 经办人, "reviewer" 审核人, "head" 负责人, "admin" 管理员.

ROLE CONVENTION. The 办法 names organisations, never people. Where it is silent on who within
an organisation signs, this table applies one convention, uniformly:
  1. DECIDE → 负责人 only. A step that commits the organisation towards others: approving,
     refusing, passing or failing, ordering (责令整改), suspending, resuming, terminating,
     granting, closing, concurring (会签), sending to 省政府, issuing or publishing in the
     organisation's name, entrusting a third party (委托). For the 项目建设单位: a request, in
     its own name, that another body decide something about its project (申报, 报批 of the
     可研报告 and the 初步设计方案, 紧急纳入申请, 延期验收申请, 竣工验收申请, a budget change it
     adopts and files) and the withdrawal of such a request (办法第二十一条: its 主要负责人 is
     the 项目责任人).
  2. REVIEW → 审核人 or 负责人. An agency's work on someone else's matter that prepares a
     decision: receiving an application into review, asking for 陈述和补正 or returning
     material for rework, organising or recording an expert evaluation, giving an opinion,
     compiling the draft plan.
  3. PREPARE → 经办人 or 负责人. The 项目建设单位's work inside a procedure already opened or
     its reports of fact: answers to a return (补正, 重新报送), reports (年度绩效评价报告, 问题报告,
     整改情况, 自评价报告), records of fact (开工, 项目建成, 投入运行), drafts (变更草稿).
  An agency's 经办人 takes no step of the 办法 on its own; a 管理员 maintains the system
  (calendar) and takes no step; 省审计厅 reads and never acts (办法第三十七条).

WHERE THE CODE DIFFERS the entry keeps the reading of the 办法 and says what the code does in
``code_allows=…`` with a ``# code differs:`` comment. The test then asserts the code does
exactly what is written there (so any further widening still fails) and reports the cell as
xfail with the reason; once the code is changed to match the 办法 the test fails and asks for
the ``code_allows`` to be removed. The coordinator decides each of them.

MUTATIONS TRIED (issue 7 item 8: a permission test that cannot fail is a defect). Each was
applied by hand to the code under test, this file run, the code reverted with
``git checkout lifecycle/``; none is committed. Failing tests (test_ prefixes shortened):
  M1 terminate: permission=BUREAU_HEAD → BUREAU_STAFF (bureau 审核人 may terminate)
     → exactly_the_table_may_take_the_step[project-terminate-from-construction],
       [project-terminate-from-rectification], [project-terminate-from-suspended];
       perform_refuses_with_the_article_of_the_table[the same three]           (6 failed)
  M2 ratify: permission=GOVERNMENT → actors(("government", REVIEWERS))
     → exactly_the_table_may_take_the_step[project-ratify-from-ratification];
       perform_refuses_with_the_article_of_the_table[project-ratify-from-ratification] (2 failed)
  M3 design routing: _design_reviewer returns "bureau" for every project (intranet designs
     no longer go to 省内网办, 第十八条)
     → exactly_the_table_may_take_the_step[project-approve_design-from-design_review-intranet],
       [project-return_design-from-design_review-intranet],
       [project-send_back_to_fsr-from-design_review-intranet],
       [project-send_back_to_fsr-from-design_correcting-intranet]                  (4 failed)
  M4 approve_fsr: permission=DRC_HEAD → DRC_STAFF (发改委 审核人 approve FSRs)
     → exactly_the_table_may_take_the_step[project-approve_fsr-from-fsr_review];
       perform_refuses_with_the_article_of_the_table[project-approve_fsr-from-fsr_review] (2 failed)
  M5 services.plan_finance_concur: require_staff(actor, OrgKind.FINANCE, roles=HEAD) → REVIEWERS
     → exactly_the_table_may_call_the_service[plan_finance_concur]               (1 failed)
  (Issue 7 reports that before this file M1 and M2 left every lifecycle, project, permission
  and page test green; tests/lifecycle/test_transitions.py now also fails under M1 and M2.)

ADDED AT MERGE (issue 7). The steps other helpers added have their entries: the per-project
``submit`` is reachable only through ``call_submit``/``call_amend`` (a ``via`` restriction) and
keeps head(OWNER) (第八条); ``call_amend`` (补充申报, 第八条) → head(OWNER); ``evidence_confirm``
by 省委保密办 (第三十二条) → reviewing("secrecy") and by the bureau receiving the 验收报告备案
(第二十九条) → reviewing("bureau"); ``record_correct`` → the 负责人 of the organisation whose
step recorded the value. Numbered filings are issued by the actor of the step whose outcome
they record (tests/documents/test_filing_steps.py). The code has no step in which 省国家密码
管理局 confirms a 密码应用安全性评估报告: the report is uploaded by the department with its date
and issuing body and checked as evidence (第二十三条) — an open question for the coordinator,
not a difference (the 办法 gives 密码管理局 指导、监督和检查, 第四条, not a confirmation).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from core.states import ChangeState, PlanState, ProjectState as S
from core.timeutil import as_of
from documents import services as document_services
from documents.evidence import evidence_confirm
from lifecycle import services
from lifecycle.contracts import contract_record
from lifecycle.corrections import record_correct
from lifecycle.errors import RuleViolation
from lifecycle.models import ASPECTS, AuditEntry, ChangeRequest
from projects import calls as call_services, services as project_services, supervision
from projects.models import AnnualPlan, Call, CallSubmission, Project
from tests.conftest import AGENCIES, People
from tests.factories import (
    CallFactory,
    OrganisationFactory,
    ProjectFactory,
    UserFactory,
    complete_application,
)
from tests.lifecycle.builders import walk
from web.scenarios import Walker

D = datetime.date

OWNER, BUREAU, CAC, CRYPTO, DRC, FINANCE = "owner", "bureau", "cac", "crypto", "drc", "finance"
POLICE, INTRANET, SECRECY, AUDIT, GOVERNMENT, EXPERT = (
    "police",
    "intranet",
    "secrecy",
    "audit",
    "government",
    "expert",
)
KINDS = (
    OWNER,
    "other_owner",
    BUREAU,
    CAC,
    CRYPTO,
    DRC,
    FINANCE,
    POLICE,
    INTRANET,
    SECRECY,
    AUDIT,
    GOVERNMENT,
    EXPERT,
)
ROLES = ("preparer", "reviewer", "head", "admin")
EXTRANET = "extranet"


def head(*kinds) -> frozenset:
    """DECIDE: the 负责人 only."""
    return frozenset((k, "head") for k in kinds)


def reviewing(*kinds) -> frozenset:
    """REVIEW: the 审核人 or the 负责人."""
    return frozenset((k, r) for k in kinds for r in ("reviewer", "head"))


def preparing(*kinds) -> frozenset:
    """PREPARE: the 经办人 or the 负责人."""
    return frozenset((k, r) for k in kinds for r in ("preparer", "head"))


@dataclass(frozen=True)
class Rule:
    article: str
    reading: str
    #: (kind, role) pairs; a dict {source state: pairs} where the 办法 gives different actors
    #: by the state the step starts from.
    who: frozenset | dict
    #: who, for a project built on the 电子政务内网 (办法第十八条), where different
    intranet: frozenset | None = None
    #: what the code allows where it differs from the reading (see "# code differs:")
    code_allows: frozenset | None = None

    def expected(self, source=None, network=EXTRANET) -> frozenset:
        if network == INTRANET and self.intranet is not None:
            return self.intranet
        return self.who[source] if isinstance(self.who, dict) else self.who

    def in_code(self, source=None, network=EXTRANET) -> frozenset:
        """What the code is expected to do now: the reading, or the documented difference."""
        return self.code_allows if self.code_allows is not None else self.expected(source, network)


def persona_keys(pairs) -> set[str]:
    return {f"{kind}_{role}" for kind, role in pairs}


# =========================================================================== the table

PROJECT_RULES = {
    # ------------------------------------------------------------ 申报 (第八、九条)
    # Reachable only through call_submit / call_amend (``via``): the 申报函 its head signs.
    "submit": Rule(
        "第八条",
        "省级有关部门和单位…严格审核把关后统一申报: the department sends its applications in its own name",
        head(OWNER),
    ),
    "withdraw": Rule(
        "第八条", "统一申报 is the department's act; taking an application back is too", head(OWNER)
    ),
    # ------------------------------------------------------------ 联合审核 (第十条)
    "accept_application": Rule(
        "第十条", "省营商环境局组织…联合审核: receiving an application into the review", reviewing(BUREAU)
    ),
    "request_correction": Rule(
        "第十条",
        "联合审核期间可进行陈述和补正: asked by the three reviewing agencies "
        "(营商环境局 集约化和数据共享, 网信办 网络安全, 密码管理局 密码应用)",
        reviewing(BUREAU, CAC, CRYPTO),
    ),
    "submit_correction": Rule(
        "第十条",
        "省级有关部门和单位…可进行陈述和补正: the department's answer inside the review",
        preparing(OWNER),
    ),
    "start_expert_evaluation": Rule(
        "第十条",
        "省营商环境局可组织有关专家进行评估论证: convening experts inside the review",
        reviewing(BUREAU),
    ),
    "finish_expert_evaluation": Rule(
        "第十条",
        "the experts' conclusion, entered by the experts or by the bureau that organised them",
        reviewing(BUREAU, EXPERT),
    ),
    "pass_review": Rule(
        "第十条", "the bureau organises the joint review and pronounces its outcome", head(BUREAU)
    ),
    "reject_review": Rule(
        "第十条", "the bureau organises the joint review and pronounces its outcome", head(BUREAU)
    ),
    # ------------------------------------------------------------ 计划 (第十一、十二条)
    "enter_plan": Rule(
        "第十一条",
        "编制…计划，报省政府批准后实施: only 省政府's approval puts a project in the plan",
        head(GOVERNMENT),
    ),
    "leave_out": Rule(
        "第十一条", "省政府's approval of the plan leaves the other applications out", head(GOVERNMENT)
    ),
    "request_emergency": Rule(
        "第十二条", "根据省级有关部门和单位申请: the department's request in its own name", head(OWNER)
    ),
    "forward_emergency": Rule(
        "第十二条",
        "经省营商环境局、省财政厅审核通过并报省政府批准: the bureau, which 拟定 the "
        "plan (第四条), sends it to 省政府",
        head(BUREAU),
    ),
    "approve_emergency": Rule("第十二条", "…并报省政府批准后，纳入年度建设计划管理", head(GOVERNMENT)),
    "reject_emergency": Rule(
        "第十二条",
        "审核 by 营商环境局 and 财政厅 (a refusal is theirs while they review); once "
        "报省政府, the refusal is 省政府's",
        {S.EMERGENCY_REQUESTED: head(BUREAU, FINANCE), S.EMERGENCY_FORWARDED: head(GOVERNMENT)},
    ),
    # ------------------------------------------------------------ 审批 (第十五至十九条)
    # Decided at merge (issue 7): sending the 可研报告 of a project already in the plan is the
    # department's working step — the request in its name was the 申报函 its 负责人 signed (第八条).
    "submit_fsr": Rule(
        "第十五条",
        "可行性研究报告批复 by 省发改委 (第四条); the department's staff send the report of a "
        "project its head already applied for and the plan admitted (第八、十二条)",
        preparing(OWNER),
    ),
    "approve_fsr": Rule("第十五条", "省发改委负责批复省级项目可行性研究报告 (第四条)", head(DRC)),
    "return_fsr": Rule(
        "第十五条", "sending the 可研报告 back for rework is 省发改委's review work", reviewing(DRC)
    ),
    "submit_design": Rule(
        "第十八条",
        "项目建设单位连同项目批复文件、项目初步设计方案…一并报省营商环境局: the "
        "department's staff send the documents, like the 可研报告 (第十五条)",
        preparing(OWNER),
    ),
    "return_design": Rule(
        "第十八条",
        "the body evaluating the design asks for 补正; 依托电子政务内网建设的省级项目，"
        "由省内网办负责组织评估论证",
        reviewing(BUREAU),
        intranet=reviewing(INTRANET),
    ),
    "resubmit_design": Rule(
        "第十八条", "the department's answer to the return, inside the same review", preparing(OWNER)
    ),
    "approve_design": Rule(
        "第十八条",
        "省营商环境局…出具批复意见; 第四条: 批复初步设计方案（依托电子政务内网建设除外）"
        " → intranet projects by 省内网办",
        head(BUREAU),
        intranet=head(INTRANET),
    ),
    "send_back_to_fsr": Rule(
        "第十八条",
        "存在重大变更的，原则上应重新审批项目可行性研究报告: a decision of the body evaluating the design",
        head(BUREAU),
        intranet=head(INTRANET),
    ),
    "submit_ratification": Rule("第十九条", "由省营商环境局报省政府审定: sending to 省政府", head(BUREAU)),
    "ratify": Rule("第十九条", "省政府审定", head(GOVERNMENT)),
    # Added by issue 8 (approval): the refusals are the deciding bodies' decisions (DECIDE).
    "refuse_fsr": Rule("第十五条", "省发改委批复可行性研究报告 — or refuses to (不予批复)", head(DRC)),
    "refuse_design": Rule(
        "第十八条",
        "the body evaluating the design 出具批复意见 — a refusal too; intranet designs: 省内网办",
        head(BUREAU),
        intranet=head(INTRANET),
    ),
    "return_ratification": Rule(
        "第十九条", "由省营商环境局报省政府审定: 省政府 sends it back to the bureau", head(GOVERNMENT)
    ),
    "decline_ratification": Rule("第十九条", "省政府审定 — or declines to (不予审定)", head(GOVERNMENT)),
    "withdraw_planned": Rule(
        "第十二条",
        "年度建设计划下达后必须严格执行: the department withdraws its own planned project "
        "(a request in its own name, like 撤回 of the application)",
        head(OWNER),
    ),
    "cancel_planned": Rule(
        "第十一条、第十二条",
        "the bureau that compiles the plan (第十一条) cancels a planned project: a decision",
        head(BUREAU),
    ),
    # ------------------------------------------------------------ 建设 (第二十至二十八条)
    "start_construction": Rule(
        "第二十四条",
        "the department starts building what was decided (第二十条), with its "
        "监理 (第二十四条): a record of fact",
        preparing(OWNER),
    ),
    "order_rectification": Rule(
        "第三十六条",
        "应当要求项目建设单位限期整改 (第二十六条: 省营商环境局…要求…整改): an order in the bureau's name",
        head(BUREAU),
    ),
    "finish_rectification": Rule(
        "第三十六条", "ending its own order and restoring construction is the bureau's decision", head(BUREAU)
    ),
    "suspend": Rule(
        "第二十六条", "省营商环境局应按照有关规定，要求项目建设单位进行整改或暂停项目建设", head(BUREAU)
    ),
    "resume": Rule("第二十六条", "lifting its own suspension", head(BUREAU)),
    "terminate": Rule("第三十六条", "暂停项目建设直至终止项目: the gravest decision", head(BUREAU)),
    # Decided at merge (issue 7): declaring the project built binds the department — it starts
    # the half-year of 第二十九条 and states the 结余 returned (第二十七条) — so its 负责人.
    "complete_construction": Rule(
        "第二十九条",
        "项目建成 (with the 结余 returned, 第二十七条) starts the half-year of "
        "第二十九条: a declaration in the department's name",
        head(OWNER),
    ),
    # ------------------------------------------------------------ 运维、购买服务 (issue 15)
    "start_service": Rule(
        "第二十一条",
        "建设性质 运维/购买服务: the department starts executing its planned item — procurement and "
        "the contract (招标投标、政府采购、合同管理) — a record of fact, like 开工",
        preparing(OWNER),
    ),
    "finish_service": Rule(
        "第二十五条",
        "the contract period is over, with the 结余 returned (第二十七条): a declaration in the "
        "department's name, like 项目建成",
        head(OWNER),
    ),
    # ------------------------------------------------------------ 验收 (第二十九至三十二条)
    "request_extension": Rule("第二十九条", "应当向省营商环境局提出延期验收申请", head(OWNER)),
    "grant_extension": Rule("第二十九条", "the bureau decides on the extension request", head(BUREAU)),
    "refuse_extension": Rule("第二十九条", "the bureau decides on the extension request", head(BUREAU)),
    "apply_acceptance": Rule("第二十九条", "项目建设单位应当…申请省营商环境局组织竣工验收", head(OWNER)),
    "accept": Rule(
        "第二十九条", "省营商环境局会同…有关部门…组织竣工验收: the bureau pronounces", head(BUREAU)
    ),
    "fail_acceptance": Rule("第二十九条", "省营商环境局…组织竣工验收: the bureau pronounces", head(BUREAU)),
    "go_live": Rule(
        "第三十三条",
        "通过验收并投入运行: the department records the go-live (第三十二条 is a guard on "
        "classified systems, not a question of who)",
        preparing(OWNER),
    ),
    # ------------------------------------------------------------ 评价 (第三十三条)
    # Decided at merge (issue 7): unlike the progress reports of 第二十五、二十六条, the 自评价 is
    # the department's own judgement of its results (第三十三条) and closes its part: its 负责人.
    "submit_self_evaluation": Rule(
        "第三十三条",
        "项目建设单位…开展自评价，并将自评价报告报送省营商环境局: the "
        "department's judgement of its own project, in its name",
        head(OWNER),
    ),
    "commission_post_evaluation": Rule(
        "第三十三条",
        "省营商环境局…可以委托相应的第三方咨询机构开展后评价: entrusting a third party in the bureau's name",
        head(BUREAU),
    ),
    "finish_post_evaluation": Rule(
        "第三十三条",
        "委托相应的第三方咨询机构开展后评价: the report and conclusion of the organisation "
        "commissioned (only that one, tests/lifecycle/test_evaluation_post.py)",
        reviewing(EXPERT),
    ),
    "close": Rule(
        "第三十三条",
        "the bureau decides not to commission a post-evaluation and closes the file",
        head(BUREAU),
    ),
}

PLAN_RULES = {
    "submit_to_government": Rule(
        "第十一条", "省营商环境局会同省财政厅…编制…报省政府批准: sending to 省政府", head(BUREAU)
    ),
    "return_to_bureau": Rule("第十一条", "报省政府批准: 省政府 refuses as it stands", head(GOVERNMENT)),
    "approve": Rule("第十一条", "报省政府批准", head(GOVERNMENT)),
    "issue": Rule(
        "第十二条", "年度建设计划下达: issued in the name of the bureau that 拟定 it (第四条)", head(BUREAU)
    ),
}

CHANGE_RULES = {
    "submit": Rule(
        "第二十八条",
        "可以由项目建设单位调整，报省营商环境局备案: the department adopts its change and files "
        "it (or, beyond the limits, asks for approval)",
        head(OWNER),
    ),
    # Open question for the coordinator (not a code difference): the 办法 leaves the approval
    # of a change beyond the limits to 省有关规定. The bureau is read as the approver because
    # it receives the 备案 and approves the 概算 (第四条, 第十八条); for an intranet project the
    # 概算 was approved by 省内网办 and for a merged FSR (第十七条) by 省发改委.
    # Issue 8: a policy setting now (Policy.change_content_approver / change_over_estimate_approver):
    # the scene's pending change is a change of content, approved by the bureau; the approver of
    # an over-概算 change is tested in tests/lifecycle/test_construction_changes.py.
    "approve": Rule(
        "第二十八条",
        "不符合上述情形的，应当按照省有关规定履行相应手续: the bureau, which receives the 备案, decides",
        head(BUREAU),
    ),
    "reject": Rule("第二十八条", "the bureau decides", head(BUREAU)),
    "withdraw": Rule("第二十八条", "the department takes back its own change", head(OWNER)),
}

#: 办法 articles of the opinions: which agency gives which opinion.
OPINION_RULES = {
    "intensive": Rule("第十条", "省营商环境局…出具集约化建设和数据共享审核意见", reviewing(BUREAU)),
    "security": Rule("第十条", "省委网信办出具网络安全审核意见", reviewing(CAC)),
    "crypto": Rule("第十条", "省国家密码管理局出具密码应用审核意见", reviewing(CRYPTO)),
    "expert": Rule("第十条", "可组织有关专家进行评估论证: the experts' own opinion", reviewing(EXPERT)),
    "bureau_emergency": Rule("第十二条", "经省营商环境局…审核通过", reviewing(BUREAU)),
    "finance_emergency": Rule("第十二条", "经…省财政厅审核通过", reviewing(FINANCE)),
    "cac_emergency": Rule(
        "第十二条", "紧急纳入 still has 省委网信办's 网络安全审核意见 (第十条)", reviewing(CAC)
    ),
    "crypto_emergency": Rule(
        "第十二条", "紧急纳入 still has 省国家密码管理局's 密码应用审核意见 (第十条)", reviewing(CRYPTO)
    ),
    "cac_acceptance": Rule("第二十九条", "会同省委网信办…组织竣工验收", reviewing(CAC)),
    "crypto_acceptance": Rule("第二十九条", "会同…省国家密码管理局…组织竣工验收", reviewing(CRYPTO)),
    "drc_acceptance": Rule("第二十九条", "会同…省发改委…组织竣工验收", reviewing(DRC)),
    "police_acceptance": Rule("第二十九条", "会同…省公安厅…组织竣工验收", reviewing(POLICE)),
    "secrecy_acceptance": Rule("第二十九条", "会同…省委保密办…组织竣工验收", reviewing(SECRECY)),
}

SERVICE_RULES = {
    "call_submit": Rule(
        "第八条", "统一申报: the department's consolidated submission, signed by its 负责人", head(OWNER)
    ),
    "call_open": Rule(
        "第八条", "省营商环境局每年6月征集: a notice to every department in the bureau's name", head(BUREAU)
    ),
    "plan_open": Rule(
        "第十一条", "the bureau begins compiling next year's plan: working step", reviewing(BUREAU)
    ),
    "call_extend": Rule("第八条", "moving the date of the bureau's notice: as call_open", head(BUREAU)),
    "call_close": Rule("第八条", "ending the bureau's call before its date: as call_open", head(BUREAU)),
    "plan_include": Rule(
        "第十一条",
        "编制: choosing among the reviewed applications; the 负责人 commits the result "
        "when sending it to 省政府",
        reviewing(BUREAU),
    ),
    "plan_exclude": Rule("第十一条", "编制: as plan_include", reviewing(BUREAU)),
    "plan_finance_concur": Rule("第十一条", "会同省财政厅: its concurrence commits 财政厅", head(FINANCE)),
    "incident_report": Rule(
        "第二十六条", "项目建设单位应当及时向省营商环境局报告: a report of fact", preparing(OWNER)
    ),
    "rectification_report": Rule("第三十六条", "the department reports what it rectified", preparing(OWNER)),
    "performance_report_submit": Rule(
        "第二十五条", "形成项目绩效评价报告…向省营商环境局提交: a report", preparing(OWNER)
    ),
    "change_create": Rule("第二十八条", "drafting a change is preparatory work", preparing(OWNER)),
    "contract_record": Rule(
        "第二十一条",
        "项目建设单位…严格执行招标投标、政府采购、工程监理、合同管理等制度: the department records "
        "the contracts it signed, a record of fact (without the 第三十条 IP clause only its 负责人, "
        "tests/lifecycle/test_construction_contracts.py)",
        preparing(OWNER),
    ),
    "call_amend": Rule(
        "第八条",
        "统一申报: a late addition (补充申报) to the department's submission while the call is "
        "open is still its submission, in its name: a new letter signed by its 负责人",
        head(OWNER),
    ),
    # documents/evidence.py: an agency's own step confirming a document behind a precondition.
    "evidence_confirm:secrecy_evaluation": Rule(
        "第三十二条",
        "应通过省级保密行政管理部门组织的测评审查合格后，方可投入使用: 省委保密办 confirms its own "
        "测评审查 of a classified system — review work on the department's project",
        reviewing(SECRECY),
    ),
    "evidence_confirm:acceptance_report": Rule(
        "第二十九条",
        "验收完成后，项目建设单位应当将验收报告等材料报省营商环境局备案: the bureau records that it "
        "received the filing — review work on the department's project",
        reviewing(BUREAU),
    ),
    # lifecycle/corrections.py: 更正 of a value a step recorded commits the organisation that
    # recorded it (convention 1): its 负责人 — one field for a step of the department and one
    # for a step of an agency.
    "record_correct:construction_started_on": Rule(
        "第二十四条",
        "the 开工日期 is the department's record of fact (start_construction); correcting what it "
        "recorded in its name moves the clocks of 第二十五条: its 负责人",
        head(OWNER),
    ),
    "record_correct:approved_estimate_yuan": Rule(
        "第十八条",
        "the 概算 is what 省营商环境局 approved with the design (内网 projects: 省内网办); only the body "
        "that approved it corrects it, its 负责人",
        head(BUREAU),
    ),
    # 办法第三十四、三十六条 (有关部门按照职责分工…实施监督管理): each situation of 第三十四条 is
    # found — and lifted — by the agency in charge of it: data sharing by 省营商环境局 (第十条 集约化
    # 建设和数据共享), 密码应用 by 省国家密码管理局, 网络安全 by 省委网信办, 等级保护 by 省公安厅, a major
    # hazard by either 网络安全监管部门; its 审核人 or 负责人 (review work). Lifting: as finding.
    **{
        f"{service}:{kind}": Rule(
            "第三十四条", f"{kind}: found and lifted by the agency in charge", reviewing(*who)
        )
        for service in ("finding_set", "finding_lift")
        for kind, who in {
            "data_not_shared": (BUREAU,),
            "duplicate_collection": (BUREAU,),
            "crypto": (CRYPTO,),
            "network_security": (CAC,),
            "protection_level": (POLICE,),
            "security_hazard": (CAC, POLICE),
        }.items()
    },
    "exception_review": Rule(
        "第三十四条", "孤网: 由省营商环境局会同有关部门审核 — the bureau's review work", reviewing(BUREAU)
    ),
    "exception_decide": Rule("第三十四条", "孤网: …并报省政府批准后，方可建设或者保留", head(GOVERNMENT)),
    "decision_record": Rule(
        "第三十六条",
        "通报批评、暂缓安排信息化投资计划: a decision in the bureau's name, signed by its 负责人",
        head(BUREAU),
    ),
    "decision_lift": Rule("第三十六条", "ending a 暂缓安排 early: as decision_record", head(BUREAU)),
}

#: where a service of SERVICE_RULES lives when it is not in lifecycle.services
SERVICE_MODULES = {
    **dict.fromkeys(
        (
            "finding_set",
            "finding_lift",
            "exception_review",
            "exception_decide",
            "decision_record",
            "decision_lift",
        ),
        "projects.supervision",
    ),
    "evidence_confirm": "documents.evidence",
    "record_correct": "lifecycle.corrections",
    "contract_record": "lifecycle.contracts",
    **dict.fromkeys(("call_submit", "call_amend", "call_open", "plan_open"), "projects.services"),
    **dict.fromkeys(("call_extend", "call_close"), "projects.calls"),
}

#: machine name → (model, table)
MACHINES = {
    "project": (Project, PROJECT_RULES),
    "plan": (AnnualPlan, PLAN_RULES),
    "change": (ChangeRequest, CHANGE_RULES),
}


def rule_for(machine: str, name: str) -> Rule:
    return MACHINES[machine][1][name]


# =========================================================================== the scene


def _transitions(model):
    return model._meta.get_field("state").get_all_transitions(model)


def _cases():
    """(machine, step, source, network) for every transition and source of the machines."""
    cases = []
    for machine, (model, table) in MACHINES.items():
        for t in _transitions(model):
            rule = table.get(t.name)
            networks = (EXTRANET, INTRANET) if rule is not None and rule.intranet is not None else (EXTRANET,)
            cases += [(machine, t.name, t.source, network) for network in networks]
    return sorted(set(cases))


CASES = _cases()


def _case_id(case):
    machine, name, source, network = case
    return f"{machine}-{name}-from-{source}" + ("-intranet" if network == INTRANET else "")


#: Project states built by walking the main line after the 2026 plan (extranet unless noted).
WALKED = [
    S.IN_PLAN,
    S.FSR_REVIEW,
    S.FSR_APPROVED,
    S.DESIGN_REVIEW,
    S.DESIGN_CORRECTING,
    S.APPROVAL_COMPLETE,
    S.RATIFICATION,
    S.RATIFIED,
    S.CONSTRUCTION,
    S.RECTIFICATION,
    S.SUSPENDED,
    S.COMPLETED,
    S.EXTENSION_REQUESTED,
    S.ACCEPTANCE_REVIEW,
    S.ACCEPTED,
    S.OPERATION,
    S.SELF_EVALUATED,
    S.POST_EVALUATION,
]
WALKED_INTRANET = [S.DESIGN_REVIEW, S.DESIGN_CORRECTING]


class Scene(dict):
    def __getattr__(self, name):
        return self[name]


def _build_scene() -> Scene:
    """Every source state, once. Projects of the department 黑龙江省教育厅 (call 2026) are
    walked through the services by web.scenarios.Walker; a third department's
    applications (call 2027) fill the plan in compilation. The plans waiting for 省政府 and
    waiting to be issued are created in their state directly: who may act on a plan does not
    depend on its contents."""
    s = Scene(projects={}, plans={}, changes={})
    orgs = {kind: OrganisationFactory(kind=kind, name=name) for kind, name in AGENCIES.items()}
    orgs[OWNER] = OrganisationFactory(kind="owner", name="黑龙江省教育厅", code="黑教")
    orgs["other_owner"] = OrganisationFactory(kind="owner", name="黑龙江省卫生健康委员会", code="黑卫")
    orgs["third_owner"] = OrganisationFactory(kind="owner", name="黑龙江省民政厅", code="黑民")
    people = People()
    for key, org in orgs.items():
        for role in ROLES:
            people[f"{key}_{role}"] = UserFactory(username=f"rt_{key}_{role}", organisation=org, role=role)
    s["people"] = people
    walker = Walker(people)
    owner = orgs[OWNER]

    def new(call, network=EXTRANET, org=owner):
        project = ProjectFactory.build(owner=org, call=call, network=network)
        project.save()
        return complete_application(project)

    # ---- call 2026: one batch (办法第八条), then each project to its state
    call26 = CallFactory(year=2026)
    pre = {state: new(call26) for state in (S.SUBMITTED, S.JOINT_REVIEW, S.CORRECTING, S.EXPERT_EVALUATION)}
    walked = {(state, EXTRANET): new(call26) for state in WALKED}
    walked |= {(state, INTRANET): new(call26, INTRANET) for state in WALKED_INTRANET}
    passed = new(call26)
    walker.submit_batch(call26, owner, D(2025, 6, 16))
    on = D(2025, 6, 17)
    for state, project in pre.items():
        project.refresh_from_db()
        if state != S.SUBMITTED:
            walker.step(project, "accept_application", people.bureau_reviewer, on)
        if state == S.CORRECTING:
            walker.step(project, "request_correction", people.cac_reviewer, on, reason="请补充安全管理制度。")
        if state == S.EXPERT_EVALUATION:
            walker.step(project, "start_expert_evaluation", people.bureau_reviewer, on, reason="投资规模大。")
        s.projects[(state, EXTRANET)] = project
    for project in walked.values():
        project.refresh_from_db()
        walker.review(project, on)
    walker.approve_plan(2026, list(walked.values()), D(2025, 9, 22))
    # Reviewed after the plan was approved, so the approval did not leave it out.
    passed.refresh_from_db()
    walker.review(passed, D(2025, 10, 13))
    s.projects[(S.REVIEW_PASSED, EXTRANET)] = passed
    for (state, network), project in walked.items():
        walk(walker, project, state, D(2025, 10, 13))
        assert project.state == state, (state, project.state)
        s.projects[(state, network)] = project
    s.projects[(S.DRAFT, EXTRANET)] = new(call26)

    # ---- 办法第十二条: emergency insertion into the approved 2026 plan
    for state in (S.EMERGENCY_REQUESTED, S.EMERGENCY_FORWARDED):
        project = new(None)
        project.emergency_mandate = "国务院办公厅通知要求年内建成。"
        project.save()
        with as_of(D(2026, 3, 2)):
            services.emergency_request(
                project, actor=people.owner_head, year=2026, responsible_person=people.owner_head
            )
            if state == S.EMERGENCY_FORWARDED:
                services.opinion_give(
                    project,
                    actor=people.bureau_reviewer,
                    aspect="bureau_emergency",
                    conclusion="approve",
                    text="同意紧急纳入。",
                )
                services.opinion_give(
                    project,
                    actor=people.finance_reviewer,
                    aspect="finance_emergency",
                    conclusion="approve",
                    text="资金已落实。",
                )
                for who, aspect in (
                    (people.cac_reviewer, "cac_emergency"),
                    (people.crypto_reviewer, "crypto_emergency"),
                ):
                    services.opinion_give(
                        project, actor=who, aspect=aspect, conclusion="approve", text="同意。"
                    )
                services.perform(project, "forward_emergency", actor=people.bureau_head)
        project.refresh_from_db()
        s.projects[(state, EXTRANET)] = project

    # ---- 办法第二十八条: a change in draft and one waiting for approval
    building = s.projects[(S.CONSTRUCTION, EXTRANET)]
    estimate = building.approved_estimate_yuan
    with as_of(D(2026, 5, 6)):
        for state, share, ground in (
            (ChangeState.DRAFT, "0.05", "deployment"),
            (ChangeState.PENDING_APPROVAL, "0.20", "optimisation"),
        ):
            change = services.change_create(
                building,
                actor=people.owner_preparer,
                title="调整建设内容",
                reason="部署需要",
                ground=ground,
                items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": estimate * Decimal(share)}],
            )
            if state == ChangeState.PENDING_APPROVAL:
                services.change_submit(change, actor=people.owner_head)
            change.refresh_from_db()
            assert change.state == state
            s.changes[state] = change

    # ---- call 2027 of another department: the plan in compilation, one project in it
    call27 = CallFactory(year=2027)
    third = orgs["third_owner"]
    included, left = new(call27, org=third), new(call27, org=third)
    walker.submit_batch(call27, third, D(2026, 6, 16))
    for project in (included, left):
        project.refresh_from_db()
        walker.review(project, D(2026, 6, 17))
    with as_of(D(2026, 9, 1)):
        plan27 = project_services.plan_open(2027, actor=people.bureau_head)
        services.plan_include(plan27, included, actor=people.bureau_reviewer)
    s.update(plan_included=included, plan_candidate=left)
    s.plans[PlanState.COMPILING] = plan27
    s.plans[PlanState.SUBMITTED] = AnnualPlan.objects.create(year=2028, state=PlanState.SUBMITTED)
    s.plans[PlanState.APPROVED] = AnnualPlan.objects.create(year=2029, state=PlanState.APPROVED)

    # ---- call 2028: the department's next consolidated submission, not yet sent
    call28 = CallFactory(year=2028)
    new(call28)
    s["submission"] = CallSubmission.objects.create(call=call28, organisation=owner)
    return s


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker):
    """Built once for the module inside one transaction, rolled back at the end; each test
    runs in a savepoint inside it (pytest-django's ``db``), so what a test does is undone."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = _build_scene()
        yield built
        transaction.set_rollback(True)


def fresh(scene, machine, source, network=EXTRANET):
    """The scene's object in ``source``, read again from the database (tests change it)."""
    if machine == "project":
        return Project.objects.get(pk=scene.projects[(source, network)].pk)
    if machine == "plan":
        return AnnualPlan.objects.get(pk=scene.plans[source].pk)
    return ChangeRequest.objects.get(pk=scene.changes[source].pk)


# =========================================================================== completeness


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_every_step_of_the_machine_is_in_the_table_and_every_entry_is_a_step(machine):
    model, table = MACHINES[machine]
    names = {t.name for t in _transitions(model)}
    assert names - set(table) == set(), "steps nobody has written down who may take (add them to the table)"
    assert set(table) - names == set(), "table entries that are not steps of the machine"


def test_every_opinion_aspect_is_in_the_table():
    assert set(OPINION_RULES) == {str(a) for a in ASPECTS}


def _service_function(case: str):
    import importlib

    name = case.split(":")[0]
    return getattr(importlib.import_module(SERVICE_MODULES.get(name, "lifecycle.services")), name, None)


def test_every_service_in_the_table_exists():
    assert all(callable(_service_function(case)) for case in SERVICE_RULES)
    # Every confirmable kind (documents.registry.CONFIRMS) has its entry.
    from documents.registry import CONFIRMS

    assert {c.split(":")[1] for c in SERVICE_RULES if c.startswith("evidence_confirm:")} == {
        str(k) for k in CONFIRMS
    }


def test_every_entry_cites_an_article_and_only_known_kinds_and_roles():
    known = set(KINDS) - {"other_owner"}
    for table in (PROJECT_RULES, PLAN_RULES, CHANGE_RULES, OPINION_RULES, SERVICE_RULES):
        for name, rule in table.items():
            assert rule.article.startswith("第") and rule.article.endswith("条"), name
            groups = list(rule.who.values()) if isinstance(rule.who, dict) else [rule.who]
            groups += [g for g in (rule.intranet, rule.code_allows) if g is not None]
            for pairs in groups:
                assert pairs and all(k in known and r in ROLES for k, r in pairs), name


# =========================================================================== the transitions


def _assert_as_written(allowed: set, rule: Rule, source, network, what: str):
    expected = persona_keys(rule.expected(source, network))
    in_code = persona_keys(rule.in_code(source, network))
    assert allowed == in_code, (
        f"{what}: allowed {sorted(allowed)}; "
        f"the 办法 ({rule.article}: {rule.reading}) gives {sorted(expected)}"
        + (
            f"; the known difference written in code_allows is {sorted(in_code)}"
            + (
                "; the code now follows the 办法 — remove code_allows from the table"
                if allowed == expected
                else ""
            )
            if in_code != expected
            else ""
        )
        + f"; extra {sorted(allowed - expected)}, missing {sorted(expected - allowed)}"
    )
    if in_code != expected:
        pytest.xfail(
            f"code differs from the 办法 ({rule.article}): also {sorted(in_code - expected)}, "
            f"not {sorted(expected - in_code)} — for the coordinator"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_exactly_the_table_may_take_the_step(scene, case):
    machine, name, source, network = case
    obj = fresh(scene, machine, source, network)
    t, possible = services.transition_of(obj, name)
    assert possible, f"the scene's object is in {obj.state}, not {source}"
    allowed = {key for key, user in scene.people.items() if t.permission.refusal(obj, user) is None}
    _assert_as_written(allowed, rule_for(machine, name), source, network, f"{machine}.{name} from {source}")


def refused_samples(rule: Rule, source=None, network=EXTRANET) -> list[str]:
    """Two personas the table refuses (and the code is not known to allow): someone of an
    organisation that may act but with the wrong role, and the head of another organisation."""
    allowed = persona_keys(rule.expected(source, network)) | persona_keys(rule.in_code(source, network))
    kinds = [k for k, _r in sorted(rule.expected(source, network))]
    samples = []
    for kind in dict.fromkeys(kinds):
        order = ("preparer", "reviewer") if kind == OWNER else ("reviewer", "preparer")
        wrong = next((f"{kind}_{r}" for r in order if f"{kind}_{r}" not in allowed), None)
        if wrong:
            samples.append(wrong)
            break
    samples.append(
        "other_owner_head"
        if OWNER in kinds
        else next(f"{k}_head" for k in (AUDIT, CAC, BUREAU) if f"{k}_head" not in allowed)
    )
    return samples


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_perform_refuses_with_the_article_of_the_table(scene, case):
    machine, name, source, network = case
    rule = rule_for(machine, name)
    before = AuditEntry.objects.of_work().count()
    for persona in refused_samples(rule, source, network):
        obj = fresh(scene, machine, source, network)
        with as_of(D(2026, 6, 1)), pytest.raises(RuleViolation) as exc:
            services.perform(obj, name, actor=scene.people[persona], reason="依据办法有关规定办理。")
        assert exc.value.code == "permission", (persona, exc.value.message)
        assert f"办法{rule.article}" in exc.value.message and "须由" in exc.value.message, exc.value.message
        assert fresh(scene, machine, source, network).state == source
    assert AuditEntry.objects.of_work().count() == before


# =========================================================================== the services


def _service_calls(scene):
    """service name (or opinion aspect) → a function (actor) calling it on the right object."""

    def project(state):
        return fresh(scene, "project", state)

    def opinion(state, aspect):
        return lambda actor: services.opinion_give(
            project(state), actor=actor, aspect=aspect, conclusion="approve", text="经审核，同意。"
        )

    stage_state = {
        "joint_review": S.JOINT_REVIEW,
        "emergency": S.EMERGENCY_REQUESTED,
        "acceptance": S.ACCEPTANCE_REVIEW,
    }
    calls = {
        f"opinion_give:{aspect}": opinion(stage_state[stage], str(aspect))
        for aspect, (_kind, stage) in ASPECTS.items()
    }
    plan = lambda: fresh(scene, "plan", PlanState.COMPILING)  # noqa: E731

    # Set-up done by those the 办法 names, inside the persona's savepoint (undone after it).
    def submitted_with_a_late_draft():
        """The department's 2028 submission sent by its head, and a draft written afterwards."""
        submission = CallSubmission.objects.get(pk=scene.submission.pk)
        project_services.call_submit(
            submission,
            actor=scene.people.owner_head,
            letter="关于报送2028年度建设需求的函",
            responsible_person=scene.people.owner_head,
            splits_confirmed=True,
        )
        complete_application(ProjectFactory(owner=submission.organisation, call=submission.call))
        return CallSubmission.objects.get(pk=submission.pk)

    def filed(state, kind, who, classified=False):
        """The scene's project in ``state`` with ``kind`` uploaded by ``who``, dated and with
        its issuing body (办法第二十九、三十二条), not yet confirmed."""
        if classified:
            Project.objects.filter(pk=scene.projects[(state, EXTRANET)].pk).update(classified=True)
        p = project(state)
        upload = SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
        document_services.material_upload(
            p,
            actor=who,
            kind=kind,
            upload=upload,
            issued_on=D(2027, 6, 15),
            issuing_body=who.organisation.name,
        )
        return project(state)

    calls |= {
        # 办法第二十一条: the 项目责任人 is the department's 主要负责人, named with the letter.
        "call_submit": lambda actor: project_services.call_submit(
            CallSubmission.objects.get(pk=scene.submission.pk),
            actor=actor,
            letter="关于报送2028年度建设需求的函",
            responsible_person=scene.people.owner_head,
        ),
        "call_amend": lambda actor: project_services.call_amend(
            submitted_with_a_late_draft(),
            actor=actor,
            letter="关于补充报送2028年度建设需求的函",
            splits_confirmed=True,
        ),
        "evidence_confirm:secrecy_evaluation": lambda actor: evidence_confirm(
            filed(S.COMPLETED, "secrecy_evaluation", scene.people.secrecy_reviewer, classified=True),
            "secrecy_evaluation",
            actor=actor,
        ),
        "evidence_confirm:acceptance_report": lambda actor: evidence_confirm(
            filed(S.ACCEPTED, "acceptance_report", scene.people.owner_preparer),
            "acceptance_report",
            actor=actor,
        ),
        "record_correct:construction_started_on": lambda actor: record_correct(
            project(S.CONSTRUCTION),
            "construction_started_on",
            project(S.CONSTRUCTION).construction_started_on + datetime.timedelta(days=1),
            actor=actor,
            reason="开工日期录错一天，按开工报告更正。",
        ),
        "record_correct:approved_estimate_yuan": lambda actor: record_correct(
            project(S.CONSTRUCTION),
            "approved_estimate_yuan",
            project(S.CONSTRUCTION).approved_estimate_yuan - Decimal("10000.00"),
            actor=actor,
            reason="概算录错，按初步设计方案批复文件更正。",
        ),
        "call_open": lambda actor: project_services.call_open(2030, actor=actor),
        # 办法第八条: a call open on the day the personas act (16 June 2027).
        "call_extend": lambda actor: call_services.call_extend(
            Call.objects.create(year=2031, opens_on=D(2027, 6, 1), closes_on=D(2027, 6, 30)),
            actor=actor,
            closes_on=D(2027, 7, 15),
            reason="多部门申请延期。",
        ),
        "call_close": lambda actor: call_services.call_close(
            Call.objects.create(year=2031, opens_on=D(2027, 6, 1), closes_on=D(2027, 6, 30)),
            actor=actor,
            reason="需求已征集完毕。",
        ),
        "plan_open": lambda actor: project_services.plan_open(2031, actor=actor),
        "plan_include": lambda actor: services.plan_include(
            plan(), Project.objects.get(pk=scene.plan_candidate.pk), actor=actor
        ),
        "plan_exclude": lambda actor: services.plan_exclude(
            plan(), Project.objects.get(pk=scene.plan_included.pk), actor=actor, reason="调整"
        ),
        "plan_finance_concur": lambda actor: services.plan_finance_concur(plan(), actor=actor),
        "incident_report": lambda actor: services.incident_report(
            project(S.CONSTRUCTION), actor=actor, kind="delay", description="工程严重逾期。"
        ),
        "rectification_report": lambda actor: services.rectification_report(
            project(S.RECTIFICATION), actor=actor, report="已按要求整改。"
        ),
        "performance_report_submit": lambda actor: services.performance_report_submit(
            project(S.CONSTRUCTION),
            actor=actor,
            year=2026,
            progress="按计划推进。",
            investment_executed_yuan=Decimal("100000.00"),
            user_opinions="使用单位满意。",
            supervisor_opinion="监理单位认可。",
        ),
        "contract_record": lambda actor: contract_record(
            project(S.CONSTRUCTION),
            actor=actor,
            kind="construction",
            procurement_method="open_tender",
            supplier="某建设公司",
            number="JS-RULE-1",
            amount_yuan=Decimal("100000.00"),
            signed_on=D(2026, 1, 5),
            ip_clause=True,
        ),
        **_supervision_calls(scene),
        "change_create": lambda actor: services.change_create(
            project(S.CONSTRUCTION),
            actor=actor,
            title="调整",
            reason="优化",
            ground="optimisation",
            items=[{"from_content": "甲", "to_content": "乙", "amount_yuan": Decimal("10000.00")}],
        ),
    }
    return calls


def _supervision_calls(scene):
    """办法第三十四、三十六条: the set-up (a finding, a request, a decision) is made by those the
    办法 names, inside the persona's savepoint."""
    people = scene.people
    department = Project.objects.get(pk=scene.projects[(S.CONSTRUCTION, EXTRANET)].pk).owner
    finder = {"crypto": "crypto", "network_security": "cac", "protection_level": "police"}

    def found(kind):
        return supervision.finding_set(
            actor=people[f"{finder.get(kind, 'cac' if kind == 'security_hazard' else 'bureau')}_reviewer"],
            organisation=department,
            kind=kind,
            system="学籍管理系统",
            reason="检查发现",
            evidence="通报〔2027〕1号",
        )

    def requested():
        return supervision.exception_request(actor=people.owner_head, system="涉密档案系统", grounds="保密法")

    def decided(kind="criticism"):
        return supervision.decision_record(
            actor=people.bureau_head,
            organisation=department,
            kind=kind,
            article="第三十六条",
            document_no="黑营商发〔2027〕9号",
            decided_on=D(2027, 6, 1),
            reason="逾期不整改",
        )

    calls = {}
    for kind in ("data_not_shared", "duplicate_collection", "crypto", "network_security", "protection_level"):
        calls[f"finding_set:{kind}"] = lambda actor, k=kind: supervision.finding_set(
            actor=actor, organisation=department, kind=k, system="系统", reason="检查发现", evidence="通报"
        )
        calls[f"finding_lift:{kind}"] = lambda actor, k=kind: supervision.finding_lift(
            found(k), actor=actor, reason="已整改", evidence="整改报告"
        )
    calls["finding_set:security_hazard"] = lambda actor: supervision.finding_set(
        actor=actor,
        organisation=department,
        kind="security_hazard",
        system="系统",
        reason="隐患",
        evidence="通报",
    )
    # Lifted by the organisation that found it (省委网信办 here; 省公安厅 when it found it).
    calls["finding_lift:security_hazard"] = lambda actor: supervision.finding_lift(
        supervision.finding_set(
            actor=actor
            if actor.org_kind == POLICE and actor.role in ("reviewer", "head")
            else people.cac_reviewer,
            organisation=department,
            kind="security_hazard",
            system="系统",
            reason="隐患",
            evidence="通报",
        ),
        actor=actor,
        reason="已整改",
        evidence="复测报告",
    )
    calls["exception_review"] = lambda actor: supervision.exception_review(
        requested(), actor=actor, favourable=True, note="同意报批"
    )
    calls["exception_decide"] = lambda actor: supervision.exception_decide(
        supervision.exception_review(
            requested(), actor=people.bureau_reviewer, favourable=True, note="同意报批"
        ),
        actor=actor,
        approve=True,
        note="同意",
        document_no="黑政函〔2027〕1号",
    )
    calls["decision_record"] = lambda actor: supervision.decision_record(
        actor=actor,
        organisation=department,
        kind="criticism",
        article="第三十六条",
        document_no="黑营商发〔2027〕9号",
        decided_on=D(2027, 6, 1),
        reason="逾期不整改",
    )
    calls["decision_lift"] = lambda actor: supervision.decision_lift(
        decided("deferral"), actor=actor, reason="已整改"
    )
    return calls


SERVICE_CASES = sorted([f"opinion_give:{a}" for a in OPINION_RULES] + list(SERVICE_RULES))


def _service_rule(case) -> Rule:
    return OPINION_RULES[case.split(":")[1]] if case.startswith("opinion_give:") else SERVICE_RULES[case]


@pytest.mark.django_db
@pytest.mark.parametrize("case", SERVICE_CASES)
def test_exactly_the_table_may_call_the_service(scene, case):
    call = _service_calls(scene)[case]
    allowed = set()
    for key, user in scene.people.items():
        with transaction.atomic():
            try:
                with as_of(D(2027, 6, 16)):
                    call(user)
                allowed.add(key)
            except RuleViolation:
                pass
            transaction.set_rollback(True)
    _assert_as_written(allowed, _service_rule(case), None, EXTRANET, case)
