"""The README's query snippets run against a fresh demo store, as a reader would paste them."""
import re
import subprocess

import pytest

from conftest import ROOT, bin_dir


def snippets():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Querying the store", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("readme") / "driftline-demo"
    subprocess.run([str(bin_dir() / "driftline"), "demo", "--directory", str(folder)],
                   check=True, capture_output=True, timeout=600)
    return folder


def test_readme_has_query_snippets():
    assert len(snippets()) >= 3


@pytest.mark.parametrize("index", range(3))
def test_readme_snippet_runs(index, demo_store, capsys):
    code = snippets()[index].replace("driftline-demo", str(demo_store))
    exec(compile(code, f"README snippet {index}", "exec"), {})
    out = capsys.readouterr().out
    # Each snippet prints a table naming the demo's endpoints.
    assert "iris-good" in out, out
    if index == 0:
        assert "petal_length" in out and "petal_width" in out, out
