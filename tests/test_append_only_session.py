"""A session of its own, opened with the app's credentials (as psql or a script would), cannot
change or delete committed history on PostgreSQL; and the test suite's flush (TRUNCATE, which
fires no row triggers) still empties the tables after a transactional test.

Apart from tests/test_append_only_db.py because it commits its data: that module keeps its
demo in a transaction for the whole module, which a transactional test cannot share."""

import psycopg
import pytest
from django.db import connection

from tests.every_history import append_only_models, build_demo_with_every_history, table_state

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

APPEND_ONLY = append_only_models()


def _session() -> psycopg.Connection:
    s = connection.settings_dict
    return psycopg.connect(
        dbname=s["NAME"],
        user=s["USER"],
        password=s["PASSWORD"] or None,
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        autocommit=True,
    )


def test_a_session_with_the_apps_credentials_cannot_rewrite_history(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    build_demo_with_every_history()  # committed: the test is transactional
    with _session() as session:
        for model in APPEND_ONLY:
            table = model._meta.db_table
            before = table_state(table, session.cursor())
            assert before[0] > 0, f"no {model.__name__} row to try"
            for statement in ('UPDATE "{t}" SET uuid = gen_random_uuid()', 'DELETE FROM "{t}"'):
                with pytest.raises(psycopg.errors.RestrictViolation) as refused:
                    session.execute(statement.format(t=table))
                assert f"{table} rows are append-only" in str(refused.value)
            assert table_state(table, session.cursor()) == before


def test_the_flush_after_a_transactional_test_emptied_the_history_tables():
    """Runs after the test above (same module, in order): pytest-django's TRUNCATE went
    through the triggers, so this test starts from empty tables."""
    for model in APPEND_ONLY:
        assert not model.objects.exists(), model.__name__
