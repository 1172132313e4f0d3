"""Cross-checks of DeltaTable against deltalake (delta-rs): tables we commit are read by deltalake,
tables deltalake writes are read by us, and concurrent writers lose nothing.

The Swift side is driven through the DeltaInterop executable (Tests/interop/DeltaInterop). Data files
are written by pyarrow; DeltaInterop copies them into the table durably and commits them with
statistics computed by our FileStatistics from the values the test passes along."""
import json
import os
import pathlib
import subprocess
import concurrent.futures

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import deltalake

from conftest import bin_dir, executable

HOUR_US = 3_600_000_000
T0 = 1_700_000_000_000_000 - 1_700_000_000_000_000 % HOUR_US  # an hour boundary

SCHEMA = {
    "type": "struct",
    "fields": [
        {"name": "endpoint", "type": "string", "nullable": True, "metadata": {}},
        {"name": "window_start", "type": "timestamp", "nullable": True, "metadata": {}},
        {"name": "column_name", "type": "string", "nullable": True, "metadata": {}},
        {"name": "count", "type": "long", "nullable": True, "metadata": {}},
        {"name": "mean", "type": "double", "nullable": True, "metadata": {}},
        {"name": "histogram", "type": {"type": "array", "elementType": "long", "containsNull": True},
         "nullable": True, "metadata": {}},
    ],
}
ARROW_SCHEMA = pa.schema([
    ("window_start", pa.timestamp("us", tz="UTC")),
    ("column_name", pa.string()),
    ("count", pa.int64()),
    ("mean", pa.float64()),
    ("histogram", pa.list_(pa.int64())),
])


def interop(*args, input=None, check=True):
    exe = executable("DeltaInterop")
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    proc = subprocess.run([str(exe), *map(str, args)], input=None if input is None else json.dumps(input),
                          capture_output=True, text=True)
    if check:
        assert proc.returncode == 0, f"DeltaInterop {args} failed:\n{proc.stderr}"
        return json.loads(proc.stdout)
    return proc


def make_rows(rng, n, hour):
    starts = T0 + hour * HOUR_US + rng.integers(0, 12, n) * 300_000_000
    counts = rng.integers(0, 1000, n)
    counts = [None if i % 7 == 3 else int(c) for i, c in enumerate(counts)]
    return pa.table({
        "window_start": pa.array(starts, pa.timestamp("us", tz="UTC")),
        "column_name": pa.array([None if i % 5 == 4 else f"f{i % 3}" for i in range(n)]),
        "count": pa.array(counts, pa.int64()),
        "mean": pa.array(rng.normal(size=n)),
        "histogram": pa.array([[int(x) for x in rng.integers(0, 9, 3)] for _ in range(n)], pa.list_(pa.int64())),
    }, schema=ARROW_SCHEMA)


def file_spec(tmp_path, table, endpoint, name):
    """Writes `table` with pyarrow (LZ4_RAW) and returns the request DeltaInterop needs to commit it."""
    source = tmp_path / f"src-{endpoint}-{name}.parquet"
    pq.write_table(table, source, compression="lz4")
    columns = {
        "window_start": {"type": "timestamp",
                         "values": [None if v is None else int(v) for v in
                                    table["window_start"].cast(pa.int64()).to_pylist()]},
        "column_name": {"type": "string", "values": table["column_name"].to_pylist()},
        "count": {"type": "long", "values": table["count"].to_pylist()},
        "mean": {"type": "double", "values": table["mean"].to_pylist()},
    }
    return {"source": str(source), "path": f"endpoint={endpoint}/{name}.parquet",
            "partitionValues": {"endpoint": endpoint}, "numRecords": table.num_rows, "columns": columns}


def with_endpoint(table, endpoint):
    return table.to_pandas().assign(endpoint=endpoint)


def normalized(df):
    df = df[["endpoint", "window_start", "column_name", "count", "mean", "histogram"]].copy()
    df["histogram"] = df["histogram"].map(lambda h: None if h is None else [int(x) for x in h])
    df["count"] = df["count"].astype("Int64")
    df["window_start"] = pd.to_datetime(df["window_start"], utc=True)
    df["endpoint"] = df["endpoint"].astype(object)
    df["column_name"] = df["column_name"].astype(object).where(df["column_name"].notna(), None)
    # `mean` is random normal: unique, so it orders rows the same way on both sides.
    return df.sort_values(["endpoint", "mean"], kind="stable").reset_index(drop=True)


