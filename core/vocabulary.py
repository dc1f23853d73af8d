"""The shared vocabulary: who acts (organisation kinds and roles) and the kinds a project
record names. Every app compares against these enums, never against bare strings.

This module imports nothing of the project (the bottom layer, docs/architecture.md).
"""

from enum import property as enum_property

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import jurisdiction


class OrgKind(models.TextChoices):
    """The kinds of organisation that act on a project (办法第四、五条)."""

    OWNER = "owner", _("项目建设单位")
    BUREAU = "bureau", _("省营商环境局")
    CAC = "cac", _("省委网信办")
    CRYPTO = "crypto", _("省国家密码管理局")
    DRC = "drc", _("省发改委")
    FINANCE = "finance", _("省财政厅")
    POLICE = "police", _("省公安厅")
    INTRANET = "intranet", _("省内网办")
    SECRECY = "secrecy", _("省委保密办")
    AUDIT = "audit", _("省审计厅")
    GOVERNMENT = "government", _("省政府")
    EXPERT = "expert", _("第三方咨询评估机构")

    # 办法第四十条: a city names its agencies its own way ("市营商环境局"); the label is looked
    # up in the jurisdiction of the policy in force each time it is shown.
    @enum_property
    def label(self):
        return jurisdiction.org_label(self.value, self._label_)


#: The provincial agencies (办法第四、五条): 省营商环境局 and the departments that review,
#: approve, supervise, audit or decide — neither a project's own department (owner) nor a
#: consulting body engaged for an evaluation (expert).
AGENCY_KINDS = frozenset(OrgKind) - {OrgKind.OWNER, OrgKind.EXPERT}


class Role(models.TextChoices):
    PREPARER = "preparer", _("经办人")
    HEAD = "head", _("负责人")
    REVIEWER = "reviewer", _("审核人")
    ADMIN = "admin", _("管理员")


class Network(models.TextChoices):
    EXTRANET = "extranet", _("电子政务外网")
    INTRANET = "intranet", _("电子政务内网")


class DesignEvaluation(models.TextChoices):
    """办法第十八条: how the preliminary design was evaluated before its approval."""

    EXPERTS = "experts", _("组织相关部门、专家评估论证")
    THIRD_PARTY = "third_party", _("委托具备资质的第三方咨询评估机构评估论证")


class MergedGround(models.TextChoices):
    """办法第十七条: the three grounds for merging FSR and preliminary design."""

    EXTENSION = "extension", _("（一）部分扩建、改建（升级改造）项目")
    EMERGENCY = "emergency", _("（二）突发事件需要紧急建设的项目")
    SIMPLE = "simple", _("（三）建设内容单一、投资规模小、技术方案简单或单纯设备购置的项目")


class EvaluationGrade(models.TextChoices):
    """办法第三十三条: the overall result of a self-evaluation or a post-evaluation, in the four
    grades of the national 政务信息化建设管理绩效评价 (优、良、中、差)."""

    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    FAIR = "fair", _("中")
    POOR = "poor", _("差")


class MaterialKind(models.TextChoices):
    """The materials a project keeps (办法第九、十五、十六、十八、二十三、二十九至三十三条)."""

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
    POST_EVALUATION = "post_evaluation", _("后评价报告")
    OTHER = "other", _("其他材料")
