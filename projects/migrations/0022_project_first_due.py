"""Issue 10: a project's earliest running deadline, kept on the project (lifecycle.clocks.
keep_first_due) so that every home queue is read in deadline order from an index. Filled
here for the projects there are, in one UPDATE."""

from django.db import migrations, models
from django.db.models import DateField, Func, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill(apps, schema_editor):
    Clock = apps.get_model("lifecycle", "Clock")
    Project = apps.get_model("projects", "Project")
    earliest = (
        Clock.objects.filter(project=OuterRef("pk"), stopped_on__isnull=True)
        .order_by()
        .values(first=Func(Coalesce("extended_to", "due_on"), function="MIN", output_field=DateField()))
    )
    Project.objects.update(first_due=Subquery(earliest))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0021_feed_token_digest"),
        ("lifecycle", "0015_delegate"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="first_due",
            field=models.DateField(blank=True, editable=False, null=True, verbose_name="最近时限"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["state", "first_due", "id"], name="project_state_first_due"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
