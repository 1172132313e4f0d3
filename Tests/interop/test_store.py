"""Cross-checks of the store (DriftlineStore): the profiles, drift and performance tables read by
pyarrow, deltalake and DuckDB, merged totals against numpy on the raw values, compaction, concurrent
appends from two processes, and reference files against numpy and Apache DataSketches."""
import base64
import json
import subprocess

import datasketches
import deltalake
import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import bin_dir, executable

HOUR = 3_600_000_000
WINDOW = 300_000_000
T0 = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z
KEY = ["endpoint", "model_version", "window_start", "window_end", "column_name"]


def interop(swift_bin, *args, request=None):
    out = swift_bin("StoreInterop", *args, input=None if request is None else json.dumps(request))
    return json.loads(out)


def generate(seed=1, endpoints=("iris", "wine"), windows=3, parts=4, n=4000):
    """Raw values per (endpoint, window) and the append request that profiles them in `parts` commits."""
    rng = np.random.default_rng(seed)
    edges = [float(e) for e in np.quantile(rng.normal(10, 2, 5000), [0.2, 0.4, 0.6, 0.8])]
    raw, commits = {}, [{"rows": []} for _ in range(parts)]
    for endpoint in endpoints:
        for w in range(windows):
            start = T0 + w * WINDOW
            x = rng.normal(10 + w, 2, n)
            x[rng.random(n) < 0.03] = np.nan
            c = rng.choice(["a", "b", "c", "d"], n, p=[0.4, 0.3, 0.2, 0.1]).astype(object)
            c[rng.random(n) < 0.02] = None
            raw[(endpoint, start)] = (x, c)
            split = np.sort(rng.choice(np.arange(1, n), parts - 1, replace=False))
            for part, (xs, cs) in enumerate(zip(np.split(x, split), np.split(c, split))):
                common = {"endpoint": endpoint, "model_version": "3", "window_start": start, "window_end": start + WINDOW}
                commits[part]["rows"].append({**common, "column": "x", "kind": "numeric",
                                              "values": [None if np.isnan(v) else float(v) for v in xs],
                                              "bins": {"reference_id": "ref-1", "edges": edges}})
                commits[part]["rows"].append({**common, "column": "c", "kind": "categorical", "values": list(cs)})
    for i, commit in enumerate(commits):
        commit["txn"] = {"appId": "tail-test", "version": i + 1}
        commit["commitInfo"] = {"positions": {"p": i}}
    return raw, edges, {"commits": commits}


def expected_from_raw(raw, edges):
    """numpy/pandas on the raw values: the merged profile every reader must agree with."""
    out = {}
    for (endpoint, start), (x, c) in raw.items():
        finite = x[np.isfinite(x)]
        mean = finite.mean()
        key = (endpoint, "3", start, start + WINDOW)
        out[key + ("x",)] = {"count": finite.size, "missing_count": int(np.isnan(x).sum()), "mean": mean,
                             "m2": float(((finite - mean) ** 2).sum()), "min": finite.min(), "max": finite.max(),
                             "histogram": np.bincount(np.searchsorted(edges, finite, side="right"), minlength=len(edges) + 1).tolist()}
        counts = pd.Series(c).value_counts(dropna=True)
        out[key + ("c",)] = {"count": int(counts.sum()), "missing_count": int(pd.isna(c).sum()),
                             "categories": {k: int(v) for k, v in counts.items()}}
    return out


def ours_by_key(merged):
    return {(m["endpoint"], m["model_version"], m["window_start"], m["window_end"], m["column_name"]): m for m in merged}


def totals_from_frame(df):
    """Merges partial rows as any reader of the table would: counts add, min/max fold, Chan's mean and m2,
    histograms and category counts add element-wise."""
    df = df.copy()
    df["window_start"] = df["window_start"].astype("int64")
    df["window_end"] = df["window_end"].astype("int64")
    out = {}
    for key, g in df.groupby(KEY):
        n = g["count"].sum()
        entry = {"count": int(n), "missing_count": int(g["missing_count"].sum()), "rows": len(g)}
        if g["column_kind"].iloc[0] == "numeric":
            mean = (g["count"] * g["mean"]).sum() / n
            entry.update(mean=mean, m2=(g["m2"] + g["count"] * (g["mean"] - mean) ** 2).sum(),
                         min=g["min"].min(), max=g["max"].max(),
                         histogram=np.sum(np.stack([np.asarray(h, dtype=np.int64) for h in g["histogram"]]), axis=0).tolist(),
                         sketch_n=sum(datasketches.kll_doubles_sketch.deserialize(bytes(s)).n for s in g["sketch"]))
        else:
            cats = {}
            for names, counts in zip(g["categories"], g["category_counts"]):
                for name, count in zip(names, counts):
                    cats[name] = cats.get(name, 0) + int(count)
            entry["categories"] = cats
        out[tuple(key)] = entry
    return out


