"""The data each filing is rendered from, frozen as JSON at generation time.

A snapshot holds every word and figure the PDF shows (already formatted), so the filing can
be rendered again from the stored snapshot alone — years later, after the project moved on —
and compared with the stored file (filings.filing_verify).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _

from core import jurisdiction, timeutil
from core.formatting import amount_text, date_text, pct_text, wan_text
from core.states import ChangeState
from core.validation import is_money_field, wan_label
from lifecycle import contracts
from lifecycle.errors import RuleViolation
from lifecycle.guards import _latest_opinions
from lifecycle.models import (
    JOINT_REVIEW_ASPECTS,
    Aspect,
    ChangeGround,
    ChangeRequest,
    Conclusion,
    Rectification,
)
from lifecycle.policy import get_policy
from lifecycle.services import change_ratio
from projects.models import DesignEvaluation, FundingSource, Organisation, OrgKind
from projects.plan import PlanExporter

from .registry import MaterialKind
from .services import latest_versions


def _names(**values) -> dict:
    """What the fixed wording of a letter names, from the jurisdiction of the policy in force
    (办法第四十条): the citation of the 办法 and the agencies' generic names, with ``values``."""
    return {
        "basis": jurisdiction.current().basis,
        "bureau": OrgKind.BUREAU.label,
        "cac": OrgKind.CAC.label,
        "crypto": OrgKind.CRYPTO.label,
        "drc": OrgKind.DRC.label,
        "government": OrgKind.GOVERNMENT.label,
        **values,
    }


def _org_name(kind) -> str:
    org = Organisation.objects.filter(kind=kind).first()
    return org.name if org else str(OrgKind(kind).label)


def _covered(project, kinds) -> str:
    parts = [
        f"{v.get_kind_display()}第{v.number}版（SM3 {v.sm3[:16]}…）" for v in latest_versions(project, kinds)
    ]
    return "；".join(parts)


class Facts:
    """What a filing states, taken from what its step recorded.

    An issued filing states only recorded facts: a figure or fact that is missing is
    collected in ``missing`` (the issue is then refused, naming it) instead of printing a
    blank. A sample (``preview``) shows 〔待定：…〕 in its place.
    """

    def __init__(self, *, preview: bool):
        self.preview = preview
        self.missing: list[str] = []

    def _gap(self, label) -> str:
        self.missing.append(str(label))
        return f"〔待定：{label}〕"

    def money(self, yuan, label) -> str:
        if yuan in (None, ""):
            return self._gap(label)
        return wan_text(yuan)

    def text(self, value, label) -> str:
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            return self._gap(label)
        return str(value)

    def date(self, value, label) -> str:
        return date_text(value) if value else self._gap(label)


def _recorded(entry, name, default=None):
    """A datum the step recorded (its audit row), else ``default``."""
    data = (entry.data or {}) if entry is not None else {}
    value = data.get(name)
    return default if value in (None, "") else value


def _letter(*, issuer, title, recipient, body, copies=(), attachments=()) -> dict:
    # 发文机关标志: as large as 30 pt allows while "…文件" stays on one line of the 156 mm 版心.
    masthead_pt = min(30, int(440 / (len(issuer.name) + 2.4)))
    return {
        "template": "documents/letter.html",
        "issuer_name": issuer.name,
        "masthead_pt": masthead_pt,
        "issuer_code": issuer.code,
        "title": title,
        "recipient": recipient,
        "body": body,
        "copies": list(copies),
        "attachments": list(attachments),
        "date_text": date_text(timeutil.today()),
        "document_no": "",
    }


def _p(text, kind="p"):
    return {"type": kind, "text": text}


def _material(project, kind):
    found = latest_versions(project, (kind,))
    return found[0] if found else None


# ---------------------------------------------------------------- letters


