"""Issue 10: the project page's history rows are rendered in Python
(projects/templatetags/projpage_history.py) — and are byte for byte the HTML of
``templates/_history.html``, whatever the rows hold (people's reasons with markup and line
breaks, 文号 and 生效日 in the step's data, 例外放行, no organisation), in Chinese and English,
with and without the project column."""

from __future__ import annotations

import datetime

from django.template.loader import get_template
from django.utils import timezone, translation
from hypothesis import given, settings as hsettings, strategies as st

from lifecycle.models import AuditEntry
from lifecycle.stepdata import DOCUMENT_NUMBERS
from projects.models import Organisation, Project

TEXT = st.text(alphabet=st.sampled_from(list("审核<>&\"'\n\r 办法第十条ab%{}")), max_size=12)
DATA = st.one_of(
    st.dictionaries(
        st.sampled_from(["as_of", *DOCUMENT_NUMBERS, "year", "field"]),
        st.one_of(TEXT, st.integers(-5, 5000), st.none(), st.booleans()),
        max_size=4,
    ),
    st.lists(st.integers(), max_size=2),
    st.none(),
)


@st.composite
def entries(draw):
    rows = []
    for i in range(draw(st.integers(0, 4))):
        e = AuditEntry(
            pk=i + 1,
            at=draw(
                st.datetimes(
                    min_value=datetime.datetime(2020, 1, 1),
                    max_value=datetime.datetime(2030, 12, 31),
                    timezones=st.just(datetime.UTC),
                )
            ),
            actor_name=draw(TEXT),
            action=draw(st.sampled_from(["submit", "pass_review", "note", ""])),
            action_label=draw(TEXT),
            article=draw(st.sampled_from(["", "第十条", "第二十八、二十九条", "<b>"])),
            reason=draw(TEXT),
            override=draw(st.booleans()),
            data=draw(DATA),
        )
        if draw(st.booleans()):
            e.organisation = Organisation(pk=i + 1, kind="owner", name=draw(TEXT) or "单位")
        if draw(st.booleans()):
            e.project = Project(pk=i + 10, name=draw(TEXT) or "项目")
        rows.append(e)
    return rows


def render(name, rows, show_project):
    context = {"history": rows}
    if show_project:
        context["show_project"] = True
    return get_template(name).render(context)


@hsettings(max_examples=120, deadline=None)
@given(rows=entries(), show_project=st.booleans(), language=st.sampled_from(["zh-hans", "en"]))
def test_the_rows_are_the_html_of_the_history_template(rows, show_project, language):
    with translation.override(language), timezone.override("Asia/Shanghai"):
        expected = render("_history.html", rows, show_project)
        ours = render("projects/_projpage_history.html", rows, show_project)
    assert ours == expected
