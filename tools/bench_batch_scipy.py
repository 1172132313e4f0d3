"""Baselines of `driftline-bench batch`, both checked against driftline's own drift numbers.

1. `scipy from raw rows`: the same drift numbers computed with numpy/scipy from the raw values that the
   benchmark's profiles summarize (written by the benchmark as <dir>/<endpoint>.f64: training values
   [columns][training], then [hours][windows][columns][rows]). Per endpoint, hour and column, against
   the reference (training values) and the previous hour: the reference's own bin edges (read from
   its JSON file, numpy quantiles as driftline computes them), TVD, Hellinger, KLD, PSI, JS distance,
   chi2 (chi2_contingency), KS (`ks_2samp(method='asymp')`, p-value kept) and Wasserstein / sigma.
2. `numpy from the same profiles`: what a Python job reading the store would do: read the `profiles`
   table (deltalake), add each hour's histograms, merge its KLL sketches (datasketches), merge the
   moments, then the same distances with numpy, KS and Wasserstein from the merged sketches' CDFs.

Each prints its wall and CPU seconds (process CPU, every thread; reading the raw file is not timed,
reading the profiles table is, as driftline's batch reads it too). Then every row of each baseline is
compared with driftline's (<dir>/driftline-drift.csv, written by the benchmark): binned values and chi2
exactly (1e-9 relative), KS and Wasserstein within DESIGN.md's sketch bounds (KS 0.02, Wasserstein
0.1 sigma + 5 %), for the profiles baseline too: its hourly sketch is merged by datasketches, whose
compaction coin differs from driftline's, so the two merged sketches differ within their error. Exits 1 and
names the worst row when any disagrees, so that no ratio is printed over different answers.
Machine-readable lines: `RESULT <key> <value>`."""
import argparse
import base64
import csv
import json
import sys
import time

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

EPS = 1e-4
METRICS = ["tvd", "hellinger", "kld", "psi", "js", "chi2", "chi2_p", "ks", "wasserstein"]


def binned(ac, bc):
    """The binned distances and chi2 of two count vectors over the same bins (DESIGN.md)."""
    p, q = ac / ac.sum(), bc / bc.sum()
    n = len(p)
    ps, qs = (p + EPS) / (1 + n * EPS), (q + EPS) / (1 + n * EPS)
    table = np.vstack([ac, bc])
    table = table[:, table.sum(0) > 0]
    if table.shape[1] > 1:
        chi2, pvalue, _, _ = chi2_contingency(table, correction=False)
    else:
        chi2, pvalue = 0.0, 1.0
    return {"tvd": 0.5 * np.abs(p - q).sum(), "hellinger": np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum()),
            "kld": (ps * np.log(ps / qs)).sum(), "psi": ((ps - qs) * np.log(ps / qs)).sum(),
            "js": jensenshannon(p, q, base=2), "chi2": chi2, "chi2_p": pvalue}


def compare_raw(a, b, edges):
    ac = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1).astype(float)
    bc = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1).astype(float)
    out = binned(ac, bc)
    ks = ks_2samp(a, b, method="asymp")
    out["ks"], out["ks_p"] = ks.statistic, ks.pvalue
    out["wasserstein"] = wasserstein_distance(a, b) / np.std(b, ddof=1)
    return out


def sorted_view(sketch):
    items = np.fromiter((x for x, _ in sketch), dtype=float, count=sketch.num_retained)
    weights = np.fromiter((w for _, w in sketch), dtype=float, count=sketch.num_retained)
    order = np.argsort(items, kind="stable")
    return items[order], np.cumsum(weights[order]) / sketch.n


def sketch_distances(a, b):
    """KS and Wasserstein-1 between the step CDFs of two sketches (inclusive CDFs at every retained value)."""
    xa, fa = sorted_view(a)
    xb, fb = sorted_view(b)
    xs = np.union1d(xa, xb)
    ca = np.concatenate([[0.0], fa])[np.searchsorted(xa, xs, side="right")]
    cb = np.concatenate([[0.0], fb])[np.searchsorted(xb, xs, side="right")]
    gap = np.abs(ca - cb)
    return gap.max(), (gap[:-1] * np.diff(xs)).sum()


def raw_baseline(args, references):
    rows = {}
    wall = cpu = 0.0
    for endpoint in args.endpoints.split(","):
        raw = np.fromfile(f"{args.dir}/{endpoint}.f64", dtype="<f8")
        split = args.columns * args.training
        training = raw[:split].reshape(args.columns, args.training)
        hours = raw[split:].reshape(args.hours, args.windows, args.columns, args.rows)
        names = [f"x{c:03d}" for c in range(args.columns)]
        start, start_cpu = time.perf_counter(), time.process_time()
        for h in range(args.hours):
            for c in range(args.columns):
                edges = references[endpoint][names[c]]["edges"]
                actual = hours[h, :, c, :].ravel()
                rows[(endpoint, h, names[c], "reference")] = compare_raw(actual, training[c], edges)
                if h > 0:
                    rows[(endpoint, h, names[c], "previous")] = compare_raw(actual, hours[h - 1, :, c, :].ravel(), edges)
        wall += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
    return rows, wall, cpu