def joint_review_opinion(project, *, issuer, entry=None, facts: Facts, **kw) -> dict:
    """办法第十条: the three opinions of the joint review and the head's decision.

    The three opinions are those of 第十条 (集约化建设和数据共享 by the bureau, 网络安全 by
    网信办, 密码应用 by 密码管理局). An expert evaluation (第十条, 可组织) is mentioned only
    when it took place, separately, never as one of the three."""

    opinions = _latest_opinions(project, "joint_review")
    body = [
        _p(
            _(
                "你单位报送的《%(name)s》申报材料收悉。根据%(basis)s第十条规定，%(bureau)s会同%(cac)s、"
                "%(crypto)s对项目申报材料进行了联合审核。项目申报总投资%(total)s万元。现将三方面审核意见函告如下："
            )
            % _names(name=project.name, total=facts.money(project.total_investment_yuan, _("申报总投资")))
        )
    ]
    numerals = "一二三四五六"
    headings = {
        Aspect.INTENSIVE: _("集约化建设和数据共享审核意见"),
        Aspect.SECURITY: _("网络安全审核意见"),
        Aspect.CRYPTO: _("密码应用审核意见"),
    }
    i = 0
    for aspect in JOINT_REVIEW_ASPECTS:
        o = opinions.get(aspect)
        body.append(_p(f"{numerals[i]}、{headings[aspect]}", "h1"))
        if o is None:
            body.append(_p(facts.text(None, headings[aspect])))
        else:
            body.append(_p(f"{o.organisation.name}：{Conclusion(o.conclusion).label}。{o.text}"))
        i += 1
    expert = opinions.get(Aspect.EXPERT)
    if expert is not None:
        body.append(_p(f"{numerals[i]}、{_('专家评估论证情况')}", "h1"))
        body.append(
            _p(
                _(
                    "项目投资规模大或数据资源重要，%(bureau)s依照办法第十条组织有关专家进行了评估论证，"
                    "专家评估论证意见（%(c)s）：%(text)s 该意见供联合审核参考，不属于上述三方面审核意见。"
                )
                % _names(c=Conclusion(expert.conclusion).label, text=expert.text)
            )
        )
        i += 1
    body.append(_p(f"{numerals[i]}、审核结论", "h1"))
    action = entry.action if entry is not None else None
    if action == "pass_review":
        body.append(_p(_("经联合审核，该项目通过联合审核，可列入年度建设计划编制范围。")))
    elif action == "reject_review":
        body.append(
            _p(
                _("经联合审核，该项目未通过联合审核。理由：%(reason)s")
                % {"reason": facts.text(entry.reason, _("不通过的理由"))}
            )
        )
    else:
        body.append(_p(facts.text(None, _("联合审核结论（由%(bureau)s负责人决定）") % _names())))
    covered = _covered(project, ("application", "catalogue", "crypto_plan"))
    if covered:
        body.append(_p(_("本意见依据的申报材料版本：%s。") % covered))
    return _letter(
        issuer=issuer,
        title=_("关于%(name)s联合审核意见书") % {"name": project.name},
        recipient=project.owner.name,
        body=body,
    )


def design_approval(project, *, issuer, entry=None, facts: Facts, **kw) -> dict:
    """办法第十八条: the approval of the preliminary design (and its 概算), from what the step
    ``approve_design`` recorded: 批复文号, 概算 and how the design was evaluated."""
    funding = "、".join(
        f"{FundingSource(f.source).label}{wan_text(f.amount_yuan)}万元" for f in project.funding_lines.all()
    )
    evaluation = _recorded(
        entry, "design_evaluation", project.design_evaluation if entry is not None else None
    )
    how = {
        DesignEvaluation.EXPERTS: _("经组织相关部门、专家对初步设计方案进行评估论证"),
        DesignEvaluation.THIRD_PARTY: _("经委托具备资质的第三方咨询评估机构对初步设计方案进行评估论证"),
    }.get(evaluation)
    estimate = _recorded(
        entry, "approved_estimate_yuan", project.approved_estimate_yuan if entry is not None else None
    )
    chapter = (
        _("初步设计方案包括信息资源共享分析篇（章），符合办法第十六条要求。")
        if project.design_sharing_chapter
        else ""
    )
    deviation = (
        _("初步设计方案对超出可行性研究报告批复的内容以独立章节作了说明（办法第十八条）。")
        if project.design_deviates and project.deviation_explanation.strip()
        else ""
    )
    body = [
        _p(
            _(
                "你单位报送的《%(name)s初步设计方案》及有关材料收悉。根据%(basis)s第十八条规定，%(how)s，"
                "现批复如下："
            )
            % _names(name=project.name, how=facts.text(how, _("评估论证方式")))
        ),
        _p(_("一、原则同意所报初步设计方案"), "h1"),
        _p(
            _("该项目可行性研究报告已经%(drc)s批复（%(no)s）。%(chapter)s%(deviation)s")
            % _names(
                no=facts.text(project.fsr_approval_no, _("可行性研究报告批复文号")),
                chapter=chapter,
                deviation=deviation,
            )
        ),
        _p(_("二、建设内容和规模"), "h1"),
        _p(facts.text(project.content_and_scale, _("建设内容和规模"))),
        _p(_("三、投资概算和资金来源"), "h1"),
        _p(
            _("核定项目概算总投资%(est)s万元，资金来源为%(funding)s。")
            % {"est": facts.money(estimate, _("概算总投资")), "funding": facts.text(funding, _("资金来源"))}
        ),
        _p(_("四、有关要求"), "h1"),
        _p(_("（一）严格按批复实施"), "h2"),
        _p(
            _(
                "项目建设单位应当严格按照批复的建设内容、规模、标准和投资概算实施，不得擅自调整（办法第二十条）。"
            )
        ),
        _p(_("（二）落实工程监理和安全保障"), "h2"),
        _p(_("1.依法委托工程监理单位（办法第二十四条）。"), "h3"),
        _p(
            _(
                "2.同步规划、同步建设、同步运行密码保障系统，验收时提交密码应用安全性评估报告（办法第二十三条）。"
            ),
            "h3",
        ),
        _p(_("（三）按时报送绩效评价报告"), "h2"),
        _p(_("建设期内每年度结束前报送项目绩效评价报告（办法第二十五条）。")),
    ]
    letter = _letter(
        issuer=issuer,
        title=_("关于%(name)s初步设计方案的批复") % {"name": project.name},
        recipient=project.owner.name,
        body=body,
        copies=[_org_name("finance"), _org_name("drc")],
    )
    if entry is not None:
        # The letter carries the 批复文号 the head recorded with the decision.
        letter["recorded_no"] = facts.text(
            _recorded(entry, "design_approval_no", project.design_approval_no), _("初步设计批复文号")
        )
    return letter


