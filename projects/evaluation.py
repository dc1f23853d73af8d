"""办法第九、三十三条: the structured performance targets and the self-evaluation's report on them.

The application states the 项目绩效目标 (第九条) as indicators with target values; the
department may add a target later, but at the latest before the self-evaluation is submitted;
the self-evaluation (第三十三条) reports, for each target, the value achieved and an
explanation (``lifecycle.guards.targets_reported`` refuses the step until every target is
reported). Every write here is the department's own (its 经办人 or 负责人), writes an audit row
and announces the step.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from core import timeutil
from core.states import ProjectState as S
from lifecycle import audit, events
from lifecycle.errors import RuleViolation
from lifecycle.events import Action

from .access import is_owner_staff
from .models import PerformanceTarget, Project, User
from .services import EDITABLE_STATES

#: 办法第九条: the targets are written with the application (drafting, 陈述和补正).
APPLICATION_STATES = EDITABLE_STATES
#: 办法第三十三条: a target may still be added up to the self-evaluation — never after it,
#: nor on an application that was refused, withdrawn or left out.
TARGET_STATES = frozenset(S) - {
    S.SELF_EVALUATED,
    S.POST_EVALUATION,
    S.CLOSED,
    S.TERMINATED,
    S.WITHDRAWN,
    S.REVIEW_REJECTED,
    S.NOT_INCLUDED,
}
#: 办法第三十三条: the achieved values are reported while the system runs, before the report.
REPORT_STATES = frozenset({S.OPERATION})

INDICATOR_MAX = PerformanceTarget._meta.get_field("indicator").max_length or 200
VALUE_MAX = PerformanceTarget._meta.get_field("target_value").max_length or 100
EXPLANATION_MAX = 2000


def _require_owner(project: Project, actor: User) -> None:
    if not is_owner_staff(actor, project):
        raise RuleViolation(
            _("绩效目标由本项目建设单位的经办人或负责人填报（办法第九、三十三条）。"),
            code="permission",
            article="第三十三条",
        )


def _text(value: object, label: str, limit: int, *, article: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise RuleViolation(_("请填写“%(label)s”。") % {"label": label}, code="data", article=article)
    if len(text) > limit:
        raise RuleViolation(
            _("“%(label)s”不能超过%(n)s个字。") % {"label": label, "n": limit}, code="data", article=article
        )
    return text


def target_add(project: Project, *, actor: User, indicator: str, target_value: str) -> PerformanceTarget:
    """A performance target (indicator, target value): with the application (第九条) or later,
    but before the self-evaluation (第三十三条)."""
    _require_owner(project, actor)
    if project.state not in TARGET_STATES:
        raise RuleViolation(
            _(
                "绩效目标应随申报填报，至迟在报送自评价报告前补充；当前状态为“%(state)s”（办法第九、三十三条）。"
            )
            % {"state": project.get_state_display()},
            code="state",
            article="第三十三条",
        )
    indicator = _text(indicator, _("绩效指标"), INDICATOR_MAX, article="第九条")
    target_value = _text(target_value, _("目标值"), VALUE_MAX, article="第九条")
    entered = (
        PerformanceTarget.Entered.APPLICATION
        if project.state in APPLICATION_STATES
        else PerformanceTarget.Entered.LATER
    )
    with transaction.atomic():
        target = PerformanceTarget.objects.create(
            project=project,
            indicator=indicator,
            target_value=target_value,
            entered=entered,
            entered_by=actor,
            entered_at=timeutil.now(),
        )
        entry = audit.record(
            actor=actor,
            action=Action.TARGET_ADDED,
            obj=project,
            label=_("填报绩效目标"),
            article="第九条" if entered == PerformanceTarget.Entered.APPLICATION else "第三十三条",
            from_state=project.state,
            to_state=project.state,
            data={"indicator": indicator, "target_value": target_value, "entered": entered},
        )
        events.announce(project, Action.TARGET_ADDED, actor=actor, entry=entry, target=target)
    return target


def target_remove(target: PerformanceTarget, *, actor: User) -> None:
    """A target is withdrawn while the application is drafted or corrected; one added later
    only until the self-evaluation. Once submitted with the application it stays (第九条)."""
    project = target.project
    _require_owner(project, actor)
    later = target.entered == PerformanceTarget.Entered.LATER
    if not (project.state in APPLICATION_STATES or (later and project.state in TARGET_STATES)):
        raise RuleViolation(
            _("随申报报送的绩效目标不能删除；当前状态为“%(state)s”（办法第九条）。")
            % {"state": project.get_state_display()},
            code="state",
            article="第九条",
        )
    with transaction.atomic():
        data = {"indicator": target.indicator, "target_value": target.target_value}
        target.delete()
        entry = audit.record(
            actor=actor,
            action=Action.TARGET_REMOVED,
            obj=project,
            label=_("删除绩效目标"),
            article="第九条",
            from_state=project.state,
            to_state=project.state,
            data=data,
        )
        events.announce(project, Action.TARGET_REMOVED, actor=actor, entry=entry)


def target_report(
    target: PerformanceTarget, *, actor: User, achieved_value: str, explanation: str
) -> PerformanceTarget:
    """办法第三十三条: the value achieved for one target and its explanation, while the system
    runs and before the self-evaluation is submitted (it may be revised until then)."""
    project = target.project
    _require_owner(project, actor)
    if project.state not in REPORT_STATES:
        raise RuleViolation(
            _(
                "绩效目标完成情况在项目投入运行后、报送自评价报告前填报；当前状态为“%(state)s”（办法第三十三条）。"
            )
            % {"state": project.get_state_display()},
            code="state",
            article="第三十三条",
        )
    achieved_value = _text(achieved_value, _("实际完成值"), VALUE_MAX, article="第三十三条")
    explanation = _text(explanation, _("完成情况说明"), EXPLANATION_MAX, article="第三十三条")
    with transaction.atomic():
        target.achieved_value, target.explanation = achieved_value, explanation
        target.reported_at = timeutil.now()
        target.save(update_fields=["achieved_value", "explanation", "reported_at"])
        entry = audit.record(
            actor=actor,
            action=Action.TARGET_ACHIEVED,
            obj=project,
            label=_("填报绩效目标完成情况"),
            article="第三十三条",
            from_state=project.state,
            to_state=project.state,
            data={
                "indicator": target.indicator,
                "target_value": target.target_value,
                "achieved": achieved_value,
            },
        )
        events.announce(project, Action.TARGET_ACHIEVED, actor=actor, entry=entry, target=target)
    return target
