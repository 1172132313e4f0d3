"""The example queries of docs/tables.md run against a fresh demo store, as a reader would paste them,
and print what they promise."""
import re
import subprocess

import pytest

from conftest import ROOT, bin_dir


def snippets():
    text = (ROOT / "docs" / "tables.md").read_text()
    section = text.split("## Example queries", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs") / "driftline-demo"
    subprocess.run([str(bin_dir() / "driftline"), "demo", "--directory", str(folder), "--hours", "2", "--drift-hour", "1"],
                   check=True, capture_output=True, timeout=600)
    return folder


# What each snippet's output must show, in order of the snippets in the section.
EXPECTED = [
    # PSI per column and endpoint: the features, and the regression endpoint has no :pred1.
    ["petal_length", "sepal_width", ":prediction", "iris-good", "iris-petal-width"],
    # Merged windows of petal_width: 12 rows, one per 5-minute window of the first hour of iris-fair.
    ["iris-fair", "stddev", "12 rows"],
    # Merged latency sketches: one line per endpoint with its count and three quantiles.
    ["iris-good", "iris-poor", "iris-petal-width"],
    # Confusion matrices: classifiers only, with their classes.
    ["iris-good", "setosa", "virginica", "predicted"],
    # Per-class figures: one line per class of each classifier's latest labelled hour.
    ["iris-good", "versicolor", "precision", "support"],
]


def test_tables_md_has_the_example_queries():
    assert len(snippets()) == len(EXPECTED)


@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_tables_md_snippet_runs(index, demo_store, capsys):
    code = snippets()[index].replace("driftline-demo", str(demo_store))
    exec(compile(code, f"docs/tables.md snippet {index}", "exec"), {})
    out = capsys.readouterr().out
    for word in EXPECTED[index]:
        assert word in out, f"{word!r} missing from:\n{out}"
    if index == 2:
        lines = [line.split() for line in out.strip().splitlines()]
        assert len(lines) == 4 and all(int(line[1]) > 0 for line in lines), out
    if index in (3, 4):
        assert "iris-petal-width" not in out, out
