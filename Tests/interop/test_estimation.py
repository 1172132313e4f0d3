"""Acceptance of the label-free estimate (issue 12, README "Estimated accuracy").

Four models over four numeric features, each its own endpoint: a binary and a 4-class model, each once
calibrated and once over-confident (its logits multiplied by a factor: probabilities pushed toward 0 and 1,
as a temperature below 1 does). For each, a labelled validation set of 20,000 rows is profiled into the
reference (`driftline profile --label-column`), then 24 clean hours and 4 covariate-shift hours (x0 + 1.5σ,
x1 + 0.75σ) of 2,000 predictions are ingested WITHOUT labels, profiled by `tail --once` and analysed by
`batch`. The labels are held aside to compute each hour's true accuracy.

Checked: the estimate holds the true accuracy within its band in ≥ 90 % of clean hours (per model); it
equals the estimate recomputed from the raw rows with scikit-learn's isotonic regression over the reference
bins (1e-9, band included); it is close to NannyML's CBPE fitted on the same validation rows; every
covariate-shift hour has `estimate_reliable = false` (every clean hour true) and its report says why."""
import json
import os

import numpy as np
import pandas as pd
import pytest
import deltalake

import estimation_dataset as es
from test_batch import run

os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")   # NannyML reports usage over the network otherwise

FEATURES = ["x0", "x1", "x2", "x3"]
REFERENCE_ROWS = 20_000
ROWS_PER_HOUR = 2_000
CLEAN_HOURS = 24
SHIFT_HOURS = [6, 13, 20, 27]          # hours with covariate shift, among 28
HOURS = CLEAN_HOURS + len(SHIFT_HOURS)
MODELS = [
    es.Model("binary-calibrated", ["neg", "pos"], sharpen=1.0, seed=1),
    es.Model("binary-overconfident", ["neg", "pos"], sharpen=3.0, seed=2),
    es.Model("multi-calibrated", ["a", "b", "c", "d"], sharpen=1.0, seed=3),
    es.Model("multi-overconfident", ["a", "b", "c", "d"], sharpen=2.5, seed=4),
]


def frame(model, x, proba, y, start_s=None, rng=None):
    data = {f: x[:, i] for i, f in enumerate(FEATURES)}
    for k, c in enumerate(model.classes):
        data[f"p_{c}"] = proba[:, k]
    data["label"] = np.array(model.classes, dtype=object)[y]
    out = pd.DataFrame(data)
    if start_s is not None:
        out.insert(0, "ts", start_s + np.sort(rng.uniform(0, 3599.0, len(out))).round(3))
        out.insert(0, "id", [f"{model.name}-{start_s}-{i}" for i in range(len(out))])
    return out


def flags(model):
    return ["--features", ",".join(FEATURES), "--classes", ",".join(model.classes),
            "--proba-columns", ",".join(f"p_{c}" for c in model.classes)]


