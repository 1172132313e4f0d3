"""The generated dataset of the batch acceptance test, and the drift and accuracy numbers computed
from its raw rows with numpy, scipy and scikit-learn, exactly as DESIGN.md defines them.

A 10-class model with 20 features (18 numeric, `region` and `channel` categorical). From hour 3 on,
four features drift: `num_00` (mean +1 σ), `num_01` (standard deviation ×2), `region` (mix change)
and `channel` (a new category, `kiosk`). From hour 4 on, accuracy falls from ~0.9 to ~0.6."""
import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance
from sklearn.metrics import accuracy_score, precision_recall_fscore_support

import estimation_dataset as es

HOUR_US = 3_600_000_000
T0_S = 1_795_132_800  # 2026-11-20T00:00:00Z, an hour boundary
CLASSES = [f"c{i}" for i in range(10)]
NUMERIC = [f"num_{i:02d}" for i in range(18)]
CATEGORICAL = ["region", "channel"]
FEATURES = NUMERIC + CATEGORICAL
DRIFTED = {"num_00", "num_01", "region", "channel"}
DRIFT_FROM_HOUR = 3
ACCURACY_DROP_HOUR = 4
HOURS = 6
ROWS_PER_HOUR = 2500
TRAINING_ROWS = 6000
BINS = 20
EPS = 1e-4


def _rows(rng, n, drifted, accuracy, start_s=None):
    data = {}
    for i, name in enumerate(NUMERIC):
        mean, sd = 10.0 + i, 1.0 + 0.1 * i
        if drifted and name == "num_00":
            mean += sd
        if drifted and name == "num_01":
            sd *= 2
        data[name] = rng.normal(mean, sd, n)
    if drifted:
        data["region"] = rng.choice(["eu", "us", "apac"], n, p=[0.2, 0.3, 0.5])
        data["channel"] = rng.choice(["web", "app", "kiosk"], n, p=[0.45, 0.3, 0.25])
    else:
        data["region"] = rng.choice(["eu", "us", "apac"], n, p=[0.5, 0.3, 0.2])
        data["channel"] = rng.choice(["web", "app"], n, p=[0.6, 0.4])
    truth = rng.integers(0, 10, n)
    correct = rng.random(n) < accuracy
    other = (truth + rng.integers(1, 10, n)) % 10
    predicted = np.where(correct, truth, other)
    top = rng.uniform(0.5, 0.95, n)
    rest = rng.dirichlet(np.ones(9), n) * (1 - top)[:, None]
    proba = np.zeros((n, 10))
    for r in range(n):
        others = [c for c in range(10) if c != predicted[r]]
        proba[r, others] = rest[r]
        proba[r, predicted[r]] = top[r]
    for c in range(10):
        data[f"p_{CLASSES[c]}"] = proba[:, c]
    labels = np.array([CLASSES[t] for t in truth], dtype=object)
    labeled = rng.random(n) < 0.9
    data["label"] = np.where(labeled, labels, "")
    data["latency_ms"] = np.round(rng.lognormal(1.5, 0.4, n), 3)
    frame = pd.DataFrame(data)
    frame.insert(0, "id", [f"r{rng.integers(1 << 62):x}-{k}" for k in range(n)])
    if start_s is not None:
        frame.insert(1, "ts", start_s + np.sort(rng.uniform(0, 3599.0, n)).round(3))
    return frame


def generate(seed=20261120):
    rng = np.random.default_rng(seed)
    training = _rows(rng, TRAINING_ROWS, drifted=False, accuracy=0.9)
    hours = []
    for h in range(HOURS):
        hours.append(_rows(rng, ROWS_PER_HOUR, drifted=h >= DRIFT_FROM_HOUR,
                           accuracy=0.6 if h >= ACCURACY_DROP_HOUR else 0.9, start_s=T0_S + 3600 * h))
    return training, hours


def derived(frame):
    """The reserved columns tail profiles, from raw rows."""
    proba = frame[[f"p_{c}" for c in CLASSES]].to_numpy()
    order = np.sort(proba, axis=1)
    out = pd.DataFrame({
        ":prediction": np.array(CLASSES, dtype=object)[np.argmax(proba, axis=1)],
        ":pred1": order[:, -1],
        ":spread12": order[:, -1] - order[:, -2],
    })
    for c in CLASSES:
        out[f":proba:{c}"] = frame[f"p_{c}"].to_numpy()
    return out


def reference_edges(values, bins=BINS):
    values = values[np.isfinite(values)]
    edges = []
    for i in range(1, bins):
        e = float(np.quantile(values, i / bins))
        if not edges or edges[-1] != e:
            edges.append(e)
    return np.array(edges)


def bin_counts(values, edges):
    values = values[np.isfinite(values)]
    return np.bincount(np.searchsorted(edges, values, side="right"), minlength=len(edges) + 1).astype(float)


def categorical_counts(values, categories):
    values = [v for v in values if isinstance(v, str) and v != ""]
    counts = [sum(1 for v in values if v == c) for c in categories]
    counts.append(len(values) - sum(counts))
    return np.array(counts, dtype=float)


def reference_categories(values):
    """Categories by count descending, ties by value (the profile's row order)."""
    s = pd.Series([v for v in values if isinstance(v, str) and v != ""]).value_counts()
    return sorted(s.index, key=lambda v: (-s[v], v))


