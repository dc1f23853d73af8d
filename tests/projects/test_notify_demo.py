"""Issue 12, done when: a joint review started in the demo produces the reviewer's inbox entry
and e-mail at once (办法第十条: 省委网信办 and 省密码管理局 give their opinions on the joint
review). The whole demo is loaded (web/demo.py, as ``make run`` loads it); its projects in
联合审核 must each have reached the reviewers of both agencies, in the inbox and by e-mail."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from core.states import ProjectState as S
from projects import notifications as notify
from projects.models import OrgKind, Project, User
from projects.models_notifications import NotificationKind
from web import demo

pytestmark = pytest.mark.django_db


def test_a_joint_review_started_in_the_demo_reaches_the_reviewers_inbox_and_mail(
    django_capture_on_commit_callbacks,
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        demo.load(today=datetime.date(2026, 11, 27))
    in_review = list(Project.objects.filter(state=S.JOINT_REVIEW))
    assert in_review
    reviewers = User.objects.filter(organisation__kind__in=[OrgKind.CAC, OrgKind.CRYPTO], role="reviewer")
    assert reviewers.count() == 2
    for reviewer in reviewers:
        assert reviewer.email.endswith("@demo.invalid")
        for project in in_review:
            assert notify.inbox(reviewer).filter(kind=NotificationKind.ARRIVED, project=project).exists()
            assert any(reviewer.email in m.to and project.name in m.subject for m in mail.outbox), (
                reviewer.username,
                project.name,
            )
