"""Cross-checks of the Profiles module (moments, KLL sketch, distances, accuracy) against numpy,
scipy, scikit-learn and Apache DataSketches, through the ProfilesInterop executable.

The rank-error sweep runs 100 trials up to n = 10,000 and fewer above, to keep CI fast; set
DRIFTLINE_PROFILES_FULL_SWEEP=1 for 100 trials at every size (minutes in a debug build)."""
import base64
import json
import os
import pathlib
import subprocess

import numpy as np
import pytest
from datasketches import kll_doubles_sketch

try:
    from conftest import bin_dir, executable
except ImportError:  # pragma: no cover
    def bin_dir():
        return pathlib.Path(os.environ["DRIFTLINE_BIN_DIR"])

FULL_SWEEP = os.environ.get("DRIFTLINE_PROFILES_FULL_SWEEP") == "1"
RANKS = [round(0.01 * i, 2) for i in range(1, 100)]
RANK_ARG = ",".join(map(str, RANKS))
SIZES = [10, 100, 1_000, 10_000, 100_000, 1_000_000]
DISTRIBUTIONS = ["normal", "lognormal", "uniform", "bimodal", "pareto", "discrete"]


def interop(*args, data=b""):
    exe = executable("ProfilesInterop")
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    proc = subprocess.run([str(exe), *map(str, args)], input=data, capture_output=True)
    assert proc.returncode == 0, f"ProfilesInterop {args} failed: {proc.stderr.decode()}"
    return json.loads(proc.stdout, parse_constant=lambda c: float(c))


