"""Alerts keep what they are about in language-free form (issue 13), composed in each reader's language.

No data migration: an alert stored before has no facts, and its subject and body (written in
English when it was raised) are shown as they are (refuge.alerts.texts). Reading codes back out
of those sentences would guess; the stored English is the truthful record of those alerts.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_alerts_outbox_rota_feeds"),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="facts",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="What it is about, language-free (codes, event keys, instants); shown in the reader's language",
            ),
        ),
    ]
