"""Issue 10: the home queues' index carries the network too (the bureau's queue of extranet
designs read from the index alone); the new index is built before the old one goes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0024_plan_tallies'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='project',
            index=models.Index(fields=['state', 'first_due', 'id', 'network'], name='project_state_first_due_net'),
        ),
        migrations.RemoveIndex(
            model_name='project',
            name='project_state_first_due',
        ),
    ]