def assert_same(expected, actual, what):
    assert set(expected) == set(actual), what
    for key, e in expected.items():
        a = actual[key]
        assert a["count"] == e["count"] and a["missing_count"] == e["missing_count"], (what, key)
        if "mean" in e:
            assert a["mean"] == pytest.approx(e["mean"], rel=1e-12, abs=1e-12), (what, key)
            assert a["m2"] == pytest.approx(e["m2"], rel=1e-9), (what, key)
            assert a["min"] == e["min"] and a["max"] == e["max"], (what, key)
            assert list(a["histogram"]) == list(e["histogram"]), (what, key)
        else:
            assert a["categories"] == e["categories"], (what, key)


def live_files(store):
    return deltalake.DeltaTable(str(store / "profiles")).file_uris()


def duckdb_totals(files):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rows = con.execute("""
        SELECT endpoint, model_version, epoch_us(window_start), epoch_us(window_end), column_name,
               sum(count), sum(missing_count), min(min), max(max), sum(count * mean) / sum(count)
        FROM read_parquet(?, hive_partitioning = true)
        GROUP BY ALL""", [files]).fetchall()
    return {tuple(r[:5]): r[5:] for r in rows}


@pytest.fixture
def filled(tmp_path, swift_bin):
    raw, edges, request = generate()
    store = tmp_path / "store"
    out = interop(swift_bin, "append", store, request=request)
    assert out["versions"] == [1, 2, 3, 4]
    return store, expected_from_raw(raw, edges)


def test_profiles_files_have_the_design_types(filled):
    store, _ = filled
    files = sorted((store / "profiles").glob("endpoint=*/*.parquet"))
    assert len(files) == 8  # 4 commits × 2 endpoints
    schema = pq.read_schema(files[0])
    assert "endpoint" not in schema.names  # a partition column, as Delta does it
    assert schema.field("window_start").type == pa.timestamp("us", tz="UTC")
    assert schema.field("window_end").type == pa.timestamp("us", tz="UTC")
    assert schema.field("count").type == pa.int64() and schema.field("m2").type == pa.float64()
    assert schema.field("sketch").type == pa.binary()
    assert schema.field("histogram").type.value_type == pa.int64()
    assert schema.field("categories").type.value_type == pa.string()
    assert schema.field("category_counts").type.value_type == pa.int64()
    assert schema.field("model_version").type == pa.string() and schema.field("reference_id").type == pa.string()
    meta = pq.ParquetFile(files[0]).metadata
    names = [meta.row_group(0).column(i).path_in_schema for i in range(meta.num_columns)]
    for i in range(meta.num_columns):
        column = meta.row_group(0).column(i)
        assert column.compression == "LZ4"  # pyarrow's name for LZ4_RAW (it calls the old framed codec LZ4_HADOOP)
    model_version = meta.row_group(0).column(names.index("model_version"))
    assert any("DICTIONARY" in e for e in model_version.encodings)
    dt = deltalake.DeltaTable(str(store / "profiles"))
    assert dt.protocol().min_reader_version == 1 and dt.protocol().min_writer_version == 2
    assert dt.metadata().partition_columns == ["endpoint"]
    assert dt.transaction_version("tail-test") == 4


