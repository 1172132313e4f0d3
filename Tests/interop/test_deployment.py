"""The deployment files of pipelines/: Grafana dashboards are importable and query only metrics that
driftline tail (/metrics) and driftline batch (--prom-textfile) really emit; the Prometheus config,
systemd unit and cron line say what the README says."""
import json
import math
import pathlib
import shutil
import re
import socket
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT, bin_dir

DASHBOARDS = sorted((ROOT / "pipelines/grafana").glob("*.json"))
PROMQL_WORDS = {"sum", "max", "min", "avg", "count", "by", "without", "rate", "increase", "histogram_quantile",
                "time", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "le", "sqrt", "delta"}
RULES = ROOT / "pipelines/prometheus/driftline-alerts.yml"
# The quality checks' gauge: rules and dashboards read it as 0 ok, 1 warn, 2 alert.
QUALITY_METRIC = "driftline_quality_status"


def metric_names(expr):
    """Metric names a PromQL expression selects: identifiers not inside {…} matchers, quotes or by (…) lists."""
    text = re.sub(r'"[^"]*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", "{}", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    text = re.sub(r"\[[^\]]*\]", "[]", text)
    text = re.sub(r"\$\w+", "", text)
    names = set(re.findall(r"\b[a-zA-Z_:][a-zA-Z0-9_:]*\b", text)) - PROMQL_WORDS
    return {n for n in names if not re.fullmatch(r"\d.*", n) and not n.startswith("$")}


def exposition_names(text):
    """Sample names of a Prometheus text exposition, with a histogram's _bucket/_sum/_count."""
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


def test_there_are_three_dashboards_and_the_generator_wrote_them():
    assert [p.name for p in DASHBOARDS] == ["driftline-endpoint.json", "driftline-overview.json", "driftline-performance.json"]
    before = {p: p.read_text() for p in DASHBOARDS}
    subprocess.run(["python3", str(ROOT / "pipelines/grafana/generate.py")], check=True, capture_output=True)
    assert {p: p.read_text() for p in DASHBOARDS} == before, "the JSON differs from generate.py's: rerun it and commit"


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.stem)
def test_dashboard_is_importable_grafana_json(path):
    board = json.loads(path.read_text())
    assert board["uid"] == path.stem and board["title"].startswith("Driftline")
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    inputs = {i["name"] for i in board["__inputs"]}
    assert inputs == {"DS_PROMETHEUS"} and board["__inputs"][0]["pluginId"] == "prometheus"
    variables = {v["name"] for v in board["templating"]["list"]}
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids)) >= 5
    cells = set()
    for panel in board["panels"]:
        assert panel["type"] in {"stat", "timeseries", "bargauge", "table", "state-timeline", "gauge"}
        assert panel["datasource"] == {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
        g = panel["gridPos"]
        assert 0 <= g["x"] and g["x"] + g["w"] <= 24 and g["h"] > 0
        for dx in range(g["w"]):  # panels do not overlap
            for dy in range(g["h"]):
                cell = (g["x"] + dx, g["y"] + dy)
                assert cell not in cells, f"{panel['title']} overlaps another panel at {cell}"
                cells.add(cell)
        refs = [t["refId"] for t in panel["targets"]]
        assert refs and len(refs) == len(set(refs))
        for target in panel["targets"]:
            for variable in re.findall(r"\$(\w+)", target["expr"]):
                assert variable in variables, f"{panel['title']}: ${variable} is not a dashboard variable"
            assert metric_names(target["expr"]), target["expr"]
    # The per-endpoint dashboard selects one endpoint; the others any set of them.
    endpoint = next(v for v in board["templating"]["list"] if v["name"] == "endpoint")
    assert endpoint["multi"] == (path.stem != "driftline-endpoint")


def dashboard_metric_names():
    names = set()
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            for target in panel["targets"]:
                names |= metric_names(target["expr"])
        for variable in json.loads(path.read_text())["templating"]["list"]:
            if variable["type"] == "query":
                names |= metric_names(re.sub(r"label_values\((\w+),.*\)", r"\1", variable["definition"]))
    return names


def rules_metric_names():
    """Metrics the rules select, without the series the file's own recording rules define."""
    text = RULES.read_text()
    names = set()
    for expr in re.findall(r"^\s*expr:\s*(.+)$", text, re.M):
        names |= metric_names(expr)
    return names - set(re.findall(r"^\s*- record:\s*(\S+)", text, re.M))


def test_metric_name_extraction():
    assert metric_names('histogram_quantile(0.99, sum by (le) (rate(driftline_tail_commit_duration_seconds_bucket[15m])))') \
        == {"driftline_tail_commit_duration_seconds_bucket"}
    assert metric_names("sum(driftline_tail_window_requests) / $window_seconds") == {"driftline_tail_window_requests"}
    assert metric_names('count by (endpoint) (driftline_feature_drift_status{endpoint=~"$endpoint", baseline="reference"} == 3)') \
        == {"driftline_feature_drift_status"}
    assert metric_names("x < (y - driftline:model_accuracy_allowed_drop) and (y - x) > 3 * sqrt(y * (1 - y) / n) and n >= 30") \
        == {"x", "y", "n", "driftline:model_accuracy_allowed_drop"}


def test_the_rules_query_the_batch_and_tail_metrics_of_every_alert_area():
    names = rules_metric_names()
    for metric in ("driftline_model_drift_status", "driftline_feature_drift_status", "driftline_model_accuracy",
                   "driftline_model_reference_accuracy", "driftline_model_estimated_accuracy", "driftline_model_error_rate",
                   "driftline_model_latency_p99_seconds", QUALITY_METRIC, "driftline_batch_last_success_timestamp_seconds",
                   "driftline_tail_commits_total", "driftline_tail_lag_bytes", "driftline_tail_lost_records_total",
                   "driftline_tail_corrupt_batches_total"):
        assert metric in names, metric
    assert "driftline:model_accuracy_allowed_drop" not in names


def test_the_quality_gauge_is_written_by_the_code_and_queried_by_rules_and_dashboards():
    assert any(QUALITY_METRIC in path.read_text(errors="replace") for path in (ROOT / "Sources").rglob("*.swift"))
    assert QUALITY_METRIC in dashboard_metric_names() and QUALITY_METRIC in rules_metric_names()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kwargs):
    proc = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_every_dashboard_metric_is_emitted_by_tail_or_batch(tmp_path):
    driftline = bin_dir() / "driftline"
    help_text = subprocess.run([str(driftline), "--help"], capture_output=True, text=True).stdout
    missing = [c for c in ("tail", "profile", "batch") if not re.search(rf"^\s+{c}\b", help_text, re.M)]
    if missing:
        pytest.skip(f"driftline has no {', '.join(missing)} command yet (branches tail and batch not merged)")
    log, store = tmp_path / "log", tmp_path / "store"
    now = int(time.time())
    start = now - now % 3600 - 2 * 3600
    run(driftline, "simulate", "--log", log, "--hours", 2, "--start", start, "--drift-hour", 1, "--seed", 3,
        "--endpoint", "iris-good", "--endpoint", "iris-petal-width")
    train = ROOT / "pipelines/demo/iris-train.csv"
    run(driftline, "profile", "--store", store, "--endpoint", "iris-good", "--model-version", 1, "--csv", train,
        "--features", "sepal_length,sepal_width,petal_length,petal_width", "--classes", "setosa,versicolor,virginica",
        "--proba-columns", "good_setosa,good_versicolor,good_virginica", "--label-column", "species")
    port = free_port()
    tail = subprocess.Popen([str(driftline), "tail", "--log", str(log), "--store", str(store), "--metrics-port", str(port),
                             "--commit-interval", "1s"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    scraped = ""
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                scraped = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
            except OSError:
                scraped = ""
            # Window gauges once a window closed, lag once caught up with the log.
            if all(name in scraped for name in ("driftline_tail_window_requests", "driftline_tail_commit_duration_seconds_bucket",
                                                "driftline_tail_lag_seconds")):
                break
            time.sleep(0.5)
    finally:
        tail.terminate()
        tail.wait(timeout=30)
    assert "driftline_tail_window_requests" in scraped, f"tail /metrics never showed window gauges:\n{scraped[:2000]}"
    textfile = tmp_path / "driftline.prom"
    run(driftline, "batch", "--store", store, "--prom-textfile", textfile)
    emitted = exposition_names(scraped) | exposition_names(textfile.read_text())
    if QUALITY_METRIC in emitted:
        # The rules and dashboards read the agreed encoding (DriftlineDataQuality fires on 2; the panels map 1 to warn).
        help_line = next(l for l in textfile.read_text().splitlines() if l.startswith(f"# HELP {QUALITY_METRIC} "))
        assert all(s in help_line for s in ("0 ok", "1 warn", "2 alert")), \
            f"{QUALITY_METRIC} no longer encodes 0 ok / 1 warn / 2 alert as agreed for the rules and dashboards: {help_line}"
    used = dashboard_metric_names()
    assert used - emitted == set(), f"dashboards query metrics nobody emits: {sorted(used - emitted)}"
    # The alerting rules too (`up` is Prometheus's own series of a scrape).
    in_rules = rules_metric_names() - {"up"}
    assert len(in_rules) >= 18
    assert in_rules - emitted == set(), f"alert rules query metrics nobody emits: {sorted(in_rules - emitted)}"


def test_the_rules_fire_on_what_batch_really_writes(tmp_path):
    """Two simulated hours, the second drifted, read completely (tail --once), then batch: the textfile's
    series go through the shipped rules in promtool."""
    driftline = bin_dir() / "driftline"
    log, store = tmp_path / "log", tmp_path / "store"
    now = int(time.time())
    start = now - now % 3600 - 2 * 3600
    run(driftline, "simulate", "--log", log, "--hours", 2, "--start", start, "--drift-hour", 1, "--seed", 3,
        "--endpoint", "iris-good", "--endpoint", "iris-petal-width")
    run(driftline, "profile", "--store", store, "--endpoint", "iris-good", "--model-version", 1,
        "--csv", ROOT / "pipelines/demo/iris-train.csv", "--features", "sepal_length,sepal_width,petal_length,petal_width",
        "--classes", "setosa,versicolor,virginica", "--proba-columns", "good_setosa,good_versicolor,good_virginica",
        "--label-column", "species")
    run(driftline, "tail", "--log", log, "--store", store, "--once")
    textfile = tmp_path / "driftline.prom"
    run(driftline, "batch", "--store", store, "--prom-textfile", textfile)
    rules_fire_on_what_batch_wrote(textfile.read_text(), tmp_path)


def exposition_samples(text):
    """[(name, {label: value}, value)] of a Prometheus text exposition (simple label values only)."""
    out = []
    for line in text.splitlines():
        if line and not line.startswith("#"):
            head, value = line.rsplit(" ", 1)
            name, _, labels = head.partition("{")
            out.append((name, dict(re.findall(r'(\w+)="([^"\\]*)"', labels)), float(value)))
    return out


def rules_fire_on_what_batch_wrote(text, tmp_path):
    """The rules evaluated by promtool on the series batch really wrote (as node_exporter serves them, with job and
    instance): the simulated drift hour (iris-good's petal features moved, its accuracy fell to about 0.78 against
    the reference's 0.944 over ~3,500 labels) fires exactly the alerts the rules' thresholds say, computed here
    from the same numbers. This checks that the gauges one rule combines match each other's labels."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is missing (tools/setup installs it)")
    node = {"job": "node", "instance": "127.0.0.1:9100"}
    samples = exposition_samples(text)
    gauge = {(n, tuple(sorted(l.items()))): v for n, l, v in samples}
    def value(name, labels):
        return gauge.get((name, tuple(sorted(labels.items()))))
    expected = set()
    for name, labels, v in samples:
        model = {k: labels[k] for k in ("endpoint", "model_version") if k in labels}
        if name == "driftline_model_drift_status" and v == 3:
            expected.add(("DriftlineModelDrift", tuple(sorted(model.items()))))
        if name == "driftline_feature_drift_status" and v == 3 and labels["baseline"] == "reference" and not labels["column"].startswith(":"):
            expected.add(("DriftlineFeatureDrift", tuple(sorted(labels.items()))))
        if name == "driftline_model_accuracy":
            n, ref = value("driftline_model_labeled", model), value("driftline_model_reference_accuracy", model)
            if v < 0.80 and n >= 30:
                expected.add(("DriftlineAccuracyBelowFloor", tuple(sorted(model.items()))))
            if ref is not None and v < ref - 0.05 and ref - v > 3 * math.sqrt(ref * (1 - ref) / n) and n >= 30:
                expected.add(("DriftlineAccuracyBelowReference", tuple(sorted(model.items()))))
        if name == "driftline_model_error_rate" and v > 0.05 and value("driftline_model_requests", model) >= 50:
            expected.add(("DriftlineErrorRateHigh", tuple(sorted(model.items()))))
        if name == "driftline_model_latency_p99_seconds" and v > 0.5 and value("driftline_model_requests", model) >= 100:
            expected.add(("DriftlineLatencyP99High", tuple(sorted(model.items()))))
    names = {"DriftlineModelDrift", "DriftlineFeatureDrift", "DriftlineAccuracyBelowFloor", "DriftlineAccuracyBelowReference",
             "DriftlineErrorRateHigh", "DriftlineLatencyP99High"}
    assert {("DriftlineModelDrift", (("endpoint", "iris-good"), ("model_version", "1"))),
            ("DriftlineAccuracyBelowReference", (("endpoint", "iris-good"), ("model_version", "1")))} <= expected, expected
    severity = {"DriftlineModelDrift": "ticket", "DriftlineFeatureDrift": "ticket", "DriftlineAccuracyBelowFloor": "page",
                "DriftlineAccuracyBelowReference": "page", "DriftlineErrorRateHigh": "page", "DriftlineLatencyP99High": "ticket"}
    def selector(name, labels):
        return name + "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    series = "".join(f"      - series: '{selector(n, {**l, **node})}'\n        values: '{v!r}x10'\n" for n, l, v in samples)
    alerts = "".join(
        f"          - labels: '{selector('ALERTS', {**dict(labels), **node, 'alertname': name, 'alertstate': 'firing', 'severity': severity[name]})}'\n"
        f"            value: 1\n" for name, labels in sorted(expected))
    tests = tmp_path / "real.test.yml"
    tests.write_text(f"rule_files:\n  - {RULES}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{series}"
                     f"    promql_expr_test:\n      - expr: 'ALERTS{{alertname=~\"{'|'.join(sorted(names))}\"}}'\n        eval_time: 5m\n"
                     f"        exp_samples:\n{alerts}")
    proc = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_prometheus_scrapes_tail_on_its_systemd_port():
    # No YAML library in the cross-check environment: the file is simple enough to read by its lines.
    text = (ROOT / "pipelines/prometheus/driftline.yml").read_text()
    jobs = re.split(r"^\s*- job_name:\s*", text, flags=re.M)[1:]
    tail_job = next(j for j in jobs if j.startswith("driftline-tail"))
    assert re.search(r'targets:\s*\["127\.0\.0\.1:9464"\]', tail_job)
    assert re.search(r"metrics_path:\s*/metrics\b", tail_job)
    assert "\t" not in text
    unit = (ROOT / "pipelines/systemd/driftline-tail.service").read_text()
    assert "--metrics-port 9464" in unit


def test_systemd_unit_restarts_always_as_an_unprivileged_user():
    unit = (ROOT / "pipelines/systemd/driftline-tail.service").read_text()
    settings = {}
    for line in unit.splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            settings.setdefault(key, []).append(value)
    assert settings["Restart"] == ["always"]
    assert settings["User"] == ["driftline"]
    assert settings["ExecStart"] == ["/usr/local/bin/driftline tail --log /var/lib/driftline/log --store /var/lib/driftline/store --metrics-port 9464"]
    for hardening in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp", "ReadWritePaths"):
        assert hardening in settings, hardening
    assert settings["ReadWritePaths"] == ["/var/lib/driftline"]


def test_cron_line_runs_batch_hourly_with_the_textfile():
    lines = [l for l in (ROOT / "pipelines/cron/driftline-batch").read_text().splitlines() if l and not l.startswith("#") and "=" not in l.split()[0]]
    assert len(lines) == 1
    minute, hour, day, month, weekday, user, *command = lines[0].split()
    assert 0 < int(minute) < 30 and (hour, day, month, weekday) == ("*", "*", "*", "*") and user == "driftline"
    assert command[:2] == ["/usr/local/bin/driftline", "batch"]
    assert "--prom-textfile" in command and "--store" in command
