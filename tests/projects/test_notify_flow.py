"""Issue 12: notifications, reminders, escalation and the calendar feed, from the 办法.

The dates are worked out here by hand from 办法第十条 (joint review within 5 working days of
受理, the day of 受理 not counted) and the State Council's 2025 holiday schedule (国办发明电
〔2024〕12号: 10月1日至8日放假调休，共8天；9月28日（周日）、10月11日（周六）上班) — never
read back from the code. The bureau accepts on Friday 2025-09-26:

    working day 1 = Sun 09-28 (make-up day), 2 = Mon 09-29, 3 = Tue 09-30,
    (10-01 … 10-08 holiday), 4 = Thu 10-09, 5 = Fri 10-10  → due 2025-10-10.

With reminders 2 and 1 working days before and on the day: 2 working days remain (10-09,
10-10) from Tue 09-30 on; 1 from Thu 10-09; the day is Fri 10-10. Sat 10-11 is a make-up
working day: the first working day overdue, when the 负责人 are told (督办).
"""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from icalendar import Calendar

from core.states import ProjectState as S
from lifecycle.models import AuditEntry, Clock, ClockKind
from projects import notifications as notify, notify_tasks, reminders
from projects.models import Notification, NotificationPreference, ReminderSent
from projects.models_notifications import NotificationKind
from tests.conftest import at
from tests.lifecycle.builders import project_in
from web.notification_views import FRESH_FEED
from web.scenarios import Walker

D = datetime.date
ACCEPTED = D(2025, 9, 26)
DUE = D(2025, 10, 10)


@pytest.fixture
def joint_review(orgs, people, call_2026, django_capture_on_commit_callbacks):
    """A project the bureau accepts on 2025-09-26 (joint review begins, 办法第十条), every
    person with an e-mail address."""
    for key, person in people.items():
        person.email = f"{key}@example.gov.cn"
        person.save(update_fields=["email"])
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Walker(people).step(project, "accept_application", people.bureau_reviewer, ACCEPTED)
    return project


def _mails_to(person):
    return [m for m in mail.outbox if person.email in m.to]


def _pass(day, capture):
    with at(day.year, day.month, day.day), capture(execute=True):
        return reminders.run_pass()


# ---------------------------------------------------------------- a matter arrives


def test_joint_review_reaches_each_reviewer_at_once(joint_review, people):
    # 办法第十条: the agencies of the joint review must each give their opinion.
    for key in ("cac_reviewer", "cac_head", "crypto_reviewer", "crypto_head"):
        person = people[key]
        entries = list(notify.inbox(person).filter(kind=NotificationKind.ARRIVED))
        assert [e.project_id for e in entries] == [joint_review.pk], key
        assert len(_mails_to(person)) == 1, key
        assert joint_review.name in _mails_to(person)[0].subject
    # A 经办人 of an agency takes no review step; the bureau's reviewer took this one.
    assert not notify.inbox(people.cac_preparer).exists()
    assert not _mails_to(people.bureau_reviewer)
    # The department is told the decision taken on its project.
    decided = notify.inbox(people.owner_head).get()
    assert decided.kind == NotificationKind.DECIDED
    # Nobody of another department hears of it.
    assert not notify.inbox(people.other_owner_head).exists()


def test_same_role_sees_same_entry_read_per_person(joint_review, people, django_user_model):
    colleague = django_user_model.objects.create(
        username="cac_reviewer_2", organisation=people.cac_reviewer.organisation, role="reviewer"
    )
    entry = notify.inbox(people.cac_reviewer).get()
    assert list(notify.inbox(colleague).values_list("pk", flat=True)) == [entry.pk]
    assert notify.mark_read(people.cac_reviewer, [entry]) == 1
    assert notify.unread_count(people.cac_reviewer) == 0
    assert notify.unread_count(colleague) == 1
    row = AuditEntry.objects.filter(action="notification.read").latest("pk")
    assert row.actor_id == people.cac_reviewer.pk and row.data["notifications"] == [entry.pk]


