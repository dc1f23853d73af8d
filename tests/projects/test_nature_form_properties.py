"""建设性质 on the application form (issue 15), with hypothesis: whatever is typed into the
nature, the earlier project and the system, the form either accepts a value the rules allow
(a nature of the five; an earlier project of the department's own, submitted, never itself; a
system name of at most 200 characters) or refuses in Chinese — and the page never answers 500."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, example, given, settings, strategies as st

from core.nature import ProjectNature
from core.states import ProjectState as S
from projects.forms import ApplicationForm
from projects.models import Project
from tests.conftest import at
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FORMS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
PAGES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

natures = st.one_of(
    st.sampled_from([*ProjectNature.values, "", " ", "新建", "NEW", "operation ", "x" * 300]),
    st.text(max_size=20),
)
references = st.one_of(
    st.sampled_from(["", "0", "-1", "abc", "99999999999999999999", "1.5"]),
    st.integers(min_value=-5, max_value=10**6).map(str),
    st.text(max_size=8),
)
systems = st.one_of(st.sampled_from(["", "  ", "全省教育统计分析系统", "系" * 201]), st.text(max_size=210))


@pytest.fixture
def world(orgs, call_2026):
    own = ProjectFactory(owner=orgs["owner"], name="本单位已建项目", state=S.CLOSED)
    draft = ProjectFactory(owner=orgs["owner"], name="本单位草稿", state=S.DRAFT)
    other = ProjectFactory(owner=orgs["other_owner"], name="外单位项目", state=S.CLOSED)
    return {"own": own, "draft": draft, "other": other, "call": call_2026, "owner": orgs["owner"]}


def _data(world, nature, reference, system):
    refs = {"own": world["own"].pk, "draft": world["draft"].pk, "other": world["other"].pk}
    return {
        "name": "系统",
        "call": str(world["call"].pk),
        "network": "extranet",
        "nature": nature,
        "predecessor": str(refs.get(reference, reference)),
        "system_name": system,
    }


@FORMS
@given(
    nature=natures,
    reference=st.one_of(st.sampled_from(["own", "draft", "other"]), references),
    system=systems,
)
@example(nature="continued", reference="own", system="")
@example(nature="operation", reference="other", system="全省教育统计分析系统")
@example(nature="upgrade", reference="draft", system="系" * 201)
def test_any_nature_reference_or_system_is_accepted_within_the_rules_or_refused_in_chinese(
    world, nature, reference, system
):
    with translation.override("zh-hans"), at(2026, 11, 2):
        form = ApplicationForm(
            _data(world, nature, reference, system), instance=Project(owner=world["owner"])
        )
        valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        assert data["nature"] in ProjectNature.values
        assert data["predecessor"] in (None, world["own"])  # own, submitted, not a draft
        assert len(data["system_name"]) <= 200 and data["system_name"] == data["system_name"].strip()
    else:
        errors = {k: v for k, v in form.errors.items() if k in ("nature", "predecessor", "system_name")}
        assert errors, form.errors
        assert all(CHINESE.search(str(m)) for msgs in errors.values() for m in msgs), errors


def test_an_empty_nature_keeps_the_project_s_own(world):
    project = ProjectFactory(owner=world["owner"], nature=ProjectNature.SERVICE)
    form = ApplicationForm(_data(world, "", "", ""), instance=project)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nature"] == ProjectNature.SERVICE
    form = ApplicationForm(_data(world, "", "", ""), instance=Project(owner=world["owner"]))
    assert form.is_valid() and form.cleaned_data["nature"] == ProjectNature.NEW


@PAGES
@given(nature=natures, reference=references, system=systems)
def test_the_application_page_never_answers_500(client, world, people, nature, reference, system):
    client.force_login(people.owner_preparer)
    with at(2026, 11, 2):
        response = client.post(
            reverse("application_new"), {**_data(world, nature, reference, system), "action": "save"}
        )
    assert response.status_code in (200, 302)
