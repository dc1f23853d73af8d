"""Issue 12: the inbox, the notification settings and the calendar feed
(projects/notifications.py, projects/calendar_feed.py; docs/notifications.md).

An entry is addressed to an organisation and a role: anyone else gets 404 for it. Every write
(read, settings, feed address) is a POST through an audited service. The feed is opened by its
secret address alone (calendar clients send no session); a revoked or unknown address is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects import calendar_feed, notifications as notify
from projects.notification_forms import PreferenceForm

PAGE_SIZE = 30


@login_required
@require_GET
def inbox(request):
    entries = notify.inbox(request.user).select_related("project", "plan")
    if request.GET.get("unread") == "1":
        entries = notify.unread(request.user).select_related("project", "plan")
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/notification_inbox.html",
        {"page": page, "unread_only": request.GET.get("unread") == "1"},
    )


@login_required
@require_POST
def mark_read(request, pk):
    entry = notify.notification_for(request.user, pk)
    if entry is None:
        raise Http404(_("没有这条通知。"))
    notify.mark_read(request.user, [entry])
    if request.POST.get("open") == "1" and entry.url and url_has_allowed_host_and_scheme(entry.url, None):
        return redirect(entry.url)
    return redirect("notification_inbox")


@login_required
@require_POST
def mark_all_read(request):
    n = notify.mark_all_read(request.user)
    messages.success(request, _("已将%(n)s条通知标为已读。") % {"n": n})
    return redirect("notification_inbox")


#: The session key under which a feed's new address waits for the page that shows it once.
FRESH_FEED = "fresh_calendar_feed"


@login_required
def settings_page(request):
    pref = notify.preference_of(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            notify.preferences_save(
                request.user,
                email_kinds=form.cleaned_data["email_kinds"],
                delivery=form.cleaned_data["delivery"],
            )
            messages.success(request, _("通知设置已保存。"))
            return redirect("notification_settings")
    else:
        form = PreferenceForm(initial={"email_kinds": pref.email_kinds, "delivery": pref.delivery})
    # Only the digest of the feed's secret is stored: its address is shown once, on the page
    # the regeneration redirects to (kept in the session until then).
    # A secret revoked or replaced since (another tab, another session) is never shown.
    fresh = request.session.pop(FRESH_FEED, None)
    if fresh and pref.feed_token != notify.feed_digest(fresh):
        fresh = None
    feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[fresh])) if fresh else ""
    return render(
        request,
        "projects/notification_settings.html",
        {
            "form": form,
            "feed_url": feed_url,
            "has_feed": bool(pref.feed_token),
            "has_email": bool(request.user.email),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def feed_token(request):
    if request.POST.get("action") == "revoke":
        notify.feed_token_revoke(request.user)
        request.session.pop(FRESH_FEED, None)  # a new address not yet shown is gone with it
        messages.success(request, _("日历订阅地址已停用。"))
    else:
        request.session[FRESH_FEED] = notify.feed_token_regenerate(request.user)
        messages.success(request, _("已生成新的日历订阅地址，原地址不再可用。"))
    return redirect("notification_settings")


@require_GET
def feed(request, token):
    person = notify.feed_owner(token)
    if person is None:
        raise Http404(_("没有这个日历订阅地址。"))
    response = HttpResponse(calendar_feed.feed(person), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
