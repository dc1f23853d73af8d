"""办法第三十四条: migration projects/0007_supervision turns the old Organisation flags into
findings of the responsible agency, each with its audit row, and back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("projects", "0006_integ_fsr_estimate_bound")]
AFTER = [("projects", "0007_supervision")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flags_become_findings_of_the_responsible_agency_with_an_audit_row():
    old = _migrate(BEFORE)
    Organisation = old.get_model("projects", "Organisation")
    Organisation.objects.create(kind="bureau", name="省营商环境局")
    Organisation.objects.create(kind="cac", name="省委网信办")
    Organisation.objects.create(
        kind="owner", name="甲厅", data_sharing_compliant=False, compliance_note="未共享人口数据"
    )
    Organisation.objects.create(kind="owner", name="乙厅", security_compliant=False)
    Organisation.objects.create(kind="owner", name="丙厅")
    try:
        new = _migrate(AFTER)
        Finding = new.get_model("projects", "ComplianceFinding")
        AuditEntry = new.get_model("lifecycle", "AuditEntry")
        found = {
            (f.organisation.name, f.kind, f.agency.kind, f.reason, f.lifted_at)
            for f in Finding.objects.select_related("organisation", "agency")
        }
        assert found == {
            ("甲厅", "data_not_shared", "bureau", "未共享人口数据", None),
            ("乙厅", "network_security", "cac", "由原系统的合规标志迁移（原标志未记录理由）。", None),
        }
        rows = AuditEntry.objects.filter(object_type="projects.compliancefinding", action="finding.set")
        assert rows.count() == 2 and {r.article for r in rows} == {"第三十四条"}
        # And back: the open findings become the flags again.
        back = _migrate(BEFORE)
        flags = {
            o.name: (o.data_sharing_compliant, o.security_compliant)
            for o in back.get_model("projects", "Organisation").objects.filter(kind="owner")
        }
        assert flags == {"甲厅": (False, True), "乙厅": (True, False), "丙厅": (True, True)}
    finally:
        _migrate(_latest())


def _latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
