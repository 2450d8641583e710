"""Each person's private calendar feed address (issue 15).

The address holds a random token (256 bits); whoever has it reads the person's deadlines
without signing in, so it is unguessable, and resetting it replaces the token at once (the
old address is 404 from then on)."""

from django.conf import settings
from django.db import models


class CalendarFeed(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    reset_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


__all__ = ["CalendarFeed"]
