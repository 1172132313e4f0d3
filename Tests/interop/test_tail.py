"""Cross-check of the tail stage against pandas: a generated CSV of 210,000 inferences over 3 endpoints
and 6 hours (categorical features, NaNs, timestamps out of order within a minute, inline labels, 60 %
delayed labels with duplicates, a multiclass, a binary and a regression model) is ingested with
`driftline ingest`, profiled with `driftline tail --once`, read back with deltalake, and every merged
profile is compared with pandas' computation on the CSV for that window.

Exact: count, missing, min, max, category counts, histograms, confusion counts; 1e-9 relative: mean
and m2; quantiles of the merged KLL sketches (Apache DataSketches) within 2 % in rank."""
import json
import os
import pathlib
import subprocess

import numpy as np
import pandas as pd
import pytest
from datasketches import kll_doubles_sketch
from deltalake import DeltaTable

try:
    from conftest import bin_dir, executable
except ImportError:  # pragma: no cover
    def bin_dir():
        return pathlib.Path(os.environ["DRIFTLINE_BIN_DIR"])

WINDOW_US = 300_000_000
START_US = 1_795_000_000_000_000 - (1_795_000_000_000_000 % WINDOW_US) + 7_000_000   # not window-aligned
HOURS = 6
ROWS_PER_ENDPOINT = 70_000
RANKS = [0.05, 0.25, 0.5, 0.75, 0.95]


def reference(store, endpoint, columns, bins=10):
    """Saves a reference (numeric training columns) into the store with TailInterop; returns (id, edges)."""
    exe = executable("TailInterop")
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    payload = json.dumps({k: [None if np.isnan(v) else float(v) for v in vs] for k, vs in columns.items()})
    proc = subprocess.run([str(exe), "reference", str(store), endpoint, "7", str(bins)], input=payload,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    return out["reference_id"], {k: np.array([float(e) for e in v]) for k, v in out["edges"].items()}


def driftline(*args):
    exe = bin_dir() / "driftline"
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    proc = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True)
    assert proc.returncode == 0, f"driftline {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
    return proc


def fmt_time(us):
    return f"{us // 1_000_000}.{us % 1_000_000:06d}"


