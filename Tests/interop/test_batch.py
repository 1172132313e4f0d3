"""Acceptance of the batch stage (issue 6): a generated training set and six hours of production
traffic for a 10-class model with 20 features; four features drift from hour 3, accuracy falls at
hour 4. profile → window profiles → batch, then every number of `drift` and `performance` (read with
deltalake) is compared with numpy/scipy/scikit-learn on the raw rows of that hour.

The whole path is the real one: `driftline profile` (reference from the training CSV) →
`driftline ingest` (production CSV into the log) → `driftline tail --once` (5-minute window profiles,
histograms over the reference's bins) → `driftline batch`."""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pandas as pd
import pytest
import deltalake

import batch_dataset as ds
from conftest import bin_dir, executable

ENDPOINT = "shop"
VERSION = "7"
EXACT = 1e-9


def run(name, *args, check=True, timeout=300):
    exe = executable(name)
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    proc = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if check:
        assert proc.returncode == 0, f"{name} {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def mapping_flags():
    return ["--features", ",".join(ds.FEATURES), "--categorical", ",".join(ds.CATEGORICAL),
            "--classes", ",".join(ds.CLASSES), "--proba-columns", ",".join(f"p_{c}" for c in ds.CLASSES),
            "--label-column", "label"]


def write_rows_jsonl(path, frames):
    with open(path, "w") as out:
        for frame in frames:
            for rec in frame.to_dict("records"):
                feats = [float(rec[f]) if f in ds.NUMERIC else rec[f] for f in ds.FEATURES]
                out.write(json.dumps({"ts": float(rec["ts"]), "features": feats,
                                      "proba": [float(rec[f"p_{c}"]) for c in ds.CLASSES],
                                      "label": rec["label"] or None, "latency_ms": float(rec["latency_ms"])}) + "\n")


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    work = tmp_path_factory.mktemp("batch")
    training, hours = ds.generate()
    training.to_csv(work / "train.csv", index=False)
    store = work / "store"
    store.mkdir()
    run("driftline", "profile", "--store", store, "--endpoint", ENDPOINT, "--model-version", VERSION,
        "--csv", work / "train.csv", *mapping_flags())
    production = pd.concat(hours, ignore_index=True)
    production.to_csv(work / "production.csv", index=False)
    log = work / "log"
    run("driftline", "ingest", "--log", log, "--endpoint", ENDPOINT, "--model-version", VERSION,
        "--csv", work / "production.csv", *mapping_flags(), "--timestamp-column", "ts", "--request-id-column", "id",
        "--latency-column", "latency_ms")
    run("driftline", "tail", "--log", log, "--store", store, "--once")
    t_from = pd.Timestamp(ds.T0_S, unit="s", tz="UTC").isoformat()
    t_to = str(ds.T0_S + 3600 * ds.HOURS)
    batch_args = ["batch", "--store", store, "--from", t_from, "--to", t_to,
                  "--anodot", work / "anodot.json", "--prom-textfile", work / "driftline.prom"]
    first = run("driftline", *batch_args)
    return {"work": work, "store": store, "training": training, "hours": hours, "batch_args": batch_args,
            "stdout": first.stdout}


def read_table(store, name):
    return deltalake.DeltaTable(str(store / name)).to_pandas()


def hour_start_us(h):
    return (ds.T0_S + 3600 * h) * 1_000_000


def timestamps_us(series):
    return series.astype("datetime64[us, UTC]").astype("int64")