def design_refusal(project, *, issuer, entry=None, facts: Facts, **kw) -> dict:
    """办法第十八条: the design reviewer's refusal (refuse_design), with the reason its head
    recorded. It approves nothing: no 概算, no requirements of an approved project."""
    reason = entry.reason if entry is not None else None
    body = [
        _p(
            _(
                "你单位报送的《%(name)s初步设计方案》及有关材料收悉。根据%(basis)s第十八条规定，经评估论证，现函复如下："
            )
            % _names(name=project.name)
        ),
        _p(_("一、审查结论"), "h1"),
        _p(_("该项目初步设计方案不予批复。")),
        _p(_("二、理由"), "h1"),
        _p(facts.text(reason, _("不予批复的理由"))),
        _p(_("三、有关事项"), "h1"),
        _p(
            _(
                "该项目不再列入本年度建设计划执行；确需建设的，可在以后年度的政务信息化建设需求征集中重新申报"
                "（办法第八条、第十二条）。"
            )
        ),
    ]
    return _letter(
        issuer=issuer,
        title=_("关于%(name)s初步设计方案不予批复的函") % {"name": project.name},
        recipient=project.owner.name,
        body=body,
        copies=[_org_name("finance"), _org_name("drc")],
    )


def change_receipt(project, *, issuer, obj: ChangeRequest, facts: Facts, **kw) -> dict:
    """办法第二十八条: receipt of a change filed with the bureau (备案)."""
    estimate = obj.baseline_yuan or project.approved_estimate_yuan
    rows = [[i.from_content, i.to_content, wan_text(i.amount_yuan)] for i in obj.items.all()]
    body = [
        _p(
            _(
                "你单位报送的《%(name)s》项目变更备案材料（%(title)s）收悉。根据%(basis)s第二十八条规定，予以备案。"
                "有关情况如下："
            )
            % _names(name=project.name, title=obj.title)
        ),
        _p(_("一、调整内容及金额"), "h1"),
        {
            "type": "table",
            "header": [_("调出内容"), _("调入内容"), _("调整金额（万元）")],
            "rows": rows,
            "numeric": [2],
        },
        _p(_("二、调整比例"), "h1"),
        _p(
            _(
                "本次调整金额%(moved)s万元，概算总投资%(est)s万元，累计调整比例%(ratio)s，未超过概算总投资的%(limit)s；"
                "调整后项目总投资%(new)s万元，未超出概算批复，建设目标不变。"
            )
            % {
                "moved": facts.money(obj.moved_yuan, _("调整金额")),
                "est": facts.money(estimate, _("概算总投资")),
                "ratio": facts.text(pct_text(obj.ratio), _("累计调整比例")),
                "new": facts.money(obj.new_total_yuan, _("调整后项目总投资")),
                "limit": get_policy().change_filing_max_percent,
            }
        ),
        _p(_("三、符合情形"), "h1"),
        _p(facts.text(str(ChangeGround(obj.ground).label) if obj.ground else "", _("符合情形"))),
        _p(_("请按调整后的内容组织实施，并在年度绩效评价报告中说明调整执行情况。")),
    ]
    return _letter(
        issuer=issuer,
        title=_("关于%(name)s项目变更备案的回执") % {"name": project.name},
        recipient=project.owner.name,
        body=body,
    )


