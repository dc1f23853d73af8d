"""The documents behind a precondition, as the state machine asks for them.

Materials and their evidence rules (who uploads what, who confirms it) belong to the
documents app, which sits above lifecycle. The guards of 办法第十五、十六、十八条 ask through
this port instead of importing documents: documents registers its answer when Django starts
(documents/apps.py), so dependencies point one way (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class EvidenceSource:
    # None when the newest version of a material kind is complete evidence, else what is
    # missing and who must act, in Chinese.
    missing: Callable[[object, str], str | None]
    # True when at least one version of the kind was uploaded.
    present: Callable[[object, str], bool]


_source: EvidenceSource | None = None


def register(source: EvidenceSource) -> None:
    global _source
    _source = source


def _registered() -> EvidenceSource:
    if _source is None:
        raise ImproperlyConfigured("No evidence source: add the documents app to INSTALLED_APPS.")
    return _source


def missing(project, kind: str) -> str | None:
    return _registered().missing(project, kind)


def present(project, kind: str) -> bool:
    return _registered().present(project, kind)
