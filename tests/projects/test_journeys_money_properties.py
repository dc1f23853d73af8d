"""Issue 11 item 2, as hypothesis properties: an amount typed as people write it (万元 with
thousands separators "1,234.56", without them, with full-width digits or a trailing "万元")
is stored exactly, to the 分 (so to the 元); the form shows the stored amount back so that
saving it unchanged keeps it; every page shows it in the one look (two decimals, separators);
and a share (办法第二十八条's cumulative change ratio) is shown in percent with two decimals.

The expectations come from the issue's wording and plain arithmetic — 1万元 = 10,000 元,
rounding half up — not from the code under test."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, example, given, settings, strategies as st

from core.formatting import pct_text, wan_text
from core.validation import WanField, WanInput
from tests.conftest import at
from tests.web.conftest import scene  # noqa: F401  (fixture)

LIMIT_YUAN = 10**12  # exclusive: the bound of every money column (core/validation.py)
FORMS = settings(max_examples=200, deadline=None)
PAGES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

#: Any amount of 元 to the 分 that a column holds, as a count of 分.
cents = st.one_of(
    st.integers(1, LIMIT_YUAN * 100 - 1),
    st.integers(1, 10**9),
    st.sampled_from([1, 99, 100, 10_000, 1_000_000, 123_456_789, LIMIT_YUAN * 100 - 1]),
)
FULLWIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789"} | {ord("."): "．", ord(","): "，"}


def _wan_as_typed(yuan: Decimal, way: str) -> str:
    """The amount in 万元 written out by hand, exactly (up to six decimals), one of the ways
    people write it."""
    exact = format((yuan / 10000).normalize(), "f")
    if "." not in exact:
        exact += ".00"
    whole, _, frac = exact.partition(".")
    grouped = f"{int(whole):,}.{frac}"
    return {
        "plain": exact,
        "separators": grouped,
        "fullwidth": grouped.translate(FULLWIDTH),
        "unit": f"{grouped}万元",
        "spaced": f"  {grouped} 万元 ",
    }[way]


WAYS = st.sampled_from(["plain", "separators", "fullwidth", "unit", "spaced"])


@FORMS
@given(fen=cents, way=WAYS)
@example(fen=123456, way="separators")  # "0.123456" 万元 = 1,234.56 元
@example(fen=12345600, way="separators")  # "12.3456" 万元
def test_an_amount_typed_as_people_write_it_is_stored_exactly(fen, way):
    yuan = Decimal(fen) / 100
    typed = _wan_as_typed(yuan, way)
    assert WanField().clean(typed) == yuan, typed


@FORMS
@given(fen=cents)
def test_the_form_shows_the_stored_amount_so_that_saving_it_unchanged_keeps_it(fen):
    yuan = Decimal(fen) / 100
    html = WanInput().render("amount", yuan)
    shown = re.search(r'value="([^"]*)"', html).group(1)
    assert WanField().clean(shown) == yuan
    assert not WanField().has_changed(yuan, shown)
    # Two decimals at least, thousands separators, and the unit beside the box.
    assert re.fullmatch(r"\d{1,3}(,\d{3})*\.\d{2,6}", shown), shown
    assert "万元" in html


@FORMS
@given(fen=st.integers(-(LIMIT_YUAN * 100 - 1), LIMIT_YUAN * 100 - 1))
def test_every_shown_amount_is_the_amount_in_wan_rounded_half_up_with_separators(fen):
    yuan = Decimal(fen) / 100
    shown = wan_text(yuan)
    assert re.fullmatch(r"-?\d{1,3}(,\d{3})*\.\d{2}", shown), shown
    expected = (yuan / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert Decimal(shown.replace(",", "")) == expected
    assert abs(Decimal(shown.replace(",", "")) * 10000 - yuan) <= 50  # within half of 0.01万元


@FORMS
@given(ratio=st.decimals(min_value=0, max_value=100, places=6))
def test_every_shown_share_is_a_percentage_with_two_decimals(ratio):
    shown = pct_text(ratio)
    assert re.fullmatch(r"\d+\.\d{2}%", shown), shown
    assert Decimal(shown[:-1]) == (ratio * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.mark.django_db
@PAGES
@given(fen=st.integers(1, 5_000_000 * 100), way=WAYS)
def test_the_change_page_shows_a_typed_amount_in_the_one_look(client, people, scene, fen, way):
    """办法第二十八条: the preview of a change repeats the amount moved ("本次调整 1,234.57 万元")
    and the cumulative ratio in percent with two decimals; any amount gives no 500."""
    client.force_login(people.owner_preparer)
    yuan = Decimal(fen) / 100
    data = {
        "title": "扩充",
        "reason": "优化",
        "ground": "optimisation",
        "goals_unchanged": "on",
        "action": "preview",
        "items-0-from_content": "培训",
        "items-0-to_content": "监管",
        "items-0-amount_yuan": _wan_as_typed(yuan, way),
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    with at(2026, 11, 2):
        response = client.post(reverse("change_new", args=[scene.building.pk]), data)
    assert response.status_code == 200
    text = unicodedata.normalize("NFKC", response.content.decode())
    preview = text[text.index('id="ratio-preview"') :]
    assert wan_text(yuan) in preview
    assert re.search(r"<strong>\d+\.\d{2}%</strong>", preview), preview[:400]