def change_approval(project, *, issuer, obj: ChangeRequest, facts: Facts, **kw) -> dict:
    """办法第二十八条: the decision on a change that needed formal approval (批准 or 不予批准),
    in the name of the body the policy names for its kind; an approved change is the new
    baseline of later changes."""
    approved = obj.state == "approved"
    rows = [[i.from_content, i.to_content, wan_text(i.amount_yuan)] for i in obj.items.all()]
    reasons = "；".join(obj.route_reasons) or _("不符合备案条件")
    body = [
        _p(
            _(
                "你单位报送的《%(name)s》项目变更申请（%(title)s）收悉。因%(reasons)s，根据%(basis)s第二十八条规定，应当履行审批手续。经研究，"
            )
            % _names(name=project.name, title=obj.title, reasons=reasons)
            + (_("同意该项变更。") if approved else _("不同意该项变更。"))
        ),
        _p(_("一、调整内容及金额"), "h1"),
        {
            "type": "table",
            "header": [_("调出内容"), _("调入内容"), _("调整金额（万元）")],
            "rows": rows,
            "numeric": [2],
        },
        _p(_("二、调整比例和总投资"), "h1"),
        _p(
            _(
                "本次调整金额%(moved)s万元，批复总投资%(base)s万元，累计调整比例%(ratio)s；调整后项目总投资%(new)s万元。"
            )
            % {
                "moved": facts.money(obj.moved_yuan, _("调整金额")),
                "base": facts.money(obj.baseline_yuan or project.approved_estimate_yuan, _("批复总投资")),
                "ratio": facts.text(pct_text(obj.ratio), _("累计调整比例")),
                "new": facts.money(obj.new_total_yuan, _("调整后项目总投资")),
            }
        ),
        _p(_("三、审批意见"), "h1"),
        _p(
            facts.text(obj.decision_note, _("审批意见"))
            if not approved
            else (obj.decision_note or _("同意。"))
        ),
    ]
    if approved:
        body.append(
            _p(
                _(
                    "请按批准后的内容组织实施。调整后项目总投资%(new)s万元为此后项目变更计算调整比例的批复总投资基数。"
                )
                % {"new": facts.money(obj.new_total_yuan, _("调整后项目总投资"))}
            )
        )
    return _letter(
        issuer=issuer,
        title=(_("关于%(name)s项目变更的批复") if approved else _("关于%(name)s项目变更不予批准的意见"))
        % {"name": project.name},
        recipient=project.owner.name,
        body=body,
    )


def rectification_notice(project, *, issuer, obj: Rectification, facts: Facts, **kw) -> dict:
    """办法第二十六、三十六条: a rectification notice with its deadline."""
    due = obj.clock.effective_due_on if obj.clock_id else None
    body = [
        _p(
            _(
                "根据%(basis)s第二十六条、第三十六条规定，经核查，你单位承担的《%(name)s》存在以下问题，现通知限期整改："
            )
            % _names(name=project.name)
        ),
        _p(_("一、整改要求"), "h1"),
        _p(facts.text(obj.requirement, _("整改要求"))),
        _p(_("二、整改期限"), "h1"),
        _p(
            _(
                "请于%(due)s前完成整改，并将整改情况书面报送%(bureau)s。逾期未整改的，将依照有关规定予以通报批评、"
                "暂缓安排投资计划、暂停项目建设直至终止项目。"
            )
            % _names(due=facts.date(due, _("整改期限")))
        ),
    ]
    return _letter(
        issuer=issuer,
        title=_("关于%(name)s限期整改的通知") % {"name": project.name},
        recipient=project.owner.name,
        body=body,
        copies=[_org_name("finance"), _org_name("drc")],
    )


def acceptance_opinion(project, *, issuer, entry=None, facts: Facts, **kw) -> dict:
    """办法第二十九、三十一条: the completion acceptance opinion — passed (``accept``) or not
    (``fail_acceptance``). It lists the opinions actually given and states 档案验收 and 密评
    only from the uploaded evidence."""
    action = entry.action if entry is not None else None
    opinions = _latest_opinions(project, "acceptance").values()
    rows = [[str(o.organisation), str(Conclusion(o.conclusion).label), o.text] for o in opinions]
    surplus = (
        _("，退回结余资金%s万元") % wan_text(project.surplus_returned_yuan)
        if project.surplus_returned_yuan is not None
        else ""
    )
    body = [
        _p(
            _(
                "根据%(basis)s第二十九条规定，%(bureau)s会同有关部门对《%(name)s》进行了竣工验收。项目概算总投资"
                "%(est)s万元%(surplus)s。验收意见如下："
            )
            % _names(
                name=project.name,
                est=facts.money(project.approved_estimate_yuan, _("概算总投资")),
                surplus=surplus,
            )
        ),
    ]
    numerals = iter("一二三四")
    if rows:
        body.append(_p(_("%s、参加部门意见") % next(numerals), "h1"))
        body.append(
            {"type": "table", "header": [_("部门"), _("结论"), _("意见")], "rows": rows, "numeric": []}
        )
    elif action != "fail_acceptance":
        # 竣工验收 needs the participants' opinions (guard of ``accept``); a failed acceptance may
        # have been decided before any was given, and then none is claimed.
        body.append(_p(_("%s、参加部门意见") % next(numerals), "h1"))
        body.append(_p(facts.text(None, _("参加验收部门的意见"))))
    if action == "fail_acceptance":
        body += [
            _p(_("%s、验收结论") % next(numerals), "h1"),
            _p(
                _("项目未通过竣工验收。理由：%(reason)s 请按意见整改后重新申请竣工验收（办法第二十九条）。")
                % {"reason": facts.text(entry.reason, _("不通过的理由"))}
            ),
        ]
    else:
        evidence = []
        archive = _material(project, MaterialKind.ARCHIVE_OPINION)
        if archive is not None:
            evidence.append(
                _("项目已通过档案验收（办法第三十一条，档案验收意见第%(n)s版）") % {"n": archive.number}
            )
        else:
            evidence.append(facts.text(None, _("档案验收意见（办法第三十一条）")))
        crypto = _material(project, MaterialKind.CRYPTO_ASSESSMENT)
        if crypto is not None:
            evidence.append(
                _("已提交密码应用安全性评估报告（办法第二十三条，第%(n)s版）") % {"n": crypto.number}
            )
        else:
            evidence.append(facts.text(None, _("密码应用安全性评估报告（办法第二十三条）")))
        if project.classified:
            secrecy = _material(project, MaterialKind.SECRECY_EVALUATION)
            if secrecy is not None:
                evidence.append(_("已通过保密测评审查（办法第三十二条，第%(n)s版）") % {"n": secrecy.number})
            else:
                evidence.append(facts.text(None, _("保密测评审查意见（办法第三十二条）")))
        body += [
            _p(_("%s、档案验收和密码应用安全性评估") % next(numerals), "h1"),
            _p("；".join(evidence) + "。"),
            _p(_("%s、验收结论") % next(numerals), "h1"),
        ]
        if action == "accept":
            body.append(
                _p(
                    _(
                        "项目通过竣工验收。请于验收完成后将验收报告报%(bureau)s备案，并在投入运行后"
                        "%(self_evaluation_opens)s至%(self_evaluation_due)s个月内开展自评价（办法第三十三条）。"
                    )
                    % _names(**get_policy().figures())
                )
            )
        else:
            body.append(_p(facts.text(None, _("验收结论（由%(bureau)s负责人决定）") % _names())))
    return _letter(
        issuer=issuer,
        title=_("关于%(name)s竣工验收意见") % {"name": project.name},
        recipient=project.owner.name,
        body=body,
        copies=[_org_name(k) for k in ("cac", "crypto", "drc", "police")],
    )