def encode_floats(value):
    """Floats travel as their shortest repr strings: Foundation's JSON parser does not round numbers correctly."""
    if isinstance(value, dict):
        return {k: encode_floats(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [encode_floats(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, np.integer):
        return int(value)
    return value


def interop_json(command, payload, *args):
    return interop(command, *args, data=json.dumps(encode_floats(payload)).encode())


def sample(distribution, n, seed=0):
    rng = np.random.default_rng([seed, n, DISTRIBUTIONS.index(distribution)])
    if distribution == "normal":
        return rng.normal(10.0, 3.0, n)
    if distribution == "lognormal":
        return rng.lognormal(0.0, 1.0, n)
    if distribution == "uniform":
        return rng.uniform(-5.0, 5.0, n)
    if distribution == "bimodal":
        return np.where(rng.random(n) < 0.3, rng.normal(-4.0, 1.0, n), rng.normal(6.0, 0.5, n))
    if distribution == "pareto":
        return rng.pareto(1.5, n) + 1.0
    if distribution == "discrete":
        return rng.poisson(3.0, n).astype(np.float64)
    raise ValueError(distribution)


def as_bytes(values):
    return np.asarray(values, dtype="<f8").tobytes()


def rank_errors(sorted_values, quantiles, ranks):
    """For each (rank, quantile), how far the rank lies outside the quantile's true rank interval."""
    n = len(sorted_values)
    q = np.asarray(quantiles, dtype=float)
    low = np.searchsorted(sorted_values, q, side="left") / n
    high = np.searchsorted(sorted_values, q, side="right") / n
    r = np.asarray(ranks)
    return np.maximum(0.0, np.maximum(low - r, r - high))


def relative(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


# ---------------------------------------------------------------- moments and sketch


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_moments_and_quantiles_match_numpy_and_datasketches(distribution, size):
    x = sample(distribution, size)
    out = interop("profile", "--ranks", RANK_ARG, "--seed", 7, data=as_bytes(x))
    assert out["count"] == size and out["missing_count"] == 0
    assert out["min"] == x.min() and out["max"] == x.max()
    assert relative(out["mean"], x.mean()) < 1e-9 or abs(out["mean"] - x.mean()) < 1e-12
    if size > 1:
        assert relative(out["variance"], x.var(ddof=1)) < 1e-9
    assert relative(out["m2"], ((x - x.mean()) ** 2).sum()) < 1e-9

    errors = rank_errors(np.sort(x), out["quantiles"], RANKS)
    assert errors.max() <= 0.017

    # DataSketches reads our bytes and answers the same quantiles and ranks.
    theirs = kll_doubles_sketch.deserialize(base64.b64decode(out["sketch"]))
    assert theirs.n == size and theirs.k == 200
    assert theirs.get_min_value() == x.min() and theirs.get_max_value() == x.max()
    assert [theirs.get_quantile(r) for r in RANKS] == out["quantiles"]


@pytest.mark.parametrize("size", [1, 2, 10, 1_000, 100_000])
@pytest.mark.parametrize("distribution", ["normal", "discrete", "pareto"])
def test_we_read_datasketches_bytes(distribution, size):
    x = sample(distribution, size, seed=3)
    sketch = kll_doubles_sketch(200)
    for v in x:
        sketch.update(float(v))
    raw = sketch.serialize()
    points = np.unique(np.quantile(x, [0.1, 0.5, 0.9]))
    out = interop("read-sketch", "--ranks", RANK_ARG, "--points", ",".join(repr(float(p)) for p in points), data=raw)
    assert out["n"] == size and out["min"] == sketch.get_min_value() and out["max"] == sketch.get_max_value()
    assert out["quantiles"] == [sketch.get_quantile(r) for r in RANKS]
    assert out["ranks"] == [sketch.get_rank(float(p)) for p in points]
    assert out["inclusive_ranks"] == [sketch.get_rank(float(p), True) for p in points]
    assert out["cdf"] == list(sketch.get_cdf([float(p) for p in points]))
    assert base64.b64decode(out["reserialized"]) == raw


@pytest.mark.parametrize("sizes", [(1, 5), (300, 70_000), (50_000, 120_000, 7)])
def test_sketches_merge_across_implementations(sizes):
    """We merge DataSketches' sketches; DataSketches merges ours; both stay within the error."""
    parts = [sample("lognormal", n, seed=90 + i) for i, n in enumerate(sizes)]
    theirs = []
    for part in parts:
        sketch = kll_doubles_sketch(200)
        for v in part:
            sketch.update(float(v))
        theirs.append(sketch)
    everything = np.sort(np.concatenate(parts))
    out = interop_json("merge-sketches", {"sketches": [base64.b64encode(s.serialize()).decode() for s in theirs]})
    ours = kll_doubles_sketch.deserialize(base64.b64decode(out["sketch"]))
    assert ours.n == len(everything)
    assert ours.get_min_value() == everything[0] and ours.get_max_value() == everything[-1]
    assert rank_errors(everything, [ours.get_quantile(r) for r in RANKS], RANKS).max() <= 0.017
    # DataSketches merges our profile's sketch into its own.
    mine = interop("profile", "--ranks", "0.5", data=as_bytes(parts[0]))
    combined = kll_doubles_sketch(200)
    combined.merge(kll_doubles_sketch.deserialize(base64.b64decode(mine["sketch"])))
    for sketch in theirs[1:]:
        combined.merge(sketch)
    assert combined.n == len(everything)
    assert rank_errors(everything, [combined.get_quantile(r) for r in RANKS], RANKS).max() <= 0.017


def test_empty_sketch_round_trips_both_ways():
    raw = kll_doubles_sketch(200).serialize()
    out = interop("read-sketch", "--ranks", "0.5", data=raw)
    assert out["n"] == 0 and out["quantiles"] == [None]
    assert base64.b64decode(out["reserialized"]) == raw
    ours = interop("profile", "--ranks", "0.5", data=b"")
    assert base64.b64decode(ours["sketch"]) == raw
    assert kll_doubles_sketch.deserialize(base64.b64decode(ours["sketch"])).is_empty()


def test_single_item_sketch_round_trips_both_ways():
    theirs = kll_doubles_sketch(200)
    theirs.update(2.5)
    ours = interop("profile", "--ranks", "0.5", data=as_bytes([2.5]))
    assert base64.b64decode(ours["sketch"]) == theirs.serialize()
    back = interop("read-sketch", "--ranks", "0,0.5,1", data=theirs.serialize())
    assert back["quantiles"] == [2.5, 2.5, 2.5]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_rank_error_99th_percentile_over_trials(distribution, size):
    trials = 100 if FULL_SWEEP or size <= 10_000 else (20 if size <= 100_000 else 3)
    x = sample(distribution, size, seed=11)
    out = interop("trials", "--trials", trials, "--ranks", RANK_ARG, "--seed", 5, data=as_bytes(x))
    xs = np.sort(x)
    worst = np.array([rank_errors(xs, q, RANKS).max() for q in out["quantiles"]])
    p99 = np.percentile(worst, 99)
    print(f"{distribution} n={size} trials={trials}: max rank error p99 = {p99:.5f}")
    assert p99 <= 0.017


@pytest.mark.parametrize("pieces", [1, 2, 7, 1000])
@pytest.mark.parametrize("distribution", ["normal", "discrete", "pareto"])
def test_merging_random_pieces_equals_one_piece(distribution, pieces):
    x = sample(distribution, 200_000, seed=5)
    one = interop("profile", "--ranks", RANK_ARG, data=as_bytes(x))
    cut = interop("profile", "--ranks", RANK_ARG, "--pieces", pieces, "--seed", pieces, data=as_bytes(x))
    for field in ["count", "missing_count", "min", "max", "sketch_n", "sketch_min", "sketch_max", "edges", "histogram"]:
        assert cut[field] == one[field]
    edges = np.asarray(one["edges"])
    assert one["histogram"] == np.bincount(np.searchsorted(edges, x, side="right"), minlength=len(edges) + 1).tolist()
    assert relative(cut["mean"], one["mean"]) < 1e-9
    assert relative(cut["variance"], one["variance"]) < 1e-9
    assert rank_errors(np.sort(x), cut["quantiles"], RANKS).max() <= 0.017


def test_large_offset_keeps_variance():
    rng = np.random.default_rng(9)
    x = 1e9 + rng.normal(0.0, 1e-3, 100_000)
    out = interop("profile", "--ranks", "0.5", "--pieces", 7, data=as_bytes(x))
    assert relative(out["variance"], x.var(ddof=1)) < 1e-6
    assert relative(out["mean"], x.mean()) < 1e-12


def test_nan_and_infinity_count_as_missing():
    x = np.array([1.0, np.nan, 2.0, np.inf, -np.inf, 4.0])
    out = interop("profile", "--ranks", "0.5", data=as_bytes(x))
    assert out["count"] == 3 and out["missing_count"] == 3
    assert out["mean"] == pytest.approx(7 / 3, rel=1e-12) and out["min"] == 1.0 and out["max"] == 4.0
    assert out["sketch_n"] == 3


# ---------------------------------------------------------------- bins, distances, tests

from collections import Counter  # noqa: E402

from scipy import special, stats  # noqa: E402
from scipy.spatial.distance import jensenshannon  # noqa: E402
from sklearn import metrics as skm  # noqa: E402

EPS = 1e-4


def reference_distances(actual, baseline):
    """DESIGN.md's definitions, computed with numpy/scipy."""
    a = np.asarray(actual, dtype=float)
    b = np.asarray(baseline, dtype=float)
    p, q = a / a.sum(), b / b.sum()
    bins = len(p)
    ps, qs = (p + EPS) / (1 + bins * EPS), (q + EPS) / (1 + bins * EPS)
    t = np.vstack([a, b])
    chi2, chi2_p, dof, _ = stats.chi2_contingency(t[:, t.sum(0) > 0], correction=False)
    return {
        "tvd": 0.5 * np.abs(p - q).sum(),
        "hellinger": np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum()),
        "kld": (ps * np.log(ps / qs)).sum(),
        "psi": ((ps - qs) * np.log(ps / qs)).sum(),
        "js": jensenshannon(p, q, base=2),
        "chi2": chi2,
        "chi2_p": chi2_p,
        "dof": dof,
    }


def assert_close(ours, theirs, rel=1e-9, abs_=1e-12):
    assert ours == pytest.approx(theirs, rel=rel, abs=abs_)


def assert_distances(out, actual, baseline):
    ref = reference_distances(actual, baseline)
    for key in ["tvd", "hellinger", "kld", "psi", "js", "chi2", "chi2_p"]:
        assert_close(out[key], ref[key])
    assert out["dof"] == ref["dof"]


@pytest.mark.parametrize("size", [10, 1_000, 100_000])
@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_reference_bins_are_numpy_quantiles_and_count_like_searchsorted(distribution, size):
    x = sample(distribution, size, seed=21)
    points = sample(distribution, 5_000, seed=22)
    bins = 20
    edges = np.unique(np.quantile(x, np.arange(1, bins) / bins))
    out = interop_json("bins", {"values": x.tolist(), "bin_count": bins, "points": points.tolist()})
    assert out["edges"] == edges.tolist()
    expected = np.bincount(np.searchsorted(edges, points, side="right"), minlength=len(edges) + 1)
    assert out["counts"] == expected.tolist()


@pytest.mark.parametrize("seed", range(12))
def test_binned_distances_equal_numpy_and_scipy(seed):
    rng = np.random.default_rng(seed)
    bins = int(rng.integers(2, 30))
    actual = rng.integers(0, 1000, bins) * (rng.random(bins) > 0.25)
    baseline = rng.integers(0, 1000, bins) * (rng.random(bins) > 0.25)
    actual[0] += 1
    baseline[-1] += 1
    out = interop_json("distances", {"actual": actual.tolist(), "baseline": baseline.tolist()})
    assert_distances(out, actual, baseline)


def test_chi_square_with_one_non_empty_bin_is_zero_with_p_one():
    out = interop_json("distances", {"actual": [0, 5, 0], "baseline": [0, 9, 0]})
    assert out["chi2"] == 0 and out["chi2_p"] == 1 and out["dof"] == 0
    assert out["tvd"] == 0 and out["psi"] == pytest.approx(0, abs=1e-15)


def test_survival_functions_equal_scipy():
    chi2_cases = [[x, dof] for dof in [1, 2, 3, 5, 10, 19, 50, 255] for x in [0.01, 0.5, 1, 3, 10, 30, 100, 300, 600]]
    ys = [0.01, 0.1, 0.3, 0.5, 0.8, 0.82, 0.9, 1.0, 1.36, 2.0, 3.0, 5.0]
    out = interop_json("survival", {"chi2": chi2_cases, "kolmogorov": ys})
    for (x, dof), ours in zip(chi2_cases, out["chi2"]):
        assert ours == pytest.approx(stats.chi2.sf(x, dof), rel=1e-12, abs=1e-300), (x, dof)
    for y, ours in zip(ys, out["kolmogorov"]):
        assert ours == pytest.approx(special.kolmogorov(y), rel=1e-12, abs=1e-15), y


SHIFTS = {"same": (0.0, 1.0), "shift_0.5sd": (0.5, 1.0), "wider": (0.0, 1.5), "shift_2sd": (2.0, 1.0)}


@pytest.mark.parametrize("size", [1_000, 50_000])
@pytest.mark.parametrize("shift", list(SHIFTS))
@pytest.mark.parametrize("distribution", ["normal", "lognormal", "bimodal", "discrete"])
def test_numeric_drift_against_scipy(distribution, shift, size):
    reference = sample(distribution, 20_000, seed=31)
    baseline = sample(distribution, size, seed=32)
    sd = baseline.std(ddof=1)
    offset, scale = SHIFTS[shift]
    raw = sample(distribution, size, seed=33)
    actual = (raw - raw.mean()) * scale + raw.mean() + offset * sd
    out = interop_json("compare-numeric", {"actual": actual.tolist(), "baseline": baseline.tolist(),
                                           "reference": reference.tolist(), "bin_count": 20})
    edges = np.unique(np.quantile(reference, np.arange(1, 20) / 20))
    counts_a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1)
    counts_b = np.bincount(np.searchsorted(edges, baseline, side="right"), minlength=len(edges) + 1)
    assert out["actual_counts"] == counts_a.tolist() and out["baseline_counts"] == counts_b.tolist()
    assert_distances(out, counts_a, counts_b)
    ks = stats.ks_2samp(actual, baseline)
    assert abs(out["ks"] - ks.statistic) <= 0.02
    w = stats.wasserstein_distance(actual, baseline) / sd
    assert abs(out["wasserstein"] - w) <= 0.1 + 0.05 * w
    assert out["drift_score"] == out["psi"]
    ref = reference_distances(counts_a, counts_b)
    expected = ("drift_detected" if ref["psi"] >= 0.25 and ref["chi2_p"] < 0.01 else
                "possible_drift" if ref["psi"] >= 0.1 and ref["chi2_p"] < 0.05 else "no_drift")
    assert out["status"] == expected
    if shift == "shift_2sd":
        assert out["status"] == "drift_detected"


def test_numeric_drift_without_reference_uses_baseline_sketch_quantiles():
    baseline = sample("normal", 30_000, seed=41)
    actual = sample("normal", 30_000, seed=42) + 3.0   # one standard deviation
    out = interop_json("compare-numeric", {"actual": actual.tolist(), "baseline": baseline.tolist(), "bin_count": 20})
    assert sum(out["actual_counts"]) == 30_000 and sum(out["baseline_counts"]) == 30_000
    # Baseline bins are its sketch's 1/20 quantiles: each holds about 1/20 of it (within the sketch error).
    assert max(abs(c / 30_000 - 1 / 20) for c in out["baseline_counts"]) <= 0.02
    assert_distances(out, out["actual_counts"], out["baseline_counts"])
    assert out["status"] == "drift_detected"


@pytest.mark.parametrize("with_reference", [True, False])
def test_categorical_drift_against_scipy(with_reference):
    rng = np.random.default_rng(51)
    cats = ["a", "b", "c", "d", "e"]
    baseline = rng.choice(cats, 5_000, p=[0.4, 0.3, 0.2, 0.05, 0.05]).tolist()
    actual = rng.choice(cats + ["new"], 4_000, p=[0.3, 0.3, 0.2, 0.05, 0.05, 0.1]).tolist()
    payload = {"actual": actual + [None] * 7, "baseline": baseline}
    if with_reference:
        payload["reference_categories"] = ["a", "b", "c", "d"]
        bins = ["a", "b", "c", "d"]
        ca, cb = Counter(actual), Counter(baseline)
        counts_a = [ca[c] for c in bins] + [sum(v for k, v in ca.items() if k not in bins)]
        counts_b = [cb[c] for c in bins] + [sum(v for k, v in cb.items() if k not in bins)]
        labels = bins + ["__unseen__"]
    else:
        labels = sorted(set(actual) | set(baseline))
        ca, cb = Counter(actual), Counter(baseline)
        counts_a, counts_b = [ca[c] for c in labels], [cb[c] for c in labels]
    out = interop_json("compare-categorical", payload)
    assert out["labels"] == labels
    assert out["actual_counts"] == counts_a and out["baseline_counts"] == counts_b
    assert out["count"] == 4_000 and out["missing_ratio"] == pytest.approx(7 / 4_007)
    assert_distances(out, counts_a, counts_b)
    ref = reference_distances(counts_a, counts_b)
    expected = ("drift_detected" if ref["psi"] >= 0.25 and ref["chi2_p"] < 0.01 else
                "possible_drift" if ref["psi"] >= 0.1 and ref["chi2_p"] < 0.05 else "no_drift")
    assert out["status"] == expected != "no_drift"


@pytest.mark.parametrize("pieces", [1, 2, 7, 1000])
def test_category_counts_merge_order_independent(pieces):
    rng = np.random.default_rng(61)
    values = [f"v{int(v)}" for v in rng.zipf(1.3, 20_000) % 250] + [None] * 13
    rng.shuffle(values)
    out = interop_json("categories", {"values": values, "pieces": pieces})
    counter = Counter(v for v in values if v is not None)
    expected = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    assert out["categories"] == [k for k, _ in expected] and out["counts"] == [v for _, v in expected]
    assert out["missing"] == 13


def test_category_cap_keeps_largest_and_ties_by_value():
    # Two parts of fewer than 256 values each whose union has 300: the merge keeps the 256 largest,
    # ties broken by value. (Past the cap, which values keep a count depends on arrival order.)
    values = [f"c{i:03d}" for i in range(300) for _ in range(1 + (i % 5))]
    out = interop_json("categories", {"values": values, "pieces": 2})
    counter = Counter(values)
    expected = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:256]
    assert out["categories"][:256] == [k for k, _ in expected]
    assert out["categories"][256] == "__other__"
    assert out["counts"][256] == len(values) - sum(v for _, v in expected)


# ---------------------------------------------------------------- accuracy


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n_classes", [3, 10, 12])
def test_classification_metrics_equal_sklearn(n_classes, seed):
    rng = np.random.default_rng([seed, n_classes])
    classes = [f"class_{i}" for i in range(n_classes)]
    n = int(rng.integers(20, 3_000))
    logits = rng.normal(size=(n, n_classes))
    probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    if seed % 2 == 0:
        probabilities = np.round(probabilities, 1)   # ties: first wins
    present = rng.choice(n_classes, size=max(1, n_classes - 2), replace=False)   # some classes never appear
    labels = [classes[i] for i in rng.choice(present, n)]
    out = interop_json("classification", {"classes": classes, "labels": labels, "probabilities": probabilities.tolist()})
    predictions = [classes[i] for i in np.argmax(probabilities, axis=1)]
    assert out["predictions"] == predictions
    top2 = np.sort(probabilities, axis=1)[:, ::-1]
    assert out["pred1"] == top2[:, 0].tolist()
    assert np.allclose(out["spread12"], top2[:, 0] - top2[:, 1], rtol=0, atol=1e-15)
    m = out["metrics"]
    assert m["accuracy"] == skm.accuracy_score(labels, predictions)
    for average in ["macro", "weighted"]:
        p, r, f, _ = skm.precision_recall_fscore_support(labels, predictions, labels=classes, average=average, zero_division=0)
        assert (m[f"precision_{average}"], m[f"recall_{average}"], m[f"f1_{average}"]) == (p, r, f)


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.8])
def test_binary_metrics_at_threshold_equal_sklearn(threshold):
    rng = np.random.default_rng(71)
    p1 = np.round(rng.random(2_000), 2)
    probabilities = np.column_stack([1 - p1, p1])
    labels = ["neg" if v < 0.6 else "pos" for v in rng.random(2_000)]
    out = interop_json("classification", {"classes": ["neg", "pos"], "labels": labels,
                                          "probabilities": probabilities.tolist(), "threshold": threshold})
    predictions = ["pos" if v >= threshold else "neg" for v in p1]
    assert out["predictions"] == predictions
    b = out["binary"]
    assert b["precision"] == skm.precision_score(labels, predictions, pos_label="pos", zero_division=0)
    assert b["recall"] == skm.recall_score(labels, predictions, pos_label="pos", zero_division=0)
    assert b["f1"] == skm.f1_score(labels, predictions, pos_label="pos", zero_division=0)
    assert out["metrics"]["accuracy"] == skm.accuracy_score(labels, predictions)


