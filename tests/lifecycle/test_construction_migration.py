"""Migration lifecycle/0008_construction: the 监理 recorded on the project before issue 8
(Project.supervisor_name, supervision_contract_no, ip_ownership_confirmed) becomes a 监理
contract, so no start of construction already recorded loses its 办法第二十四条 evidence."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

migration = importlib.import_module("lifecycle.migrations.0008_construction")


class _Projects:
    def __init__(self, rows):
        self.rows = rows

    def exclude(self, **kw):
        ((field, value),) = kw.items()
        return _Projects([r for r in self.rows if getattr(r, field) != value])

    def __iter__(self):
        return iter(self.rows)


def test_the_recorded_supervisor_becomes_a_supervision_contract():
    rows = [
        SimpleNamespace(
            supervisor_name="甲监理", supervision_contract_no="JL-1", ip_ownership_confirmed=True
        ),
        SimpleNamespace(
            supervisor_name="乙监理", supervision_contract_no="JL-2", ip_ownership_confirmed=False
        ),
        SimpleNamespace(supervisor_name="", supervision_contract_no="", ip_ownership_confirmed=False),
    ]
    created = []
    models = {
        ("projects", "Project"): SimpleNamespace(objects=_Projects(rows)),
        ("lifecycle", "Contract"): SimpleNamespace(
            objects=SimpleNamespace(create=lambda **kw: created.append(kw))
        ),
    }
    migration.carry_over_supervision(SimpleNamespace(get_model=lambda app, name: models[(app, name)]), None)
    assert [(c["supplier"], c["number"], c["kind"], c["ip_clause"]) for c in created] == [
        ("甲监理", "JL-1", "supervision", True),
        ("乙监理", "JL-2", "supervision", False),
    ]
    # 办法第三十条: without the confirmed clause the row carries its reason (the CHECK constraint)
    assert created[0]["ip_override_reason"] == "" and created[1]["ip_override_reason"]
