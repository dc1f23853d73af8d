"""`make run` opens on the sign-in page listing the demo accounts, and every page
reachable by clicking from each account's home page answers without an error.

The demo is loaded once for the module (rolled back at its end; each test runs in a
savepoint). The crawl fetches one URL per page shape and account: the path with its numbers
(ids, years) abstracted and the query's keys and non-numeric values — so one step page per
step name, one download per format. A project, change or plan page is fetched once per
state of its object (and, for a project, its network and classification), because what it
links to (the steps, the documents) depends on them."""

from __future__ import annotations

import datetime
import re
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from lifecycle.models import ChangeRequest
from projects.models import AnnualPlan, OrgKind, Project, User
from tests.conftest import built_once
from web import demo

LINK = re.compile(r'href="(/[^"]*)"')
NUMBER = re.compile(r"\d+")


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        yield demo.load(today=datetime.date(2026, 11, 27))


@pytest.fixture
def demo_world(demo_loaded, db, settings):
    settings.DEMO_MODE = True
    return demo_loaded


def test_the_sign_in_page_lists_every_demo_account(client, demo_world):
    body = client.get(reverse("login")).content.decode()
    for user in User.objects.filter(is_active=True):
        assert f'data-username="{user.username}"' in body


def _hub_state(url: str):
    """The state of the object a project, change or plan page shows; None for other pages."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name == "project":
        project = Project.objects.filter(pk=match.kwargs["pk"]).first()
        return project and (project.state, project.network, project.classified)
    if match.view_name == "change":
        return ChangeRequest.objects.filter(pk=match.kwargs["pk"]).values_list("state", flat=True).first()
    if match.view_name == "plan":
        return AnnualPlan.objects.filter(year=match.kwargs["year"]).values_list("state", flat=True).first()
    return None


def shape(url: str):
    """The page a URL shows, up to the object: numbers abstracted, query keys kept."""
    parts = urlsplit(url)
    query = sorted(
        (key, NUMBER.sub("#", value)) for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return NUMBER.sub("#", parts.path), tuple(query), _hub_state(url)


@pytest.mark.parametrize("kind", [k for k in OrgKind.values if k != "expert"] + ["expert"])
def test_every_page_clickable_from_home_works_for_each_organisation(client, demo_world, kind):
    users = list(User.objects.filter(organisation__kind=kind, is_active=True).order_by("role"))
    if not users:
        pytest.skip(f"no demo account of kind {kind}")
    user = users[-1]
    client.force_login(user)
    seen, queued, todo, fetched = set(), {reverse("home")}, [reverse("home")], 0
    while todo and fetched < 120:
        url = todo.pop(0)
        if url.startswith(("/static/", "/admin/", "/i18n/")):
            continue
        key = shape(url)
        if key in seen:
            continue
        seen.add(key)
        response = client.get(url)
        fetched += 1
        # 403/404 would mean a link shown to someone who may not follow it.
        assert response.status_code in (200, 302), (user.username, url, response.status_code)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            for link in LINK.findall(response.content.decode()):
                link = urldefrag(link.replace("&amp;", "&"))[0]
                if link not in queued:
                    queued.add(link)
                    todo.append(link)
    print("CRAWL", kind, fetched, len(todo))
    assert fetched > 3