@pytest.fixture(scope="module")
def estimation(tmp_path_factory):
    work = tmp_path_factory.mktemp("estimation")
    store, log = work / "store", work / "log"
    rng = np.random.default_rng(20261212)
    data = {}
    for model in MODELS:
        x, proba, y = model.rows(rng, REFERENCE_ROWS)
        reference = frame(model, x, proba, y)
        reference.to_csv(work / f"{model.name}-reference.csv", index=False)
        run("driftline", "profile", "--store", store, "--endpoint", model.name, "--model-version", "1",
            "--csv", work / f"{model.name}-reference.csv", *flags(model), "--label-column", "label")
        hours = []
        for h in range(HOURS):
            x, proba, y = model.rows(rng, ROWS_PER_HOUR, shift=1.5 if h in SHIFT_HOURS else 0.0)
            hours.append(frame(model, x, proba, y, start_s=es.T0_S + es.HOUR_S * h, rng=rng))
        production = pd.concat(hours, ignore_index=True)
        # The production records carry no label: the estimate sees none; the truth stays in `hours`.
        production.drop(columns=["label"]).to_csv(work / f"{model.name}-production.csv", index=False)
        run("driftline", "ingest", "--log", log, "--endpoint", model.name, "--model-version", "1",
            "--csv", work / f"{model.name}-production.csv", *flags(model), "--timestamp-column", "ts",
            "--request-id-column", "id")
        data[model.name] = {"reference": reference, "hours": hours}
    run("driftline", "tail", "--log", log, "--store", store, "--once", timeout=900)
    run("driftline", "batch", "--store", store, "--from", str(es.T0_S), "--to", str(es.T0_S + es.HOUR_S * HOURS), timeout=900)
    perf = deltalake.DeltaTable(str(store / "performance")).to_pandas()
    perf["h"] = (perf["window_start"].astype("datetime64[us, UTC]").astype("int64") // 1_000_000 - es.T0_S) // es.HOUR_S
    for model in MODELS:
        rows = perf[perf["endpoint"] == model.name].sort_values("h").reset_index(drop=True)
        assert rows["h"].tolist() == list(range(HOURS)), model.name
        data[model.name]["perf"] = rows
        data[model.name]["truth"] = np.array([true_accuracy(model, hour) for hour in data[model.name]["hours"]])
        data[model.name]["doc"] = json.loads((store / "references" / model.name / "1.json").read_text())
    return {"store": store, "data": data}


def true_accuracy(model, hour):
    proba = hour[[f"p_{c}" for c in model.classes]].to_numpy(float)
    truth = hour["label"].map({c: i for i, c in enumerate(model.classes)}).to_numpy()
    return float((model.predict(proba) == truth).mean())


def clean(perf):
    return perf[~perf["h"].isin(SHIFT_HOURS)]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_true_accuracy_lies_within_the_band_in_90_percent_of_clean_hours(estimation, model):
    d = estimation["data"][model.name]
    perf, truth = d["perf"], d["truth"]
    hours = clean(perf)
    t = truth[hours["h"].to_numpy()]
    within = ((hours["estimated_accuracy_lower"] <= t) & (t <= hours["estimated_accuracy_upper"])).to_numpy()
    se = (hours["estimated_accuracy_upper"] - hours["estimated_accuracy_lower"]).to_numpy() / (2 * es.BAND)
    one_se = np.abs(hours["estimated_accuracy"].to_numpy() - t) <= se
    naive = np.abs(hours["mean_pred1"].to_numpy() - t)
    print(f"\n{model.name}: true accuracy within the ±3 SE band in {within.sum()}/{len(t)} clean hours "
          f"(within 1 SE: {one_se.sum()}/{len(t)}); mean |estimate − truth| {np.abs(hours['estimated_accuracy'] - t).mean():.4f}, "
          f"band half-width {np.mean(se) * es.BAND:.4f}; mean |mean_pred1 − truth| {naive.mean():.4f}")
    assert within.mean() >= 0.9, f"{model.name}: {within.sum()} of {len(t)} clean hours within the band"
    assert (se * es.BAND <= 0.05).all(), "the band is too wide to say anything"
    if model.sharpen > 1:
        assert naive.mean() > 0.05, "the over-confident model's mean top probability should be far off"


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_the_estimate_equals_the_isotonic_map_recomputed_from_raw_rows(estimation, model):
    """REFERENCE.md's map (scikit-learn's IsotonicRegression over the reference bins) and the estimate's
    formulas, from the raw validation rows and each hour's raw probabilities."""
    d = estimation["data"][model.name]
    reference, doc = d["reference"], d["doc"]
    proba = reference[[f"p_{c}" for c in model.classes]].to_numpy(float)
    y = reference["label"].map({c: i for i, c in enumerate(model.classes)}).to_numpy()
    binary = len(model.classes) == 2
    column = ":proba:pos" if binary else ":pred1"
    stored = next(c for c in doc["columns"] if c["name"] == column)
    edges = np.array(stored["edges"])
    values = proba[:, 1] if binary else proba.max(axis=1)
    events = (y == 1) if binary else (model.predict(proba) == y)
    labeled, hits, q = es.calibration_map(values, events, edges)
    assert stored["calibration"]["labeled"] == labeled.astype(int).tolist()
    assert stored["calibration"]["events"] == hits.astype(int).tolist()
    if binary:
        assert 0.5 in stored["edges"]
    for _, row in d["perf"].iterrows():
        hour = d["hours"][row["h"]]
        hp = hour[[f"p_{c}" for c in model.classes]].to_numpy(float)
        counts = np.bincount(es.bin_index(hp[:, 1] if binary else hp.max(axis=1), edges), minlength=len(edges) + 1).astype(float)
        if binary:
            e = es.binary_estimate(counts, q, first_positive=int(es.bin_index(np.array([0.5]), edges)[0]))
            for key in ["precision", "recall", "f1"]:
                assert abs(row[f"estimated_{key}"] - e[key]) <= 1e-9, (row["h"], key)
            accuracy = e["accuracy"]
        else:
            assert pd.isna(row["estimated_precision"])
            accuracy = es.top_label_estimate(counts, q)
        assert abs(row["estimated_accuracy"] - accuracy) <= 1e-9, row["h"]
        se = standard_error(counts, labeled, hits, q, int(es.bin_index(np.array([0.5]), edges)[0]) if binary else 0)
        assert abs(row["estimated_accuracy_lower"] - max(0.0, accuracy - es.BAND * se)) <= 1e-9
        assert abs(row["estimated_accuracy_upper"] - min(1.0, accuracy + es.BAND * se)) <= 1e-9


def standard_error(counts, labeled, hits, q, first_positive):
    """PerformanceEstimate's standard error: the hour's sampling plus each pooled block's error, with
    q̃ = (events + ½) / (labelled + 1) per block. Blocks (REFERENCE.md): the runs of non-empty bins sharing one
    fitted value; an empty bin belongs to the block of the nearest non-empty bin below it (else the first)."""
    nonempty = np.flatnonzero(labeled > 0)
    runs = np.concatenate([[0], np.cumsum(q[nonempty][1:] != q[nonempty][:-1])])
    block = np.array([runs[max(np.searchsorted(nonempty, i, side="right") - 1, 0)] for i in range(len(q))])
    n = counts.sum()
    sign = np.where(np.arange(len(q)) >= first_positive, 1.0, -1.0)
    var = 0.0
    for b in np.unique(block):
        members = block == b
        m, e = labeled[members].sum(), hits[members].sum()
        qt = (e + 0.5) / (m + 1)
        var += (counts[members] * qt * (1 - qt)).sum()
        var += (counts[members] * sign[members]).sum() ** 2 * qt * (1 - qt) / m
    return np.sqrt(var) / n


@pytest.mark.filterwarnings("ignore:The inplace keyword")   # nannyml 0.13.1 under pandas 3
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_close_to_nannyml_cbpe_on_the_same_data(estimation, model):
    import nannyml as nml

    d = estimation["data"][model.name]
    reference = d["reference"].copy()
    binary = len(model.classes) == 2

    def prepare(df):
        df = df.copy()
        proba = df[[f"p_{c}" for c in model.classes]].to_numpy(float)
        df["y_pred"] = np.array(model.classes, dtype=object)[model.predict(proba)] if not binary else model.predict(proba)
        if binary:
            df["y_true"] = (df["label"] == model.classes[1]).astype(int)
        else:
            df["y_true"] = df["label"]
        return df

    analysis = pd.concat([prepare(h) for h in d["hours"]], ignore_index=True).drop(columns=["y_true"])
    estimator = nml.CBPE(
        y_pred_proba=f"p_{model.classes[1]}" if binary else {c: f"p_{c}" for c in model.classes},
        y_pred="y_pred", y_true="y_true", metrics=["accuracy"], chunk_size=ROWS_PER_HOUR,
        problem_type="classification_binary" if binary else "classification_multiclass")
    estimator.fit(prepare(reference))
    result = estimator.estimate(analysis).filter(period="analysis").to_df()
    theirs = result[("accuracy", "value")].to_numpy(float)
    their_se = result[("accuracy", "sampling_error")].to_numpy(float)
    assert len(theirs) == HOURS
    ours = d["perf"]["estimated_accuracy"].to_numpy(float)
    our_se = ((d["perf"]["estimated_accuracy_upper"] - d["perf"]["estimated_accuracy_lower"]) / (2 * es.BAND)).to_numpy(float)
    is_clean = ~d["perf"]["h"].isin(SHIFT_HOURS).to_numpy()
    gap = np.abs(ours - theirs)
    truth = d["truth"]
    print(f"\n{model.name}: max |ours − NannyML CBPE| {gap[is_clean].max():.4f} in clean hours, {gap[~is_clean].max():.4f} in shift hours; "
          f"mean |NannyML − truth| in clean hours {np.abs(theirs - truth)[is_clean].mean():.4f}; "
          f"standard error ours/NannyML {np.median(our_se / their_se):.2f}")
    assert gap[is_clean].max() <= 0.015, gap


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.name)
def test_covariate_shift_hours_are_flagged_and_the_report_says_why(estimation, model):
    d = estimation["data"][model.name]
    perf = d["perf"]
    flagged = perf["estimate_reliable"].to_numpy()
    shifted = perf["h"].isin(SHIFT_HOURS).to_numpy()
    truth = d["truth"]
    error = np.abs(perf["estimated_accuracy"].to_numpy() - truth)
    print(f"\n{model.name}: estimate_reliable false in {(~flagged[shifted].astype(bool)).sum()}/{shifted.sum()} shift hours, "
          f"true in {flagged[~shifted].astype(bool).sum()}/{(~shifted).sum()} clean hours; "
          f"|estimate − truth| in shift hours {', '.join(f'{e:.3f}' for e in error[shifted])}")
    assert (flagged[shifted] == False).all()   # noqa: E712  (a numpy bool array)
    assert (flagged[~shifted] == True).all()   # noqa: E712
    hour = pd.Timestamp(es.T0_S + es.HOUR_S * SHIFT_HOURS[0], unit="s", tz="UTC").strftime("%Y-%m-%dT%H")
    report = json.loads((estimation["store"] / "reports" / model.name / f"{hour}.json").read_text())
    note = report["performance"]["estimate_note"]
    assert report["performance"]["estimate_reliable"] is False
    assert "x0" in note and "drift_detected" in note and "covariate shift" in note
    html = (estimation["store"] / "reports" / model.name / f"{hour}.html").read_text()
    assert "not reliable" in html and "covariate shift" in html


