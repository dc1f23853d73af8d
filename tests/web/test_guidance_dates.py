"""A refusal caused by a date window says when the window opens or closes (issue 11: "the
self-evaluation refusal does not give the opening date"). Expected dates are computed here
from the 办法 and the calendar, not read back from the code."""

from __future__ import annotations

import calendar
import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from core.states import ProjectState as S
from core.timeutil import as_of
from lifecycle import guards, services
from lifecycle.errors import RuleViolation
from projects import calls
from tests.factories import ProjectFactory
from tests.lifecycle.builders import project_in

D = datetime.date


def months_after(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return D(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cn(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_the_self_evaluation_refusal_gives_the_opening_date(client, orgs, people, call_2026):
    """办法第三十三条: 项目通过验收并投入运行后6至12个月内开展自评价 — from the later of the two
    days; asked before, the refusal says from which day and until which day."""
    project, _on = project_in(S.OPERATION, orgs, people, call_2026)
    started = max(project.went_live_on, project.accepted_on)
    opens, due = months_after(started, 6), months_after(started, 12)
    early = project.went_live_on + datetime.timedelta(days=100)
    assert early < opens
    with translation.override("zh-hans"), as_of(early), pytest.raises(RuleViolation) as exc:
        services.perform(project, "submit_self_evaluation", actor=people.owner_head)
    message = exc.value.message
    assert f"自评价可于{cn(opens)}起提交" in message
    assert f"应于{cn(due)}前报送" in message
    assert "（办法第三十三条）" in message
    # the step page says it too, before anything is typed, with where to look
    client.force_login(people.owner_head)
    with as_of(early):
        body = client.get(
            reverse("project_step", args=[project.pk, "submit_self_evaluation"])
        ).content.decode()
    assert f"自评价可于{cn(opens)}起提交" in body
    assert reverse("project", args=[project.pk]) + "#h-clocks" in body


def test_the_call_refusal_gives_the_window(db, orgs, call_2026):
    """办法第八条: the June call of 2025 for 2026 (2025-06-01 to 2025-06-30)."""
    draft = ProjectFactory(owner=orgs["owner"], call=call_2026)
    with translation.override("zh-hans"):
        with as_of(D(2025, 5, 20)):
            before = guards.call_is_open.explain(draft)
        with as_of(D(2025, 7, 1)):
            after = guards.call_is_open.explain(draft)
        assert "2025年6月1日至2025年6月30日，尚未开始" in before
        assert "2025年6月1日至2025年6月30日，已经截止" in after
        assert after.endswith("（办法第八条）")
        call_2026.closed_on = D(2025, 6, 20)
        call_2026.save()
        draft.refresh_from_db()
        with as_of(D(2025, 6, 22)):
            early = guards.call_is_open.explain(draft)
        assert "征集已于2025年6月20日提前截止" in early


def test_the_acceptance_deadline_refusal_gives_the_day(orgs, people, call_2026):
    """办法第二十九条: apply for acceptance within 6 months of completion; late, the refusal
    says the day the period ended."""
    project, _on = project_in(S.COMPLETED, orgs, people, call_2026)
    due = months_after(project.completed_on, 6)
    with (
        translation.override("zh-hans"),
        as_of(due + datetime.timedelta(days=1)),
        pytest.raises(RuleViolation) as exc,
    ):
        services.perform(project, "apply_acceptance", actor=people.owner_head)
    assert f"已于{cn(due)}届满" in exc.value.message


def test_closing_or_extending_a_closed_call_says_when_it_closed(db, people, call_2026):
    with translation.override("zh-hans"), as_of(D(2025, 7, 2)):
        with pytest.raises(RuleViolation) as exc:
            calls.call_extend(call_2026, actor=people.bureau_head, closes_on=D(2025, 7, 20), reason="延长")
        assert "征集已于2025年6月30日截止" in exc.value.message
        with pytest.raises(RuleViolation) as exc:
            calls.call_close(call_2026, actor=people.bureau_head, reason="截止")
        assert "征集已于2025年6月30日截止" in exc.value.message
