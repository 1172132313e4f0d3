"""The Python peers of `driftline-bench`, run right after the matching group on the same data shapes,
and one table of ratios at the end. Started by `tools/bench-peers` (which makes its venv).

For each group it runs `driftline-bench <group>` (release build), keeps its `RESULT <key> <value>`
lines, then times the peers:

- writer:   `driftline-bench logger`; peers: orjson lines and `json` lines of the standard record (32
            numeric features, 10 probabilities, 16-byte request id as hex, latency, timestamp; same value
            distributions), buffered 256 KiB into a file, fsync at the end. Ratio per record in CPU time
            (the logger's = both of its threads) and records/s in wall time.
- profiles: `driftline-bench profiles`; peers: Apache DataSketches KLL (k = 200, C++ through its Python
            binding, whole numpy arrays per call) and pandas `describe()` + `numpy.histogram` over 20
            bins, ns per numeric value on the same kind of values (normal, 1 M pool).
- tail:     `driftline-bench tail`; peer: whylogs profiling a pandas frame of standard rows (tail-like
            rows/s), when whylogs installs here.
- parquet:  `driftline-bench parquet`, whose pyarrow baseline runs inside it on the same table.
- log, delta, store: their groups only (their baselines, bare LZ4, deltalake, raw Parquet, run inside
            them), so that one run gives every figure of the README's table.
- batch:    `driftline-bench batch`, whose scipy (raw rows) and numpy (same profiles) baselines run
            inside it and are checked against its drift numbers; peer: Evidently's DataDriftPreset on
            one model-hour of the same shape (100 columns, 5,000 reference rows, 2,400 current rows),
            against driftline's seconds per model-hour, when evidently installs here.

Every figure is printed with wall and CPU seconds; ratios > 1 mean driftline is faster.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TABLE = []   # (group, what, driftline, peer, wall ratio, cpu ratio, note)


def run_group(binary, group, arguments):
    """Runs one driftline-bench group, echoing its output; returns its RESULT lines as a dict."""
    print(f"== driftline-bench {group} {' '.join(arguments)}", flush=True)
    process = subprocess.run([binary, group, *arguments], stdout=subprocess.PIPE, text=True)
    print(process.stdout, end="", flush=True)
    if process.returncode != 0:
        sys.exit(f"bench-peers: driftline-bench {group} failed (exit {process.returncode}); no ratio printed")
    results = {}
    for line in process.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "RESULT":
            results[parts[1]] = float(parts[2])
    return results


def timed(fn, repeat=3):
    """(best wall, best CPU) seconds over `repeat` runs after one warm-up; CPU is the process's (every thread)."""
    fn()
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu


def standard_records(n, rng):
    """Standard records as Python objects, like StandardRecords in LoggerBenchmarks.swift."""
    measures = np.round(rng.uniform(-50, 50, (n, 16)), 4)
    counts = rng.integers(0, 201, (n, 8)).astype(float)
    flags = rng.integers(0, 2, (n, 8)).astype(float)
    features = np.hstack([measures, counts, flags])
    logits = rng.uniform(-3, 3, (n, 10))
    weights = np.exp(logits - logits.max(1, keepdims=True))
    probabilities = weights / weights.sum(1, keepdims=True)
    ids = [rng.bytes(16).hex() for _ in range(n)]
    latencies = rng.integers(200, 2001, n)
    return features, probabilities, ids, latencies


def writer_peers(results, records, directory):
    import json

    import orjson

    rng = np.random.default_rng(7)
    features, probabilities, ids, latencies = standard_records(8192, rng)
    rows = [(features[i].tolist(), probabilities[i].tolist(), ids[i], int(latencies[i])) for i in range(8192)]
    path = os.path.join(directory, "peers.jsonl")

    def lines(dumps):
        def run():
            with open(path, "wb", buffering=0) as f:
                buffer = bytearray()
                for i in range(records):
                    feats, probs, rid, latency = rows[i & 8191]
                    buffer += dumps({"timestamp": time.time_ns() // 1000, "requestID": rid, "features": feats,
                                     "probabilities": probs, "latencyMicroseconds": latency})
                    buffer += b"\n"
                    if len(buffer) >= 256 << 10:
                        f.write(buffer)
                        buffer.clear()
                f.write(buffer)
                os.fsync(f.fileno())
        return run

    ours_wall = results["logger.records_per_s_wall"]
    ours_cpu = results["logger.cpu_ns_per_record"]
    for name, dumps in [("orjson lines", orjson.dumps), ("json lines", lambda o: json.dumps(o).encode())]:
        wall, cpu = timed(lines(dumps), repeat=2)
        rate, cpu_ns = records / wall, cpu * 1e9 / records
        print(f"peer writer {name}: {rate:,.0f} records/s wall, {cpu_ns:,.0f} ns CPU per record", flush=True)
        TABLE.append(("writer", f"InferenceLogger (.block, to disk) vs {name}", f"{ours_wall:,.0f}/s, {ours_cpu:,.0f} ns CPU",
                      f"{rate:,.0f}/s, {cpu_ns:,.0f} ns CPU", ours_wall / rate, cpu_ns / ours_cpu, "records/s; CPU per record (both logger threads)"))
    os.remove(path)


