"""`make run` opens on the sign-in page listing the demo accounts, and every page
reachable by clicking from each account's home page answers without an error."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urldefrag

import pytest
from django.urls import reverse

from web import demo
from projects.models import OrgKind, User

LINK = re.compile(r'href="(/[^"]*)"')


@pytest.fixture
def demo_world(db, settings):
    settings.DEMO_MODE = True
    return demo.load(today=datetime.date(2026, 11, 27))


def test_the_sign_in_page_lists_every_demo_account(client, demo_world):
    body = client.get(reverse("login")).content.decode()
    for user in User.objects.filter(is_active=True):
        assert f'data-username="{user.username}"' in body


@pytest.mark.parametrize("kind", [k for k in OrgKind.values if k != "expert"] + ["expert"])
def test_every_page_clickable_from_home_works_for_each_organisation(client, demo_world, kind):
    users = list(User.objects.filter(organisation__kind=kind, is_active=True).order_by("role"))
    if not users:
        pytest.skip(f"no demo account of kind {kind}")
    user = users[-1]
    client.force_login(user)
    seen, todo, fetched = set(), [reverse("home")], 0
    while todo and fetched < 120:
        url = todo.pop(0)
        if url in seen or url.startswith(("/static/", "/admin/", "/i18n/")):
            continue
        seen.add(url)
        response = client.get(url)
        fetched += 1
        # 403/404 would mean a link shown to someone who may not follow it.
        assert response.status_code in (200, 302), (user.username, url, response.status_code)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            for link in LINK.findall(response.content.decode()):
                link = urldefrag(link.replace("&amp;", "&"))[0]
                if link not in seen:
                    todo.append(link)
    assert fetched > 3
