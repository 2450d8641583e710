"""Successor bodies for the 2028 transfer of PCC functions (issue 22): two more kinds of
organisation (a mayor with PCC functions, a Policing and Crime Board), and a policing body's
term may be held by any of the kinds that hold a local policing body's functions. Choices
only: nothing changes in the database."""

from django.db import migrations, models

POLICING_BODY_KINDS = ("local_policing_body", "mayor", "policing_and_crime_board")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0007_language")]

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
                ],
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="policingbodyterm",
            name="body",
            field=models.ForeignKey(
                limit_choices_to={"kind__in": POLICING_BODY_KINDS},
                on_delete=models.deletion.PROTECT,
                related_name="terms_as_body",
                to="accounts.organisation",
            ),
        ),
    ]
