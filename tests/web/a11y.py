"""Accessibility checks run in the browser on every page a journey visits (issue 11 item 8).

axe-core is not installed and there is no network, so these are the checks of WCAG 2.1 that
matter most on forms, written out (the journeys of tests/web/test_browser_journey.py call
``Audit.page`` after each navigation):

* every input, select and textarea has a name people hear: a ``<label for>`` (or a wrapping
  label), ``aria-label`` or ``aria-labelledby`` (WCAG 1.3.1, 4.1.2); ids are unique, so the
  labels find their fields;
* errors are announced and tied to their field: a field marked wrong has ``aria-invalid`` and
  ``aria-describedby`` pointing at the message; a message stands in a ``role="alert"`` /
  ``aria-live`` region or is the description of its field (WCAG 3.3.1, 4.1.3);
* every interactive element is reached with the Tab key, in the order of the page (no
  positive ``tabindex``), and shows where the focus is (an outline or a shadow; WCAG 2.1.1,
  2.4.3, 2.4.7);
* images have ``alt`` (an ``svg`` drawn as a picture a name), links and buttons a name
  (WCAG 1.1.1, 2.4.4, 4.1.2);
* the page says its language (``<html lang>``), has one ``h1``, one ``main`` and, once
  signed in, a ``nav`` (WCAG 3.1.1, 1.3.1, 2.4.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

NUMBER = re.compile(r"\d+")
#: The checks in JavaScript (a11y.js): ``staticChecks`` (labels, errors, names, alt, lang, h1,
#: landmarks, ids, tabindex), ``markFocusable`` (numbers every element that should take the
#: focus, in the page's order) and ``focused`` (where the focus is, and whether it shows).
SCRIPT = (Path(__file__).with_name("a11y.js")).read_text(encoding="utf-8")
STATIC_CHECKS = f"() => ({SCRIPT}).staticChecks()"
MARK_FOCUSABLE = f"() => ({SCRIPT}).markFocusable()"
FOCUSED = f"() => ({SCRIPT}).focused()"


def shape(url: str) -> str:
    """A page's shape: its path with the numbers abstracted (one keyboard walk per shape)."""
    path = url.split("://", 1)[-1].split("/", 1)[-1].split("#")[0]
    return NUMBER.sub("N", path.split("?")[0])


@dataclass
class Audit:
    """The problems found on the pages of a journey, by page shape."""

    problems: dict[str, list[str]] = field(default_factory=dict)
    walked: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)

    def page(self, page, *, keyboard: bool = True) -> None:
        # A click that submits a form returns once the next page is committed, which can be
        # before its document is parsed.
        page.wait_for_load_state("load")
        url = page.url
        found = list(page.evaluate(STATIC_CHECKS))
        key = shape(url)
        self.pages.add(key)
        if keyboard and key not in self.walked:
            self.walked.add(key)
            found += tab_walk(page)
        if found:
            self.problems.setdefault(key, [])
            for problem in found:
                if problem not in self.problems[key]:
                    self.problems[key].append(problem)


def tab_walk(page, limit: int = 400) -> list[str]:
    """Press Tab from the top of the page through every element that should take the focus;
    report those never reached, those reached out of the page's order and those whose focus
    does not show."""
    expected = page.evaluate(MARK_FOCUSABLE)
    if not expected:
        return []
    # Start from the top of the page, whatever has the focus now (an autofocused field): a
    # focus target that Tab itself skips, as the first thing of the body.
    page.evaluate(
        """() => { let s = document.getElementById('a11y-start');
        if (!s) { s = document.createElement('span'); s.id = 'a11y-start'; s.tabIndex = -1;
                  document.body.prepend(s); }
        s.focus(); }"""
    )
    dates = page.locator("input[type=date], input[type=datetime-local], input[type=time]").count()
    reached: list[int] = []
    problems: list[str] = []
    for _ in range(min(limit, len(expected) + 3 * dates + 5)):
        page.keyboard.press("Tab")
        where = page.evaluate(FOCUSED)
        if where is None:
            break
        index, shows, what = where
        if index < 0 or (reached and index == reached[-1]):
            continue  # not one of the elements counted, or a part of a date box (year, month, day)
        if not shows:
            problems.append(f"focus not visible: {what}")
        if reached and index < reached[-1]:
            problems.append(f"Tab goes back from {expected[reached[-1]]} to {expected[index]}")
            break
        reached.append(index)
        if index == len(expected) - 1:
            break
    missing = sorted(set(range(len(expected))) - set(reached))
    if missing:
        problems.append("not reached with Tab: " + "; ".join(expected[i] for i in missing[:8]))
    return problems
