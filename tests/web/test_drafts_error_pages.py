"""Issue 11: "No favicon; 403 is a bare English '403 Forbidden'; 404 is Django's debug page
in the default set-up". Every way a person is refused or lost ends on the site's own page,
in its language, with the way back — with DEBUG on (``make run``) as with DEBUG off; the
icon is drawn here and served by this server (no CDN)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.test_pages import application_post

ICON_LINKS = ('rel="icon" href="/static/app/favicon.svg"', 'rel="icon" href="/static/app/favicon.ico"')


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    return client


# ---------------------------------------------------------------- the icon


def test_the_icon_is_served_here_at_favicon_ico(client, db):
    response = client.get("/favicon.ico")
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert b"\x89PNG" in body and "max-age=86400" in response["Cache-Control"]


def test_every_page_links_the_icon_from_this_server(client, people, scene):
    pages = [client.get(reverse("login")).content.decode()]
    client.force_login(people.owner_preparer)
    pages.append(client.get(reverse("home")).content.decode())
    for html in pages:
        assert all(link in html for link in ICON_LINKS)
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
        assert icons and not any(href.startswith(("http:", "https:", "//")) for href in icons)


def test_the_svg_icon_is_a_drawing_of_its_own(settings):
    svg = (settings.BASE_DIR / "static/app/favicon.svg").read_text()
    assert svg.startswith("<svg") and "http://www.w3.org/2000/svg" in svg
    assert "href=" not in svg  # nothing loaded from elsewhere


# ---------------------------------------------------------------- 403


@pytest.mark.parametrize("debug", [False, True])
def test_a_form_posted_without_its_csrf_token_says_why_in_chinese(people, settings, debug):
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.owner_preparer)
    response = client.post(reverse("application_new"), {"name": "x"})
    body = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期，请刷新后重新提交" in body and "本次提交没有保存" in body and "回到工作台" in body
    assert "CSRF verification failed" not in body and "Forbidden" not in body
    assert all(link in body for link in ICON_LINKS)


@pytest.mark.parametrize("debug", [False, True])
def test_a_refusal_is_the_sites_403_page(client, people, scene, settings, debug):
    """PermissionDenied: an agency opening the department's application form."""
    settings.DEBUG = debug
    client.force_login(people.bureau_reviewer)
    response = client.get(reverse("records_edit", args=[scene.building.pk]))
    body = response.content.decode()
    assert response.status_code == 403 and "无权办理" in body and "回到工作台" in body
    assert "403 Forbidden" not in body


def test_the_403_page_speaks_english_in_english(client, people, scene):
    english(client).force_login(people.bureau_reviewer)
    body = client.get(reverse("records_edit", args=[scene.building.pk])).content.decode()
    assert '<html lang="en">' in body and "无权办理" not in body


# ---------------------------------------------------------------- 404


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("url", ["/no-such-page/", "/projects/0/", "/changes/0/edit/", "/projects/0/delete/"])
def test_a_page_that_does_not_exist_is_the_sites_404(client, people, settings, debug, url):
    settings.DEBUG = debug
    client.force_login(people.owner_preparer)
    response = client.get(url)
    body = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in body and "回到工作台" in body
    assert "Page not found" not in body and "URLconf" not in body


def test_the_404_page_speaks_english_in_english(client, people):
    english(client).force_login(people.owner_preparer)
    body = client.get("/no-such-page/").content.decode()
    assert '<html lang="en">' in body and "页面不存在" not in body


# ---------------------------------------------------------------- 400


@pytest.mark.parametrize("debug", [False, True])
def test_a_request_the_server_refuses_to_read_is_the_sites_400(client, people, call_2026, settings, debug):
    """More fields than Django reads (DATA_UPLOAD_MAX_NUMBER_FIELDS): Django's debug page with
    DEBUG on, the site's 400 page now."""
    settings.DEBUG = debug
    client.force_login(people.owner_preparer)
    data = application_post(
        call_2026, **{f"x{i}": "1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)}
    )
    response = client.post(reverse("application_new"), data)
    body = response.content.decode()
    assert response.status_code == 400 and "请求有误" in body and "回到工作台" in body
    assert "TooManyFieldsSent" not in body and "Traceback" not in body


# ---------------------------------------------------------------- 429 (django-axes) and 500


def test_a_locked_out_sign_in_is_the_sites_page(client, people, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "owner_head", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 429 and "登录失败次数过多" in body
    assert all(link in body for link in ICON_LINKS)


def test_the_500_page_is_in_the_persons_language_and_shows_the_icon(client, people, monkeypatch):
    from web import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "home_queues_with", broken)
    client.raise_request_exception = False
    client.force_login(people.owner_preparer)
    body = client.get(reverse("home")).content.decode()
    assert "系统出错，您的操作没有完成" in body and '<html lang="zh-hans">' in body
    assert all(link in body for link in ICON_LINKS)
    body = english(client).get(reverse("home")).content.decode()
    assert '<html lang="en">' in body
