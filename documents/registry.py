"""Which materials the 办法 asks for, at which step, under which article.

One table (``KINDS``) names every kind of material with the stage that needs it, and one
(``STEPS``) says which kinds each step of the state machine *uses*: a submitting step locks
the latest version of those kinds (it can no longer be deleted), a sign-off step records
which versions it covered. The guards of lifecycle/guards.py ask ``has_material`` for the
kinds the 办法 makes a precondition (第十六、二十三、三十一条).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from lifecycle.events import Action


class MaterialKind(models.TextChoices):
    APPLICATION = "application", _("申报材料")
    CATALOGUE = "catalogue", _("信息资源目录")
    CRYPTO_PLAN = "crypto_plan", _("密码应用方案")
    FSR = "fsr", _("可行性研究报告")
    FSR_APPROVAL = "fsr_approval", _("可行性研究报告批复文件")
    DESIGN = "design", _("初步设计方案")
    SUPERVISION_CONTRACT = "supervision_contract", _("监理合同")
    PERFORMANCE_REPORT = "performance_report", _("绩效评价报告")
    CRYPTO_ASSESSMENT = "crypto_assessment", _("密码应用安全性评估报告")
    PRODUCT_RELIABILITY = "product_reliability", _("软硬件产品安全可靠情况说明")
    SECRECY_EVALUATION = "secrecy_evaluation", _("保密测评审查意见")
    ARCHIVE_OPINION = "archive_opinion", _("档案验收意见")
    ACCEPTANCE_REPORT = "acceptance_report", _("验收报告")
    SELF_EVALUATION = "self_evaluation", _("自评价报告")
    OTHER = "other", _("其他材料")


K = MaterialKind


@dataclass(frozen=True)
class KindInfo:
    stage: str
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
    K.OTHER: KindInfo(_("其他"), ""),
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
    (Action.OPINION_GIVEN, "joint_review"): Step((K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第十条", signoff=True),
    "pass_review": Step((K.APPLICATION, K.CATALOGUE, K.CRYPTO_PLAN), "第十条", signoff=True),
    "submit_fsr": Step((K.FSR, K.CATALOGUE), "第十六条"),
    "approve_fsr": Step((K.FSR, K.CATALOGUE), "第十六条", signoff=True),
    "submit_design": Step((K.DESIGN, K.CATALOGUE, K.FSR_APPROVAL), "第十八条"),
    "resubmit_design": Step((K.DESIGN, K.CATALOGUE, K.FSR_APPROVAL), "第十八条"),
    "approve_design": Step((K.DESIGN, K.CATALOGUE), "第十八条", signoff=True),
    "start_construction": Step((K.SUPERVISION_CONTRACT,), "第二十四条"),
    Action.PERFORMANCE_REPORT_SUBMITTED: Step((K.PERFORMANCE_REPORT,), "第二十五条"),
    "apply_acceptance": Step((K.CRYPTO_ASSESSMENT, K.PRODUCT_RELIABILITY, K.ARCHIVE_OPINION,
                              K.SECRECY_EVALUATION), "第二十九条"),
    (Action.OPINION_GIVEN, "acceptance"): Step((K.CRYPTO_ASSESSMENT, K.PRODUCT_RELIABILITY, K.ARCHIVE_OPINION,
                                                K.SECRECY_EVALUATION), "第二十九条", signoff=True),
    "accept": Step((K.CRYPTO_ASSESSMENT, K.PRODUCT_RELIABILITY, K.ARCHIVE_OPINION, K.SECRECY_EVALUATION),
                   "第二十九条", signoff=True),
    "go_live": Step((K.ACCEPTANCE_REPORT,), "第二十九条"),
    "submit_self_evaluation": Step((K.SELF_EVALUATION,), "第三十三条"),
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


def missing_for(project, action: str) -> list[str]:
    """Labels of the kinds a step uses that have no version yet (for screens and checklists)."""
    step = STEPS.get(action)
    if step is None:
        return []
    return [str(MaterialKind(k).label) for k in step.kinds if not has_material(project, k)]
