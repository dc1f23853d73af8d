"""Whose 办法 the system runs: the names a jurisdiction writes in its letters and pages.

办法第四十条: 各市（地）政府（行署）可以参照本办法制定本地的管理办法. A city that adopts the
system writes one ``Policy`` object (lifecycle/policy.py) whose ``jurisdiction`` says what
its own 办法 is called, how its agencies are named in fixed wording ("市营商环境局会同市委网信办…")
and what its letters are headed with; ``settings.LIFECYCLE_POLICY`` points at that object and
nothing else changes (tests/documents/test_jurisdiction.py renders a letter for a second city).

The names of the organisations themselves (the masthead of a letter, the signature) are the
``Organisation`` records of the database; this object gives the *generic* names the wording
uses for an organisation kind ("省营商环境局"), the citation of the 办法 and the footer.

Article numbers stay those of the provincial 办法: a city's own rules follow it article by
article (参照本办法); one that numbers differently changes the ``article`` of the transitions.

This module is in ``core`` (it imports no app); it reads the policy object named in the
settings by its dotted path, so ``lifecycle`` owns the policy and ``core`` still imports
nothing of the project.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils.functional import lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext


@dataclass(frozen=True)
class Jurisdiction:
    """办法第四十条: the names of one jurisdiction's rules and agencies."""

    #: The region the 办法 governs, as its documents name it ("黑龙江省").
    region: str = "黑龙江省"
    #: The 办法's title without book-title marks, and its document number.
    regulation_title: str = "黑龙江省政务信息化项目建设管理办法（试行）"
    regulation_no: str = "黑政办发〔2023〕21号"
    #: The short names the fixed wording uses for each organisation kind (OrgKind value →
    #: name). A kind not listed keeps the provincial name of core.vocabulary.OrgKind.
    org_labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def basis(self) -> str:
        """The citation a letter opens with: 《…管理办法（试行）》（黑政办发〔2023〕21号）."""
        return f"《{self.regulation_title}》（{self.regulation_no}）"


HEILONGJIANG = Jurisdiction()


@cache
def _load(path: str) -> Jurisdiction:
    return getattr(import_string(path), "jurisdiction", HEILONGJIANG)


def current() -> Jurisdiction:
    """The jurisdiction of the policy in force (``settings.LIFECYCLE_POLICY``)."""
    return _load(settings.LIFECYCLE_POLICY)


def _org_label(kind: str, default) -> str:
    name = current().org_labels.get(kind)
    return gettext(name) if name else str(default)


#: The label of an organisation kind, looked up when it is shown (so a page, a message or a
#: letter rendered under another policy shows that jurisdiction's names).
org_label = lazy(_org_label, str)
