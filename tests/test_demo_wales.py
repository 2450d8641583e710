"""The demo's Welsh body: Dyfed-Powys, under the Welsh Language Standards, with a SAMPLE
response published in Welsh and English, its report's Welsh edition attached (not imported),
and its public page served in Welsh linking to its English version."""

from django.urls import reverse

from accounts.models import Organisation, User
from tracker.demo_wales import SAMPLE_REPORT, WELSH_BODIES
from tracker.models import Report, ReportEdition, ResponseVersion


def test_the_four_welsh_forces_and_commissioners_work_under_the_standards(demo_world):
    bodies = Organisation.objects.filter(code__in=WELSH_BODIES)
    assert bodies.count() == 8
    assert all(b.welsh_language_standards and b.welsh_name for b in bodies)
    assert not Organisation.objects.get(code="west-midlands-pcc").welsh_language_standards


def test_the_sample_response_is_published_in_both_languages_and_says_it_is_a_sample(demo_world):
    version = ResponseVersion.objects.get(response__report__key=SAMPLE_REPORT)
    content = version.content
    assert content["languages"] == ["en", "cy"]
    assert content["introduction"].startswith("SAMPLE RESPONSE FOR THE DEMO")
    assert content["cy"]["introduction"].startswith("YMATEB ENGHREIFFTIOL AR GYFER Y DEMO")
    assert content["cy"]["body"] == "Comisiynydd Heddlu a Throseddu Dyfed-Powys"
    report = Report.objects.get(key=SAMPLE_REPORT)
    assert report.title.startswith("SAMPLE")
    # Its Welsh edition is attached to it, and there is no second report.
    assert ReportEdition.objects.get(report=report).title.startswith("ADRODDIAD ENGHREIFFTIOL")
    assert not Report.objects.filter(title__startswith="ADRODDIAD").exists()
    officer = User.objects.get(email="rhian.evans@dyfed-powys-pcc.example")
    assert officer.language == "cy"


def test_its_public_page_is_served_in_welsh_and_links_to_its_english_version(demo_world, client):
    url = reverse("tracker:public_body", args=["dyfed-powys-pcc"])
    page = client.get(f"{url}?lang=cy").content.decode()
    assert '<html lang="cy"' in page
    assert f'href="{url}" hreflang="en-GB" lang="en-GB" rel="alternate"' in page
    assert "Comisiynydd Heddlu a Throseddu Dyfed-Powys" in page
