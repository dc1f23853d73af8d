"""Guards of the 建设性质 (issue 15), re-exported by lifecycle/guards.py.

Which nature follows which path is a policy setting (lifecycle/policy.py, with the reasoning
beside it): 运维 and 购买服务 go through the call, the joint review and the annual plan like every
item (办法第七至十一条), then take the short execution path — 开始执行 (procurement and the
contract, 第二十一条), the yearly 绩效评价报告 (第二十五条), 服务期满 — instead of 可研, 初步设计,
审定 (第十五至十九条), 监理 (第二十四条) and 竣工验收 (第二十九条). Each guard below refuses a step
of the other path with the article, so the project page offers only its own path
(lifecycle.services.available leaves out a step whose path guard fails: ``PATH_GUARDS``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _l

from core import timeutil
from core.nature import ProjectNature
from core.vocabulary import MergedGround

from .models import Contract
from .policy import get_policy
from .rules import guard


def nature_text(project) -> str:
    try:
        return str(ProjectNature(project.nature).label)
    except ValueError:
        return str(project.nature)


def on_service_path(project) -> bool:
    """运维 and 购买服务 (Policy.service_path_natures) take the short execution path."""
    return project.nature in get_policy().service_path_natures


# ---------------------------------------------------------------- the two paths


@guard(
    lambda p: (
        _l(
            "建设性质为“%(nature)s”的项目不编报可行性研究报告和初步设计方案、不报省政府审定、不委托监理：列入年度建设计划后"
            "由建设单位办理“开始执行（组织采购、签订合同）”"
        )
        % {"nature": nature_text(p)}
    ),
    article="第十五条",
)
def approval_path_nature(project) -> bool:
    """办法第十五条: 可研 → 初步设计 → 审定 is the approval of construction (新建, 续建, 扩建·升级改造);
    运维 and 购买服务 do not take it (Policy.service_path_natures)."""
    return not on_service_path(project)


@guard(
    lambda p: (
        _l("建设性质为“%(nature)s”的项目不组织竣工验收：服务期满后办理“服务期满，结束执行”")
        % {"nature": nature_text(p)}
    ),
    article="第二十九条",
)
def acceptance_path_nature(project) -> bool:
    """办法第二十九条: 竣工验收 follows a project 建成; a contract for O&M or a service ends instead."""
    return not on_service_path(project)


@guard(
    lambda p: (
        _l(
            "建设性质为“%(nature)s”的项目须经可行性研究报告、初步设计方案批复和省政府审定后开工建设，"
            "运维、购买服务以外的项目不能按合同执行程序办理"
        )
        % {"nature": nature_text(p)}
    ),
    article="第十五条",
)
def service_path_nature(project) -> bool:
    """办法第十五、十九条: only 运维 and 购买服务 start without the approval chain."""
    return on_service_path(project)


@guard(_l("须先登记运维或服务合同（在“登记建设和监理合同”页面，合同类别选“建设合同”）"), article="第二十一条")
def service_contract_recorded(project) -> bool:
    """办法第二十一条 (合同管理): the O&M or service contract is recorded before the contract
    period is declared over (lifecycle.contracts.contract_record)."""
    return project.contracts.filter(kind=Contract.Kind.CONSTRUCTION).exists()


def unreported_years(project) -> list[int]:
    """办法第二十五条: the years from the start of execution to this year without a report."""
    start = project.construction_started_on
    if start is None:
        return []
    reported = set(project.performance_reports.values_list("year", flat=True))
    return [y for y in range(start.year, timeutil.today().year + 1) if y not in reported]


@guard(
    lambda p: (
        _l("执行期间每年度须报送绩效评价报告，尚缺%(years)s年度")
        % {"years": "、".join(str(y) for y in unreported_years(p))}
    ),
    article="第二十五条",
)
def yearly_reports_submitted(project) -> bool:
    return not unreported_years(project)


# ---------------------------------------------------------------- 第十七条（一）


@guard(
    lambda p: (
        _l("合并情形（一）仅适用于部分扩建、改建（升级改造）的项目，本项目建设性质为“%(nature)s”")
        % {"nature": nature_text(p)}
    ),
    article="第十七条",
)
def merged_ground_fits_nature(project) -> bool:
    """办法第十七条（一）: ground (一) is open only to Policy.merged_extension_natures."""
    if not (project.merged_fsr_design and project.merged_ground == MergedGround.EXTENSION):
        return True
    return project.nature in get_policy().merged_extension_natures


# ---------------------------------------------------------------- 第三十四、三十八条


def missing_links(project) -> list[str]:
    policy, missing = get_policy(), []
    if project.nature in policy.predecessor_required_natures and not project.predecessor_id:
        missing.append(str(_l("续建项目须选择前期项目（办法第三十八条）")))
    if project.nature in policy.system_required_natures and not (project.system_name or "").strip():
        missing.append(
            str(_l("“%(nature)s”项目须填写所涉及的已建政务信息系统（办法第三十四条）"))
            % {"nature": nature_text(project)}
        )
    return missing


@guard(lambda p: "；".join(missing_links(p)), article="第三十四条、第三十八条")
def nature_links_given(project) -> bool:
    """办法第三十八条: a 续建 names the project it continues; 第三十四条: an upgrade and an O&M
    request name the existing system (Policy.predecessor_required_natures, system_required_natures)."""
    return not missing_links(project)


def system_findings(project) -> list:
    """办法第三十四条: the open findings (not excused by an approved 孤网 exception) against
    the system an upgrade or O&M request is about — recorded by name (ComplianceFinding.system)
    or against the project that built it (``predecessor``)."""
    if project.nature not in get_policy().system_required_natures or not project.owner_id:
        return []
    name = (project.system_name or "").strip()
    found = []
    for finding in project.owner.compliance_findings.blocking().order_by("set_at", "pk"):
        if (name and finding.system.strip() == name) or (
            project.predecessor_id and finding.project_id == project.predecessor_id
        ):
            found.append(finding)
    return found


def _system_refusal(project) -> str:
    findings = "；".join(f"{f.system}：{f.get_kind_display()}" for f in system_findings(project))
    if project.nature in get_policy().om_funding_natures:
        return str(
            _l("所涉系统存在未解除的情形（%(findings)s），不得申报运行维护经费") % {"findings": findings}
        )
    return str(_l("所涉系统存在未解除的情形（%(findings)s），不得改建、扩建") % {"findings": findings})


@guard(_system_refusal, article="第三十四条")
def system_compliant(project) -> bool:
    """办法第三十四条（一）（二）: a system that does not share data, collects it twice or fails
    密码 / 网络安全 / 等级保护 requirements gets no 运行维护经费 and is not rebuilt or extended."""
    return not system_findings(project)


#: The guards that decide which path a step belongs to: a step one of them refuses is not
#: offered at all (lifecycle.services.available), and refused with its article if asked.
PATH_GUARDS = frozenset({"approval_path_nature", "acceptance_path_nature", "service_path_nature"})