def assert_same_rows(actual, expected):
    pd.testing.assert_frame_equal(normalized(actual), normalized(expected), check_dtype=False)


def add_actions(dt):
    return pa.table(dt.get_add_actions(flatten=True)).to_pandas()


@pytest.fixture
def table_path(tmp_path):
    path = tmp_path / "profiles"
    interop("create", path, input={"schema": SCHEMA, "partitionColumns": ["endpoint"]})
    return path


def test_appends_are_read_by_deltalake_with_stats_partitions_and_txn(tmp_path, table_path):
    rng = np.random.default_rng(1)
    parts = [("iris", "a", make_rows(rng, 50, 0)), ("wine", "b", make_rows(rng, 30, 0)), ("iris", "c", make_rows(rng, 20, 1))]
    r1 = interop("append", table_path, input={"files": [file_spec(tmp_path, t, e, n) for e, n, t in parts[:2]],
                                              "txn": [{"appId": "tail-1", "version": 10}]})
    r2 = interop("append", table_path, input={"files": [file_spec(tmp_path, parts[2][2], "iris", "c")],
                                              "txn": [{"appId": "tail-1", "version": 11}],
                                              "commitInfo": {"positions": {"iris/w1": 42}}})
    assert (r1["version"], r2["version"]) == (1, 2)

    dt = deltalake.DeltaTable(str(table_path))
    assert dt.version() == 2
    assert dt.metadata().partition_columns == ["endpoint"]
    assert dt.protocol().min_reader_version == 1 and dt.protocol().min_writer_version == 2
    assert dt.transaction_version("tail-1") == 11
    assert [f.name for f in dt.schema().fields] == [f["name"] for f in SCHEMA["fields"]]
    expected = pd.concat([with_endpoint(t, e) for e, _, t in parts])
    assert_same_rows(dt.to_pandas(), expected)

    # Statistics we computed agree with the data, read back through deltalake.
    actions = add_actions(dt).set_index("path")
    for endpoint, name, t in parts:
        row = actions.loc[f"endpoint={endpoint}/{name}.parquet"]
        df = t.to_pandas()
        assert row["num_records"] == len(df)
        assert row["partition.endpoint"] == endpoint
        assert row["null_count.count"] == df["count"].isna().sum()
        assert row["min.count"] == df["count"].min() and row["max.count"] == df["count"].max()
        assert row["min.mean"] == df["mean"].min() and row["max.mean"] == df["mean"].max()
        assert row["min.column_name"] == df["column_name"].min() and row["max.column_name"] == df["column_name"].max()
        assert row["min.window_start"] <= df["window_start"].min() and row["max.window_start"] >= df["window_start"].max()
    # deltalake's partition filter agrees with the partition values we wrote.
    assert len(dt.to_pandas(filters=[("endpoint", "=", "wine")])) == 30

    ours = interop("snapshot", table_path)
    assert ours["version"] == dt.version()
    assert ours["transactions"] == {"tail-1": 11}
    assert sorted(f["path"] for f in ours["files"]) == sorted(actions.index)


