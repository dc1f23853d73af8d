"""A field of the 项目变更申请表 is declared once, on the model (ChangeRequest.FORM_FIELDS):
the change page's form, the service that creates a change and the form the department
downloads all follow it, each field under the model's own label (money in 万元)."""

from __future__ import annotations

from decimal import Decimal

from core.validation import wan_label
from documents import filings
from lifecycle import services as lifecycle
from lifecycle.models import ChangeRequest
from lifecycle.webforms import ChangeForm
from tests.conftest import at

from . import pdfcheck
from .conftest import through_construction


def _label(name):
    field = ChangeRequest._meta.get_field(name)
    return str(wan_label(field.verbose_name) if name.endswith("_yuan") else field.verbose_name)


def test_the_change_form_is_the_models_fields_under_their_labels():
    form = ChangeForm()
    assert list(form.fields) == list(ChangeRequest.FORM_FIELDS)
    assert [str(form[name].label) for name in ChangeRequest.FORM_FIELDS] == [
        _label(name) for name in ChangeRequest.FORM_FIELDS
    ]
    assert _label("new_total_yuan") == "调整后项目总投资（万元）"  # typed in 万元, stored in 元


def test_a_field_the_change_does_not_have_is_refused_by_the_service(project, people):
    project = through_construction(project, people)
    try:
        lifecycle.change_create(project, actor=people.owner_preparer, items=[], title="x", colour="red")
    except TypeError as exc:
        assert "colour" in str(exc)
    else:
        raise AssertionError("an unknown field was accepted")


def test_the_downloaded_form_shows_every_field_by_its_model_label(project, people):
    project = through_construction(project, people)
    with at(2026, 5, 6):
        change = lifecycle.change_create(
            project,
            actor=people.owner_preparer,
            title="调整数据治理模块",
            reason="按省委部署调整",
            ground="",
            goals_unchanged=False,
            new_total_yuan=Decimal("5200000"),
            items=[{"from_content": "移动端", "to_content": "数据治理", "amount_yuan": Decimal("500000.00")}],
        )
        form = filings.preview(
            "change_form", actor=people.owner_preparer, project=project, object_id=change.pk
        )
    text = "".join(pdfcheck.text(form.data).split())
    for name in ChangeRequest.FORM_FIELDS:
        assert _label(name) in text, name
    # The values as the department typed them: the empty ground named by the model's own
    # blank choice, the new total in 万元, the goals as words.
    assert "不符合所列情形" in text and "520.00" in text and "建设目标不变否" in text
