"""manage.py verify_audit — walk the audit trail's hash chain (lifecycle/chain.py).

Prints the number of rows and the head of the chain (keep the log: the head printed each night
is the anchor a rewritten trail cannot match), records the result as an audit row
(``audit.verified``), and exits with status 1 at the first broken link, naming the row.
docs/deploy.md runs it nightly (deploy/xmgl-verify-audit.timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lifecycle import chain
from lifecycle.models import AuditEntry

ACTION = "audit.verified"


class Command(BaseCommand):
    help = "核验操作记录的哈希链：报告第一处断链（被改动、删除、插入或倒签的记录）。"

    def handle(self, *args, **options):
        verdict = chain.verify(AuditEntry)
        data = {"rows": verdict.rows, "head": verdict.head, "ok": verdict.ok}
        if not verdict.ok:
            data |= {"broken_at": verdict.broken_at, "why": verdict.why}
        AuditEntry.objects.create(
            at=timezone.now(),
            actor_name="系统",
            object_type="lifecycle.auditentry",
            object_id=str(verdict.broken_at or ""),
            action=ACTION,
            action_label="核验操作记录哈希链" if verdict.ok else "操作记录哈希链断链",
            data=data,
        )
        if not verdict.ok:
            raise CommandError(
                f"操作记录第{verdict.broken_at}号：{verdict.why}。"
                f"已核验{verdict.rows}条，此前的链头 {verdict.head}"
            )
        self.stdout.write(f"操作记录哈希链完整：{verdict.rows}条，链头 {verdict.head}")