def test_replace_is_one_version_that_deltalake_reads(tmp_path, table_path):
    rng = np.random.default_rng(2)
    h0a, h0b, h1, wine = make_rows(rng, 40, 0), make_rows(rng, 25, 0), make_rows(rng, 15, 1), make_rows(rng, 10, 0)
    interop("append", table_path, input={"files": [file_spec(tmp_path, h0a, "iris", "h0a"), file_spec(tmp_path, h1, "iris", "h1"),
                                                   file_spec(tmp_path, wine, "wine", "w0")]})
    interop("append", table_path, input={"files": [file_spec(tmp_path, h0b, "iris", "h0b")]})
    merged = pa.concat_tables([h0a, h0b]).slice(0, 50)
    result = interop("replace", table_path, input={
        "where": {"partitionValues": {"endpoint": "iris"}, "timeColumn": "window_start", "from": T0, "to": T0 + HOUR_US},
        "files": [file_spec(tmp_path, merged, "iris", "merged")],
        "txn": [{"appId": "batch", "version": 1}],
    })
    assert result["version"] == 3
    assert result["removed"] == ["endpoint=iris/h0a.parquet", "endpoint=iris/h0b.parquet"]

    dt = deltalake.DeltaTable(str(table_path))
    assert dt.version() == 3
    assert dt.transaction_version("batch") == 1
    expected = pd.concat([with_endpoint(merged, "iris"), with_endpoint(h1, "iris"), with_endpoint(wine, "wine")])
    assert_same_rows(dt.to_pandas(), expected)
    # The previous version is still readable (time travel), with the replaced files.
    old = deltalake.DeltaTable(str(table_path), version=2)
    assert len(old.to_pandas()) == 40 + 25 + 15 + 10

    # A straddling file is refused, with a message naming it.
    both = pa.concat_tables([h0a.slice(0, 1), h1.slice(0, 1)])
    interop("append", table_path, input={"files": [file_spec(tmp_path, both, "iris", "both")]})
    proc = interop("replace", table_path, check=False, input={
        "where": {"partitionValues": {"endpoint": "iris"}, "timeColumn": "window_start", "from": T0, "to": T0 + HOUR_US},
        "files": []})
    assert proc.returncode == 1 and "endpoint=iris/both.parquet" in proc.stderr

    # Vacuum: deltalake's dry run and ours name the same expired files; ours deletes them from disk.
    theirs = sorted(deltalake.DeltaTable(str(table_path)).vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=True))
    ours = interop("vacuum", table_path, 0)["deleted"]
    assert sorted(os.path.relpath(p, table_path) if os.path.isabs(p) else p for p in theirs) == sorted(ours)
    assert ours == ["endpoint=iris/h0a.parquet", "endpoint=iris/h0b.parquet"]
    assert not (table_path / "endpoint=iris" / "h0a.parquet").exists()
    assert (table_path / "endpoint=iris" / "merged.parquet").exists()
    dt = deltalake.DeltaTable(str(table_path))
    assert len(dt.to_pandas()) == 50 + 15 + 10 + 2


@pytest.mark.parametrize("compression", ["LZ4_RAW", "UNCOMPRESSED"])
def test_we_read_tables_deltalake_writes(tmp_path, compression):
    path = str(tmp_path / "theirs")
    rng = np.random.default_rng(3)
    props = deltalake.WriterProperties(compression=compression)
    for i, endpoint in enumerate(["iris", "wine", "iris"]):
        data = make_rows(rng, 20 + i, i).append_column("endpoint", pa.array([endpoint] * (20 + i)))
        deltalake.write_deltalake(path, data, mode="append", partition_by=["endpoint"], writer_properties=props,
                                  commit_properties=deltalake.CommitProperties(
                                      app_transactions=[deltalake.Transaction(app_id="ingest", version=i + 1)]))
    dt = deltalake.DeltaTable(path)
    dt.delete("endpoint = 'wine'")
    dt = deltalake.DeltaTable(path)

    ours = interop("snapshot", path)
    assert ours["version"] == dt.version()
    assert ours["partitionColumns"] == ["endpoint"]
    assert ours["transactions"] == {"ingest": 3}
    assert ours["columns"] == [f.name for f in dt.schema().fields]
    actions = add_actions(dt).set_index("path")
    assert sorted(f["path"] for f in ours["files"]) == sorted(actions.index)
    for f in ours["files"]:
        row = actions.loc[f["path"]]
        assert f["partitionValues"] == {"endpoint": row["partition.endpoint"]}
        assert f["size"] == row["size_bytes"] and f["numRecords"] == row["num_records"]
        assert f["nullCount"]["count"] == row["null_count.count"]
    assert ours["numRecords"] == len(dt.to_pandas()) == 20 + 22
    assert len(ours["tombstones"]) == 1

    # We append to deltalake's table; deltalake reads both writers' rows.
    extra = make_rows(rng, 5, 3)
    r = interop("append", path, input={"files": [file_spec(tmp_path, extra, "wine", "ours")],
                                       "txn": [{"appId": "ingest", "version": 4}]})
    assert r["version"] == dt.version() + 1
    dt = deltalake.DeltaTable(path)
    assert dt.version() == r["version"] and dt.transaction_version("ingest") == 4
    assert len(dt.to_pandas()) == 20 + 22 + 5