def test_merged_totals_agree_with_numpy_deltalake_and_duckdb(filled, swift_bin):
    store, expected = filled
    ours = ours_by_key(interop(swift_bin, "merged", store))
    assert_same(expected, ours, "ours vs numpy")
    assert all(m["partial_rows"] == 4 and m["reference_id"] in (None, "ref-1") for m in ours.values())
    delta = totals_from_frame(deltalake.DeltaTable(str(store / "profiles")).to_pandas())
    assert_same(expected, delta, "deltalake vs numpy")
    assert all(e["sketch_n"] == e["count"] for e in delta.values() if "sketch_n" in e)
    duck = duckdb_totals(live_files(store))
    assert set(duck) == set(expected)
    for key, (count, missing, low, high, mean) in duck.items():
        e = expected[key]
        assert (count, missing) == (e["count"], e["missing_count"])
        if "mean" in e:
            assert (low, high) == (e["min"], e["max"]) and mean == pytest.approx(e["mean"], rel=1e-12)
    # Our merged median is within the sketch's rank error of the data's.
    raw, _, _ = generate()
    for (endpoint, start), (x, _) in raw.items():
        finite = np.sort(x[np.isfinite(x)])
        p50 = ours[(endpoint, "3", start, start + WINDOW, "x")]["p50"]
        assert abs(np.searchsorted(finite, p50, side="left") / finite.size - 0.5) < 0.02


def test_window_range_reads_only_that_range(filled, swift_bin):
    store, expected = filled
    ours = interop(swift_bin, "merged", store, T0 + WINDOW, T0 + 2 * WINDOW)
    assert {m["window_start"] for m in ours} == {T0 + WINDOW}
    assert len(ours) == 4


def test_compaction_keeps_merged_totals(filled, swift_bin):
    store, expected = filled
    result = interop(swift_bin, "compact", store, T0 + 2 * WINDOW)  # the first two windows are closed
    assert result["rows_before"] == 48 and result["rows_after"] == 2 * (2 * 2 + 4 * 2)
    dt = deltalake.DeltaTable(str(store / "profiles"))
    df = dt.to_pandas()
    delta = totals_from_frame(df)
    assert_same(expected, delta, "deltalake after compaction")
    closed = df[df["window_end"].astype("int64") <= T0 + 2 * WINDOW]
    assert len(closed) == 8 and not closed.duplicated(KEY).any()
    assert_same(expected, ours_by_key(interop(swift_bin, "merged", store)), "ours after compaction")
    duck = duckdb_totals(live_files(store))
    assert {k: v[:2] for k, v in duck.items()} == {k: (e["count"], e["missing_count"]) for k, e in expected.items()}
    assert dt.transaction_version("tail-test") == 4
    assert dt.history(1)[0]["operation"] == "OPTIMIZE"


