"""The accessibility checks of the journeys (tests/web/a11y.py) find what they are meant to
find: each problem, written into an otherwise good page, is reported, and the good page passes.
Without this, a check that never fires would let every journey pass."""

from __future__ import annotations

import pytest

from tests.web.a11y import Audit
from tests.web.test_browser_journey import CHROMIUM_ARGS

GOOD = """<!DOCTYPE html><html lang="zh-hans"><head><style>
a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid #f0b429; }
</style></head><body>
<a class="skip" href="#main">跳到正文</a>
<nav aria-label="主导航"><a href="/">工作台</a></nav>
<form method="post" action="/accounts/logout/"><button type="submit">退出</button></form>
<main id="main"><h1>出具审核意见</h1>
<img src="data:," alt="">
<form method="post">
  <div class="field has-error"><label for="id_text">审核意见</label>
    <textarea id="id_text" aria-invalid="true" aria-describedby="id_text_error"></textarea>
    <div id="id_text_error"><p class="error">请填写审核意见。</p></div></div>
  <div class="field"><label for="id_conclusion">结论</label>
    <select id="id_conclusion"><option>同意</option></select></div>
  <input type="date" id="id_on" aria-label="日期">
  <button type="submit" class="primary">出具意见</button>
</form></main></body></html>"""

BROKEN = {
    "no label": ('<label for="id_conclusion">结论</label>', ""),
    "html has no lang": ('<html lang="zh-hans">', "<html>"),
    "h1 elements": ("<h1>出具审核意见</h1>", "<p>出具审核意见</p>"),
    "no single main": ('<main id="main">', '<div id="main">'),
    "no nav landmark": ('<nav aria-label="主导航"><a href="/">工作台</a></nav>', '<a href="/">工作台</a>'),
    "img without alt": ('alt=""', ""),
    "invalid field without a described message": (' aria-describedby="id_text_error"', ""),
    "not marked aria-invalid": (' aria-invalid="true" aria-describedby="id_text_error"', ""),
    "error not announced": ('<div id="id_text_error">', '<div id="elsewhere">'),
    "duplicate id": ('id="id_on"', 'id="id_conclusion"'),
    "positive tabindex": ('<button type="submit" class="primary">', '<button type="submit" tabindex="2">'),
    "no name": ('<button type="submit">退出</button>', '<button type="submit"></button>'),
    "focus not visible": ("outline: 3px solid #f0b429;", "outline: none;"),
    # A keyboard trap (WCAG 2.1.2): the date box keeps the focus, the button after it is never reached.
    "not reached with Tab": (
        'id="id_on"',
        'id="id_on" onkeydown="if (event.key === \'Tab\') event.preventDefault()"',
    ),
    # The nav link first, then back to the skip link: out of the page's order.
    "Tab goes back|not reached with Tab": ('<a href="/">工作台</a>', '<a href="/" tabindex="1">工作台</a>'),
}


@pytest.fixture(scope="module")
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def _problems(page, html):
    page.set_content(html)
    audit = Audit()
    audit.page(page)
    return [p for ps in audit.problems.values() for p in ps]


@pytest.mark.browser
def test_a_good_page_passes(page):
    assert _problems(page, GOOD) == []


@pytest.mark.browser
@pytest.mark.parametrize("problem", sorted(BROKEN))
def test_each_problem_is_found(page, problem):
    old, new = BROKEN[problem]
    assert old in GOOD
    found = _problems(page, GOOD.replace(old, new, 1))
    assert any(any(what in p for what in problem.split("|")) for p in found), found
