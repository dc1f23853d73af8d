"""Issue 12 item 4: delegation (代办). A 审核人 or 负责人 names a substitute of their own
organisation for a range of days, both inclusive, on the Asia/Shanghai calendar. While it is
in force the substitute may do what the delegator's role allows, with their own name; the
audit row names both, and the history shows "X（代 Y）". The day after, the substitute's extra
rights are gone. Expectations from the rules: 撤回计划内项目 is the department's 负责人's step
(办法第十二条), the 网络安全审核意见 the 省委网信办's 审核人 or 负责人 (办法第十条)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import override_settings

from core.states import ProjectState as S
from lifecycle import acting, delegation, services
from lifecycle.errors import RuleViolation
from lifecycle.models import AuditEntry, Delegation
from tests.lifecycle.builders import project_in

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
D1 = datetime.date(2026, 12, 7)  # a Monday
D2 = datetime.date(2026, 12, 9)  # the last day of the delegation


def at(day: datetime.date, hour: int = 10, minute: int = 0):
    """A moment of ``day`` on the Shanghai calendar."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, minute), SHANGHAI), tick=False
    )


def fresh(user):
    """The person as a new request would load them (no remembered answers)."""
    return type(user).objects.select_related("organisation").get(pk=user.pk)


@pytest.fixture
def planned(orgs, people, call_2026):
    project, _on = project_in(S.IN_PLAN, orgs, people, call_2026)
    return project


@pytest.fixture
def head_away(people):
    """The department's 负责人 is away D1..D2; the 经办人 stands in."""
    with at(D1 - datetime.timedelta(days=3)):
        return delegation.delegation_create(
            actor=people.owner_head, substitute=people.owner_preparer, starts_on=D1, ends_on=D2, reason="出差"
        )


def test_the_substitute_acts_in_range_and_the_history_shows_both(people, planned, head_away):
    with at(D2, 23, 59):
        services.perform(planned, "withdraw_planned", actor=fresh(people.owner_preparer), reason="任务取消")
    planned.refresh_from_db()
    assert planned.state == S.CANCELLED
    row = AuditEntry.objects.filter(project=planned, action="withdraw_planned").get()
    assert row.actor == people.owner_preparer  # the substitute's own name
    assert row.data["on_behalf_of"]["id"] == people.owner_head.pk
    assert row.actor_shown == f"{people.owner_preparer}（代 {people.owner_head}）"


def test_the_day_after_the_substitute_is_refused_as_before(people, planned, head_away):
    # 00:00:30 on the day after, Shanghai time — still D2 by UTC: the Shanghai calendar counts
    with at(D2 + datetime.timedelta(days=1), 0, 0), pytest.raises(RuleViolation) as refused:
        services.perform(planned, "withdraw_planned", actor=fresh(people.owner_preparer), reason="任务取消")
    assert refused.value.code == "permission"
    planned.refresh_from_db()
    assert planned.state == S.IN_PLAN


def test_the_day_before_the_substitute_is_refused(people, planned, head_away):
    with at(D1 - datetime.timedelta(days=1), 23, 59), pytest.raises(RuleViolation):
        services.perform(planned, "withdraw_planned", actor=fresh(people.owner_preparer), reason="任务取消")


