"""The overview a team opens first: <store>/reports/index.html (rewritten by every batch) and
`driftline status`, checked against the tables they summarise (read with deltalake), rendered in
headless Chromium, and linking only to reports that exist."""
import html.parser
import re
import shutil
import subprocess

import pytest
from deltalake import DeltaTable

from conftest import bin_dir

MARKS = {"no_drift": ".", "possible_drift": "?", "drift_detected": "!", "insufficient_data": "_"}


def driftline(*args, check=True):
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, f"driftline {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("overview") / "demo"
    driftline("demo", "--directory", folder, "--hours", 3, "--drift-hour", 1)
    store = folder / "store"
    performance = DeltaTable(str(store / "performance")).to_pandas().sort_values(["endpoint", "model_version", "window_start"])
    drift = DeltaTable(str(store / "drift")).to_pandas()
    return {"store": store, "performance": performance, "drift": drift}


class Page(html.parser.HTMLParser):
    """The overview's model rows: per row the cells' statuses and links, and every href of the page."""

    def __init__(self):
        super().__init__()
        self.rows, self.hrefs = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "tr" and "model" in classes:
            self.rows.append([])
        if "cell" in classes and self.rows:
            self.rows[-1].append((classes[1], attrs.get("href")))
        if tag == "a":
            self.hrefs.append(attrs.get("href"))


def test_index_has_one_row_per_model_with_every_window_in_its_status(demo):
    index = demo["store"] / "reports" / "index.html"
    page = Page()
    page.feed(index.read_text())
    models = list(demo["performance"].groupby(["endpoint", "model_version"], sort=True))
    assert len(page.rows) == len(models) == 4
    for cells, ((endpoint, version), rows) in zip(page.rows, models):
        assert [status for status, _ in cells] == rows["drift_status"].tolist(), endpoint
        assert all(href is not None and href.startswith(f"{endpoint}/") for _, href in cells), endpoint
    statuses = demo["performance"]["drift_status"]
    assert (statuses == "drift_detected").any() and (statuses == "no_drift").any()


def test_index_links_only_to_reports_that_exist(demo):
    reports = demo["store"] / "reports"
    page = Page()
    page.feed((reports / "index.html").read_text())
    assert len(page.hrefs) >= 12
    for href in page.hrefs:
        assert not href.startswith(("http:", "https:", "/")), href
        assert (reports / href).is_file(), href


def test_index_renders_in_headless_chromium_without_console_errors(demo, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (tools/setup installs it)")
    index = demo["store"] / "reports" / "index.html"
    text = index.read_text()
    assert "<script" not in text and "http://" not in text and "https://" not in text
    shot = tmp_path / "index.png"
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                           f"--screenshot={shot}", "--window-size=1280,800", f"file://{index}"],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == [], console


def test_status_prints_each_models_windows_and_latest_figures(demo):
    out = driftline("status", "--store", demo["store"]).stdout
    for (endpoint, version), rows in demo["performance"].groupby(["endpoint", "model_version"], sort=True):
        marks = "".join(MARKS[s] for s in rows["drift_status"])
        assert f"{endpoint} v{version}  {marks}\n" in out, out
        latest = rows.iloc[-1]
        assert f"{latest['drift_status']}, {latest['requests']} requests" in out
        if latest["accuracy"] == latest["accuracy"]:   # not NaN
            assert f"accuracy {round(latest['accuracy'] * 100, 2):g} %" in out, out
    one = driftline("status", "--store", demo["store"], "--endpoint", "iris-poor").stdout
    assert "iris-poor v1" in one and "iris-good" not in one


def test_status_of_one_hour_gives_its_drift_table_with_the_stored_numbers(demo):
    drift = demo["drift"]
    drifted = drift[(drift["endpoint"] == "iris-good") & (drift["status"] == "drift_detected") & (drift["baseline"] == "reference")]
    start = drifted["window_start"].max()
    out = driftline("status", "--store", demo["store"], "--endpoint", "iris-good", "--hour", start.isoformat()).stdout
    window = drift[(drift["endpoint"] == "iris-good") & (drift["window_start"] == start)]
    lines = out.splitlines()
    assert lines[0] == f"iris-good v1 {start.strftime('%Y-%m-%dT%H')}"
    for row in window.itertuples():
        line = next((l for l in lines if re.match(rf"{re.escape(row.column_name)}\s+{row.baseline}\s", l)), None)
        assert line is not None, f"{row.column_name} {row.baseline} missing:\n{out}"
        fields = line.split()
        assert fields[2] == row.status and int(fields[3]) == row.count
        assert abs(float(fields[4]) - row.psi) <= 5e-5 * max(1, abs(row.psi)), line
    assert "bins that moved most" in out
    for column in drifted[drifted["window_start"] == start]["column_name"]:
        assert re.search(rf"^  {re.escape(column)} \(reference\): ", out, re.M), column


def test_status_refuses_a_window_it_does_not_have_and_an_hour_without_endpoint(demo):
    missing = driftline("status", "--store", demo["store"], "--endpoint", "iris-good", "--hour", "2020-01-01T00:00:00Z", check=False)
    assert missing.returncode == 1 and "no analysed window" in missing.stderr
    usage = driftline("status", "--store", demo["store"], "--hour", "2020-01-01T00:00:00Z", check=False)
    assert usage.returncode == 64 and "--hour needs --endpoint" in usage.stderr


def test_status_of_an_empty_store_says_to_run_batch(tmp_path):
    out = driftline("status", "--store", tmp_path).stdout
    assert out == "no analysis yet: run driftline batch\n"
    assert not (tmp_path / "performance").exists()
