"""Explicit events between the apps, keyed by constants — never by audit-row strings.

``services.perform`` sends ``step_taken`` for every transition (``action`` = the transition's
name, e.g. ``"submit_fsr"``), and the named services send it for the steps that are not
transitions (``action`` = an ``Action`` constant). Another app reacts by connecting a
receiver — documents/signals.py locks the materials a step used — and looks the action up in
its own table keyed by those names and constants (documents/registry.py ``STEPS``). Labels
and audit rows can be reworded freely; a reaction only depends on the name or constant.
"""

from __future__ import annotations

from django.dispatch import Signal


class Action:
    """The ``action`` of steps that are not transitions: written on their audit rows and sent
    with ``step_taken``. (A transition's action is its method name.)"""

    CALL_OPENED = "call.opened"
    CALL_SUBMITTED = "call.submitted"
    CALL_AMENDED = "call.amended"
    OPINION_GIVEN = "opinion.given"
    PLAN_OPENED = "plan.opened"
    PLAN_INCLUDED = "plan.included"
    PLAN_EXCLUDED = "plan.excluded"
    PLAN_FINANCE_CONCURRED = "plan.finance_concurred"
    INCIDENT_REPORTED = "incident.reported"
    RECTIFICATION_REPORTED = "rectification.reported"
    PERFORMANCE_REPORT_SUBMITTED = "performance_report.submitted"
    CHANGE_CREATED = "change.created"
    CONTRACT_RECORDED = "contract.recorded"
    ADMIN_CHANGED = "admin.changed"
    EVIDENCE_CONFIRMED = "evidence.confirmed"
    PROJECT_IMPORTED = "project.imported"
    # 办法第三十四、三十六、三十九条 (projects/supervision.py)
    FINDING_SET = "finding.set"
    FINDING_LIFTED = "finding.lifted"
    EXCEPTION_REQUESTED = "connectivity_exception.requested"
    EXCEPTION_REVIEWED = "connectivity_exception.reviewed"
    EXCEPTION_DECIDED = "connectivity_exception.decided"
    DECISION_RECORDED = "supervision_decision.recorded"
    DECISION_LIFTED = "supervision_decision.lifted"
    # 办法第九、三十三条: the structured performance targets and their achieved values.
    TARGET_ADDED = "target.added"
    TARGET_REMOVED = "target.removed"
    TARGET_ACHIEVED = "target.achieved"
    # 办法第九、十条: the application as sent with a submission or a 补正 (projects/versions.py).
    APPLICATION_VERSIONED = "application.versioned"
    # Issue 12 item 4: a delegation (代办) made, changed or ended (lifecycle/delegation.py).
    DELEGATION_CREATED = "delegation.created"
    DELEGATION_CHANGED = "delegation.changed"
    DELEGATION_ENDED = "delegation.ended"


#: Sent inside the step's transaction, after its audit row and its effects.
#: ``sender``: the model class of ``obj`` (Project, AnnualPlan, ChangeRequest).
#: Keyword arguments: ``obj``; ``action`` (transition name or ``Action`` constant);
#: ``actor``; ``data`` (what the step recorded — may hold the row it created, e.g.
#: ``data["opinion"]``); ``entry`` (the AuditEntry written for the step).
step_taken = Signal()


def announce(obj, action: str, *, actor, entry, **data) -> None:
    """Send ``step_taken`` for ``obj``. A receiver that raises rolls the step back."""
    step_taken.send(sender=type(obj), obj=obj, action=action, actor=actor, entry=entry, data=data)
