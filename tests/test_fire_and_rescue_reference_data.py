"""The fire and rescue services in the reference data (issue 17): the five a Police, Fire and
Crime Commissioner governs (or governed: North Yorkshire's passed to the Mayor of York and
North Yorkshire in May 2024), each linked to its commissioner by a policing body term, so the
office sees the service as it sees its force. In a module of its own: the reference data's
organisations clash with the test World's."""

import datetime

import pytest

from accounts.models import Organisation, PolicingBodyTerm, Role
from tests.factories import make_user
from tracker import policy
from tracker.demo import load_reference_data

pytestmark = pytest.mark.django_db


def test_the_reference_data_links_each_fire_and_rescue_service_to_its_commissioner():
    load_reference_data()
    services = Organisation.objects.filter(kind=Organisation.Kind.FIRE_AND_RESCUE)
    assert {s.short_name for s in services} == {
        "Cumbria Fire and Rescue",
        "Essex Fire and Rescue",
        "North Yorkshire Fire and Rescue",
        "Northamptonshire Fire and Rescue",
        "Staffordshire Fire and Rescue",
    }
    today = datetime.date(2025, 6, 1)
    expected = {
        "essex-county-fire-and-rescue-service": "essex-pfcc",
        "staffordshire-fire-and-rescue-service": "staffordshire-pfcc",
        "northamptonshire-fire-and-rescue-service": "northamptonshire-pfcc",
        "north-yorkshire-fire-and-rescue-service": "york-and-north-yorkshire-mayor",
        "cumbria-fire-and-rescue-service": "cumbria-pfcc",
    }
    for code, body in expected.items():
        term = PolicingBodyTerm.objects.on(today).get(force__code=code)
        assert term.body.code == body
    office = make_user("Essex Office", Organisation.objects.get(code="essex-pfcc"), Role.PCC_OFFICE)
    seen = policy.visible_force_ids(office, today)
    assert seen == {
        Organisation.objects.get(code="essex-police").id,
        Organisation.objects.get(code="essex-county-fire-and-rescue-service").id,
    }
