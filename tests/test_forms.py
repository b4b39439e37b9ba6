"""Hand-made notices in the forms real portals, aggregators and tender documents take
(tests/fixtures/forms/README.md), scored with `sousveil evaluate` against their labels. The floors are
what this version measures: a regression guard, not a claim about real-world accuracy."""

from pathlib import Path

import pytest

from sousveil.evaluate import evaluate

FORMS = Path(__file__).parent / "fixtures" / "forms"
FLOORS = {"type": 1.0, "buyer": 0.97, "agency": 0.97, "winners": 1.0, "award_total": 0.95, "published": 0.92,
          "region": 0.94, "categories": 0.97, "redaction": 1.0}


@pytest.fixture(scope="module")
def forms():
    return evaluate(FORMS)


def test_every_form_is_ingested(forms):
    assert forms.ingested == forms.documents >= 39


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_form_field_accuracy(forms, field):
    assert forms.accuracy()[field] >= FLOORS[field], forms.misses.get(field)


def test_no_personal_data_of_the_forms_survives(forms):
    assert forms.personal > 0 and forms.survived == {}, sorted(forms.survived)
