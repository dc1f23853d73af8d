"""Issue 11 item 2: money and shares look one way on every page — 万元 with two decimals and
thousands separators ("1,234.57"), a share in percent with two decimals ("10.00%"), never a
raw Decimal ("12345678.90", "1234.5679") nor a raw ratio ("0.1000").

The demo (projects in every state, filed and pending changes of 办法第二十八条, plans) is
loaded once; the amounts of one project are then set to odd, large values so that a page
showing money without the shared filter (core.formatting) shows digits without separators.
Every page a person of each role reaches from the project, change and plan pages is read as
text and searched for such numbers."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from core.formatting import amount_text, money_text, pct_text, percent_text, wan_text
from lifecycle.models import ChangeRequest
from projects.models import AnnualPlan, Project, User
from tests.conftest import built_once
from web import demo

#: Four or more digits before a decimal point without a thousands separator: a raw amount.
RAW_AMOUNT = re.compile(r"(?<![\d,.\-/])\d{4,}\.\d+")
#: A share written as a bare fraction with four or more places ("0.1000"): a raw ratio.
RAW_RATIO = re.compile(r"(?<![\d,.])0\.\d{3,}(?!\d*%)")
#: Money with more than two decimals ("1,234.5679") or a Decimal's repr.
RAW_PLACES = re.compile(r"\d,\d{3}\.\d{3,}|Decimal\(")
TAG = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)


def _text(response) -> str:
    return unescape(TAG.sub(" ", response.content.decode()))


def _raw_numbers(text: str) -> list[str]:
    return RAW_AMOUNT.findall(text) + RAW_RATIO.findall(text) + RAW_PLACES.findall(text)


def test_the_shared_functions_write_money_and_shares_one_way():
    """The one look (core.formatting), written from the issue: 万元, two decimals, separators."""
    assert wan_text(Decimal("12345678.90")) == "1,234.57"
    assert wan_text(Decimal("5000000")) == "500.00"
    assert wan_text(Decimal("-0.4")) == "0.00"
    assert wan_text(None) == wan_text("") == wan_text("abc") == ""
    assert amount_text(Decimal("1234.5")) == "1,234.50"  # already 万元 (the plan's rows)
    assert money_text(Decimal("123456789012.34")) == "12,345,678.90万元"
    assert pct_text(Decimal("0.1")) == "10.00%"
    assert pct_text(Decimal("0.300000")) == "30.00%"
    assert pct_text(Decimal("0.123456")) == "12.35%"
    assert percent_text(Decimal("16.0042")) == "16.00%"
    assert pct_text(None) == ""
    assert _raw_numbers("总投资 12345678.90 万元") and _raw_numbers("累计比例 0.1000")
    assert not _raw_numbers("总投资 1,234.57 万元 · 累计比例 10.00% · 2026-06-15 · 0.85")


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        yield demo.load(today=datetime.date(2026, 11, 27))


@pytest.fixture
def world(demo_loaded, db, settings):
    settings.DEMO_MODE = True
    # One project with odd, large amounts: without separators they would read 12345678.90.
    odd = Project.objects.filter(changes__isnull=False).order_by("pk").first()
    Project.objects.filter(pk=odd.pk).update(
        total_investment_yuan=Decimal("12345678.90"),
        fsr_estimate_yuan=Decimal("12345678.90"),
    )
    return odd


def _pages(user: User) -> list[str]:
    urls = [reverse("home"), reverse("project_list"), reverse("plan_list")]
    projects = Project.objects.filter(owner=user.organisation) if user.organisation.kind == "owner" else None
    for project in (projects if projects is not None else Project.objects.all()).order_by("pk"):
        urls.append(reverse("project", args=[project.pk]))
    for change in ChangeRequest.objects.order_by("pk"):
        urls.append(reverse("change", args=[change.pk]))
    for year in AnnualPlan.objects.values_list("year", flat=True):
        urls.append(reverse("plan", args=[year]))
    return urls


@pytest.mark.parametrize("username", ["owner", "bureau_head", "finance_head", "cac_reviewer"])
def test_no_page_shows_a_raw_amount_or_ratio(client, world, username):
    if username == "owner":  # the head of the department whose amounts are odd
        user = User.objects.get(organisation=world.owner, role="head")
    else:
        user = User.objects.get(username=username)
    client.force_login(user)
    found = {}
    seen = 0
    for url in _pages(user):
        response = client.get(url)
        if response.status_code != 200:
            continue
        seen += 1
        raw = _raw_numbers(_text(response))
        if raw:
            found[url] = raw[:5]
    assert seen > 5
    assert not found, found


def test_the_odd_amounts_and_the_change_ratio_show_in_the_one_look(client, world):
    """The project page shows 12,345,678.90 元 as "1,234.57" 万元; the cumulative change ratio
    of 办法第二十八条 shows in percent with two decimals on the project, change and home pages."""
    client.force_login(User.objects.get(username="bureau_head"))
    text = _text(client.get(reverse("project", args=[world.pk])))
    assert "1,234.57" in text
    change = world.changes.exclude(ratio=None).order_by("pk").first()
    assert change is not None
    shown = pct_text(change.ratio)
    assert re.fullmatch(r"\d{1,3}\.\d{2}%", shown)
    assert shown in text
    assert shown in _text(client.get(reverse("change", args=[change.pk])))