def test_a_store_from_before_the_estimate_gains_its_columns(estimation, tmp_path):
    """A performance table with the first release's columns (written here by delta-rs) gets the new columns
    from the next batch (one metaData commit): delta-rs then reads the old rows with nulls there and the
    re-analysed hours with their estimates."""
    import shutil

    store = tmp_path / "store"
    shutil.copytree(estimation["store"], store)
    added = ["estimated_accuracy_lower", "estimated_accuracy_upper", "estimated_precision", "estimated_recall",
             "estimated_f1", "estimate_reliable",
             # and the per-class columns, which came later still
             "class_names", "class_precision", "class_recall", "class_f1", "class_support", "confusion_matrix"]
    old = deltalake.DeltaTable(str(store / "performance")).to_pandas()
    old = old.drop(columns=added).assign(estimated_accuracy=old["mean_pred1"])   # what the old batch stored
    shutil.rmtree(store / "performance")
    for _, hour in old.groupby("window_start"):   # one file per hour, as driftline writes them
        deltalake.write_deltalake(str(store / "performance"), hour, partition_by=["endpoint"], mode="append")
    run("driftline", "batch", "--store", store, "--from", str(es.T0_S), "--to", str(es.T0_S + 2 * es.HOUR_S))
    table = deltalake.DeltaTable(str(store / "performance"))
    names = [f.name for f in table.schema().fields]
    assert names[-len(added):] == added
    perf = table.to_pandas()
    perf["h"] = (perf["window_start"].astype("datetime64[us, UTC]").astype("int64") // 1_000_000 - es.T0_S) // es.HOUR_S
    assert len(perf) == len(old)
    fresh, stale = perf[perf["h"] < 2], perf[perf["h"] >= 2]
    assert fresh["estimated_accuracy_lower"].notna().all() and (fresh["estimate_reliable"] == True).all()   # noqa: E712
    assert stale["estimated_accuracy_lower"].isna().all() and stale["estimate_reliable"].isna().all()
    assert (stale["estimated_accuracy"] == stale["mean_pred1"]).all()
    history = table.history()
    assert any(h.get("operation") == "ADD COLUMNS" for h in history)
