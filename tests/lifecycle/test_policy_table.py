"""docs/policy.md is generated from the policy, and no other page writes its numbers by hand
(办法第四十条: a city changes a number in one place and the documentation follows)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from lifecycle import policy as policy_module
from lifecycle.management.commands import policy_table
from lifecycle.policy import MonthDay, Policy, get_policy

ROOT = Path(settings.BASE_DIR)


def test_docs_policy_md_is_what_the_policy_says():
    """After changing lifecycle/policy.py, run ``make policy-table``."""
    expected = policy_table.render(get_policy(), settings.LIFECYCLE_POLICY)
    assert (ROOT / "docs" / "policy.md").read_text(encoding="utf-8") == expected


def test_every_number_of_the_policy_is_described():
    names = {f.name for f in dataclasses.fields(Policy)} - {"name", "jurisdiction", "review_aspects"}
    assert set(policy_table.MEANING) == names
    articles = {article for article, *_rest in policy_table.MEANING.values()}
    assert all(a.startswith("第") and a.endswith("条") for a in articles)


def test_the_check_fails_when_the_policy_changes(settings):
    call_command("policy_table", "--check")
    policy_module.TABLE_TEST = dataclasses.replace(
        policy_module.HEILONGJIANG_2023, change_filing_max_ratio=Decimal("0.125")
    )
    settings.LIFECYCLE_POLICY = "lifecycle.policy.TABLE_TEST"
    try:
        assert "**12.5%**" in policy_table.render(get_policy(), settings.LIFECYCLE_POLICY)
        with pytest.raises(CommandError):
            call_command("policy_table", "--check")
    finally:
        del policy_module.TABLE_TEST


MONTHS = policy_table.MONTHS


def by_hand(policy: Policy) -> set[str]:
    """How the README and the notes used to write the numbers: "5个工作日", "20 working days",
    "15%", "15 %", "6个月", "6–12 months", "10月31日", "31 October", "every June"."""
    phrases = set()
    for field in dataclasses.fields(policy):
        _article, unit, *_rest = policy_table.MEANING.get(field.name, ("", "", ""))
        value = getattr(policy, field.name)
        if unit in ("working_days", "months", "date", "percent"):
            phrases.update(policy_table.value_text(unit, value))
        if unit == "percent":
            phrases.add(policy_table.value_text(unit, value)[0].replace("%", " %"))
        if isinstance(value, MonthDay) and field.name.startswith("call_"):
            phrases.update(
                {
                    f"每年{value.month}月",
                    f"every {MONTHS[value.month - 1]}",
                    f"{MONTHS[value.month - 1]} window",
                }
            )
    return phrases


def test_readme_and_docs_do_not_repeat_the_numbers_by_hand():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    phrases = by_hand(get_policy())
    assert {"5个工作日", "20 working days", "15%", "15 %", "10月31日", "每年6月"} <= phrases
    found = [
        (page.name, phrase)
        for page in pages
        if page.name != "policy.md"
        for phrase in sorted(phrases)
        if phrase in page.read_text(encoding="utf-8")
    ]
    assert found == [], "say it once, in docs/policy.md (make policy-table)"
