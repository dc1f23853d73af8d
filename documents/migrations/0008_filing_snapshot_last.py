"""Issue 10: a filing's snapshot becomes the table's last column.

SQLite stores a long value inside the row and, to read a column stored after it, walks every
overflow page of it: an issued annual plan's snapshot is ~5 MB, so reading its filing's date
for the plan page took 0.6 ms per query (PostgreSQL stores it apart, TOAST, and is not
affected). The column is copied to a new last column and the old one dropped; the reverse
copies it back. Every step keeps the data: the old column is made nullable before it is
dropped, so re-adding it on the way back works on a table with rows.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0007_alter_filing_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="filing",
            name="snapshot_last",
            field=models.JSONField(null=True, verbose_name="数据快照"),
        ),
        migrations.AlterField(
            model_name="filing",
            name="snapshot",
            field=models.JSONField(null=True, verbose_name="数据快照"),
        ),
        migrations.RunSQL(
            "UPDATE documents_filing SET snapshot_last = snapshot",
            "UPDATE documents_filing SET snapshot = snapshot_last",
        ),
        migrations.RemoveField(model_name="filing", name="snapshot"),
        migrations.RenameField(model_name="filing", old_name="snapshot_last", new_name="snapshot"),
        migrations.AlterField(
            model_name="filing",
            name="snapshot",
            field=models.JSONField(verbose_name="数据快照"),
        ),
    ]
