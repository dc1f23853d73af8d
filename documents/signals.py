"""Tie materials to the steps of the lifecycle without touching the lifecycle services:
each new audit row of a project is offered to documents.services.on_step_recorded."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from lifecycle.models import AuditEntry


@receiver(post_save, sender=AuditEntry, dispatch_uid="documents.on_step_recorded")
def _audit_entry_created(sender, instance, created, raw=False, **kwargs):
    if created and not raw and instance.project_id:
        from .services import on_step_recorded

        on_step_recorded(instance)
