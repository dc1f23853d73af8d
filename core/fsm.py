"""django-fsm's ``ConcurrentTransitionMixin`` finds a model's state fields by testing every
field of the model, each time an instance is made (to remember the state it was read in). A
project has a hundred fields and a bureau's home page makes sixty projects: 6,000 tests per
page. ``StateFieldsOnce`` finds them once per model (issue 10)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django_fsm import FSMFieldMixin


class StateFieldsOnce:
    """Put before ``ConcurrentTransitionMixin`` among a model's bases."""

    _meta: Any

    @property
    def state_fields(self) -> Iterable[FSMFieldMixin]:
        model = type(self)
        found = model.__dict__.get("_state_fields_once")
        if found is None:  # per model class: a subclass finds its own
            found = tuple(f for f in self._meta.fields if isinstance(f, FSMFieldMixin))
            model._state_fields_once = found  # type: ignore[attr-defined]
        return found
