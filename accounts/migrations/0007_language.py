"""Each person's language, English or Welsh; which organisations work under the Welsh
Language Standards, and their names in Welsh (issue 22). Every new column has a database
default, so a running release that does not know them can still insert rows
(docs/upgrades.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_protective_marking")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(
                blank=True,
                choices=[("en-gb", "English"), ("cy", "Cymraeg")],
                db_default="",
                default="",
                help_text=(
                    "The language of this person's pages and emails; blank: not chosen (English)."
                ),
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="welsh_language_standards",
            field=models.BooleanField(
                db_default=False,
                default=False,
                help_text=(
                    "Works under the Welsh Language Standards (a force or commissioner in "
                    "Wales): its statutory responses are written and published in Welsh and "
                    "English."
                ),
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="welsh_name",
            field=models.CharField(
                blank=True,
                db_default="",
                default="",
                help_text=(
                    "Its name in Welsh, for documents and pages in Welsh (blank: the English name)."
                ),
                max_length=200,
            ),
        ),
    ]
