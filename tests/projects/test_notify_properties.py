"""Issue 12: the notification settings take values from a person — whatever is posted, the
page answers 302 (saved) or 400 (refused, in Chinese), never 500, and what is saved is only
kinds and a delivery the system knows (hypothesis)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings, strategies as st

from projects.models import NotificationPreference
from projects.models_notifications import Delivery, NotificationKind

PAGES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
ANY = st.one_of(st.text(max_size=20), st.sampled_from(["", " ", "0", "-1", "9" * 40]))


@pytest.mark.django_db
@PAGES
@given(
    kinds=st.lists(st.one_of(st.sampled_from(NotificationKind.values), ANY), max_size=10),
    delivery=st.one_of(st.sampled_from(Delivery.values), ANY),
)
def test_settings_page_saves_only_known_values(client, people, kinds, delivery):
    client.force_login(people.crypto_reviewer)
    response = client.post(reverse("notification_settings"), {"email_kinds": kinds, "delivery": delivery})
    assert response.status_code in (302, 400)
    pref = NotificationPreference.objects.filter(user=people.crypto_reviewer).first()
    if response.status_code == 302:
        assert pref is not None
        assert set(pref.email_kinds) == set(kinds) <= set(NotificationKind.values)
        assert pref.delivery == delivery
    else:
        content = response.content.decode()
        assert "请" in content
    if pref is not None:
        assert set(pref.email_kinds) <= set(NotificationKind.values) and pref.delivery in Delivery.values


@pytest.mark.django_db
@PAGES
@given(token=st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFG0123456789-_", min_size=1, max_size=80))
def test_a_guessed_feed_address_is_404(client, people, token):
    assert client.get(reverse("calendar_feed", args=[token])).status_code == 404