@pytest.mark.parametrize("pieces", [1, 7])
@pytest.mark.parametrize("offset", [0.0, 1e6])
def test_regression_metrics_equal_sklearn(offset, pieces):
    rng = np.random.default_rng(81)
    y = rng.normal(offset, 10.0, 50_000)
    pred = y + rng.normal(0.3, 2.0, 50_000)
    out = interop_json("regression", {"labels": y.tolist(), "predictions": pred.tolist(), "pieces": pieces})
    assert_close(out["mae"], skm.mean_absolute_error(y, pred))
    assert_close(out["rmse"], skm.root_mean_squared_error(y, pred))
    assert_close(out["r2"], skm.r2_score(y, pred))


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("payload", [
    {"actual": [0, 0, 0], "baseline": [1, 2, 3]},
    {"actual": [1, 2], "baseline": [1, 2, 3]},
    {"actual": [1, "NaN", 2], "baseline": [1, 2, 3]},
    {"actual": [1, -2, 2], "baseline": [1, 2, 3]},
    {"actual": [], "baseline": []},
])
def test_bad_counts_give_typed_errors(payload):
    out = interop_json("distances", payload)
    assert "error" in out


def test_empty_and_non_finite_sides_never_leak_nan():
    out = interop_json("compare-numeric", {"actual": [], "baseline": list(range(500)), "bin_count": 10})
    assert out["status"] == "insufficient_data" and out["psi"] is None and out["ks"] is None
    out = interop_json("compare-numeric", {"actual": ["NaN", "Infinity", "-Infinity", 1.0] * 50,
                                           "baseline": list(range(500)), "reference": list(range(1000))})
    assert out["count"] == 50 and out["missing_ratio"] == 0.75
    assert out["status"] == "insufficient_data"
    for key in ["tvd", "hellinger", "kld", "psi", "js", "chi2", "chi2_p", "ks", "ks_p", "wasserstein"]:
        assert isinstance(out[key], float) and np.isfinite(out[key]), key
    out = interop_json("compare-numeric", {"actual": [5.0] * 200, "baseline": [5.0] * 200})
    assert out["wasserstein"] is None and out["psi"] == pytest.approx(0, abs=1e-15) and out["status"] == "no_drift"
