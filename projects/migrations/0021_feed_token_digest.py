"""The calendar feed's secret is kept as its SHA-256 digest (projects/notifications.py
``feed_digest``): addresses handed out before keep working, now looked up by their digest."""

import hashlib
import re

from django.db import migrations

DIGEST = re.compile(r"^[0-9a-f]{64}$")


def digest_tokens(apps, schema_editor):
    Preference = apps.get_model("projects", "NotificationPreference")
    for pref in Preference.objects.exclude(feed_token=None).exclude(feed_token=""):
        if not DIGEST.match(pref.feed_token):
            pref.feed_token = hashlib.sha256(pref.feed_token.encode()).hexdigest()
            pref.save(update_fields=["feed_token"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0020_plan_pk_index")]

    # Not reversible: the secrets are gone once digested.
    operations = [migrations.RunPython(digest_tokens, migrations.RunPython.noop)]
