"""Baseline of `driftline-bench batch`: the same drift numbers computed with numpy/scipy from the raw
values that the benchmark's profiles summarize (written by the benchmark as <dir>/<endpoint>.f64:
training values [columns][training], then [hours][windows][columns][rows]). Per endpoint, hour and
column, against the reference (training values) and the previous hour: reference bins (numpy
quantiles), TVD, Hellinger, KLD, PSI, JS distance, χ² (chi2_contingency), KS (ks_2samp) and
Wasserstein / σ. Prints `scipy_seconds <t>` (computation only; reading the file is not timed)."""
import argparse
import time

import numpy as np
from scipy.spatial.distance import jensenshannon
from scipy.stats import chi2_contingency, ks_2samp, wasserstein_distance

EPS = 1e-4


def edges_of(values, bins=20):
    edges = []
    for i in range(1, bins):
        e = float(np.quantile(values, i / bins))
        if not edges or edges[-1] != e:
            edges.append(e)
    return np.array(edges)


def compare(a, b, edges):
    ac = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1).astype(float)
    bc = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1).astype(float)
    p, q = ac / ac.sum(), bc / bc.sum()
    n = len(p)
    ps, qs = (p + EPS) / (1 + n * EPS), (q + EPS) / (1 + n * EPS)
    table = np.vstack([ac, bc])
    table = table[:, table.sum(0) > 0]
    chi2, pvalue, _, _ = chi2_contingency(table, correction=False)
    return (0.5 * np.abs(p - q).sum(), np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum()),
            (ps * np.log(ps / qs)).sum(), ((ps - qs) * np.log(ps / qs)).sum(), jensenshannon(p, q, base=2),
            chi2, pvalue, ks_2samp(a, b).statistic, wasserstein_distance(a, b) / np.std(b, ddof=1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--endpoints", required=True)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--windows", type=int, default=12)
    parser.add_argument("--columns", type=int, default=100)
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--training", type=int, default=5000)
    args = parser.parse_args()
    total = 0.0
    results = 0
    for endpoint in args.endpoints.split(","):
        raw = np.fromfile(f"{args.dir}/{endpoint}.f64", dtype="<f8")
        split = args.columns * args.training
        training = raw[:split].reshape(args.columns, args.training)
        hours = raw[split:].reshape(args.hours, args.windows, args.columns, args.rows)
        start = time.perf_counter()
        edges = [edges_of(training[c]) for c in range(args.columns)]
        for h in range(args.hours):
            for c in range(args.columns):
                actual = hours[h, :, c, :].ravel()
                compare(actual, training[c], edges[c])
                results += 1
                if h > 0:
                    compare(actual, hours[h - 1, :, c, :].ravel(), edges[c])
                    results += 1
        total += time.perf_counter() - start
    print(f"scipy: {results} comparisons")
    print(f"scipy_seconds {total:.3f}")


if __name__ == "__main__":
    main()