def test_two_processes_append_200_commits_each(tmp_path, table_path):
    rows = make_rows(np.random.default_rng(4), 3, 0)
    spec = file_spec(tmp_path, rows, "iris", "seed")
    exe = str(executable("DeltaInterop"))

    def hammer(app):
        proc = subprocess.run([exe, "hammer", str(table_path), "200", app], input=json.dumps({"file": spec}),
                              capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        a, b = pool.map(hammer, ["writer-a", "writer-b"])
    versions = sorted(a["versions"] + b["versions"])
    assert versions == list(range(1, 401)), "versions must be contiguous with none lost or doubled"
    assert a["versions"] == sorted(a["versions"]) and b["versions"] == sorted(b["versions"])
    log = sorted(p.name for p in (table_path / "_delta_log").iterdir() if p.name.endswith(".json"))
    assert len(log) == 401
    assert not [p for p in (table_path / "_delta_log").iterdir() if p.name.startswith(".")]

    checkpoints = sorted(p.name for p in (table_path / "_delta_log").iterdir() if p.name.endswith(".checkpoint.parquet"))
    assert checkpoints == [f"{v:020d}.checkpoint.parquet" for v in (100, 200, 300, 400)]
    assert json.loads((table_path / "_delta_log" / "_last_checkpoint").read_text())["version"] == 400

    dt = deltalake.DeltaTable(str(table_path))
    assert dt.version() == 400
    assert dt.transaction_version("writer-a") == 200 and dt.transaction_version("writer-b") == 200
    df = dt.to_pandas()
    assert len(df) == 400 * 3
    assert len(dt.file_uris()) == 400


def test_malformed_commit_is_a_clear_error(tmp_path, table_path):
    (table_path / "_delta_log" / "00000000000000000001.json").write_text('{"commitInfo":{}}\n{"add":{"path":"x"\n')
    proc = interop("snapshot", table_path, check=False)
    assert proc.returncode == 1
    assert "00000000000000000001.json:2" in proc.stderr


def test_checkpoint_and_log_cleanup_are_read_by_deltalake(tmp_path):
    path = tmp_path / "checkpointed"
    flags = ["--checkpoint-interval", "5", "--log-retention-seconds", "0"]
    interop(*flags, "create", path, input={"schema": SCHEMA, "partitionColumns": ["endpoint"]})
    rng = np.random.default_rng(5)
    expected = []
    for i in range(1, 12):
        endpoint = "wine" if i % 4 == 0 else "iris"
        rows = make_rows(rng, 10 + i, i % 3)
        r = interop(*flags, "append", path, input={"files": [file_spec(tmp_path, rows, endpoint, f"p{i}")],
                                                   "txn": [{"appId": f"tail-{endpoint}", "version": i}]})
        assert r["version"] == i and r["checkpoint"] == (i if i % 5 == 0 else None)
        expected.append((endpoint, rows))
    # Replace the iris rows of hour 0 (files p3, p6, p9: i % 3 == 0 and not wine).
    hour0 = [(e, t) for i, (e, t) in enumerate(expected, 1) if e == "iris" and i % 3 == 0]
    merged = pa.concat_tables([t for _, t in hour0])
    r = interop(*flags, "replace", path, input={
        "where": {"partitionValues": {"endpoint": "iris"}, "timeColumn": "window_start", "from": T0, "to": T0 + HOUR_US},
        "files": [file_spec(tmp_path, merged, "iris", "merged")]})
    assert r["version"] == 12 and len(r["removed"]) == len(hour0)
    info = interop(*flags, "checkpoint", path)
    assert info["version"] == 12

    log = sorted(p.name for p in (path / "_delta_log").iterdir())
    assert log == ["00000000000000000012.checkpoint.parquet", "00000000000000000012.json", "_last_checkpoint"]
    last = json.loads((path / "_delta_log" / "_last_checkpoint").read_text())
    assert last["version"] == 12 and last["size"] == info["size"]

    # pyarrow reads the checkpoint itself: one action per row.
    cp = pq.read_table(path / "_delta_log" / "00000000000000000012.checkpoint.parquet").to_pylist()
    assert len(cp) == info["size"]
    assert sum(1 for row in cp if row["add"]) == info["numOfAddFiles"] == 11 - len(hour0) + 1
    assert sum(1 for row in cp if row["remove"]) == len(hour0)
    assert {row["txn"]["appId"]: row["txn"]["version"] for row in cp if row["txn"]} == {"tail-iris": 11, "tail-wine": 8}
    assert [row["protocol"] for row in cp if row["protocol"]] == [
        {"minReaderVersion": 1, "minWriterVersion": 2, "readerFeatures": None, "writerFeatures": None}]

    dt = deltalake.DeltaTable(str(path))
    assert dt.version() == 12
    assert dt.transaction_version("tail-iris") == 11 and dt.transaction_version("tail-wine") == 8
    assert dt.metadata().partition_columns == ["endpoint"]
    kept = [with_endpoint(t, e) for i, (e, t) in enumerate(expected, 1) if not (e == "iris" and i % 3 == 0)]
    assert_same_rows(dt.to_pandas(), pd.concat(kept + [with_endpoint(merged, "iris")]))

    # One more commit after the checkpoint: both readers replay checkpoint + JSON.
    extra = make_rows(rng, 4, 5)
    interop(*flags, "append", path, input={"files": [file_spec(tmp_path, extra, "wine", "extra")]})
    dt = deltalake.DeltaTable(str(path))
    assert dt.version() == 13
    ours = interop("snapshot", path)
    assert ours["version"] == 13 and ours["numRecords"] == len(dt.to_pandas())


def test_we_read_checkpoints_deltalake_writes(tmp_path):
    path = tmp_path / "theirs"
    rng = np.random.default_rng(6)
    for i, endpoint in enumerate(["iris", "wine", "iris", "wine"]):
        data = make_rows(rng, 10 + i, i).append_column("endpoint", pa.array([endpoint] * (10 + i)))
        deltalake.write_deltalake(str(path), data, mode="append", partition_by=["endpoint"],
                                  writer_properties=deltalake.WriterProperties(compression="LZ4_RAW"),
                                  commit_properties=deltalake.CommitProperties(
                                      app_transactions=[deltalake.Transaction(app_id="ingest", version=i + 1)]))
    dt = deltalake.DeltaTable(str(path))
    dt.delete("endpoint = 'wine'")
    dt = deltalake.DeltaTable(str(path))
    dt.create_checkpoint()
    version = dt.version()
    # Remove the JSON commits the checkpoint covers, so only the checkpoint can give the state.
    for p in (path / "_delta_log").iterdir():
        if p.name.endswith(".json") and int(p.name[:20]) < version:
            p.unlink()

    ours = interop("snapshot", path)
    assert ours["version"] == version
    assert ours["transactions"] == {"ingest": 4}
    assert ours["partitionColumns"] == ["endpoint"]
    actions = add_actions(dt).set_index("path")
    assert sorted(f["path"] for f in ours["files"]) == sorted(actions.index)
    assert ours["numRecords"] == len(dt.to_pandas()) == 10 + 12
    assert len(ours["tombstones"]) == 2

    # We commit on top of their checkpoint (and checkpoint ourselves); deltalake follows.
    extra = make_rows(rng, 3, 5)
    r = interop("append", path, input={"files": [file_spec(tmp_path, extra, "iris", "ours")],
                                       "txn": [{"appId": "ingest", "version": 5}]})
    assert r["version"] == version + 1
    assert interop("checkpoint", path)["version"] == version + 1
    dt = deltalake.DeltaTable(str(path))
    assert dt.version() == version + 1 and dt.transaction_version("ingest") == 5
    assert len(dt.to_pandas()) == 10 + 12 + 3


def rows_spec(table, endpoint, name):
    """A file DeltaInterop writes itself, with our Parquet writer, from the rows of `table`."""
    rows = []
    for r in table.to_pylist():
        ts = r["window_start"]
        micros = None if ts is None else int(pd.Timestamp(ts).value // 1000)
        rows.append([micros, r["column_name"], r["count"], r["mean"], r["histogram"]])
    return {"rows": rows, "path": f"endpoint={endpoint}/{name}.parquet", "partitionValues": {"endpoint": endpoint}}


def assert_stats_match(actions, path, df):
    row = actions.loc[path]
    assert row["num_records"] == len(df)
    for column in ["count", "mean", "column_name"]:
        assert row[f"null_count.{column}"] == df[column].isna().sum(), column
        assert row[f"min.{column}"] == df[column].min() and row[f"max.{column}"] == df[column].max(), column
    ts = df["window_start"]
    assert row["min.window_start"] <= ts.min() and row["max.window_start"] >= ts.max()
    assert ts.max() - row["max.window_start"] < pd.Timedelta(milliseconds=1) >= row["min.window_start"] - ts.min()


def test_our_parquet_writer_through_delta_with_footer_stats(tmp_path):
    """The whole stack: our Parquet writer makes the data files, FileStatistics(parquet:) reads their
    footers, DeltaTable commits and checkpoints; deltalake reads rows and stats back."""
    path = tmp_path / "ours"
    flags = ["--checkpoint-interval", "3"]
    interop(*flags, "create", path, input={"schema": SCHEMA, "partitionColumns": ["endpoint"]})
    rng = np.random.default_rng(7)
    tables = {("iris", "a"): make_rows(rng, 300, 0), ("wine", "b"): make_rows(rng, 40, 0), ("iris", "c"): make_rows(rng, 25, 1)}
    for (endpoint, name), t in tables.items():
        interop(*flags, "append", path, input={"files": [rows_spec(t, endpoint, name)]})
    # A pyarrow file with statistics taken from its footer rather than from the values.
    theirs = make_rows(rng, 60, 2)
    spec = file_spec(tmp_path, theirs, "wine", "pyarrow")
    spec["statsFrom"] = "footer"
    del spec["columns"]
    interop(*flags, "append", path, input={"files": [spec]})

    dt = deltalake.DeltaTable(str(path))
    assert dt.version() == 4
    expected = pd.concat([with_endpoint(t, e) for (e, _), t in tables.items()] + [with_endpoint(theirs, "wine")])
    assert_same_rows(dt.to_pandas(), expected)
    actions = add_actions(dt).set_index("path")
    for (endpoint, name), t in tables.items():
        assert_stats_match(actions, f"endpoint={endpoint}/{name}.parquet", t.to_pandas())
    assert_stats_match(actions, "endpoint=wine/pyarrow.parquet", theirs.to_pandas())
    # pyarrow reads our data file directly with the right types.
    ours = pq.read_table(path / "endpoint=iris" / "a.parquet")
    assert ours.schema.field("window_start").type == pa.timestamp("us", tz="UTC")
    assert ours.schema.field("histogram").type == pa.list_(pa.int64())
    assert (path / "_delta_log" / "00000000000000000003.checkpoint.parquet").exists()


def test_writer_killed_mid_commit_leaves_a_consistent_table(tmp_path, table_path):
    """kill -9 a writer in the middle of its commits: every version present is complete, the
    versions stay contiguous, and the next writer carries on."""
    import signal
    import time
    rows = make_rows(np.random.default_rng(8), 3, 0)
    spec = file_spec(tmp_path, rows, "iris", "seed")
    exe = str(executable("DeltaInterop"))
    proc = subprocess.Popen([exe, "--checkpoint-interval", "7", "hammer", str(table_path), "100000", "victim"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    proc.stdin.write(json.dumps({"file": spec}))
    proc.stdin.close()
    deadline = time.time() + 20
    while time.time() < deadline and len(list((table_path / "_delta_log").glob("*.json"))) < 30:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    ours = interop("snapshot", table_path)
    version = ours["version"]
    assert version >= 29
    commits = sorted(int(p.name[:20]) for p in (table_path / "_delta_log").glob("*.json"))
    assert commits == list(range(0, version + 1))
    assert ours["transactions"] == {"victim": version} and len(ours["files"]) == version
    dt = deltalake.DeltaTable(str(table_path))
    assert dt.version() == version and len(dt.to_pandas()) == 3 * version

    after = interop("hammer", table_path, 3, "next", input={"file": spec})
    assert after["versions"] == [version + 1, version + 2, version + 3]
    dt = deltalake.DeltaTable(str(table_path))
    assert dt.version() == version + 3 and dt.transaction_version("victim") == version


def test_files_named_by_deltatable_with_awkward_partition_values(tmp_path, table_path):
    rng = np.random.default_rng(9)
    values = ["a/b c", "x=y%z", "é:ü", None]
    tables = [make_rows(rng, 5 + i, 0) for i in range(len(values))]
    files = []
    for value, t in zip(values, tables):
        spec = rows_spec(t, "unused", "unused")
        spec["path"] = ""
        spec["partitionValues"] = {"endpoint": value}
        files.append(spec)
    interop("append", table_path, input={"files": files})
    dt = deltalake.DeltaTable(str(table_path))
    df = dt.to_pandas()
    expected = pd.concat([t.to_pandas().assign(endpoint=v) for v, t in zip(values, tables)])
    assert len(df) == len(expected)
    got = df.groupby(df["endpoint"].astype(object).where(df["endpoint"].notna(), "<null>"))["mean"].apply(lambda s: sorted(s)).to_dict()
    want = expected.groupby(expected["endpoint"].astype(object).where(expected["endpoint"].notna(), "<null>"))["mean"].apply(lambda s: sorted(s)).to_dict()
    assert got == want
    folders = sorted(p.name for p in table_path.iterdir() if not p.name.startswith("_"))
    assert "endpoint=__HIVE_DEFAULT_PARTITION__" in folders and "endpoint=a%2Fb c" in folders