# ---------------------------------------------------------------- forms


def _form(title, sections, **extra) -> dict:
    return {
        "template": "documents/form.html",
        "title": title,
        "sections": sections,
        "document_no": "",
        "date_text": date_text(timeutil.today()),
        **extra,
    }


def _h(label, colspan=1, rowspan=1):
    return {"label": label, "colspan": colspan, "rowspan": rowspan}


def application_form(project, *, facts: Facts, **kw) -> dict:
    """办法第九条: every listed item of the application."""
    p = project
    fields = [
        (_("项目名称"), p.name),
        (_("项目建设单位"), p.owner.name),
        # issue 15: 建设性质, and what a 续建 continues / an upgrade or O&M request is about
        (_("建设性质"), p.get_nature_display()),
        *([(_("前期项目"), p.predecessor.name)] if p.predecessor_id else []),
        *([(_("涉及的已建政务信息系统"), p.system_name)] if p.system_name else []),
        (_("项目责任人"), str(p.responsible_person or "")),
        (_("依托网络"), p.get_network_display()),
        (_("是否涉密"), _("是") if p.classified else _("否")),
        (_("建设工期"), _("%s个月") % p.period_months if p.period_months else ""),
        (_("计划开工日期"), date_text(p.planned_start)),
        (_("项目总投资（万元）"), facts.money(p.total_investment_yuan, _("项目总投资")), True),
    ]
    texts = [
        (str(p._meta.get_field(n).verbose_name), getattr(p, n))
        for n in (
            "basis_and_necessity",
            "content_and_scale",
            "technical_route",
            "performance_targets",
            "cloud_requirements",
            "protection_plan",
            "security_plan",
            "product_reliability",
            "crypto_plan",
        )
    ]
    yearly_rows = list(p.yearly_investments.all())
    funding_rows = list(p.funding_lines.all())
    yearly = [[str(y.year), wan_text(y.amount_yuan)] for y in yearly_rows]
    funding = [[str(FundingSource(f.source).label), wan_text(f.amount_yuan)] for f in funding_rows]
    # 合计 rows (issue 15): the sums of the rows shown, which 办法第九条 asks to equal 项目总投资.
    yearly_total = sum((y.amount_yuan for y in yearly_rows), Decimal(0))
    funding_total = sum((f.amount_yuan for f in funding_rows), Decimal(0))
    resources = [
        [
            str(i),
            r.name,
            r.provider,
            r.data_format,
            r.update_cycle,
            r.get_sharing_type_display(),
            r.sharing_condition,
            r.get_open_type_display(),
        ]
        for i, r in enumerate(p.data_resources.all(), 1)
    ]
    sections = [
        {"type": "fields", "heading": _("一、基本情况"), "fields": fields},
        {"type": "fields", "heading": _("二、申报内容"), "fields": texts},
        {
            "type": "table",
            "heading": _("三、年度投资额"),
            "header_rows": [[_h(_("年度")), _h(_("投资额（万元）"))]],
            "rows": [{"style": "", "cells": r} for r in yearly]
            + ([{"style": "total", "cells": [_("合计"), wan_text(yearly_total)]}] if yearly else []),
            "numeric": [1],
            "centred": [0],
            "width": 2,
        },
        {
            "type": "table",
            "heading": _("四、资金来源"),
            "header_rows": [[_h(_("资金来源")), _h(_("金额（万元）"))]],
            "rows": [{"style": "", "cells": r} for r in funding]
            + ([{"style": "total", "cells": [_("合计"), wan_text(funding_total)]}] if funding else []),
            "numeric": [1],
            "centred": [],
            "width": 2,
        },
        {
            "type": "table",
            "heading": _("五、数据资源目录"),
            "header_rows": [
                [
                    _h(_("序号"), rowspan=2),
                    _h(_("信息资源名称"), rowspan=2),
                    _h(_("提供单位"), rowspan=2),
                    _h(_("数据格式"), rowspan=2),
                    _h(_("更新周期"), rowspan=2),
                    _h(_("共享属性"), colspan=2),
                    _h(_("开放类型"), rowspan=2),
                ],
                [_h(_("共享类型")), _h(_("共享条件或不予共享依据"))],
            ],
            "rows": [{"style": "", "cells": r} for r in resources],
            "numeric": [],
            "centred": [0],
            "width": 8,
            "widths": [6, 17, 15, 10, 9, 11, 21, 11],
        },
    ]
    return _form(
        _("政务信息化项目建设需求申报表"),
        sections,
        form_code=_("办法第九条"),
        meta=[_("申报单位（盖章）：%s") % p.owner.name, _("填报日期：%s") % date_text(timeutil.today())],
        signatures=[_("项目建设单位主要负责人（签字）："), _("填报人：　　　　联系电话：")],
    )


