"""docs/rule-map.md stays true: every row names an article, a place in the code that exists
and cites that article, and a test that exists. A rename or a removed rule fails here until
the map is updated; an article claimed without code behind it cannot stay in the map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "rule-map.md"
ROW = re.compile(r"^\| (第[一二三四五六七八九十]+条) \| (.+?) \| `([^`]+)::(\w+)` \| `([^`]+)::(\w+)` \|$")


def rows() -> list[tuple[str, str, str, str, str, str]]:
    lines = [line for line in MAP.read_text(encoding="utf-8").splitlines() if line.startswith("| 第")]
    parsed = [ROW.match(line) for line in lines]
    bad = [line for line, m in zip(lines, parsed, strict=True) if m is None]
    assert not bad, f"rows not in the form | 第N条 | rule | `file::name` | `test_file::test` |: {bad}"
    return [m.groups() for m in parsed if m]


def cited(text: str) -> set[str]:
    """The articles ``text`` cites, also in the combined form of Chinese citations:
    "办法第二十六、三十六条" cites 第二十六条 and 第三十六条."""
    found = set()
    for group in re.findall(r"第([一二三四五六七八九十、]+)条", text):
        found.update(f"第{number}条" for number in group.split("、") if number)
    return found


def test_a_combined_citation_cites_each_article():
    assert cited("办法第二十六、三十六条: …；第八条") == {"第二十六条", "第三十六条", "第八条"}


def definition(source: str, name: str) -> str | None:
    """The text of ``name``'s definition: its comments and decorators above, its body below
    (up to the next definition at the same indentation), or None when it is not defined."""
    lines = source.splitlines()
    for i, line in enumerate(lines):
        m = re.match(rf"^(\s*)(?:(?:async )?def|class) {name}\b|^(){name}\s*[:=]", line)
        if not m:
            continue
        indent = len(m.group(1) or m.group(2) or "")
        start = i
        while start > 0 and re.match(rf"^\s{{{indent}}}[@#)\]]|^\s{{{indent + 1},}}\S", lines[start - 1]):
            start -= 1  # decorators (and their arguments) and comments above
        end = i + 1
        while end < len(lines) and (
            not lines[end].strip()
            or len(lines[end]) - len(lines[end].lstrip()) > indent
            or lines[end].lstrip().startswith((")", "]"))
        ):
            end += 1
        return "\n".join(lines[start:end])
    return None


def test_the_map_has_rows_for_the_articles_of_every_chapter():
    articles = {article for article, *_rest in rows()}
    for article in (
        "第八条",
        "第十条",
        "第十一条",
        "第十五条",
        "第十八条",
        "第二十八条",
        "第二十九条",
        "第三十三条",
    ):
        assert article in articles


@pytest.mark.parametrize("row", rows(), ids=lambda r: f"{r[0]}-{r[3]}-{r[5]}")
def test_each_row_points_at_code_that_cites_its_article_and_at_a_test_that_exists(row):
    article, _rule, code_file, name, test_file, test = row
    code = ROOT / code_file
    assert code.is_file(), f"{code_file} does not exist"
    source = code.read_text(encoding="utf-8")
    text = definition(source, name)
    assert text is not None, f"{name} is not defined in {code_file}"
    assert article in cited(text), f"{code_file}::{name} does not cite {article}"
    tests = ROOT / test_file
    assert tests.is_file(), f"{test_file} does not exist"
    assert re.search(rf"^\s*def {test}\(", tests.read_text(encoding="utf-8"), re.M), (
        f"{test} not in {test_file}"
    )