def test_correction_requested_tells_the_department(joint_review, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Walker(people).step(
            joint_review,
            "request_correction",
            people.cac_reviewer,
            D(2025, 9, 29),
            reason="请补充等级保护测评计划。",
        )
    kinds = set(notify.inbox(people.owner_preparer).values_list("kind", flat=True))
    assert NotificationKind.CORRECTION in kinds
    entry = notify.inbox(people.owner_preparer).get(kind=NotificationKind.CORRECTION)
    assert "请补充等级保护测评计划" in entry.body
    assert entry.article == "第十条"


# ---------------------------------------------------------------- reminders and escalation


def _reminded(person, clock):
    return set(ReminderSent.objects.filter(user=person, clock=clock).values_list("step", flat=True))


def test_reminders_at_policy_offsets_and_one_escalation(
    joint_review, people, django_capture_on_commit_callbacks
):
    clock = Clock.objects.get(project=joint_review, kind=ClockKind.JOINT_REVIEW)
    assert clock.due_on == DUE  # 5 working days after 受理 on the official calendar
    reviewer, head = people.cac_reviewer, people.cac_head
    mail.outbox.clear()
    expected = [
        (D(2025, 9, 29), set()),
        (D(2025, 9, 30), {"before:2"}),
        (D(2025, 10, 5), {"before:2"}),  # a holiday: nothing new
        (D(2025, 10, 9), {"before:2", "before:1"}),
        (D(2025, 10, 10), {"before:2", "before:1", "before:0"}),
        (D(2025, 10, 11), {"before:2", "before:1", "before:0", "overdue"}),
    ]
    for day, steps in expected:
        _pass(day, django_capture_on_commit_callbacks)
        assert _reminded(reviewer, clock) == steps, day
    assert len(_mails_to(reviewer)) == 4
    # 督办: the 负责人 of the agency that has not answered, once, on the first working day late.
    escalations = notify.inbox(head).filter(kind=NotificationKind.ESCALATION)
    assert escalations.count() == 1
    assert escalations.get().article == "第十条"
    assert "escalate:head" in _reminded(head, clock)
    assert "escalate:head" not in _reminded(reviewer, clock)
    # Running the job again, the same day or later, sends nothing twice.
    sent = len(mail.outbox)
    _pass(D(2025, 10, 11), django_capture_on_commit_callbacks)
    _pass(D(2025, 10, 12), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == sent
    assert notify.inbox(head).filter(kind=NotificationKind.ESCALATION).count() == 1


def test_an_answered_agency_is_not_reminded(joint_review, people, django_capture_on_commit_callbacks):
    from lifecycle import services

    with at(2025, 9, 29), django_capture_on_commit_callbacks(execute=True):
        services.opinion_give(
            joint_review, actor=people.cac_reviewer, aspect="security", conclusion="approve", text="同意。"
        )
    # 办法第十条: the opinion is told to the department and the bureau.
    assert notify.inbox(people.owner_head).filter(kind=NotificationKind.OPINION).count() == 1
    assert notify.inbox(people.bureau_reviewer).filter(kind=NotificationKind.OPINION).count() == 1
    clock = Clock.objects.get(project=joint_review, kind=ClockKind.JOINT_REVIEW)
    _pass(D(2025, 9, 30), django_capture_on_commit_callbacks)
    assert _reminded(people.crypto_reviewer, clock) == {"before:2"}
    assert _reminded(people.cac_reviewer, clock) == set()


def test_reminder_is_unique_per_person_clock_and_offset(joint_review, people):
    clock = Clock.objects.get(project=joint_review, kind=ClockKind.JOINT_REVIEW)
    fields = {"user": people.cac_reviewer, "clock": clock, "due_on": DUE, "step": "before:1"}
    ReminderSent.objects.create(sent_at=datetime.datetime.now(datetime.UTC), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(sent_at=datetime.datetime.now(datetime.UTC), **fields)


def test_the_task_runs_a_pass(joint_review, people, django_capture_on_commit_callbacks):
    with at(2025, 9, 30), django_capture_on_commit_callbacks(execute=True):
        result = notify_tasks.reminder_pass.enqueue()
    assert result.return_value["reminded"] >= 4
    # The tests' queue runs tasks at once: no next pass is queued (it would run at once too).
    assert notify_tasks.schedule() is False


def test_schedule_queues_one_pass_on_the_database_queue(db, settings):
    # django-tasks rebuilds its backends when the setting changes (django_tasks/signals.py).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    assert notify_tasks.schedule() is True
    assert notify_tasks.schedule() is False  # one chain, not two
    row = DBTaskResult.objects.get(task_path=notify_tasks.reminder_pass.module_path)
    assert row.run_after > datetime.datetime.now(datetime.UTC)
    assert row.run_after == notify_tasks.next_run()


# ---------------------------------------------------------------- preferences and digest


def test_digest_instead_of_immediate(joint_review, people, django_capture_on_commit_callbacks):
    person = people.crypto_reviewer
    notify.preferences_save(person, email_kinds=["reminder", "arrived"], delivery="digest")
    assert AuditEntry.objects.filter(action="notification.preferences", actor=person).exists()
    mail.outbox.clear()
    _pass(D(2025, 9, 30), django_capture_on_commit_callbacks)
    digests = [m for m in _mails_to(person) if "每日通知汇总" in m.subject]
    assert len(digests) == 1 and len(_mails_to(person)) == 1
    with at(2025, 9, 30, 15), django_capture_on_commit_callbacks(execute=True):
        assert notify.send_digests() == 0  # once a day


def test_kind_not_chosen_is_not_emailed(orgs, people, call_2026, django_capture_on_commit_callbacks):
    for person in people.values():
        person.email = f"{person.username}@example.gov.cn"
        person.save(update_fields=["email"])
    notify.preferences_save(people.cac_reviewer, email_kinds=["reminder"], delivery="immediate")
    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        Walker(people).step(project, "accept_application", people.bureau_reviewer, ACCEPTED)
    assert not _mails_to(people.cac_reviewer)
    assert notify.inbox(people.cac_reviewer).count() == 1  # still in the inbox
    assert _mails_to(people.cac_head)


# ---------------------------------------------------------------- calendar feed


def _events(response):
    cal = Calendar.from_ical(response.content)
    return cal, list(cal.walk("VEVENT"))


def test_calendar_feed(joint_review, people, client):
    token = notify.feed_token_regenerate(people.cac_reviewer)
    response = client.get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal, events = _events(response)
    assert cal["PRODID"] and cal["VERSION"] == "2.0" and cal["X-WR-CALNAME"]
    (event,) = events
    assert event.decoded("DTSTART") == DUE and event.decoded("DTEND") == DUE + datetime.timedelta(days=1)
    assert event["DTSTART"].params.get("VALUE") == "DATE" or "VALUE=DATE" in response.content.decode()
    assert "DTSTAMP" in event and str(event["UID"]).startswith("clock-")
    assert "第十条" in str(event["DESCRIPTION"])
    assert joint_review.name in str(event["SUMMARY"])
    assert AuditEntry.objects.filter(action="notification.feed_token", actor=people.cac_reviewer).exists()


def test_feed_shows_only_what_the_person_acts_on(joint_review, people, client):
    # The department does not act on the joint review; 省发改委 has nothing in it either.
    for key in ("owner_preparer", "drc_reviewer", "cac_preparer"):
        token = notify.feed_token_regenerate(people[key])
        _cal, events = _events(client.get(reverse("calendar_feed", args=[token])))
        assert events == [], key


def test_revoked_or_regenerated_feed_is_404(joint_review, people, client):
    old = notify.feed_token_regenerate(people.cac_reviewer)
    new = notify.feed_token_regenerate(people.cac_reviewer)
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 200
    notify.feed_token_revoke(people.cac_reviewer)
    assert client.get(reverse("calendar_feed", args=[new])).status_code == 404
    assert NotificationPreference.objects.get(user=people.cac_reviewer).feed_token is None
    assert AuditEntry.objects.filter(action="notification.feed_revoked").exists()


# ---------------------------------------------------------------- pages and permissions


def test_another_organisations_entry_is_404(joint_review, people, client):
    theirs = notify.inbox(people.owner_head).get()
    client.force_login(people.cac_reviewer)
    assert client.post(reverse("notification_read", args=[theirs.pk])).status_code == 404
    page = client.get(reverse("notification_inbox"))
    assert page.status_code == 200
    assert (
        theirs.title not in page.content.decode()
        or theirs.title in notify.inbox(people.cac_reviewer).get().title
    )
    assert not Notification.objects.get(pk=theirs.pk).reads.exists()


def test_pages_read_and_settings(joint_review, people, client):
    client.force_login(people.cac_reviewer)
    home = client.get(reverse("home")).content.decode()
    assert 'class="badge"' in home
    mine = notify.inbox(people.cac_reviewer).get()
    response = client.post(reverse("notification_read", args=[mine.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == mine.url
    assert notify.unread_count(people.cac_reviewer) == 0
    response = client.post(
        reverse("notification_settings"), {"email_kinds": ["reminder"], "delivery": "digest"}
    )
    assert response.status_code == 302
    pref = NotificationPreference.objects.get(user=people.cac_reviewer)
    assert (pref.email_kinds, pref.delivery) == (["reminder"], "digest")
    client.post(reverse("notification_feed_token"), {"action": "regenerate"})
    shown = client.get(reverse("notification_settings")).content.decode()
    token = re.search(r"calendar/feed/([A-Za-z0-9_-]+)\.ics", shown).group(1)
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 200
    # Only the digest is kept: the address is shown once, and the database holds no secret.
    assert "calendar/feed/" not in client.get(reverse("notification_settings")).content.decode()
    stored = NotificationPreference.objects.get(user=people.cac_reviewer).feed_token
    assert stored == hashlib.sha256(token.encode()).hexdigest() and token not in stored


def test_a_new_feed_address_revoked_before_it_was_shown_leaves_the_session(joint_review, people, client):
    """A feed regenerated then revoked (e.g. from another tab) before the settings page showed
    its address: the secret does not stay in the session, and the page never shows it."""
    client.force_login(people.cac_reviewer)
    client.post(reverse("notification_feed_token"), {"action": "regenerate"})
    assert FRESH_FEED in client.session
    client.post(reverse("notification_feed_token"), {"action": "revoke"})
    assert FRESH_FEED not in client.session
    assert "calendar/feed/" not in client.get(reverse("notification_settings")).content.decode()


def test_an_address_replaced_elsewhere_is_not_shown(joint_review, people, client):
    """Regenerated here, then replaced from another session before this page showed it: the
    page does not show this session's (no longer working) address."""
    client.force_login(people.cac_reviewer)
    client.post(reverse("notification_feed_token"), {"action": "regenerate"})
    notify.feed_token_regenerate(people.cac_reviewer)  # another session
    assert "calendar/feed/" not in client.get(reverse("notification_settings")).content.decode()
    assert FRESH_FEED not in client.session


def test_unread_count_is_one_query(joint_review, people, rf, django_assert_num_queries):
    from web.notify_context import notifications

    request = rf.get("/")
    request.user = people.cac_reviewer
    unread = notifications(request)["unread_notifications"]
    with django_assert_num_queries(1):
        assert unread() == 1
        assert unread() == 1


def test_concurrent_passes_send_once(joint_review, people, django_capture_on_commit_callbacks):
    """Two passes that both found nothing sent yet (the pre-check raced): the UNIQUE
    constraint lets only one of them remind each person."""
    clock = Clock.objects.get(project=joint_review, kind=ClockKind.JOINT_REVIEW)
    step = reminders.Step(reminders.before(2), NotificationKind.REMINDER, 2)
    actors = reminders.clock_actors(clock)
    mail.outbox.clear()
    with at(2025, 9, 30), django_capture_on_commit_callbacks(execute=True):
        first = reminders.send_step(clock, step, actors)
        second = reminders.send_step(clock, step, actors)
    assert first >= 4 and second == 0
    assert len(_mails_to(people.cac_reviewer)) == 1
    assert Notification.objects.filter(key__startswith=f"clock:{clock.pk}:").count() == len(
        {
            (n.organisation_id, n.role)
            for n in Notification.objects.filter(key__startswith=f"clock:{clock.pk}:")
        }
    )


def test_issued_filing_is_announced(orgs, people, call_2026, django_capture_on_commit_callbacks):
    """办法第九条: the department's 申报表, once submitted, is announced to the bureau."""
    from documents import filings

    project, _on = project_in(S.SUBMITTED, orgs, people, call_2026)
    with django_capture_on_commit_callbacks(execute=True):
        filing = filings.generate("application_form", actor=people.owner_preparer, project=project)
    entry = notify.inbox(people.bureau_reviewer).get(kind=NotificationKind.FILING)
    assert filing.get_kind_display() in entry.title and entry.article == "第九条"
    assert not notify.inbox(people.owner_preparer).filter(kind=NotificationKind.FILING).exists()


def test_inbox_page_queries_do_not_grow(orgs, people, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.cac_reviewer)
    org = people.cac_reviewer.organisation

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("notification_inbox")).status_code == 200
        return len(ctx.captured_queries)

    notify.notify(notify.Message(kind="arrived", title="待办 0"), [(org, {"reviewer"})])
    one = count()
    for n in range(1, 25):
        notify.notify(notify.Message(kind="arrived", title=f"待办 {n}"), [(org, {"reviewer"})])
    assert count() == one


def test_rectification_deadline_is_the_departments(orgs, people, call_2026, client):
    """办法第三十六条: 限期整改 is the department's obligation — its reminders and its calendar,
    not the bureau's (which ordered it)."""
    project, on = project_in(S.CONSTRUCTION, orgs, people, call_2026)
    with at(on.year, on.month, on.day):
        Walker(people).step(
            project, "order_rectification", people.bureau_head, on, reason="限期整改", working_days=10
        )
    clock = Clock.objects.get(project=project, kind=ClockKind.RECTIFICATION)
    assert reminders.clock_actors(clock) == [orgs["owner"]]
    assert clock in reminders.clocks_for(people.owner_preparer)
    assert clock not in reminders.clocks_for(people.bureau_reviewer)


def test_addresses_handed_out_before_digests_keep_working(people, client):
    """Migration projects/0021_feed_token_digest: a secret stored in clear before is replaced by
    its digest, so its address still opens the feed and the database no longer holds it; a
    digest already stored is left as it is."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("projects.migrations.0021_feed_token_digest")
    old = "an-address-handed-out-before-0021"
    NotificationPreference.objects.create(user=people.cac_reviewer, feed_token=old)
    fresh = notify.feed_token_regenerate(people.bureau_reviewer)
    kept = NotificationPreference.objects.get(user=people.bureau_reviewer).feed_token
    migration.digest_tokens(apps, None)
    assert NotificationPreference.objects.get(user=people.cac_reviewer).feed_token == (
        hashlib.sha256(old.encode()).hexdigest()
    )
    assert NotificationPreference.objects.get(user=people.bureau_reviewer).feed_token == kept
    assert client.get(reverse("calendar_feed", args=[old])).status_code == 200
    assert client.get(reverse("calendar_feed", args=[fresh])).status_code == 200
