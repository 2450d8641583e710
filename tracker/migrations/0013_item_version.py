"""Items carry a version, so a change made from a stale page is caught (issue 19)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tracker", "0012_outbox")]

    operations = [
        migrations.AddField(
            model_name="trackeditem",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False),
        ),
    ]