def test_exactly_the_drifted_features_are_detected_in_drifted_hours(pipeline):
    drift = read_table(pipeline["store"], "drift")
    drift["h"] = (timestamps_us(drift["window_start"]) // 1_000_000 - ds.T0_S) // 3600
    ref = drift[(drift["baseline"] == "reference") & (~drift["column_name"].str.startswith(":"))]
    for h in range(ds.HOURS):
        detected = set(ref[(ref["h"] == h) & (ref["status"] == "drift_detected")]["column_name"])
        expected = ds.DRIFTED if h >= ds.DRIFT_FROM_HOUR else set()
        assert detected == expected, f"hour {h}: {detected} != {expected}"
    # Against the previous hour: only the first drifted hour moves.
    prev = drift[(drift["baseline"] == "previous") & (~drift["column_name"].str.startswith(":"))]
    assert set(prev[prev["h"] == 0]["column_name"]) == set()   # hour 0 has no previous hour
    for h in range(1, ds.HOURS):
        detected = set(prev[(prev["h"] == h) & (prev["status"] == "drift_detected")]["column_name"])
        assert detected == (ds.DRIFTED if h == ds.DRIFT_FROM_HOUR else set()), f"hour {h} vs previous: {detected}"
    perf = read_table(pipeline["store"], "performance")
    perf["h"] = (timestamps_us(perf["window_start"]) // 1_000_000 - ds.T0_S) // 3600
    for _, row in perf.iterrows():
        assert row["drift_status"] == ("drift_detected" if row["h"] >= ds.DRIFT_FROM_HOUR else "no_drift"), row["h"]


def close(actual, expected, tol=EXACT, what=""):
    assert actual is not None and not pd.isna(actual), f"{what}: missing"
    assert abs(actual - expected) <= tol * max(1.0, abs(expected)), f"{what}: {actual} != {expected}"


def test_every_drift_number_equals_numpy_scipy(pipeline):
    drift = read_table(pipeline["store"], "drift")
    drift["h"] = (timestamps_us(drift["window_start"]) // 1_000_000 - ds.T0_S) // 3600
    training, hours = pipeline["training"], pipeline["hours"]
    checked = 0
    for h in range(ds.HOURS):
        for baseline, frame in [("reference", training), ("previous", hours[h - 1] if h > 0 else None)]:
            if frame is None:
                continue
            expected = ds.expected_drift(hours[h], frame, training)
            rows = drift[(drift["h"] == h) & (drift["baseline"] == baseline)].set_index("column_name")
            for column, e in expected.items():
                r = rows.loc[column]
                what = f"hour {h} {baseline} {column}"
                assert r["count"] == e["count"] and r["baseline_count"] == e["baseline_count"], what
                for key in ["tvd", "hellinger", "kld", "psi", "js_distance", "chi2_statistic", "chi2_pvalue"]:
                    close(r[key], e[key], what=f"{what} {key}")
                close(r["drift_score"], e["psi"], what=f"{what} drift_score")
                assert r["status"] == e["status"], what
                if e["kind"] == "numeric":
                    for key in ["mean", "baseline_mean", "stddev", "baseline_stddev"]:
                        close(r[key], e[key], what=f"{what} {key}")
                    assert abs(r["ks_statistic"] - e["ks"]) <= 0.02, f"{what} ks {r['ks_statistic']} vs {e['ks']}"
                    bound = 0.1 + 0.05 * e["wasserstein"]
                    assert abs(r["wasserstein"] - e["wasserstein"]) <= bound, f"{what} W {r['wasserstein']} vs {e['wasserstein']}"
                assert r["missing_ratio"] == 0.0, what
                checked += 1
    assert checked == (ds.HOURS * 2 - 1) * (len(ds.FEATURES) + 2)


def test_every_performance_number_equals_sklearn(pipeline):
    perf = read_table(pipeline["store"], "performance")
    perf["h"] = (timestamps_us(perf["window_start"]) // 1_000_000 - ds.T0_S) // 3600
    assert sorted(perf["h"]) == list(range(ds.HOURS))
    for h in range(ds.HOURS):
        r = perf[perf["h"] == h].iloc[0]
        e = ds.expected_performance(pipeline["hours"][h], pipeline["training"])
        for key in ["requests", "errors", "labeled"]:
            assert r[key] == e[key], f"hour {h} {key}"
        for key in ["error_rate", "predictions_per_second", "accuracy", "precision_macro", "recall_macro", "f1_macro",
                    "f1_weighted", "estimated_accuracy", "mean_pred1", "mean_spread12", "tvd_sum", "tvd_mean",
                    "hellinger_sum", "hellinger_mean", "kld_sum", "kld_mean"]:
            close(r[key], e[key], what=f"hour {h} {key}")
        latency = np.sort(e["latency"])
        for q, key in [(0.5, "latency_p50_ms"), (0.95, "latency_p95_ms"), (0.99, "latency_p99_ms")]:
            rank = np.searchsorted(latency, r[key], side="right") / len(latency)
            assert abs(rank - q) <= 0.02, f"hour {h} {key}: rank {rank}"
        assert pd.isna(r["mae"]) and pd.isna(r["r2"])
    acc = perf.sort_values("h")["accuracy"].to_numpy()
    assert (acc[:ds.ACCURACY_DROP_HOUR] > 0.85).all() and (acc[ds.ACCURACY_DROP_HOUR:] < 0.65).all()
    # The label-free estimate cannot see the fall (the model's confidences do not change: concept drift), but the
    # hours whose features drifted say that it is not reliable.
    reliable = perf.sort_values("h")["estimate_reliable"].tolist()
    assert reliable == [h < ds.DRIFT_FROM_HOUR for h in range(ds.HOURS)]
    assert (perf["estimated_accuracy_lower"] <= perf["estimated_accuracy"]).all()
    assert (perf["estimated_accuracy"] <= perf["estimated_accuracy_upper"]).all()
    assert perf["estimated_precision"].isna().all()   # a 10-class model gets accuracy only


def test_per_class_metrics_equal_sklearn_classification_report(pipeline):
    """Per-class precision, recall, F1, support and the confusion matrix (rows true, columns predicted) equal
    scikit-learn's on the raw labelled rows of each hour, with labels= the model's classes, in the table, the
    hour's JSON and its HTML page."""
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support
    perf = read_table(pipeline["store"], "performance")
    perf["h"] = (timestamps_us(perf["window_start"]) // 1_000_000 - ds.T0_S) // 3600
    reports = pipeline["store"] / "reports" / ENDPOINT
    for h in range(ds.HOURS):
        r = perf[perf["h"] == h].iloc[0]
        frame = pipeline["hours"][h]
        labeled = frame[frame["label"] != ""]
        y = labeled["label"].to_numpy(object)
        yhat = ds.derived(frame).loc[labeled.index, ":prediction"].to_numpy(object)
        precision, recall, f1, support = precision_recall_fscore_support(y, yhat, labels=ds.CLASSES, average=None, zero_division=0)
        matrix = confusion_matrix(y, yhat, labels=ds.CLASSES)
        assert list(r["class_names"]) == ds.CLASSES, f"hour {h}"
        assert list(r["class_support"]) == support.tolist(), f"hour {h}"
        assert list(r["confusion_matrix"]) == matrix.ravel().tolist(), f"hour {h}"
        for name, mine, theirs in [("precision", r["class_precision"], precision), ("recall", r["class_recall"], recall),
                                   ("f1", r["class_f1"], f1)]:
            assert np.allclose(np.asarray(mine, float), theirs, rtol=0, atol=EXACT), f"hour {h} {name}"
        stamp = pd.Timestamp(ds.T0_S + 3600 * h, unit="s", tz="UTC").strftime("%Y-%m-%dT%H")
        summary = json.loads(next(reports.glob(f"{stamp}*.json")).read_text())
        per_class = summary["performance"]["per_class"]
        assert per_class["classes"] == ds.CLASSES
        assert per_class["confusion_matrix"] == matrix.tolist()
        assert per_class["support"] == support.tolist()
        assert np.allclose(per_class["f1"], f1, rtol=0, atol=EXACT)
        page = next(reports.glob(f"{stamp}*.html")).read_text()
        assert "<h2>Per class</h2>" in page and "Confusion matrix" in page
        assert page.count('class="diagonal"') == len(ds.CLASSES)


def snapshot(store):
    drift = read_table(store, "drift").sort_values(["window_start", "baseline", "column_name"]).reset_index(drop=True)
    perf = read_table(store, "performance").sort_values(["window_start"]).reset_index(drop=True)
    return drift, perf


def test_rerun_replaces_rows_instead_of_duplicating(pipeline):
    before = snapshot(pipeline["store"])
    run("driftline", *pipeline["batch_args"])
    after = snapshot(pipeline["store"])
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def test_sigkill_mid_batch_then_rerun_leaves_correct_tables(pipeline):
    before = snapshot(pipeline["store"])
    copy = pipeline["work"] / "killed-store"
    shutil.copytree(pipeline["store"], copy)
    shutil.rmtree(copy / "drift")
    shutil.rmtree(copy / "performance")
    args = [a if a != pipeline["store"] else copy for a in pipeline["batch_args"]]
    for delay in [0.3, 0.8, 1.5]:
        proc = subprocess.Popen([str(bin_dir() / "driftline"), *map(str, args)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    run("driftline", *args)
    after = snapshot(copy)
    pd.testing.assert_frame_equal(before[0], after[0])
    pd.testing.assert_frame_equal(before[1], after[1])


def png_distinct_bytes(path):
    """Distinct byte values of a PNG's decompressed image data: a blank page has a handful."""
    import struct
    import zlib
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


def test_html_report_renders_in_headless_chromium(pipeline, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (tools/setup installs it)")
    reports = pipeline["store"] / "reports" / ENDPOINT
    drifted = pd.Timestamp(ds.T0_S + 3600 * 4, unit="s", tz="UTC").strftime("%Y-%m-%dT%H")
    html = reports / f"{drifted}.html"
    assert html.exists() and (reports / f"{drifted}.json").exists()
    text = html.read_text()
    assert "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in text
    shot = tmp_path / "report.png"
    proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                           f"--screenshot={shot}", "--window-size=1280,2400", f"file://{html}"],
                          capture_output=True, text=True, timeout=120)
    assert shot.exists(), proc.stderr
    console = [l for l in proc.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
    assert console == [], console
    shutil.copy(shot, pipeline["work"] / "report.png")
    assert png_distinct_bytes(shot) > 50, "the screenshot is blank"
    summary = json.loads((reports / f"{drifted}.json").read_text())
    assert summary["drift_status"] == "drift_detected" and len(summary["trend"]) == 5


def test_prometheus_textfile_passes_promtool(pipeline):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (Debian package prometheus)")
    path = pipeline["work"] / "driftline.prom"
    proc = subprocess.run([promtool, "check", "metrics"], input=path.read_text(), capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'driftline_feature_drift_status{endpoint="shop",model_version="7",column="num_00",baseline="reference"} 3' in path.read_text()


def textfile_samples(text):
    """{(name, frozenset of label pairs): value} of a Prometheus text exposition."""
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            head, value = line.rsplit(" ", 1)
            name, _, labels = head.partition("{")
            pairs = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels))
            samples[(name, pairs)] = float(value)
    return samples


def test_textfile_alerting_gauges_equal_the_tables_and_sklearn(pipeline):
    """The gauges the alerting rules and the per-feature dashboards read: per feature TVD, Hellinger, KLD and PSI
    against the reference equal the latest window's drift rows (themselves checked against numpy above); the
    reference accuracy equals scikit-learn's accuracy_score on the training set's labelled rows; requests,
    labelled count, estimated accuracy and its band's top, and p99 latency equal the performance row. The
    explicit run (--from/--to) on a store without a recorded run writes no last-success time."""
    from sklearn.metrics import accuracy_score
    text = (pipeline["work"] / "driftline.prom").read_text()
    samples = textfile_samples(text)
    model = {("endpoint", ENDPOINT), ("model_version", VERSION)}
    perf = read_table(pipeline["store"], "performance").sort_values("window_start").iloc[-1]
    drift = read_table(pipeline["store"], "drift")
    latest = drift[(drift["window_start"] == perf["window_start"]) & (drift["baseline"] == "reference")
                   & ~drift["column_name"].str.startswith(":")]
    assert len(latest) == len(ds.FEATURES)
    for _, row in latest.iterrows():
        for stat in ("tvd", "hellinger", "kld", "psi"):
            key = (f"driftline_feature_{stat}", frozenset(model | {("feature", row["column_name"])}))
            assert samples[key] == pytest.approx(row[stat], rel=EXACT, abs=EXACT), (stat, row["column_name"])
    per_feature = [k for k in samples if k[0] == "driftline_feature_psi"]
    assert len(per_feature) == len(ds.FEATURES), "features only: no reserved columns, no previous baseline"
    psi_lines = [l for l in text.splitlines() if l.startswith("driftline_feature_psi{")]
    assert psi_lines == sorted(psi_lines)

    training = pipeline["training"]
    labeled = training["label"] != ""
    expected = accuracy_score(training.loc[labeled, "label"], ds.derived(training).loc[labeled.to_numpy(), ":prediction"])
    assert samples[("driftline_model_reference_accuracy", frozenset(model))] == pytest.approx(expected, abs=EXACT)
    for name, column in (("driftline_model_requests", "requests"), ("driftline_model_labeled", "labeled"),
                         ("driftline_model_estimated_accuracy", "estimated_accuracy"),
                         ("driftline_model_estimated_accuracy_upper", "estimated_accuracy_upper"),
                         ("driftline_model_accuracy", "accuracy")):
        assert samples[(name, frozenset(model))] == pytest.approx(float(perf[column]), rel=EXACT, abs=EXACT), name
    assert samples[("driftline_model_latency_p99_seconds", frozenset(model))] == pytest.approx(perf["latency_p99_ms"] / 1000, rel=EXACT)
    assert not any(k[0] == "driftline_batch_last_success_timestamp_seconds" for k in samples)


def test_last_success_is_the_recorded_runs_now_per_shard(pipeline, tmp_path):
    """A cron-style run (no --from/--to) records itself and writes its "now" as the last success; an explicit run
    afterwards shows that recorded run (from the table, not the clock); shard 1/2 has its own series."""
    store = tmp_path / "store"
    shutil.copytree(pipeline["store"], store)
    now = ds.T0_S + 3600 * (ds.HOURS + 1)
    run("driftline", "batch", "--store", store, "--now", now, "--prom-textfile", tmp_path / "cron.prom")
    key = ("driftline_batch_last_success_timestamp_seconds", frozenset({("shard", "0/1")}))
    assert textfile_samples((tmp_path / "cron.prom").read_text())[key] == now
    t_from = pd.Timestamp(ds.T0_S, unit="s", tz="UTC").isoformat()
    run("driftline", "batch", "--store", store, "--from", t_from, "--to", str(ds.T0_S + 3600 * ds.HOURS),
        "--prom-textfile", tmp_path / "explicit.prom")
    assert textfile_samples((tmp_path / "explicit.prom").read_text())[key] == now
    shard = tmp_path / "sharded"
    shutil.copytree(pipeline["store"], shard)
    run("driftline", "batch", "--store", shard, "--now", now + 60, "--shard", "1/2", "--prom-textfile", tmp_path / "shard.prom")
    samples = textfile_samples((tmp_path / "shard.prom").read_text())
    assert samples[("driftline_batch_last_success_timestamp_seconds", frozenset({("shard", "1/2")}))] == now + 60


def test_anodot_file_has_the_documented_shape(pipeline):
    metrics = json.loads((pipeline["work"] / "anodot.json").read_text())
    assert isinstance(metrics, list) and metrics
    for m in metrics:
        assert set(m) == {"properties", "tags", "timestamp", "value"}
        p = m["properties"]
        assert {"what", "model", "endpoint", "model_version", "target_type"} <= set(p)
        assert all("." not in v and " " not in v for v in p.values())
        assert isinstance(m["timestamp"], int) and isinstance(m["value"], (int, float))
    psi = [m for m in metrics if m["properties"]["what"] == "drift_score" and m["properties"].get("feature") == "channel"
           and m["properties"]["baseline"] == "reference"]
    assert len(psi) == ds.HOURS
