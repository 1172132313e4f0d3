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
    from conftest import bin_dir
except ImportError:  # pragma: no cover
    def bin_dir():
        return pathlib.Path(os.environ["DRIFTLINE_BIN_DIR"])

FULL_SWEEP = os.environ.get("DRIFTLINE_PROFILES_FULL_SWEEP") == "1"
RANKS = [round(0.01 * i, 2) for i in range(1, 100)]
RANK_ARG = ",".join(map(str, RANKS))
SIZES = [10, 100, 1_000, 10_000, 100_000, 1_000_000]
DISTRIBUTIONS = ["normal", "lognormal", "uniform", "bimodal", "pareto", "discrete"]


def interop(*args, data=b""):
    exe = bin_dir() / "ProfilesInterop"
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    proc = subprocess.run([str(exe), *map(str, args)], input=data, capture_output=True)
    assert proc.returncode == 0, f"ProfilesInterop {args} failed: {proc.stderr.decode()}"
    return json.loads(proc.stdout, parse_constant=lambda c: float(c))


def interop_json(command, payload, *args):
    return interop(command, *args, data=json.dumps(payload).encode())


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
    points = np.quantile(x, [0.1, 0.5, 0.9])
    out = interop("read-sketch", "--ranks", RANK_ARG, "--points", ",".join(repr(float(p)) for p in points), data=raw)
    assert out["n"] == size and out["min"] == sketch.get_min_value() and out["max"] == sketch.get_max_value()
    assert out["quantiles"] == [sketch.get_quantile(r) for r in RANKS]
    assert out["ranks"] == [sketch.get_rank(float(p)) for p in points]
    assert base64.b64decode(out["reserialized"]) == raw


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
    for field in ["count", "missing_count", "min", "max", "sketch_n", "sketch_min", "sketch_max"]:
        assert cut[field] == one[field]
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
