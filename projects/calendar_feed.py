"""Issue 12: a person's deadlines as an iCalendar feed (RFC 5545; the icalendar package).

One all-day event per running deadline the person acts on (projects/reminders.py
``clocks_for``): DTSTART the day it falls due and DTEND the day after, both VALUE=DATE; a UID
stable per clock (an extended deadline moves the same event), DTSTAMP, the article of the 办法
in the description, a link to the project. PRODID and X-WR-CALNAME name the feed, so common
clients (Outlook, Apple Calendar, Google Calendar, Thunderbird) subscribe to it.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from lifecycle.models import Clock

from . import notifications as notify
from .models import User
from .reminders import clocks_for

PRODID = "-//Heilongjiang e-government IT projects//deadlines//ZH"


def _event(clock: Clock, stamp: datetime.datetime, host: str) -> Event:
    subject = clock.project or clock.plan
    due = clock.effective_due_on
    event = Event()
    event.add("uid", f"clock-{clock.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", due)
    event.add("dtend", due + datetime.timedelta(days=1))
    event.add(
        "summary",
        _("%(clock)s截止：%(subject)s")
        % {"clock": clock.get_kind_display(), "subject": notify.subject_name(subject)},
    )
    lines = [_("依据：办法%(article)s") % {"article": clock.article}]
    if clock.provisional:
        lines.append(_("暂定日期：所跨年份的节假日安排尚未公布。"))
    url = notify.absolute(notify.link_for(subject))
    lines.append(url)
    event.add("description", "\n".join(lines))
    event.add("url", url)
    event.add("transp", "TRANSPARENT")
    return event


def feed(user: User) -> bytes:
    """The feed of ``user`` (only what they act on and may see)."""
    host = urlsplit(settings.NOTIFY_SITE_URL).hostname or "localhost"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("%(name)s的办理时限") % {"name": str(user)})
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
    for clock in clocks_for(user):
        cal.add_component(_event(clock, stamp, host))
    return cal.to_ical()