def test_ended_early_the_delegation_lends_nothing_from_that_day(people, planned, head_away):
    with at(D1, 9):
        delegation.delegation_end(head_away, actor=people.owner_head, reason="提前返岗")
        with pytest.raises(RuleViolation):
            services.perform(
                planned, "withdraw_planned", actor=fresh(people.owner_preparer), reason="任务取消"
            )
    actions = list(
        AuditEntry.objects.filter(object_type="lifecycle.delegation", object_id=str(head_away.pk))
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [
        ("delegation.created", people.owner_head.pk),
        ("delegation.ended", people.owner_head.pk),
    ]


def test_a_change_of_dates_is_audited_and_counts(people, planned, head_away):
    with at(D1 - datetime.timedelta(days=1)):
        delegation.delegation_change(
            head_away, actor=people.owner_head, starts_on=D1, ends_on=D1, reason="提前返岗"
        )
    row = AuditEntry.objects.filter(action="delegation.changed").get()
    assert row.data["before"]["ends_on"] == D2.isoformat() and row.data["ends_on"] == D1.isoformat()
    with at(D2), pytest.raises(RuleViolation):
        services.perform(planned, "withdraw_planned", actor=fresh(people.owner_preparer), reason="任务取消")


def test_only_the_delegator_changes_or_ends(people, head_away):
    with at(D1), pytest.raises(RuleViolation):
        delegation.delegation_end(head_away, actor=people.owner_preparer)
    with at(D1), pytest.raises(RuleViolation):
        delegation.delegation_end(head_away, actor=people.other_owner_head)


def test_another_organisation_s_person_can_never_be_named(people):
    with at(D1):
        for outsider in (people.other_owner_preparer, people.bureau_reviewer, people.cac_head):
            with pytest.raises(RuleViolation) as refused:
                delegation.delegation_create(
                    actor=people.owner_head, substitute=outsider, starts_on=D1, ends_on=D2
                )
            assert refused.value.code == "permission"
    assert not Delegation.objects.exists()


def test_who_may_delegate_and_to_whom(people):
    with at(D1):
        # a 经办人 has no reviewing or signing role to lend
        with pytest.raises(RuleViolation):
            delegation.delegation_create(
                actor=people.owner_preparer, substitute=people.owner_head, starts_on=D1, ends_on=D2
            )
        # not oneself; not an inactive account
        with pytest.raises(RuleViolation):
            delegation.delegation_create(
                actor=people.owner_head, substitute=people.owner_head, starts_on=D1, ends_on=D2
            )
        people.owner_preparer.is_active = False
        people.owner_preparer.save(update_fields=["is_active"])
        with pytest.raises(RuleViolation):
            delegation.delegation_create(
                actor=people.owner_head, substitute=people.owner_preparer, starts_on=D1, ends_on=D2
            )
        # dates in order and not in the past
        with pytest.raises(RuleViolation):
            delegation.delegation_create(
                actor=people.cac_head, substitute=people.cac_reviewer, starts_on=D2, ends_on=D1
            )
        with pytest.raises(RuleViolation):
            delegation.delegation_create(
                actor=people.cac_head,
                substitute=people.cac_reviewer,
                starts_on=D1 - datetime.timedelta(days=1),
                ends_on=D2,
            )


def test_the_database_refuses_dates_out_of_order(people):
    with pytest.raises(IntegrityError), transaction.atomic():
        Delegation.objects.create(
            organisation=people.owner_head.organisation,
            delegator=people.owner_head,
            substitute=people.owner_preparer,
            role="head",
            starts_on=D2,
            ends_on=D1,
            created_at=datetime.datetime(2026, 12, 1, tzinfo=SHANGHAI),
        )


def test_no_chains_a_substitute_cannot_lend_what_was_lent(people):
    """The 网信办's 负责人 lends the head's role to the 审核人; the 审核人 cannot pass it to the
    经办人: what the 审核人 lends is their own role (审核人) only."""
    with at(D1):
        delegation.delegation_create(
            actor=people.cac_head, substitute=people.cac_reviewer, starts_on=D1, ends_on=D2
        )
        delegation.delegation_create(
            actor=fresh(people.cac_reviewer), substitute=people.cac_preparer, starts_on=D1, ends_on=D2
        )
        preparer = fresh(people.cac_preparer)
        assert acting.effective_roles(preparer) == {"preparer", "reviewer"}
        assert not acting.holds(preparer, {"head"})
        assert acting.holds(fresh(people.cac_reviewer), {"head"})


def test_the_opinion_of_an_agency_s_reviewer_given_by_the_substitute(orgs, people, call_2026):
    """办法第十条: the 网络安全 opinion is the 省委网信办's 审核人's (or 负责人's); their 经办人
    gives it while standing in, and only then."""
    project, on = project_in(S.JOINT_REVIEW, orgs, people, call_2026)
    day = max(on, datetime.date(2026, 12, 1))
    with at(day - datetime.timedelta(days=1)):
        delegation.delegation_create(
            actor=people.cac_reviewer, substitute=people.cac_preparer, starts_on=day, ends_on=day
        )
    with at(day):
        services.opinion_give(
            project, actor=fresh(people.cac_preparer), aspect="security", conclusion="approve", text="同意"
        )
    row = AuditEntry.objects.filter(project=project, action="opinion.given").get()
    assert row.data["on_behalf_of"]["id"] == people.cac_reviewer.pk
    with at(day + datetime.timedelta(days=1)), pytest.raises(RuleViolation):
        services.opinion_give(
            project, actor=fresh(people.cac_preparer), aspect="security", conclusion="approve", text="同意"
        )


def test_own_role_acts_are_not_written_as_on_behalf(people, planned, head_away):
    """The 经办人's own steps during the delegation stay their own (no 代)."""
    with at(D1):
        preparer = fresh(people.owner_preparer)
        assert acting.authorise(preparer, {"preparer", "head"}) and preparer.acting_for is None
        assert acting.authorise(preparer, {"head"}) and preparer.acting_for == people.owner_head


@override_settings(OTP_REQUIRED_FOR_HEADS=True)
def test_a_head_step_still_needs_the_second_factor_of_the_substitute(people, planned, head_away):
    """等保2.0 三级 (docs/security.md): a 负责人 step needs a second factor when the system
    requires it of heads — of the substitute acting as head too."""
    with at(D1), pytest.raises(RuleViolation) as refused:
        services.perform(planned, "withdraw_planned", actor=fresh(people.owner_preparer), reason="任务取消")
    assert refused.value.code == "second_factor"


def test_addressing_follows_the_delegation(people, head_away):
    """For the inbox and reminders (addressed by organisation and role)."""
    with at(D1):
        assert acting.delegators_of(fresh(people.owner_preparer)) == [people.owner_head]
        assert acting.substitutes_of([people.owner_head]) == {people.owner_head.pk: [people.owner_preparer]}
    with at(D2 + datetime.timedelta(days=1)):
        assert acting.delegators_of(fresh(people.owner_preparer)) == []
        assert acting.substitutes_of([people.owner_head]) == {}
