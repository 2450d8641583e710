from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        # Register the Celery tasks in every process, so the outbox can send them by name
        # (tracker/outbox.py) without importing the tasks module.
        from accounts import tasks  # noqa: F401