def test_two_processes_appending_at_once_lose_nothing(tmp_path, swift_bin):
    store = tmp_path / "store"
    exe = str(executable("StoreInterop"))
    writers = [subprocess.Popen([exe, "append-loop", str(store), f"writer-{w}", "60", "iris"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in "ab"]
    # A compaction running meanwhile rewrites what is there; it must neither lose nor duplicate rows.
    compactions = 0
    while any(w.poll() is None for w in writers):
        if (store / "profiles" / "_delta_log").exists():
            subprocess.run([exe, "compact", str(store), str(T0)], capture_output=True)  # window [0, 300 s) is closed
            compactions += 1
    for w in writers:
        out, err = w.communicate()
        assert w.returncode == 0, err
    interop(swift_bin, "compact", store, T0)
    dt = deltalake.DeltaTable(str(store / "profiles"))
    df = dt.to_pandas()
    assert df["count"].sum() == 120
    assert dt.transaction_version("writer-a") == 60 and dt.transaction_version("writer-b") == 60
    merged = interop(swift_bin, "merged", store)
    assert len(merged) == 1 and merged[0]["count"] == 120
    assert merged[0]["mean"] == pytest.approx(np.mean(list(range(1, 61)) * 2), rel=1e-12)
    assert merged[0]["min"] == 1 and merged[0]["max"] == 60
    assert compactions >= 1


def drift_rows(endpoint, start, psi):
    return [{"endpoint": endpoint, "model_version": "3", "window_start": start, "window_end": start + HOUR,
             "baseline": baseline, "column_name": column, "column_kind": "numeric", "count": 500,
             "baseline_count": 1000, "mean": 1.5, "baseline_mean": 1.0, "psi": psi, "tvd": 0.1,
             "chi2_pvalue": 0.001, "drift_score": psi, "status": "drift_detected" if psi >= 0.25 else "no_drift"}
            for column in ("x", ":prediction") for baseline in ("reference", "previous")]


def test_replacing_an_hour_twice_gives_the_same_rows(tmp_path, swift_bin):
    store = tmp_path / "store"
    for psi in (0.3, 0.3):
        for h in range(2):
            interop(swift_bin, "replace", store, "drift",
                    request={"endpoint": "iris", "from": T0 + h * HOUR, "to": T0 + (h + 1) * HOUR,
                             "rows": drift_rows("iris", T0 + h * HOUR, psi)})
    first = deltalake.DeltaTable(str(store / "drift")).to_pandas()
    interop(swift_bin, "replace", store, "drift",
            request={"endpoint": "iris", "from": T0, "to": T0 + HOUR, "rows": drift_rows("iris", T0, 0.3)})
    df = deltalake.DeltaTable(str(store / "drift")).to_pandas()
    assert len(df) == 8 and len(first) == 8
    key = ["window_start", "column_name", "baseline"]
    pd.testing.assert_frame_equal(df.sort_values(key).reset_index(drop=True), first.sort_values(key).reset_index(drop=True))
    assert list(df.columns) == ["endpoint", "model_version", "window_start", "window_end", "baseline", "column_name", "column_kind",
                                "count", "baseline_count", "mean", "baseline_mean", "stddev", "baseline_stddev",
                                "missing_ratio", "baseline_missing_ratio", "tvd", "hellinger", "kld", "js_distance", "psi",
                                "ks_statistic", "ks_pvalue", "chi2_statistic", "chi2_pvalue", "wasserstein", "drift_score",
                                "status"]
    assert str(df["window_start"].dtype) == "datetime64[us, UTC]"
    assert df["stddev"].isna().all() and (df["status"] == "drift_detected").all()
    # A new run of the first hour with other numbers replaces exactly that hour.
    interop(swift_bin, "replace", store, "drift",
            request={"endpoint": "iris", "from": T0, "to": T0 + HOUR, "rows": drift_rows("iris", T0, 0.05)})
    df = deltalake.DeltaTable(str(store / "drift")).to_pandas()
    assert len(df) == 8
    assert sorted(df.groupby(df["window_start"].astype("int64"))["psi"].first().tolist()) == [0.05, 0.3]
    ours = interop(swift_bin, "analysis", store, "drift")
    assert sorted((r["window_start"], r["psi"]) for r in ours)[::4] == [(T0, 0.05), (T0 + HOUR, 0.3)]


def test_performance_replace_is_read_by_deltalake(tmp_path, swift_bin):
    store = tmp_path / "store"
    row = {"endpoint": "iris", "model_version": "3", "window_start": T0, "window_end": T0 + HOUR, "requests": 1000,
           "errors": 3, "error_rate": 0.003, "labeled": 600, "accuracy": 0.9, "f1_macro": 0.88, "drift_status": "no_drift"}
    for _ in range(2):
        interop(swift_bin, "replace", store, "performance", request={"endpoint": "iris", "from": T0, "to": T0 + HOUR, "rows": [row]})
    df = deltalake.DeltaTable(str(store / "performance")).to_pandas()
    assert len(df) == 1
    got = df.iloc[0]
    assert (got["requests"], got["errors"], got["labeled"], got["accuracy"], got["drift_status"]) == (1000, 3, 600, 0.9, "no_drift")
    assert pd.isna(got["rmse"]) and got["endpoint"] == "iris"


def fnv1a64(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def test_reference_file_matches_numpy_and_datasketches(tmp_path, swift_bin):
    rng = np.random.default_rng(11)
    x = rng.lognormal(0, 1, 20_000)
    x[rng.random(x.size) < 0.05] = np.nan
    x[:50] = 1.0  # repeated values
    region = rng.choice(["eu", "us", "apac"], x.size).astype(object)
    region[::97] = None
    store = tmp_path / "store"
    out = interop(swift_bin, "reference", store, request={
        "endpoint": "iris", "model_version": "3", "bin_count": 20,
        "task": {"classes": ["no", "yes"], "threshold": 0.4},
        "columns": [{"name": "x", "kind": "numeric", "values": [None if np.isnan(v) else float(v) for v in x]},
                    {"name": "region", "kind": "categorical", "values": list(region)}]})
    path = store / "references" / "iris" / "3.json"
    assert out["path"] == str(path)
    text = path.read_text()
    doc = json.loads(text)
    assert list(doc)[:3] == ["format", "format_version", "reference_id"]
    assert doc["reference_id"] == out["reference_id"]
    assert doc["task"] == {"kind": "classification", "classes": ["no", "yes"], "threshold": 0.4}
    col = doc["columns"][0]
    finite = x[np.isfinite(x)]
    edges = np.unique(np.quantile(finite, np.arange(1, 20) / 20))
    assert col["edges"] == edges.tolist()
    assert col["histogram"] == np.bincount(np.searchsorted(edges, finite, side="right"), minlength=edges.size + 1).tolist()
    assert (col["count"], col["missing_count"]) == (finite.size, int(np.isnan(x).sum()))
    assert col["mean"] == pytest.approx(finite.mean(), rel=1e-12)
    assert col["m2"] == pytest.approx(((finite - finite.mean()) ** 2).sum(), rel=1e-9)
    assert (col["min"], col["max"]) == (finite.min(), finite.max())
    sketch = datasketches.kll_doubles_sketch.deserialize(base64.b64decode(col["sketch"]))
    assert sketch.n == finite.size and sketch.k == 200
    assert sketch.get_quantile(0.5) == col["p50"]
    assert abs(np.searchsorted(np.sort(finite), col["p95"]) / finite.size - 0.95) < 0.02
    cat = doc["columns"][1]
    counts = pd.Series(region).value_counts()
    assert dict(zip(cat["categories"], cat["category_counts"])) == {k: int(v) for k, v in counts.items()}
    assert cat["missing_count"] == int(pd.isna(region).sum())
    # reference_id as REFERENCE.md defines it, recomputed independently.
    content = {k: v for k, v in doc.items() if k not in ("reference_id", "created_at")}
    compact = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    assert fnv1a64(compact) == doc["reference_id"]


def test_a_held_lock_names_its_holder(tmp_path, swift_bin):
    store = tmp_path / "store"
    exe = str(executable("StoreInterop"))
    holder = subprocess.Popen([exe, "lock", str(store), "batch", "30"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        second = subprocess.run([exe, "lock", str(store), "batch", "0"], capture_output=True, text=True)
        assert second.returncode == 1
        assert f"pid {holder.pid}" in second.stderr and "StoreInterop lock" in second.stderr
    finally:
        holder.kill()
        holder.wait()
    again = subprocess.run([exe, "lock", str(store), "batch", "0"], capture_output=True, text=True)
    assert again.returncode == 0  # the kernel released the dead holder's flock


def test_we_read_rows_deltalake_appends(filled, swift_bin):
    """Partial rows appended by another Delta writer (delta-rs, its own Parquet layout) merge with ours."""
    store, expected = filled
    dt = deltalake.DeltaTable(str(store / "profiles"))
    schema = pa.schema(dt.schema().to_arrow())  # via the Arrow C interface (delta-rs returns arro3 types)
    values = np.array([50.0, 60.0, 70.0])
    sketch = datasketches.kll_doubles_sketch(200)
    for v in values:
        sketch.update(v)
    start = T0  # the first window of iris
    row = {"endpoint": "iris", "model_version": "3", "window_start": pd.Timestamp(start, unit="us", tz="UTC"),
           "window_end": pd.Timestamp(start + WINDOW, unit="us", tz="UTC"), "column_name": "x", "column_kind": "numeric",
           "count": 3, "missing_count": 1, "min": 50.0, "max": 70.0, "mean": 60.0, "m2": 200.0,
           "p05": 50.0, "p25": 50.0, "p50": 60.0, "p75": 70.0, "p95": 70.0, "sketch": sketch.serialize(),
           "histogram": [0, 0, 0, 0, 3], "reference_id": "ref-1", "categories": None, "category_counts": None}
    table = pa.Table.from_pylist([row], schema=pa.schema([pa.field(f.name, f.type, nullable=True) for f in schema]))
    # Our Parquet reader reads LZ4_RAW and uncompressed pages, not delta-rs' default Snappy.
    deltalake.write_deltalake(str(store / "profiles"), table.cast(schema), mode="append",
                              writer_properties=deltalake.WriterProperties(compression="LZ4_RAW"))
    ours = ours_by_key(interop(swift_bin, "merged", store))
    key = ("iris", "3", start, start + WINDOW, "x")
    e = expected[key]
    n = e["count"] + 3
    mean = (e["mean"] * e["count"] + 180.0) / n
    assert ours[key]["count"] == n and ours[key]["missing_count"] == e["missing_count"] + 1
    assert ours[key]["mean"] == pytest.approx(mean, rel=1e-12)
    assert ours[key]["max"] == 70.0
    assert ours[key]["histogram"] == [a + b for a, b in zip(e["histogram"], [0, 0, 0, 0, 3])]
    assert ours[key]["partial_rows"] == 5