def profiles_baseline(args, store):
    import datasketches
    from deltalake import DeltaTable

    start, start_cpu = time.perf_counter(), time.process_time()
    references = {}
    for endpoint in args.endpoints.split(","):
        with open(f"{store}/references/{endpoint}/1.json") as f:
            document = json.load(f)
        columns = {}
        for column in document["columns"]:
            if column["kind"] != "numeric":
                continue
            columns[column["name"]] = {
                "edges": np.array(column["edges"]), "histogram": np.array(column["histogram"], dtype=float),
                "sketch": datasketches.kll_doubles_sketch.deserialize(base64.b64decode(column["sketch"])),
                "sd": np.sqrt(column["m2"] / (column["count"] - 1))}
        references[endpoint] = columns
    table = DeltaTable(f"{store}/profiles").to_pyarrow_table(
        columns=["endpoint", "window_start", "column_name", "count", "mean", "m2", "histogram", "sketch"])
    frame = table.to_pandas()
    first = frame["window_start"].min()
    frame["hour"] = ((frame["window_start"] - first) // np.timedelta64(1, "h")).astype(int)
    merged = {}
    for (endpoint, hour, column), group in frame.groupby(["endpoint", "hour", "column_name"], sort=True):
        sketch = datasketches.kll_doubles_sketch(200)
        for blob in group["sketch"]:
            sketch.merge(datasketches.kll_doubles_sketch.deserialize(blob))
        counts, means, m2s = group["count"].to_numpy(float), group["mean"].to_numpy(float), group["m2"].to_numpy(float)
        n = counts.sum()
        mean = (counts * means).sum() / n
        m2 = (m2s + counts * (means - mean) ** 2).sum()   # Chan et al.'s merge of the moments
        merged[(endpoint, hour, column)] = {
            "histogram": np.sum(np.stack(group["histogram"].to_numpy()), axis=0).astype(float),
            "sketch": sketch, "sd": np.sqrt(m2 / (n - 1))}
    rows = {}
    for (endpoint, hour, column), actual in merged.items():
        sides = [("reference", references[endpoint][column])]
        if hour > 0:
            sides.append(("previous", merged[(endpoint, hour - 1, column)]))
        for name, baseline in sides:
            out = binned(actual["histogram"], baseline["histogram"])
            ks, w = sketch_distances(actual["sketch"], baseline["sketch"])
            out["ks"], out["wasserstein"] = ks, w / baseline["sd"]
            rows[(endpoint, hour, column, name)] = out
    return rows, time.perf_counter() - start, time.process_time() - start_cpu


def read_swift(path):
    rows = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            rows[(r["endpoint"], int(r["hour"]), r["column"], r["baseline"])] = {m: float(r[m]) for m in METRICS}
    return rows


def check(label, ours, theirs):
    """Every row of `theirs` against driftline's; returns the worst disagreements (empty when all agree)."""
    failures = []
    worst = {m: 0.0 for m in METRICS}
    if set(ours) != set(theirs):
        missing = sorted(set(ours) ^ set(theirs))[:3]
        return [f"{label}: different rows: {len(ours)} driftline vs {len(theirs)}, e.g. {missing}"], worst
    for key, mine in ours.items():
        other = theirs[key]
        for m in METRICS:
            a, b = mine[m], other[m]
            if np.isnan(a) and np.isnan(b):
                continue   # null on both sides (e.g. Wasserstein over a zero spread)
            if m == "ks":
                bound = 0.02
            elif m == "wasserstein":
                bound = 0.1 + 0.05 * abs(b)
            elif m == "chi2_p":
                bound = 1e-9 + 1e-6 * abs(b)   # an incomplete-gamma series of its own, not scipy's
            else:
                bound = 1e-9 * max(1.0, abs(b))
            worst[m] = max(worst[m], abs(a - b))
            if not abs(a - b) <= bound:
                failures.append(f"{label}: {key} {m}: driftline {a!r} vs {b!r} (bound {bound:g})")
    return failures, worst


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--swift-drift", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--windows", type=int, default=12)
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--training", type=int, default=5000)
    args = parser.parse_args()
    ours = read_swift(args.swift_drift)
    # Warm-up (imports, first calls, the page cache): a first profiles pass, not timed.
    profiles_baseline(args, args.store)
    profiles, p_wall, p_cpu = profiles_baseline(args, args.store)
    references = {}
    for endpoint in args.endpoints.split(","):
        with open(f"{args.store}/references/{endpoint}/1.json") as f:
            references[endpoint] = {c["name"]: {"edges": np.array(c["edges"])} for c in json.load(f)["columns"] if "edges" in c}
    raw, r_wall, r_cpu = raw_baseline(args, references)
    print(f"scipy from raw rows: {len(raw)} comparisons, {r_wall:.3f} s wall, {r_cpu:.3f} s CPU")
    print(f"numpy from the same profiles: {len(profiles)} comparisons, {p_wall:.3f} s wall, {p_cpu:.3f} s CPU")
    print(f"RESULT batch.scipy_raw_wall {r_wall:.4f}")
    print(f"RESULT batch.scipy_raw_cpu {r_cpu:.4f}")
    print(f"RESULT batch.numpy_profiles_wall {p_wall:.4f}")
    print(f"RESULT batch.numpy_profiles_cpu {p_cpu:.4f}")
    failures = []
    for label, theirs in [("scipy from raw rows", raw), ("numpy from profiles", profiles)]:
        found, worst = check(label, ours, theirs)
        failures += found
        print(f"agreement, {label} vs driftline ({len(theirs)} rows): largest |difference| " +
              ", ".join(f"{m} {worst[m]:.2g}" for m in METRICS) + (" — DISAGREE" if found else " — agree"))
    if failures:
        for line in failures[:10]:
            print("DISAGREE " + line)
        print(f"{len(failures)} values disagree: no ratio is valid", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