def _field_row(obj, name: str, facts: Facts) -> tuple:
    """(label, value[, numeric]) of a model field as a form shows it: money in 万元, a choice
    by its label, yes/no in words."""
    field = obj._meta.get_field(name)
    value = getattr(obj, name)
    if is_money_field(field):
        label = str(wan_label(field.verbose_name))
        return (label, facts.money(value, label), True)
    if field.choices:
        return (str(field.verbose_name), str(getattr(obj, f"get_{name}_display")()))
    if isinstance(field, models.BooleanField):
        return (str(field.verbose_name), _("是") if value else _("否"))
    return (str(field.verbose_name), "" if value is None else str(value))


def change_form(project, *, obj: ChangeRequest, facts: Facts, **kw) -> dict:
    """办法第二十八条: the change with its amounts, cumulative ratio and ground."""
    estimate = project.approved_estimate_yuan
    before = change_ratio(project, 0, excluding=obj) if estimate else None
    ratio = (
        obj.ratio
        if obj.ratio is not None
        else (change_ratio(project, obj.moved_yuan, excluding=obj) if estimate else None)
    )
    route = {
        "filed": _("备案（办法第二十八条）"),
        "pending_approval": _("报批"),
        "approved": _("报批（已批准）"),
        "rejected": _("报批（未批准）"),
    }.get(obj.state, obj.get_state_display())
    fields = [
        (_("项目名称"), project.name),
        (_("项目建设单位"), project.owner.name),
        (_("概算总投资（万元）"), facts.money(estimate, _("概算总投资")), True),
        (_("累计变更金额（不含本次）（万元）"), wan_text((before or 0) * (estimate or 0)), True),
        (_("累计变更比例（不含本次）"), pct_text(before)),
        (_("本次变更金额（万元）"), facts.money(obj.moved_yuan, _("本次变更金额")), True),
        (_("累计变更比例（含本次）"), pct_text(ratio)),
        # What the department filled in, each under its model field's label.
        *(_field_row(obj, name, facts) for name in ChangeRequest.FORM_FIELDS),
        (_("办理方式"), route),
        (_("须履行审批手续的原因"), "；".join(obj.route_reasons) or _("无")),
    ]
    items = [
        {"style": "", "cells": [str(i), it.from_content, it.to_content, wan_text(it.amount_yuan)]}
        for i, it in enumerate(obj.items.all(), 1)
    ]
    items.append({"style": "total", "cells": [_("合计"), "", "", wan_text(obj.moved_yuan)]})
    sections = [
        {"type": "fields", "heading": _("一、变更概况"), "fields": fields},
        {
            "type": "table",
            "heading": _("二、调整明细"),
            "header_rows": [[_h(_("序号")), _h(_("调出内容")), _h(_("调入内容")), _h(_("调整金额（万元）"))]],
            "rows": items,
            "numeric": [3],
            "centred": [0],
            "width": 4,
            "widths": [8, 36, 36, 20],
        },
    ]
    title = _("项目变更备案表") if obj.state == ChangeState.FILED else _("项目变更申请表")
    return _form(
        title,
        sections,
        form_code=_("办法第二十八条"),
        meta=[
            _("建设单位（盖章）：%s") % project.owner.name,
            _("填报日期：%s") % date_text(timeutil.today()),
        ],
        signatures=[_("建设单位负责人（签字）："), _("%(bureau)s意见：") % _names()],
    )