def generate(endpoint, kind, rng):
    """One endpoint's inferences (as a DataFrame with integer-microsecond times) and delayed labels."""
    n = ROWS_PER_ENDPOINT
    base = START_US + np.sort(rng.integers(0, HOURS * 3_600_000_000, n))
    times = base - rng.integers(0, 60_000_000, n)                      # out of order within a minute
    times = times - times % 1000                                        # whole milliseconds: exact as text
    df = pd.DataFrame({"ts_us": times, "id": [f"{endpoint}-{i}" for i in range(n)]})
    x = rng.normal(10, 3, n)
    x[rng.random(n) < 0.05] = np.nan
    df["x"] = x
    df["y"] = np.round(rng.lognormal(0, 1, n), 6)
    colors = np.array(["red", "green", "blue", "cyan", "magenta"])
    color = colors[rng.choice(5, n, p=[0.4, 0.3, 0.15, 0.1, 0.05])].astype(object)
    color[rng.random(n) < 0.03] = ""                                    # missing category
    df["color"] = color
    df["region"] = rng.choice(["eu", "us", "apac"], n)
    df["latency_ms"] = rng.integers(100, 50_000, n) / 1000.0
    if kind == "regression":
        df["pred"] = np.round(2 * df["y"] + rng.normal(0, 1, n), 6)
        truth = np.round(df["pred"] + rng.normal(0, 0.5, n), 6).astype(str)
        classes = []
    else:
        classes = ["setosa", "versicolor", "virginica"] if kind == "multiclass" else ["no", "yes"]
        logits = rng.normal(0, 1.5, (n, len(classes)))
        p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
        if kind == "multiclass":
            p[: n // 50] = [0.4, 0.4, 0.2]                               # ties: the first class wins
        for i, c in enumerate(classes):
            df[f"p_{c}"] = p[:, i]
        truth = np.array(classes, dtype=object)[rng.integers(0, len(classes), n)]
    u = rng.random(n)
    inline = u < 0.1
    delayed = (u >= 0.1) & (u < 0.7)                                    # 60 % of requests
    df["label"] = np.where(inline, truth, "")
    lab = pd.DataFrame({"id": df["id"][delayed], "label": np.asarray(truth)[delayed],
                        "ts_us": df["ts_us"][delayed] + rng.integers(1_000_000, 3_600_000_000, delayed.sum())})
    dups = lab.sample(frac=0.02, random_state=1).copy()                 # second labels: counted, ignored
    dups["label"] = np.asarray(truth)[rng.integers(0, n, len(dups))]
    lab = pd.concat([lab, dups], ignore_index=True)                    # duplicates come after their first label
    lab["ts_us"] = lab["ts_us"] - lab["ts_us"] % 1000
    return df, lab, classes


def expected_columns(df, lab, kind, classes, threshold):
    """Per-record column values as pandas computes them: {column: (kind, Series aligned with df)}."""
    out = {
        "x": ("numeric", df["x"]),
        "y": ("numeric", df["y"]),
        "color": ("categorical", df["color"].replace("", np.nan)),
        "region": ("categorical", df["region"]),
        ":latency_ms": ("numeric", np.round(df["latency_ms"] * 1000) / 1000),
        ":error": ("categorical", pd.Series("ok", index=df.index)),
    }
    first = lab.drop_duplicates("id", keep="first").set_index("id")["label"]
    delayed = df["id"].map(first)
    label = df["label"].replace("", np.nan).fillna(delayed)
    if kind == "regression":
        pred = df["pred"]
        out[":prediction"] = ("numeric", pred)
        truth = label.astype(float)
        out[":label"] = ("numeric", truth)
        out[":residual"] = ("numeric", pred - truth)
        out[":abs_residual"] = ("numeric", (pred - truth).abs())
    else:
        p = df[[f"p_{c}" for c in classes]].to_numpy()
        if threshold is not None:
            idx = (p[:, 1] >= threshold).astype(int)
        else:
            idx = p.argmax(1)
        pred = pd.Series(np.array(classes, dtype=object)[idx], index=df.index)
        out[":prediction"] = ("categorical", pred)
        for i, c in enumerate(classes):
            out[f":proba:{c}"] = ("numeric", df[f"p_{c}"])
        s = np.sort(p, 1)
        out[":pred1"] = ("numeric", pd.Series(s[:, -1], index=df.index))
        out[":spread12"] = ("numeric", pd.Series(s[:, -1] - s[:, -2], index=df.index))
        out[":label"] = ("categorical", label)
        out[":confusion"] = ("categorical", (label + "|" + pred).where(label.notna()))
    return out


def merge_rows(rows):
    """Merges the partial rows of one key the way every reader must (counts add, Chan for mean/m2)."""
    count = int(rows["count"].sum())
    missing = int(rows["missing_count"].sum())
    merged = {"count": count, "missing": missing}
    if rows["column_kind"].iloc[0] == "numeric":
        parts = rows[rows["count"] > 0]
        n, mean, m2 = 0, 0.0, 0.0
        for _, r in parts.iterrows():
            nb, mb, m2b = int(r["count"]), float(r["mean"]), float(r["m2"])
            delta = mb - mean
            total = n + nb
            mean = mean + delta * nb / total
            m2 = m2 + m2b + delta * delta * n * nb / total
            n = total
        merged.update(min=parts["min"].min() if len(parts) else None, max=parts["max"].max() if len(parts) else None,
                      mean=mean, m2=m2)
        sketch = None
        for blob in rows["sketch"]:
            part = kll_doubles_sketch.deserialize(bytes(blob))
            if sketch is None:
                sketch = part
            else:
                sketch.merge(part)
        merged["sketch"] = sketch
        hist = [np.asarray(h, dtype=np.int64) for h in rows["histogram"] if h is not None]
        merged["histogram"] = sum(hist) if hist else None
    else:
        counts = {}
        for cats, cs in zip(rows["categories"], rows["category_counts"]):
            for c, k in zip(cats, cs):
                counts[c] = counts.get(c, 0) + int(k)
        merged["categories"] = counts
    return merged


@pytest.fixture(scope="module")
def tailed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("tail")
    rng = np.random.default_rng(20261123)
    log, store = tmp / "log", tmp / "store"
    specs = [("alpha", "multiclass", None), ("beta", "binary", 0.3), ("gamma", "regression", None)]
    data = {}
    # Endpoint alpha has a reference: its x, y and :pred1 rows count histograms over its bins.
    training = np.random.default_rng(5)
    ref_id, edges = reference(store, "alpha", {"x": np.round(training.normal(10, 3, 1000), 3),
                                               "y": np.round(training.lognormal(0, 1, 1000), 3),
                                               ":pred1": np.round(training.uniform(0.3, 1, 1000), 3)})
    for endpoint, kind, threshold in specs:
        df, lab, classes = generate(endpoint, kind, rng)
        data[endpoint] = (df, lab, kind, classes, threshold, (ref_id, edges) if endpoint == "alpha" else None)
        csv = df.assign(ts=df["ts_us"].map(fmt_time)).drop(columns="ts_us")
        args = ["--log", log, "--endpoint", endpoint, "--model-version", "7",
                "--features", "x,y,color,region", "--categorical", "color,region",
                "--timestamp-column", "ts", "--request-id-column", "id", "--latency-column", "latency_ms",
                "--label-column", "label"]
        if kind == "regression":
            args += ["--prediction-column", "pred"]
        else:
            args += ["--classes", ",".join(classes), "--proba-columns", ",".join(f"p_{c}" for c in classes)]
            if threshold is not None:
                args += ["--threshold", threshold]
        # Two writers per endpoint, interleaved in time: out of order across partitions too.
        for part in range(2):
            path = tmp / f"{endpoint}-{part}.csv"
            csv.iloc[part::2].to_csv(path, index=False, float_format="%.17g")
            driftline("ingest", *args, "--csv", path, "--writer-id", f"w{part}")
        labels = lab.assign(ts=lab["ts_us"].map(fmt_time)).drop(columns="ts_us")
        path = tmp / f"{endpoint}-labels.csv"
        labels.to_csv(path, index=False)
        # "0labels" sorts first: many labels are read before their predictions and must wait.
        driftline("ingest", "--labels", "--log", log, "--endpoint", endpoint, "--csv", path,
                  "--request-id-column", "id", "--label-column", "label", "--timestamp-column", "ts",
                  "--writer-id", "0labels")
    driftline("tail", "--log", log, "--store", store, "--once", "--window", "5m", "--commit-interval", "1s")
    table = DeltaTable(str(store / "profiles"))
    return data, table.to_pandas(), table


def test_every_merged_profile_equals_pandas(tailed):
    data, rows, _ = tailed
    assert len(rows) > 0
    rows["ws"] = rows["window_start"].map(lambda t: int(pd.Timestamp(t).value // 1000))
    checked = 0
    histograms = 0
    for endpoint, (df, lab, kind, classes, threshold, ref) in data.items():
        columns = expected_columns(df, lab, kind, classes, threshold)
        window = (df["ts_us"] // WINDOW_US) * WINDOW_US
        mine = rows[rows["endpoint"] == endpoint]
        assert set(mine["model_version"]) == {"7"}
        keys = set(zip(mine["ws"].astype(np.int64), mine["column_name"]))
        for name, (column_kind, values) in columns.items():
            for start, idx in values.groupby(window).groups.items():
                v = values.loc[idx]
                is_label = name in (":label", ":confusion", ":residual", ":abs_residual")
                if is_label:
                    v = v[columns[":label"][1].loc[idx].notna()]          # label columns count labelled records only
                    if len(v) == 0:
                        assert (int(start), name) not in keys, f"{endpoint} {start} {name}: a label row without labels"
                        continue
                part = mine[(mine["ws"] == int(start)) & (mine["column_name"] == name)]
                assert len(part) > 0, f"{endpoint} {start} {name}: no row"
                assert set(part["column_kind"]) == {column_kind}
                m = merge_rows(part)
                ctx = f"{endpoint} window {start} column {name}"
                if column_kind == "numeric":
                    finite = v[np.isfinite(v.astype(float))].astype(float)
                    assert m["count"] == len(finite), ctx
                    assert m["missing"] == len(v) - len(finite), ctx
                    if len(finite):
                        assert m["min"] == finite.min() and m["max"] == finite.max(), ctx
                        assert m["mean"] == pytest.approx(finite.mean(), rel=1e-9, abs=1e-12), ctx
                        assert m["m2"] == pytest.approx(((finite - finite.mean()) ** 2).sum(), rel=1e-9, abs=1e-9), ctx
                        if ref is not None and name in ref[1]:
                            edges = ref[1][name]
                            bins = np.searchsorted(edges, finite.to_numpy(), side="right")   # [e_i, e_i+1)
                            want = np.bincount(bins, minlength=len(edges) + 1)
                            assert m["histogram"] is not None, ctx
                            assert list(m["histogram"]) == list(want), ctx
                            assert set(part["reference_id"]) == {ref[0]}, ctx
                            histograms += 1
                        else:
                            assert m["histogram"] is None, ctx
                        sorted_values = np.sort(finite.to_numpy())
                        for r in RANKS:
                            q = m["sketch"].get_quantile(r)
                            lo = np.searchsorted(sorted_values, q, "left") / len(sorted_values)
                            hi = np.searchsorted(sorted_values, q, "right") / len(sorted_values)
                            assert lo - 0.02 <= r <= hi + 0.02, f"{ctx}: quantile {r} → {q} has rank {lo}..{hi}"
                else:
                    present = v.dropna()
                    assert m["count"] == len(present), ctx
                    assert m["missing"] == len(v) - len(present), ctx
                    assert m["categories"] == present.value_counts().to_dict(), ctx
                checked += 1
    assert checked > 3 * HOURS * 12 * 10
    assert histograms >= 3 * HOURS * 12


def test_commit_info_records_positions_and_label_counts(tailed):
    data, _, table = tailed
    history = table.history()
    tail_commits = [h for h in history if "driftline" in h]
    assert tail_commits, "no tail commit carries its positions"
    last = max(tail_commits, key=lambda h: h["version"])
    info = last["driftline"]
    if isinstance(info, str):
        info = json.loads(info)
    positions = info["positions"]
    assert len(positions) == 9                                            # 3 endpoints × (2 writers + labels)
    total_labels = sum(len(lab) for _, lab, *_ in data.values())
    total_records = sum(len(df) for df, *_ in data.values()) + total_labels
    assert sum(positions.values()) == total_records
    joined = sum(h["driftline"]["labelsJoined"] if isinstance(h["driftline"], dict) else json.loads(h["driftline"])["labelsJoined"]
                 for h in tail_commits)
    duplicates = sum(h["driftline"]["duplicateLabels"] if isinstance(h["driftline"], dict) else json.loads(h["driftline"])["duplicateLabels"]
                     for h in tail_commits)
    firsts = sum(lab["id"].nunique() for _, lab, *_ in data.values())
    assert joined == firsts
    assert duplicates == total_labels - firsts
