"""Issue 10: ``{{ obj|label:"field" }}`` (projects/templatetags/choice_labels.py) gives the
project page the very string of ``obj.get_<field>_display()``, for every field with choices of
every model, every choice, a value outside the choices and none, in Chinese and English."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from projects.templatetags.choice_labels import choice_label

FIELDS = [
    (model, field)
    for model in apps.get_models()
    for field in model._meta.concrete_fields
    if field.choices and not field.is_relation
]


def test_there_are_fields_with_choices_to_compare():
    names = {f"{m._meta.label}.{f.name}" for m, f in FIELDS}
    assert {"projects.Project.state", "documents.MaterialVersion.kind", "lifecycle.Clock.kind"} <= names


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m._meta.label}.{f.name}" for m, f in FIELDS])
def test_the_label_is_the_display_of_the_model(model, field, language):
    obj = model()
    with translation.override(language):
        for value in [*(k for k, _v in field.flatchoices), "no-such-choice", None, ""]:
            obj.__dict__[field.attname] = value  # past the FSM descriptor of a protected state
            expected = getattr(obj, f"get_{field.name}_display")()
            assert choice_label(obj, field.name) == expected, (value, language)
            assert type(choice_label(obj, field.name)) is type(expected)