def profiles_peers(results, values):
    import datasketches
    import pandas as pd

    rng = np.random.default_rng(2024)
    pool = rng.normal(10, 3, 1 << 20)
    rounds = max(1, values // len(pool))
    n = rounds * len(pool)

    def kll():
        sketch = datasketches.kll_doubles_sketch(200)
        for _ in range(rounds):
            sketch.update(pool)
        return sketch

    edges = np.quantile(pool[:100_000], np.arange(1, 20) / 20)

    def pandas_describe():
        for _ in range(rounds):
            series = pd.Series(pool)
            series.describe()
            np.histogram(pool, bins=np.concatenate([[-np.inf], edges, [np.inf]]))

    ours = results["profiles.numeric_profile_ns_per_value"]
    ours_kll = results["profiles.kll_ns_per_value"]
    measured = {}
    for name, fn in [("DataSketches KLL update (numpy arrays)", kll), ("pandas describe + numpy.histogram", pandas_describe)]:
        wall, cpu = timed(fn)
        measured[name] = cpu * 1e9 / n
        print(f"peer profiles {name}: {cpu * 1e9 / n:.2f} ns CPU per value (wall {wall * 1e9 / n:.2f})", flush=True)
    for label, mine, name in [("KLLSketch.update", ours_kll, "DataSketches KLL update (numpy arrays)"),
                              ("NumericProfile (moments+KLL+20 bins)", ours, "DataSketches KLL update (numpy arrays)"),
                              ("NumericProfile (moments+KLL+20 bins)", ours, "pandas describe + numpy.histogram")]:
        TABLE.append(("profiles", f"{label} vs {name}", f"{mine:.2f} ns CPU", f"{measured[name]:.2f} ns CPU",
                      None, measured[name] / mine, "ns per value, one thread; CPU time"))


def tail_peers(results, rows):
    try:
        import pandas as pd
        import whylogs
    except ImportError as error:
        print(f"peer tail: whylogs is not installed here ({error}); no peer figure", flush=True)
        TABLE.append(("tail", "tail vs whylogs profiling", f"{results['tail.p1.records_per_s_wall']:,.0f}/s", "not installed", None, None,
                      "whylogs did not install in the peers venv"))
        return
    rng = np.random.default_rng(11)
    features, probabilities, _, latencies = standard_records(rows, rng)
    frame = pd.DataFrame(np.hstack([features, probabilities, latencies[:, None] / 1000.0]),
                         columns=[f"f{i}" for i in range(32)] + [f"proba_{i}" for i in range(10)] + ["latency_ms"])
    wall, cpu = timed(lambda: whylogs.log(frame), repeat=1)
    rate_wall, rate_cpu = rows / wall, rows / cpu
    ours_wall, ours_cpu = results["tail.p1.records_per_s_wall"], results["tail.p1.records_per_cpu_s"]
    print(f"peer tail whylogs.log(DataFrame): {rate_wall:,.0f} rows/s wall, {rate_cpu:,.0f} rows per CPU-second", flush=True)
    TABLE.append(("tail", "tail (log → committed profiles, 1 partition) vs whylogs.log(DataFrame in memory)",
                  f"{ours_wall:,.0f}/s, {ours_cpu:,.0f}/CPU-s", f"{rate_wall:,.0f}/s, {rate_cpu:,.0f}/CPU-s",
                  ours_wall / rate_wall, ours_cpu / rate_cpu, "rows/s; whylogs starts from a DataFrame already in memory"))


def parquet_table(results):
    for op in ["write", "read"]:
        ours_w, ours_c = results[f"parquet.{op}_wall"], results[f"parquet.{op}_cpu"]
        py_w, py_c = results[f"parquet.pyarrow_{op}_wall"], results.get(f"parquet.pyarrow_{op}_cpu")
        TABLE.append(("parquet", f"{op} {int(results['parquet.rows']):,} profile rows vs pyarrow", f"{ours_w:.3f} s, {ours_c:.3f} s CPU",
                      f"{py_w:.3f} s, {py_c:.3f} s CPU" if py_c else f"{py_w:.3f} s", py_w / ours_w, py_c / ours_c if py_c else None,
                      "same table, LZ4_RAW; both sides may use threads"))


def batch_peers(results, hours, columns_count):
    wall, cpu = results["batch.driftline_wall"], results["batch.driftline_cpu"]
    for key, label in [("numpy_profiles", "numpy + datasketches from the same profiles"), ("scipy_raw", "scipy (ks_2samp asymp) from raw rows")]:
        pw, pc = results[f"batch.{key}_wall"], results[f"batch.{key}_cpu"]
        TABLE.append(("batch", f"profiles of 3 endpoints × {hours} h × 12 windows × {columns_count} columns vs {label}", f"{wall:.3f} s, {cpu:.3f} s CPU",
                      f"{pw:.3f} s, {pc:.3f} s CPU", pw / wall, pc / cpu, "drift numbers checked equal first"))
    try:
        import pandas as pd
        from evidently import Report
        from evidently.presets import DataDriftPreset
    except ImportError as error:
        print(f"peer batch: evidently is not installed here ({error}); no Evidently figure", flush=True)
        TABLE.append(("batch", "one model-hour vs Evidently DataDriftPreset", "", "not installed", None, None, ""))
        return
    rng = np.random.default_rng(5)
    columns = [f"x{c:03d}" for c in range(columns_count)]
    rows = 240 if columns_count < 100 else 2400
    reference = pd.DataFrame({c: rng.normal(i, 1 + i % 7, 5000) for i, c in enumerate(columns)})
    current = pd.DataFrame({c: rng.normal(i + (0.3 if i % 3 == 0 else 0), 1 + i % 7, rows) for i, c in enumerate(columns)})

    def evidently_hour():
        Report([DataDriftPreset()]).run(current, reference)

    ew, ec = timed(evidently_hour, repeat=1)
    model_hours = 3 * hours
    per_wall, per_cpu = wall / model_hours, cpu / model_hours
    print(f"peer batch Evidently DataDriftPreset, one hour of {columns_count} columns: {ew:.3f} s wall, {ec:.3f} s CPU", flush=True)
    TABLE.append(("batch", f"one model-hour ({columns_count} columns, vs reference and previous hour, reports) vs Evidently DataDriftPreset (vs reference only)",
                  f"{per_wall * 1000:.1f} ms, {per_cpu * 1000:.1f} ms CPU", f"{ew * 1000:.0f} ms, {ec * 1000:.0f} ms CPU",
                  ew / per_wall, ec / per_cpu, "driftline's: the day's run divided by its model-hours"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("groups", nargs="*", default=["writer", "log", "profiles", "tail", "parquet", "delta", "store", "batch"])
    parser.add_argument("--bin", default=None, help="driftline-bench binary (default: the release build of Benchmarks/)")
    parser.add_argument("--small", action="store_true", help="tiny sizes: checks the tool runs, figures mean nothing")
    args = parser.parse_args()
    binary = args.bin or os.path.join(ROOT, "Benchmarks/.build/release/driftline-bench")
    if not os.path.exists(binary):
        sys.exit(f"bench-peers: no {binary}; build it first: swift build -c release --package-path Benchmarks")
    small = args.small
    scratch = os.path.join(ROOT, ".build-peers", "scratch")
    os.makedirs(scratch, exist_ok=True)
    load = os.getloadavg()
    print(f"bench-peers: {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", flush=True)
    hours = 2 if small else 24
    for group in args.groups:
        if group == "writer":
            records = 20_000 if small else 3_000_000
            results = run_group(binary, "logger", ["--records", str(records), "--dir", scratch + "/logger"]
                                + (["--latency-rate", "20000"] if small else []))
            writer_peers(results, 20_000 if small else 300_000, scratch)
        elif group == "profiles":
            values = 100_000 if small else 20_000_000
            results = run_group(binary, "profiles", ["--values", str(values), "--records", "2000" if small else "1000000"])
            profiles_peers(results, values)
        elif group == "tail":
            records = 4000 if small else 2_000_000
            results = run_group(binary, "tail", ["--records", str(records), "--dir", scratch])
            tail_peers(results, 4000 if small else 50_000)
        elif group == "parquet":
            rows = 2000 if small else 1_000_000
            parquet_table(run_group(binary, "parquet", ["--rows", str(rows), "--dir", scratch + "/parquet"]))
        elif group == "batch":
            results = run_group(binary, "batch", (["--rows", "20", "--hours", "2", "--columns", "4"] if small else [])
                                + ["--python", sys.executable, "--dir", scratch + "/batch"])
            batch_peers(results, hours, 4 if small else 100)
        elif group in ("log", "delta", "store"):
            # No Python peer here (their baselines run inside the group); run so that one run covers the README's table.
            run_group(binary, group, {"log": ["--records", "2000" if small else "1000000"],
                                      "delta": ["--files", "200" if small else "20000"],
                                      "store": (["--hours", "1", "--columns", "4", "--endpoints", "1", "--values", "50"] if small else [])
                                      + ["--dir", scratch + "/store"]}[group])
        else:
            sys.exit(f"bench-peers: unknown group {group} (writer, profiles, tail, parquet, batch; log, delta, store without peers)")
    shutil.rmtree(scratch, ignore_errors=True)   # the groups' data (about 2 GB at full size)
    load = os.getloadavg()
    print(f"\n== bench-peers: ratios (> 1: driftline faster), load average now {load[0]:.1f}")
    print("| group | what | driftline | peer | ratio wall | ratio CPU | note |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for group, what, ours, peer, wall, cpu, note in TABLE:
        def ratio(x):
            return f"{x:.2f}×" if x is not None else "—"
        print(f"| {group} | {what} | {ours} | {peer} | {ratio(wall)} | {ratio(cpu)} | {note} |")


if __name__ == "__main__":
    main()
