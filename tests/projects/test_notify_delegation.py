"""Issue 12 items 1 and 4: notifications follow a delegation (代办). Entries are addressed to
an organisation and a role; a substitute in force reads the delegator's role's entries and is
e-mailed with them, and no longer the day after the delegation ends (dates on the calendar,
both ends included). Expectations from the rules: the joint review's 网络安全 opinion is the
省委网信办's 审核人's or 负责人's (办法第十条), never its 经办人's own."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from core.states import ProjectState as S
from lifecycle import delegation
from projects import notifications as notify
from projects.models_notifications import NotificationKind
from tests.conftest import at
from tests.lifecycle.builders import project_in
from web.scenarios import Walker

pytestmark = pytest.mark.django_db

D = datetime.date


def test_a_substitute_reads_and_is_mailed_the_delegators_entries_only_while_in_force(
    orgs, people, call_2026, django_capture_on_commit_callbacks
):
    for key, person in people.items():
        person.email = f"{key}@example.gov.cn"
        person.save(update_fields=["email"])
    with at(2025, 9, 20):
        delegation.delegation_create(
            actor=people.cac_reviewer,
            substitute=people.cac_preparer,
            starts_on=D(2025, 9, 25),
            ends_on=D(2025, 9, 27),
            reason="出差",
        )
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    mail.outbox.clear()
    with at(2025, 9, 26), django_capture_on_commit_callbacks(execute=True):
        Walker(people).step(project, "accept_application", people.bureau_reviewer, D(2025, 9, 26))
        arrived = list(notify.inbox(people.cac_preparer).filter(kind=NotificationKind.ARRIVED))
        assert [e.project_id for e in arrived] == [project.pk]
        assert notify.unread_count(people.cac_preparer) == 1
    assert [m for m in mail.outbox if people.cac_preparer.email in m.to]
    # The 经办人 of another agency, with no delegation, reads nothing.
    assert not notify.inbox(people.crypto_preparer).exists()
    with at(2025, 9, 28):  # the day after the last day
        assert not notify.inbox(people.cac_preparer).exists()
        assert notify.inbox(people.cac_reviewer).filter(project=project).exists()
