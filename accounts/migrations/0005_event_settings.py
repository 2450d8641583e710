"""Each person chooses which kinds of hand-off they are emailed about (issue 14)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_two_factor")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_events_off",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text=(
                    "The kinds of hand-off (tracker.handoffs.Event) this person is not emailed "
                    "about; they still appear in the app."
                ),
            ),
        ),
    ]
