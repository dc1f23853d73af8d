"""Issue 12: one pass of deadline reminders and escalations (projects/reminders.py), for cron
or by hand; ``--schedule`` queues the daily pass on the database task queue instead
(projects/notify_tasks.py; ``manage.py db_worker`` runs it)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from projects import notify_tasks, reminders


class Command(BaseCommand):
    help = "Send the deadline reminders and escalations due today (once per person, clock and offset)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as of this day (YYYY-MM-DD), e.g. to catch up.")
        parser.add_argument(
            "--schedule", action="store_true", help="Queue the daily pass on the task queue instead."
        )

    def handle(self, *args, **options):
        if options["schedule"]:
            queued = notify_tasks.schedule()
            self.stdout.write("queued" if queued else "already queued (or the task backend cannot defer)")
            return
        day = None
        if options["date"]:
            try:
                day = datetime.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date: {exc}") from None
        summary = reminders.run_pass(day)
        self.stdout.write(
            f"clocks {summary.clocks}, persons reminded {summary.reminded}, digests {summary.digests}"
        )
