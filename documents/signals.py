"""Tie materials to the steps of the lifecycle without touching the lifecycle services:
every step taken on a project (lifecycle.events.step_taken, keyed by transition names and
``Action`` constants, never by audit rows) is offered to documents.services.on_step_recorded."""

from django.dispatch import receiver

from lifecycle.events import step_taken
from projects.models import Project

from .services import on_step_recorded


@receiver(step_taken, sender=Project, dispatch_uid="documents.on_step_recorded")
def _step_taken(sender, **kwargs):
    on_step_recorded(**kwargs)
