"""The fleet: the tracker as several hosts (network namespaces) on this machine, built for one
test and always torn down. Run it alone with

    .venv/bin/pytest -p no:cacheprovider -m fleet tests/fleet -s

It needs root (namespaces), PostgreSQL 15's programs, redis-server and HAProxy (installed
from Debian when missing, if root with apt-get). It never uses the machine's own PostgreSQL or
Redis, nor any port on 127.0.0.1: each host has its own network.
"""

import os
import shutil
import tempfile
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist, the fleet test gets a process of its own group."""
    for item in items:
        if item.get_closest_marker("fleet"):
            item.add_marker(pytest.mark.xdist_group("fleet"))


@pytest.fixture
def fleet_workdir():
    """A folder for the run (PostgreSQL's data, logs, the shared folders), readable by the
    postgres user; removed afterwards unless FLEET_KEEP=1."""
    workdir = Path(tempfile.mkdtemp(prefix=f"tfl-{os.getpid()}-", dir="/tmp"))
    workdir.chmod(0o755)
    yield workdir
    if os.environ.get("FLEET_KEEP") != "1":
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"\nFleet run kept in {workdir}")


@pytest.fixture
def fleet(fleet_workdir):
    from tests.fleet.hosts import Fleet
    from tests.fleet.stack import check_requirements

    try:
        check_requirements()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    fleet = Fleet(fleet_workdir)
    try:
        yield fleet
    finally:
        fleet.teardown()