def extension_form(project, *, entry=None, facts: Facts, **kw) -> dict:
    """办法第二十九条: applying for acceptance later than half a year after completion."""
    clock = project.clocks.filter(kind="acceptance_application").order_by("-pk").first()
    # The request the step recorded (a sample, before the step, has none yet).
    fields = [
        (_("项目名称"), project.name),
        (_("项目建设单位"), project.owner.name),
        (_("初步设计批复文号"), project.design_approval_no),
        (_("概算总投资（万元）"), facts.money(project.approved_estimate_yuan, _("概算总投资")), True),
        (_("开工日期"), date_text(project.construction_started_on)),
        (_("建成日期"), date_text(project.completed_on)),
        (_("应申请验收日期"), date_text(clock.due_on if clock else None)),
        (_("申请延期至"), facts.date(_recorded(entry, "requested_due_on"), _("申请延期至"))),
        (_("延期理由"), facts.text(entry.reason if entry else "", _("延期理由"))),
    ]
    return _form(
        _("延期验收申请表"),
        [{"type": "fields", "heading": "", "fields": fields}],
        form_code=_("办法第二十九条"),
        signatures=[_("建设单位（盖章）："), _("%(bureau)s意见：") % _names()],
    )


def acceptance_form(project, *, facts: Facts, **kw) -> dict:
    """办法第二十九条: the completion acceptance application (fields after published forms)."""
    fields = [
        (_("项目名称"), project.name),
        (_("方案批复文号"), project.design_approval_no),
        (_("项目建设单位"), project.owner.name),
        (_("项目责任人"), str(project.responsible_person or "")),
        (_("监理单位"), contracts.supervision_text(project)[0]),
        (_("监理合同编号"), contracts.supervision_text(project)[1]),
        (_("开工日期"), date_text(project.construction_started_on)),
        (_("建成日期"), date_text(project.completed_on)),
        (_("概算总投资（万元）"), facts.money(project.approved_estimate_yuan, _("概算总投资")), True),
        (_("退回结余资金（万元）"), facts.money(project.surplus_returned_yuan, _("退回结余资金")), True),
        (_("档案验收"), date_text(project.archive_accepted_on) or _covered(project, ("archive_opinion",))),
        (
            _("密码应用安全性评估报告"),
            date_text(project.crypto_assessment_on) or _covered(project, ("crypto_assessment",)),
        ),
        (_("软硬件产品安全可靠情况"), project.product_reliability),
        (
            _("成果知识产权归属"),
            contracts.ip_text(project),
        ),
        (_("声明"), _("以上所列情况属实，申请竣工验收。")),
    ]
    return _form(
        _("竣工验收申请表"),
        [{"type": "fields", "heading": "", "fields": fields}],
        form_code=_("办法第二十九条"),
        signatures=[
            _("建设单位（盖章）：　法定代表人或项目责任人（签字）："),
            _("受理人签字：　　受理时间："),
        ],
    )


def performance_form(project, *, obj=None, facts: Facts, **kw) -> dict:
    """办法第二十五条: the yearly performance evaluation report."""
    report = obj or project.performance_reports.order_by("-year").first()
    if report is None:
        raise RuleViolation(_("尚未报送年度绩效评价报告。"), code="missing")
    total = project.approved_estimate_yuan or project.total_investment_yuan
    rate = (report.investment_executed_yuan / total) if total else None
    fields = [
        (_("项目名称"), project.name),
        (_("主管部门"), project.owner.name),
        (_("年度"), str(report.year)),
        (_("概算总投资（万元）"), facts.money(total, _("概算总投资")), True),
        (_("投资计划执行（万元）"), facts.money(report.investment_executed_yuan, _("投资计划执行")), True),
        (_("执行率"), pct_text(rate)),
        (_("建设进度"), report.progress),
        (_("试运行效果及问题"), report.trial_operation if report.in_trial_operation else _("尚未试运行")),
        (_("使用单位意见"), report.user_opinions),
        (_("监理单位意见"), report.supervisor_opinion),
        (_("报送时间"), date_text(report.submitted_at)),
    ]
    return _form(
        _("%s年度项目绩效评价报告") % report.year,
        [{"type": "fields", "heading": "", "fields": fields}],
        form_code=_("办法第二十五条"),
        signatures=[_("项目建设单位（盖章）："), _("项目责任人（签字）：")],
    )


def _targets_table(project) -> dict:
    """办法第九、三十三条: each performance target of the application with what was achieved."""
    rows = [
        [t.indicator, t.target_value, t.achieved_value, t.explanation, t.get_entered_display()]
        for t in project.targets.all()
    ]
    header = [_("绩效指标"), _("目标值"), _("实际完成值"), _("完成情况说明"), _("填报时点")]
    return {
        "type": "table",
        "heading": _("绩效目标完成情况"),
        "header_rows": [[_h(h) for h in header]],
        "rows": [{"style": "", "cells": r} for r in rows],
        "numeric": [],
        "centred": [],
        "width": len(header),
    }


