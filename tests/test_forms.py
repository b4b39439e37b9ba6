"""Hand-made notices in the forms real portals, aggregators and tender documents take, scored with
`sousveil evaluate` against their labels: tests/fixtures/forms/ and tests/fixtures/forms2/ (written
after the first was tuned on, and measured before it was: see docs/accuracy.md). The floors are what
this version measures: a regression guard, not a claim about real-world accuracy."""

from pathlib import Path

import pytest

from sousveil.evaluate import evaluate

FIXTURES = Path(__file__).parent / "fixtures"
FLOORS = {
    "forms": {"type": 1.0, "buyer": 0.97, "agency": 0.97, "winners": 1.0, "award_total": 0.95, "published": 0.92,
              "region": 0.97, "categories": 0.97, "redaction": 1.0},
    "forms2": {"type": 1.0, "buyer": 0.95, "agency": 1.0, "winners": 0.97, "award_total": 1.0, "published": 0.97,
               "region": 0.95, "categories": 0.92, "redaction": 1.0},
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def forms(request):
    return request.param, evaluate(FIXTURES / request.param)


def test_every_form_is_ingested(forms):
    _, report = forms
    assert report.ingested == report.documents >= 39


@pytest.mark.parametrize("field", sorted(FLOORS["forms"]))
def test_form_field_accuracy(forms, field):
    folder, report = forms
    assert report.accuracy()[field] >= FLOORS[folder][field], report.misses.get(field)


def test_no_personal_data_of_the_forms_survives(forms):
    _, report = forms
    assert report.personal > 0 and report.survived == {}, sorted(report.survived)


def test_no_institution_is_redacted(forms):
    _, report = forms
    assert report.over_redacted == []
