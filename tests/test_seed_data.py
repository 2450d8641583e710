"""The seed fixtures say what the source documents say."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Organisation, PolicingBodyTerm
from tracker.demo import load_reference_data
from tracker.models import Finding, Judgement, Report, StatutoryResponse, TrackedItem

SOURCES = Path(settings.FIXTURES_DIR) / "sources"


@pytest.fixture(scope="module")
def reference_data(build_once):
    """The forces, their policing bodies and the seed reports, loaded once for the module."""
    with build_once() as unblocked:
        with unblocked():
            load_reference_data()
        yield


@pytest.fixture
def seeded(reference_data, db):
    """Each test starts from the seed data as loaded."""


def findings(report_key, kind=None):
    qs = Finding.objects.filter(report__key=report_key).order_by("order")
    return qs.filter(kind=kind) if kind else qs


def test_there_are_43_forces_each_with_one_current_local_policing_body(seeded):
    forces = Organisation.objects.filter(kind=Organisation.Kind.FORCE)
    assert forces.count() == 43
    today = datetime.date(2026, 11, 22)
    for force in forces:
        assert PolicingBodyTerm.objects.on(today).filter(force=force).count() == 1, force


def test_london_and_the_mayoral_areas_have_the_right_body(seeded):
    def body(force_name, day):
        return PolicingBodyTerm.objects.on(day).get(force__name=force_name).body.name

    assert "Mayor's Office for Policing and Crime" in body(
        "Metropolitan Police Service", datetime.date(2020, 1, 1)
    )
    assert "Mayor" in body("Greater Manchester Police", datetime.date(2020, 1, 1))
    assert "Commissioner" in body("Greater Manchester Police", datetime.date(2015, 1, 1))
    assert "Mayor" in body("West Yorkshire Police", datetime.date(2022, 1, 1))
    assert "Police Authority" in body("West Midlands Police", datetime.date(2006, 10, 1))
    assert "Police and Crime Commissioner" in body(
        "West Midlands Police", datetime.date(2018, 5, 17)
    )


def test_the_2015_report_has_six_areas_for_improvement(seeded):
    afis = findings("peel-effectiveness-2015-west-midlands", "area_for_improvement")
    assert afis.count() == 6
    assert afis[1].text == (
        "The force should take steps to ensure that all available evidence "
        "is recorded at scenes of crime."
    )
    assert (
        Report.objects.get(key="peel-effectiveness-2015-west-midlands").published_display
        == "February 2016"
    )


def test_the_2018_cause_of_concern_has_its_two_part_recommendation(seeded):
    report = Report.objects.get(key="peel-effectiveness-2017-west-midlands")
    assert report.published_on == datetime.date(2018, 3, 22)
    cause = findings(report.key, "cause_of_concern").get()
    assert cause.text == (
        "The force is failing to attend incidents promptly, putting some "
        "vulnerable victims at risk of harm"
    )
    recommendation = findings(report.key, "recommendation").get()
    assert recommendation.parent == cause
    assert recommendation.target_text == "immediately"
    lines = recommendation.text.split("\n")
    assert lines[0] == "The force should immediately take steps to:"
    assert len([line for line in lines if line.startswith("- ")]) == 2
    assert lines[1].startswith("- Fully understand the risk contained within the backlog")
    assert lines[2].startswith("- Ensure that victims – particularly those who are vulnerable")


def test_the_2018_responses_are_recorded_with_their_dates(seeded):
    item = TrackedItem.objects.get(finding__key="peel-effectiveness-2017-west-midlands:rec-1")
    assert item.force_response.startswith("Following the HMICFRS Inspection in September 2017")
    assert item.pcc_response.startswith("WMP has taken immediate action")
    response = StatutoryResponse.objects.get(report__key="peel-effectiveness-2017-west-midlands")
    assert response.published_on == datetime.date(2018, 5, 17)
    assert response.body.name == "West Midlands Police and Crime Commissioner"


def test_the_2018_judgements(seeded):
    grades = dict(
        Judgement.objects.filter(report__key="peel-effectiveness-2017-west-midlands").values_list(
            "area", "grade"
        )
    )
    assert grades["Overall"] == "Requires improvement"
    assert (
        grades[
            "How effective is the force at protecting those who are vulnerable from "
            "harm, and supporting victims?"
        ]
        == "Inadequate"
    )
    assert len(grades) == 6


def test_the_baseline_summary_table_has_23_judgements_with_direction(seeded):
    judgements = Judgement.objects.filter(report__key="baseline-2006-west-midlands")
    assert judgements.count() == 23
    assert judgements.get(reference="3C").grade == "Fair"
    assert judgements.get(reference="1B").direction == "Improved"
    assert judgements.get(reference="7A").direction == "Not graded"


def test_the_2014_letter_findings_belong_to_west_midlands_in_a_national_report(seeded):
    report = Report.objects.get(key="core-business-2014")
    assert report.national
    assert report.forces.count() == 43
    letter = findings(report.key, "finding")
    assert letter.count() == 16
    assert {f.force.name for f in letter} == {"West Midlands Police"}
    assert set(letter.values_list("area", flat=True)) == {
        "Preventing crime",
        "Crime recording and attendance",
        "Freeing up time",
    }


def test_every_finding_text_appears_in_its_source_document(seeded):
    """Texts are as published: each paragraph of each finding is in the source file."""

    def squash(text):
        text = re.sub(r"[*_#]|<[^>]+>|October 2006", " ", text)
        return re.sub(r"[\s\-•]+", " ", text).strip()

    for report in Report.objects.all():
        source = squash((SOURCES / report.source_document).read_text(encoding="utf-8"))
        for finding in report.findings.all():
            for paragraph in finding.text.split("\n"):
                assert squash(paragraph) in source, (finding.key, paragraph[:60])


def test_loading_the_reference_data_twice_changes_nothing(seeded):
    assert load_reference_data().count("Nothing changed") == 2
