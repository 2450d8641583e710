"""A closure proposal names the evidence it rests on, or says why none is needed (issue 14)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tracker", "0015_saved_views")]

    operations = [
        migrations.AddField(
            model_name="closureproposal",
            name="no_evidence_reason",
            field=models.TextField(
                blank=True, help_text="Why no evidence is needed, when the proposer chose none."
            ),
        ),
    ]
