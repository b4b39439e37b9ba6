from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_readme_starts_with_exactly_the_two_setup_commands():
    lines = ROOT.joinpath("README.md").read_text(encoding="utf-8").splitlines()
    first_block = lines[lines.index("```") + 1:]
    first_block = first_block[:first_block.index("```")]
    assert [line.split("#")[0].strip() for line in first_block] == ["make demo", "make test"]


def test_ci_runs_make_test():
    assert "make test" in ROOT.joinpath(".ci", "run").read_text()


def test_makefile_targets():
    text = ROOT.joinpath("Makefile").read_text()
    for target in ("demo:", "test:", "bench:"):
        assert target in text
