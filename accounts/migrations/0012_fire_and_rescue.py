"""Issue 17: fire and rescue services as a kind of organisation (those a Police, Fire and
Crime Commissioner governs, whose office tracks their findings), which a policing body's term
may cover as it covers a force. Choices only: no change to the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_api_tokens"),
    ]

    operations = [
        migrations.AlterField(
            model_name="organisation",
            name="kind",
            field=models.CharField(
                choices=[
                    ("force", "Police force"),
                    ("local_policing_body", "Local policing body"),
                    ("mayor", "Mayor with PCC functions"),
                    ("policing_and_crime_board", "Policing and Crime Board"),
                    ("inspectorate", "Inspectorate"),
                    ("government", "Government"),
                    ("fire_and_rescue", "Fire and rescue service"),
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="policingbodyterm",
            name="force",
            field=models.ForeignKey(
                limit_choices_to={"kind__in": ("force", "fire_and_rescue")},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="policing_body_terms",
                to="accounts.organisation",
            ),
        ),
    ]
