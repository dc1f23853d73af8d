"""What the approval chapter adds to the project and plan pages (办法第十一、十二、十五至十九条):
the plan's execution count and the decision that ended a project."""

from django import template

from core.states import LEFT_PLAN_STATES
from projects import plan as plan_rows

register = template.Library()

#: The steps that take a project out of its plan before construction (lifecycle.machine).
ENDING_STEPS = (
    "refuse_fsr",
    "refuse_design",
    "decline_ratification",
    "withdraw_planned",
    "cancel_planned",
)


@register.simple_tag
def plan_execution(plan, counts=None):
    """The counts of ``projects.plan.execution`` (from ``counts`` per stage when the page has
    read them)."""
    return plan_rows.execution(plan, counts)


@register.simple_tag
def ending_decision(project):
    """The audit row of the refusal, the declined ratification or the withdrawal/cancellation
    that ended ``project``, or None."""
    if project.state not in LEFT_PLAN_STATES:
        return None
    return (
        project.audit_entries.filter(action__in=ENDING_STEPS, to_state=project.state)
        .select_related("organisation")
        .order_by("-pk")
        .first()
    )
