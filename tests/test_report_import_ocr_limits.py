"""Issue 17: a scan read by OCR page by page takes longer than a text document, and the import
page, the worker and Celery all allow for it (settings REPORT_IMPORT_MAX_OCR_PAGES and
REPORT_IMPORT_OCR_SECONDS_PER_PAGE). No database."""

import datetime

from django.conf import settings as django_settings

from tracker.models import ReportImport
from tracker.report_import.reading import is_stalled, reading_limits, reading_stalled_after

NOW = datetime.datetime(2026, 12, 5, 9, 0, tzinfo=datetime.UTC)


def test_the_reader_is_given_the_ocr_limits_of_the_settings(settings):
    settings.REPORT_IMPORT_MAX_OCR_PAGES = 12
    settings.REPORT_IMPORT_OCR_SECONDS_PER_PAGE = 40
    limits = reading_limits()
    assert (limits.max_ocr_pages, limits.ocr_seconds_per_page) == (12, 40)
    assert limits.most_seconds(12) == settings.REPORT_IMPORT_READ_SECONDS + 12 * 40
    assert limits.most_seconds(99) == limits.most_seconds(12)  # never more than the limit


def test_a_long_scan_still_reading_is_not_called_stalled(settings):
    settings.REPORT_IMPORT_READ_SECONDS = 120
    settings.REPORT_IMPORT_MAX_OCR_PAGES = 60
    settings.REPORT_IMPORT_OCR_SECONDS_PER_PAGE = 30
    longest = datetime.timedelta(seconds=120 + 60 * 30)
    assert reading_stalled_after() > longest
    reading = ReportImport(state=ReportImport.State.READING, uploaded_at=NOW - longest)
    assert not is_stalled(reading, NOW)
    assert is_stalled(reading, NOW + datetime.timedelta(minutes=10))


def test_a_short_reading_limit_keeps_ten_minutes_before_stalled(settings):
    settings.REPORT_IMPORT_READ_SECONDS = 5
    settings.REPORT_IMPORT_MAX_OCR_PAGES = 1
    settings.REPORT_IMPORT_OCR_SECONDS_PER_PAGE = 1
    assert reading_stalled_after() == datetime.timedelta(minutes=10)


def test_celery_lets_the_reading_task_run_as_long_as_the_longest_read():
    from config.celery import app

    reader = app.tasks["tracker.tasks.read_report_import"]
    assert reader.soft_time_limit > django_settings.REPORT_IMPORT_LONGEST_READ_SECONDS
    assert django_settings.REPORT_IMPORT_LONGEST_READ_SECONDS == (
        django_settings.REPORT_IMPORT_READ_SECONDS
        + django_settings.REPORT_IMPORT_MAX_OCR_PAGES
        * django_settings.REPORT_IMPORT_OCR_SECONDS_PER_PAGE
    )