def distances(actual, baseline):
    p, q = actual / actual.sum(), baseline / baseline.sum()
    b = len(p)
    ps, qs = (p + EPS) / (1 + b * EPS), (q + EPS) / (1 + b * EPS)
    table = np.vstack([actual, baseline])
    table = table[:, table.sum(0) > 0]
    if table.shape[1] > 1:
        chi2, pvalue, _, _ = chi2_contingency(table, correction=False)
    else:
        chi2, pvalue = 0.0, 1.0
    return {
        "tvd": 0.5 * np.abs(p - q).sum(),
        "hellinger": np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum()),
        "kld": float((ps * np.log(ps / qs)).sum()),
        "psi": float(((ps - qs) * np.log(ps / qs)).sum()),
        "js_distance": float(jensenshannon(p, q, base=2)),
        "chi2_statistic": float(chi2),
        "chi2_pvalue": float(pvalue),
    }


def status(d, n, m):
    if n < 100 or m < 100:
        return "insufficient_data"
    if d["psi"] >= 0.25 and d["chi2_pvalue"] < 0.01:
        return "drift_detected"
    if d["psi"] >= 0.1 and d["chi2_pvalue"] < 0.05:
        return "possible_drift"
    return "no_drift"


def expected_drift(actual_frame, baseline_frame, training):
    """Expected drift rows {column: metrics} of an hour against a baseline, over the reference bins."""
    rows = {}
    a_all = pd.concat([actual_frame, derived(actual_frame)], axis=1)
    b_all = pd.concat([baseline_frame, derived(baseline_frame)], axis=1)
    t_all = pd.concat([training, derived(training)], axis=1)
    for column in FEATURES + [":prediction", ":pred1"]:
        if column in NUMERIC or column == ":pred1":
            a = a_all[column].to_numpy(float)
            b = b_all[column].to_numpy(float)
            edges = reference_edges(t_all[column].to_numpy(float))
            ac, bc = bin_counts(a, edges), bin_counts(b, edges)
            d = distances(ac, bc)
            d["ks"] = ks_2samp(a, b).statistic
            sd = np.std(b, ddof=1)
            d["wasserstein_raw"] = wasserstein_distance(a, b)
            d["wasserstein"] = d["wasserstein_raw"] / sd
            d["sd"] = sd
            d.update(mean=a.mean(), baseline_mean=b.mean(), stddev=np.std(a, ddof=1), baseline_stddev=sd,
                     count=len(a), baseline_count=len(b), kind="numeric")
        else:
            cats = reference_categories(t_all[column].to_numpy(object))
            ac = categorical_counts(a_all[column].to_numpy(object), cats)
            bc = categorical_counts(b_all[column].to_numpy(object), cats)
            d = distances(ac, bc)
            d.update(count=int(ac.sum()), baseline_count=int(bc.sum()), kind="categorical")
        d["status"] = status(d, d["count"], d["baseline_count"])
        rows[column] = d
    return rows


def expected_estimate(frame, training):
    """The label-free accuracy estimate of a 10-class model: the `:pred1` calibration map learnt from the
    labelled training rows (prediction right or not), applied to the hour's `:pred1` histogram."""
    t = derived(training)
    labeled = training["label"] != ""
    edges = es.reference_edges(t[":pred1"].to_numpy(float))
    right = (training["label"] == t[":prediction"]).to_numpy()
    _, _, q = es.calibration_map(t[":pred1"].to_numpy(float)[labeled.to_numpy()], right[labeled.to_numpy()], edges)
    counts = bin_counts(derived(frame)[":pred1"].to_numpy(float), edges)
    return es.top_label_estimate(counts, q)


def expected_performance(frame, training):
    labeled = frame[frame["label"] != ""]
    pred = derived(frame)
    pred_labeled = pred.loc[labeled.index, ":prediction"]
    y, yhat = labeled["label"].to_numpy(object), pred_labeled.to_numpy(object)
    pm, rm, fm, _ = precision_recall_fscore_support(y, yhat, labels=CLASSES, average="macro", zero_division=0)
    _, _, fw, _ = precision_recall_fscore_support(y, yhat, labels=CLASSES, average="weighted", zero_division=0)
    drift = expected_drift(frame, training, training)
    feats = [drift[f] for f in FEATURES]
    return {
        "requests": len(frame), "errors": 0, "error_rate": 0.0, "predictions_per_second": len(frame) / 3600,
        "labeled": len(labeled), "accuracy": accuracy_score(y, yhat), "precision_macro": pm, "recall_macro": rm,
        "f1_macro": fm, "f1_weighted": fw,
        "estimated_accuracy": expected_estimate(frame, training), "mean_pred1": pred[":pred1"].mean(),
        "mean_spread12": pred[":spread12"].mean(),
        "tvd_sum": sum(f["tvd"] for f in feats), "tvd_mean": sum(f["tvd"] for f in feats) / len(feats),
        "hellinger_sum": sum(f["hellinger"] for f in feats), "hellinger_mean": sum(f["hellinger"] for f in feats) / len(feats),
        "kld_sum": sum(f["kld"] for f in feats), "kld_mean": sum(f["kld"] for f in feats) / len(feats),
        "latency": frame["latency_ms"].to_numpy(float),
    }
