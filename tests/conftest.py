import os
import subprocess
import sys
from pathlib import Path

import pytest

from sousveil.ingest.run import ingest
from sousveil.store.db import open_db
from sousveil.synth.generate import write_corpus

FIXTURES = Path(__file__).parent / "fixtures"
CCGP_SAMPLE = FIXTURES / "ccgp" / "award_shenzhen_longhua_2025.html"


def copy_database(src, dest) -> None:
    """A copy of a database that connections of this session hold open, through SQLite's backup: a copy of
    the file would close a descriptor of it, which drops this process's locks on it, so that a later
    process takes itself for the last one and deletes the shared-memory file under the open connections."""
    import sqlite3

    with sqlite3.connect(src) as source, sqlite3.connect(dest) as copy:
        source.backup(copy)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    """A generated corpus (with ground truth) ingested once for the whole session."""
    root = tmp_path_factory.mktemp("corpus")
    truth = write_corpus(root, 400, seed=11)
    db_path = root / "corpus.db"
    summary = ingest([root / "notices"], db_path, progress=False)
    return {"root": root, "notices": root / "notices", "truth": truth, "db_path": db_path, "summary": summary}


@pytest.fixture(scope="session")
def corpus_db(corpus):
    return open_db(corpus["db_path"], create=False)


@pytest.fixture(scope="session")
def web_db(corpus, tmp_path_factory):
    """The generated corpus, the real CCGP notice and the hand-made web fixtures (a hostile
    notice, kept with its original bytes, and a tender of the same project) in one database."""
    root = tmp_path_factory.mktemp("web")
    db_path = root / "web.db"
    ingest([corpus["notices"], CCGP_SAMPLE, FIXTURES / "web" / "tender_same_project.html"], db_path, progress=False)
    ingest([FIXTURES / "web" / "hostile_award.html"], db_path, progress=False, keep_originals=True)
    return {"db_path": db_path, "db": open_db(db_path), "hostile": FIXTURES / "web" / "hostile_award.html"}


def run_cli(*args, check=True, env=None):
    """Run the installed console script, as a user would."""
    cmd = [sys.executable, "-m", "sousveil.cli", *map(str, args)]
    result = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "COLUMNS": "200", **(env or {})})
    if check and result.returncode != 0:
        raise AssertionError(f"{cmd} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result
