from django.apps import AppConfig


class TrackerConfig(AppConfig):
    name = "tracker"
    verbose_name = "Inspection tracker"

    def ready(self) -> None:
        # Register the Celery tasks in every process, so services can start them by name
        # (tracker/background.py) without importing the tasks module.
        from tracker import tasks  # noqa: F401