def self_evaluation_form(project, *, facts: Facts, **kw) -> dict:
    """办法第三十三条: the self-evaluation 6–12 months after acceptance and go-live: each
    target with its achieved value, the grade, whether it came in time, the copies."""
    clock = project.clocks.filter(kind="self_evaluation").order_by("-pk").first()
    timeliness = ""
    if project.self_evaluation_submitted_on:
        timeliness = _("逾期报送") if project.self_evaluation_late else _("按期报送")
    fields = [
        (_("项目名称"), project.name),
        (_("项目建设单位"), project.owner.name),
        (_("项目责任人"), str(project.responsible_person or "")),
        (_("概算总投资（万元）"), facts.money(project.approved_estimate_yuan, _("概算总投资")), True),
        (_("验收日期"), date_text(project.accepted_on)),
        (_("投入运行日期"), date_text(project.went_live_on)),
        (
            _("自评价期限"),
            f"{date_text(clock.opens_on)}—{date_text(clock.effective_due_on)}" if clock else "",
        ),
        (
            _("报送日期"),
            " ".join(x for x in (date_text(project.self_evaluation_submitted_on), timeliness) if x),
        ),
        (_("项目绩效目标"), project.performance_targets),
        (_("自评价等级"), project.get_self_evaluation_grade_display()),
        (_("自评价结论"), project.self_evaluation),
        (_("抄送"), "、".join([_org_name("finance"), _org_name("drc")])),
    ]
    return _form(
        _("项目自评价报告"),
        [{"type": "fields", "heading": "", "fields": fields}, _targets_table(project)],
        form_code=_("办法第三十三条"),
        signatures=[_("项目建设单位（盖章）："), _("项目责任人（签字）：")],
    )


def post_evaluation_report(project, *, facts: Facts, **kw) -> dict:
    """办法第三十三条: the post-evaluation by the third-party organisation the bureau
    commissioned, with the self-evaluation it builds on."""
    fields = [
        (_("项目名称"), project.name),
        (_("项目建设单位"), project.owner.name),
        (_("后评价机构"), project.post_evaluator.name if project.post_evaluator_id else ""),
        (_("委托单位"), _org_name("bureau")),
        (_("验收日期"), date_text(project.accepted_on)),
        (_("投入运行日期"), date_text(project.went_live_on)),
        (_("自评价等级"), project.get_self_evaluation_grade_display()),
        (_("后评价等级"), project.get_post_evaluation_grade_display()),
        (_("后评价结论"), project.post_evaluation),
    ]
    return _form(
        _("项目后评价报告"),
        [{"type": "fields", "heading": "", "fields": fields}, _targets_table(project)],
        form_code=_("办法第三十三条"),
        signatures=[_("后评价机构（盖章）："), _("%(bureau)s：") % _names()],
    )


def annual_plan(plan, **kw) -> dict:
    """办法第十一条: the plan as a landscape table, rows from the same exporter as the workbook."""
    exporter = PlanExporter(plan.year)
    header_rows = [[_h(c.label, c.colspan, c.rowspan) for c in row] for row in exporter.header_cells()]
    money = [i for i, col in enumerate(exporter.columns) if col.kind == "money"]
    rows = [
        {"style": r.style, "cells": [_cell(v, exporter.columns[i].kind) for i, v in enumerate(r.values)]}
        for r in exporter.rows()
    ]
    return _form(
        exporter.title,
        [
            {
                "type": "table",
                "heading": "",
                "header_rows": header_rows,
                "rows": rows,
                # thousands of rows at provincial scale: rendered in parts (documents/pdf.py)
                "splittable": True,
                "numeric": money,
                "centred": [0],
                "width": len(exporter.columns),
                "widths": [
                    round(100 * c.width / sum(x.width for x in exporter.columns), 2) for c in exporter.columns
                ],
            }
        ],
        landscape=True,
        # Thirteen columns, totals of up to ten digits before the decimal point: on A4 the
        # text columns were squeezed to a few characters a line (three rows a page, 2,500
        # pages for a province); A3 landscape keeps 11 pt and most rows to two lines.
        paper="A3",
        subtitle=_("（单位：万元）"),
        form_code=plan.document_no or _("办法第十一条"),
        meta=[
            _("状态：%s") % plan.get_state_display(),
            _("编制日期：%s") % date_text(timeutil.today()),
            # 办法第十一条: the government's approval document, once recorded.
            *([_("%(government)s批准：%(no)s") % _names(no=plan.approval_no)] if plan.approval_no else []),
        ],
    )


def _cell(value, kind):
    if value is None:
        return ""
    if kind == "money":
        return amount_text(value)  # already 万元 (projects.plan)
    if kind == "date":
        return date_text(value)
    return str(value)
