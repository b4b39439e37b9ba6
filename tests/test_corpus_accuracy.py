"""Field accuracy on a generated corpus, asserted per field against its ground truth.

The generator varies layouts, encodings, amount and date forms; real notices vary more, so these
thresholds are a floor for regressions, not a claim about real-world accuracy.
"""

import pytest

from sousveil.evaluate import load, score

THRESHOLDS = {
    "type": 0.99, "title": 0.98, "project_code": 0.98, "buyer": 0.98, "buyer_type": 0.98, "agency": 0.97,
    "region": 0.97, "published": 0.98, "budget": 0.97, "award_total": 0.97, "winners": 0.97,
    "categories": 0.95, "redaction": 1.0,
}


@pytest.fixture(scope="module")
def result(corpus, corpus_db):
    kind, labelled = load(corpus["root"])
    assert kind == "truth"
    return score(corpus_db, labelled, str(corpus["root"]), kind)


@pytest.mark.parametrize("field", sorted(THRESHOLDS))
def test_field_accuracy(result, field):
    accuracy = result.accuracy()
    assert field in accuracy, f"no notice in the corpus exercises {field}"
    assert accuracy[field] >= THRESHOLDS[field], result.misses.get(field)


def test_no_generated_personal_data_survives_anywhere(result):
    assert result.personal > 0 and result.survived == {}


def test_every_generated_document_was_ingested_and_marked_synthetic(corpus, corpus_db):
    assert corpus["summary"].new == 400 and corpus["summary"].failed == 0
    assert corpus_db.execute("select count(*), sum(synthetic) from notices").fetchone() == (400, 400)
    assert corpus_db.execute("select count(*) from sources where url like 'synthetic:%'").fetchone()[0] == 400
