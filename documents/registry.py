"""Which materials the 办法 asks for, at which step, under which article.

One table (``KINDS``) names every kind of material with the stage that needs it, and one
(``STEPS``) says which kinds each step of the state machine *uses*: a submitting step locks
the latest version of those kinds (it can no longer be deleted), a sign-off step records
which versions it covered. The guards of lifecycle/guards.py ask ``has_material`` for the
kinds the 办法 makes a precondition (第十六、二十三、三十一条).

A third table (``UPLOADS``) says who may upload each kind and in which states of the
project, from the article that asks for it; ``CONFIRMS`` names the evidence an agency
confirms as its own step where the 办法 gives it that role (documents/evidence.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from core.states import ProjectState as S
from core.vocabulary import MaterialKind
from lifecycle.events import Action
from lifecycle.rules import OWNER, REVIEWERS, STAFF

K = MaterialKind


@dataclass(frozen=True)
class KindInfo:
    stage: StrOrPromise
    article: str


#: The stage each material belongs to and the article asking for it.
KINDS: dict[str, KindInfo] = {
    K.APPLICATION: KindInfo(_("申报"), "第九条"),
    K.CATALOGUE: KindInfo(_("申报、项目审批"), "第十六条"),
    K.CRYPTO_PLAN: KindInfo(_("申报"), "第九条"),
    K.FSR: KindInfo(_("项目审批"), "第十五条"),
    K.FSR_APPROVAL: KindInfo(_("项目审批"), "第十八条"),
    K.DESIGN: KindInfo(_("项目审批"), "第十八条"),
    K.SUPERVISION_CONTRACT: KindInfo(_("建设"), "第二十四条"),
    K.PERFORMANCE_REPORT: KindInfo(_("建设"), "第二十五条"),
    K.CRYPTO_ASSESSMENT: KindInfo(_("验收"), "第二十三条"),
    K.PRODUCT_RELIABILITY: KindInfo(_("验收"), "第二十三条"),
    K.SECRECY_EVALUATION: KindInfo(_("验收"), "第三十二条"),
    K.ARCHIVE_OPINION: KindInfo(_("验收"), "第三十一条"),
    K.ACCEPTANCE_REPORT: KindInfo(_("验收"), "第二十九条"),
    K.SELF_EVALUATION: KindInfo(_("运行与评价"), "第三十三条"),
    K.POST_EVALUATION: KindInfo(_("运行与评价"), "第三十三条"),
    K.OTHER: KindInfo(_("其他"), ""),
}


@dataclass(frozen=True)
class Uploads:
    """Who may upload a kind: the organisation (``OWNER`` = this project's own owner, or an
    agency kind), its roles, the states of the project in which it is uploaded, and the
    article. ``dated``: the upload records the date and issuing body of the document (it is
    evidence behind a precondition, 办法第十八、二十三、二十九、三十一、三十二条).
    ``classified_only``: only for projects involving state secrets (第三十二条)."""

    org: str
    roles: frozenset
    states: frozenset
    article: str
    dated: bool = False
    classified_only: bool = False
    #: Only the organisation named on the project by this field (办法第三十三条: the
    #: third-party organisation the bureau commissioned, ``post_evaluator``).
    commissioned: str = ""


#: Stages named once, from the chapters of the 办法.
_APPLYING = frozenset({S.DRAFT, S.CORRECTING})  # 第九、十条 申报、陈述和补正
_FSR = frozenset({S.IN_PLAN})  # 第十五条 before 报送可研
_DESIGN = frozenset({S.FSR_APPROVED, S.DESIGN_CORRECTING})  # 第十八条 报送/补正初步设计
_CONSTRUCTION = frozenset({S.CONSTRUCTION, S.RECTIFICATION, S.SUSPENDED})
_BEFORE_ACCEPTANCE = frozenset({S.COMPLETED, S.EXTENSION_REQUESTED, S.ACCEPTANCE_REVIEW})
_ENDED = frozenset({S.REVIEW_REJECTED, S.NOT_INCLUDED, S.TERMINATED, S.CLOSED, S.WITHDRAWN})

#: Who uploads each kind, when (办法 articles in the comments). Nobody else may: an agency's
#: own word is its opinion, approval or confirmation, never a new version of the
#: department's document (issue 7: "materials replaced by outsiders").
UPLOADS: dict[str, Uploads] = {
    # 第九条 the application; 第十条 陈述和补正 during joint review.
    K.APPLICATION: Uploads(OWNER, STAFF, _APPLYING, "第九、十条"),
    K.CRYPTO_PLAN: Uploads(OWNER, STAFF, _APPLYING, "第九、十条"),
    # 第九条 数据资源目录 in the application; 第十六条 the catalogue is a precondition of the
    # FSR and design approvals, so it is brought up to date with each of them.
    K.CATALOGUE: Uploads(OWNER, STAFF, _APPLYING | _FSR | _DESIGN, "第九、十六条"),
    # 第十五条 the owner submits the FSR (again, after a return or a 重大变更, 第十八条).
    K.FSR: Uploads(OWNER, STAFF, _FSR, "第十五条"),
    # 第十八条 项目建设单位连同项目批复文件、项目初步设计方案等相关材料一并报省营商环境局.
    # The FSR approval is 省发改委's document; the owner files it, with its date and issuer.
    K.FSR_APPROVAL: Uploads(OWNER, STAFF, _DESIGN, "第十八条", dated=True),
    K.DESIGN: Uploads(OWNER, STAFF, _DESIGN, "第十八条"),
    # 第二十四条 监理 is contracted before construction starts (and replaced during it).
    K.SUPERVISION_CONTRACT: Uploads(
        OWNER, STAFF, frozenset({S.RATIFIED, S.CONSTRUCTION, S.RECTIFICATION}), "第二十四条"
    ),
    # 第二十五条 yearly, within the construction period (the last one at completion).
    K.PERFORMANCE_REPORT: Uploads(OWNER, STAFF, _CONSTRUCTION | {S.COMPLETED}, "第二十五条"),
    # 第二十三条 项目验收时需提供密码应用安全性评估报告 (issued by the assessment body).
    K.CRYPTO_ASSESSMENT: Uploads(OWNER, STAFF, _BEFORE_ACCEPTANCE, "第二十三条", dated=True),
    # 第九条 in the application, 第二十三条 在报批阶段要对产品安全可靠情况进行说明 and again at acceptance.
    K.PRODUCT_RELIABILITY: Uploads(
        OWNER, STAFF, _APPLYING | _FSR | _DESIGN | _BEFORE_ACCEPTANCE, "第九、二十三条"
    ),
    # 第三十二条 测评审查 is organised by the 保密行政管理部门, whose opinion it is; before use.
    K.SECRECY_EVALUATION: Uploads(
        "secrecy",
        REVIEWERS,
        _BEFORE_ACCEPTANCE | {S.ACCEPTED},
        "第三十二条",
        dated=True,
        classified_only=True,
    ),
    # 第三十一条 the 档案验收意见 of the archives authority, filed by the owner before acceptance.
    K.ARCHIVE_OPINION: Uploads(OWNER, STAFF, _BEFORE_ACCEPTANCE, "第三十一条", dated=True),
    # 第二十九条 验收完成后，项目建设单位应当将验收报告等材料报省营商环境局备案.
    K.ACCEPTANCE_REPORT: Uploads(OWNER, STAFF, frozenset({S.ACCEPTED}), "第二十九条", dated=True),
    # 第三十三条 自评价 6 to 12 months after go-live.
    K.SELF_EVALUATION: Uploads(OWNER, STAFF, frozenset({S.OPERATION}), "第三十三条"),
    # 第三十三条 省营商环境局…可以委托相应的第三方咨询机构开展后评价: that organisation's report.
    K.POST_EVALUATION: Uploads(
        "expert", REVIEWERS, frozenset({S.POST_EVALUATION}), "第三十三条", commissioned="post_evaluator"
    ),
    # Anything else the department adds to its own file while the project is alive. No step
    # uses, locks or signs off "other" materials, so they can stand in for no precondition.
    K.OTHER: Uploads(OWNER, STAFF, frozenset(S.values) - _ENDED, "第三十五条"),
}


@dataclass(frozen=True)
class Confirms:
    """An agency confirms a piece of evidence as its own audited step (documents.evidence)."""

    org: str
    roles: frozenset
    states: frozenset
    label: StrOrPromise
    article: str


CONFIRMS: dict[str, Confirms] = {
    # 第三十二条 应通过省级保密行政管理部门组织的测评审查合格后，方可投入使用.
    K.SECRECY_EVALUATION: Confirms(
        "secrecy", REVIEWERS, _BEFORE_ACCEPTANCE | {S.ACCEPTED}, _("确认保密测评审查合格"), "第三十二条"
    ),
    # 第二十九条 验收报告等材料报省营商环境局备案: the bureau confirms it received the filing.
    K.ACCEPTANCE_REPORT: Confirms(
        "bureau", REVIEWERS, frozenset({S.ACCEPTED}), _("确认验收报告已备案"), "第二十九条"
    ),
}

#: Project date fields that are no longer typed but derived from the evidence
#: (documents.evidence.derive_dates): the document's date, or the confirmation's.
DERIVED_DATES: dict[str, str] = {
    K.ARCHIVE_OPINION: "archive_accepted_on",
    K.CRYPTO_ASSESSMENT: "crypto_assessment_on",
    K.SECRECY_EVALUATION: "secrecy_evaluated_on",
    K.ACCEPTANCE_REPORT: "acceptance_report_filed_on",
}


@dataclass(frozen=True)
class Step:
    """What a step of the lifecycle does with materials.

    ``kinds``: the materials the step is about. ``signoff``: the step is an approval or an
    opinion, which records the versions it covered. Every step listed locks the latest
    version of each of its kinds: once a version went out with a step, it stays as it was.
    """

    kinds: tuple[str, ...]
    article: str
    signoff: bool = False


#: Keyed by the ``action`` of lifecycle.events.step_taken for a project: a transition's name,
#: or an ``Action`` constant of a named service — opinions per stage as
#: ``(Action.OPINION_GIVEN, stage)``. Never by labels or audit rows: rewording a step keeps
#: its materials locked (tests/lifecycle/test_write_path.py checks every key exists).
STEPS: dict[str | tuple[str, str], Step] = {
    "submit": Step((K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第九条"),
    "submit_correction": Step((K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第十条"),
    "request_emergency": Step((K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第十二条"),
    (Action.OPINION_GIVEN, "joint_review"): Step(
        (K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第十条", signoff=True
    ),
    "pass_review": Step((K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第十条", signoff=True),
    "submit_fsr": Step((K.FSR, K.CATALOGUE), "第十六条"),
    "approve_fsr": Step((K.FSR, K.CATALOGUE), "第十六条", signoff=True),
    "submit_design": Step((K.DESIGN, K.CATALOGUE, K.FSR_APPROVAL), "第十八条"),
    "resubmit_design": Step((K.DESIGN, K.CATALOGUE, K.FSR_APPROVAL), "第十八条"),
    "approve_design": Step((K.DESIGN, K.CATALOGUE), "第十八条", signoff=True),
    "start_construction": Step((K.SUPERVISION_CONTRACT,), "第二十四条"),
    Action.PERFORMANCE_REPORT_SUBMITTED: Step((K.PERFORMANCE_REPORT,), "第二十五条"),
    "apply_acceptance": Step(
        (K.CRYPTO_ASSESSMENT, K.PRODUCT_RELIABILITY, K.ARCHIVE_OPINION, K.SECRECY_EVALUATION), "第二十九条"
    ),
    (Action.OPINION_GIVEN, "acceptance"): Step(
        (K.CRYPTO_ASSESSMENT, K.PRODUCT_RELIABILITY, K.ARCHIVE_OPINION, K.SECRECY_EVALUATION),
        "第二十九条",
        signoff=True,
    ),
    "accept": Step(
        (K.CRYPTO_ASSESSMENT, K.PRODUCT_RELIABILITY, K.ARCHIVE_OPINION, K.SECRECY_EVALUATION),
        "第二十九条",
        signoff=True,
    ),
    "go_live": Step((K.ACCEPTANCE_REPORT,), "第二十九条"),
    "submit_self_evaluation": Step((K.SELF_EVALUATION,), "第三十三条"),
    "finish_post_evaluation": Step((K.POST_EVALUATION,), "第三十三条"),
}


def step_for(action: str, data: dict | None = None) -> Step | None:
    """The Step of a step_taken event (``data`` carries an opinion's ``stage``)."""
    if action == Action.OPINION_GIVEN:
        return STEPS.get((action, (data or {}).get("stage")))
    return STEPS.get(action)


def has_material(project, kind: str) -> bool:
    """True when at least one version of ``kind`` was uploaded for ``project``."""
    if project.pk is None:
        return False
    return project.material_versions.filter(kind=kind).exists()
