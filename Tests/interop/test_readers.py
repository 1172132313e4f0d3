"""The store read by other engines: Polars, Daft (natively and on a local Ray cluster), Sail through
PySpark's Spark Connect client, and DuckDB's delta extension.

Three stores: the demo's (`driftline demo`); a copy after `driftline compact`, with a checkpoint of
every table written between its commits by our DeltaTable (DeltaInterop `checkpoint`, the code a
commit runs every `delta.checkpointInterval` versions), the replaced files still on disk as within
the vacuum retention; and a copy of that one vacuumed (DeltaInterop `vacuum` with retention 0: the
CLI refuses less than an hour). Each engine reads `profiles`, `drift` and `performance` of each, at
the latest version and at earlier ones, and every row and value must equal `deltalake`'s (sorted by
the key columns; floats bit for bit except Sail's, see `tolerance`; NaN and null kept apart). The
README's snippets of the section "Scaling out" run here as written (with the demo folder replaced)
and their SQL aggregate is checked against pandas. deltalake, Polars, Daft, Sail and DuckDB each
append rows to a copy of the demo store, and `driftline query` and `driftline batch` must read them.

The engines are pinned in tools/requirements-readers.txt (tools/setup installs them; DuckDB's
extension wheel exists only for DuckDB 1.5.5, so that pair lives in .venv/duckdb-delta and its
reads run in a child Python with that folder first on its path). Shared helpers: readers_support.py.
"""
import datetime
import json
import math
import shutil

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from deltalake import DeltaTable, write_deltalake

from readers_support import (DUCKDB_READER, DUCKDB_SITE, RAY_READER, TABLES, as_arrow, check_equal, delta_interop,
                             deltalake_table, driftline, readme_snippets, run_in_child, sail_cannot_time_travel, same,
                             snippet, tolerance)

ENGINES = ("polars", "daft", "sail", "duckdb")
STORES = ("demo", "compacted", "vacuumed")
# Earlier versions each engine reads: (store, table, version). In the compacted store, version 1 of
# profiles is before compaction (partial rows; the checkpoint at version 2 must not be used for it),
# version 2 is the checkpoint itself; drift and performance have their checkpoint at version 4.
TIME_TRAVEL = (("compacted", "profiles", 1), ("compacted", "profiles", 2), ("compacted", "drift", 2),
               ("compacted", "performance", 2), ("demo", "profiles", 0))
HOUR = datetime.timedelta(hours=1)


# ---------------------------------------------------------------- the stores

@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    root = tmp_path_factory.mktemp("readers")
    demo = root / "driftline-demo"
    driftline("demo", "--directory", demo)
    paths = {"demo": demo / "store", "compacted": root / "compacted", "vacuumed": root / "vacuumed"}
    compacted = paths["compacted"]
    shutil.copytree(paths["demo"], compacted)
    # One endpoint's compaction (version 2 of profiles), a checkpoint of every table with our DeltaTable
    # (what a commit writes every `delta.checkpointInterval` versions), then the other endpoints'
    # compactions (versions 3–5) and the CLI's vacuum pass, which keeps files removed < 7 days ago.
    driftline("compact", "--store", compacted, "--endpoint", "iris-fair", "--older-than", "0s", "--no-vacuum")
    for name in TABLES:
        delta_interop("checkpoint", compacted / name)
    out = driftline("compact", "--store", compacted, "--older-than", "0s")
    assert "vacuumed 0 data files" in out, out
    assert DeltaTable(str(compacted / "profiles")).version() == 5
    checkpoints = {name: sorted(p.name for p in (compacted / name / "_delta_log").glob("*.checkpoint.parquet")) for name in TABLES}
    assert checkpoints == {"profiles": ["00000000000000000002.checkpoint.parquet"],
                           "drift": ["00000000000000000004.checkpoint.parquet"],
                           "performance": ["00000000000000000004.checkpoint.parquet"]}, checkpoints
    shutil.copytree(compacted, paths["vacuumed"])
    deleted = delta_interop("vacuum", paths["vacuumed"] / "profiles", 0)["deleted"]
    assert deleted, "the vacuum deleted no replaced file"
    assert not any((paths["vacuumed"] / "profiles" / f).exists() for f in deleted)
    paths["folder"] = demo
    return paths


# ---------------------------------------------------------------- the engines

@pytest.fixture(scope="module")
def sail(stores):
    """The README's Sail snippet, run as written: its Spark Connect session reads everything else too."""
    namespace = {}
    exec(compile(snippet("Sail", stores["folder"]), "README Sail snippet", "exec"), namespace)
    yield namespace
    namespace["spark"].stop()
    namespace["server"].stop()


@pytest.fixture(scope="module")
def duckdb_delta(stores, tmp_path_factory):
    """The README's DuckDB snippet and every DuckDB read of this module, in one child Python."""
    assert (DUCKDB_SITE / "duckdb_extension_delta").is_dir(), f"{DUCKDB_SITE} is missing: run tools/setup"
    reads = [(stores[s] / t, None) for s in STORES for t in TABLES]
    reads += [(stores[s] / t, v) for s, t, v in TIME_TRAVEL]
    variables, tables = run_in_child(snippet("DuckDB", stores["folder"]), DUCKDB_READER, ["perf", "drift_v2", "per_endpoint"],
                                     reads, tmp_path_factory.mktemp("duckdb"), env={"PYTHONPATH": str(DUCKDB_SITE)})
    return variables, tables


@pytest.fixture(scope="module")
def readers(sail, duckdb_delta):
    import daft
    import polars as pl

    def spark(path, version):
        reader = sail["spark"].read.format("delta")
        if version is not None:
            reader = reader.option("versionAsOf", version)
        return reader.load(str(path)).toArrow()

    return {
        "polars": lambda path, version: pl.read_delta(str(path), version=version).to_arrow(),
        "daft": lambda path, version: daft.read_deltalake(str(path), version=version).to_arrow(),
        "sail": spark,
        "duckdb": lambda path, version: duckdb_delta[1][(str(path), version)],
    }



@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("store", STORES)
@pytest.mark.parametrize("engine", ENGINES)
def test_every_value_equals_deltalakes(engine, store, name, stores, readers):
    path = stores[store] / name
    check_equal(engine, readers[engine](path, None), deltalake_table(path), name)


@pytest.mark.parametrize("store,name,version", TIME_TRAVEL)
@pytest.mark.parametrize("engine", ENGINES)
def test_time_travel_equals_deltalakes(engine, store, name, version, stores, readers):
    path = stores[store] / name
    expected = deltalake_table(path, version)
    assert set(DeltaTable(str(path), version=version).file_uris()) != set(DeltaTable(str(path)).file_uris())
    if engine == "sail" and sail_cannot_time_travel(path, version):
        with pytest.raises(Exception, match=r"Missing commit file: expected version 0, found \d"):
            readers[engine](path, version)
        return
    check_equal(engine, readers[engine](path, version), expected, name)


# ---------------------------------------------------------------- the README snippets, SQL included

def expected_per_endpoint(store):
    profiles = DeltaTable(str(store / "profiles")).to_pandas()
    grouped = profiles.groupby("endpoint").agg(n_rows=("count", "size"), n_values=("count", "sum")).reset_index()
    return [(str(e), int(r), int(v)) for e, r, v in grouped.sort_values("endpoint").itertuples(index=False)]


def check_snippet_results(variables, stores, engine):
    """Every snippet leaves `per_endpoint` (its SQL aggregate), `perf` and, except the Ray one, `drift_v2`."""
    demo = stores["demo"]
    per_endpoint = as_arrow(variables["per_endpoint"]).to_pylist()
    got = [(row["endpoint"], int(row["n_rows"]), int(row["n_values"])) for row in per_endpoint]
    assert got == expected_per_endpoint(demo), f"{engine}'s SQL aggregate differs from pandas'"
    check_equal(engine, as_arrow(variables["perf"]), deltalake_table(demo / "performance"), "performance")
    if "drift_v2" in variables:
        check_equal(engine, as_arrow(variables["drift_v2"]), deltalake_table(demo / "drift", 2), "drift")



def test_readme_names_every_engine():
    assert sorted(readme_snippets()) == ["Daft", "Daft on Ray", "DuckDB", "Polars", "Sail"]


@pytest.mark.parametrize("engine", ["Polars", "Daft"])
def test_readme_snippet_runs_and_its_sql_equals_pandas(engine, stores, capsys):
    namespace = {}
    exec(compile(snippet(engine, stores["folder"]), f"README {engine} snippet", "exec"), namespace)
    assert "iris-good" in capsys.readouterr().out
    check_snippet_results(namespace, stores, engine)


def test_readme_sail_snippet_sql_equals_pandas(sail, stores):
    check_snippet_results(sail, stores, "Sail")


def test_readme_duckdb_snippet_sql_equals_pandas(duckdb_delta, stores):
    check_snippet_results(duckdb_delta[0], stores, "DuckDB")


def test_daft_on_a_local_ray_cluster(stores, tmp_path):
    """The README's Ray snippet in a child Python (a Ray runner is per process), then the compacted
    store's profiles at the latest version and at the checkpoint, on the same one-CPU cluster."""
    reads = [(stores["compacted"] / "profiles", None), (stores["compacted"] / "profiles", 2)]
    variables, tables = run_in_child(snippet("Daft on Ray", stores["folder"]), RAY_READER, ["perf", "per_endpoint"], reads,
                                     tmp_path / "ray", env={"RAY_USAGE_STATS_ENABLED": "0"})
    check_snippet_results(variables, stores, "Daft on Ray")
    for (path, version), table in tables.items():
        check_equal("Daft on Ray", table, deltalake_table(path, version), "profiles")


# ---------------------------------------------------------------- Sail's bugs, shown on deltalake's own tables

def test_sail_bug_single_row_doubles_1_ulp_off(sail, tmp_path):
    """Evidence that the 1-ULP tolerance covers Sail's bug, not ours: deltalake writes the doubles Sail
    misread in our performance table, four single-row files and one file of all four. Python parses
    the statistics' JSON text back to the exact values; Sail reads the four-row file and plain Parquet
    exactly, and at least one single-row file's value 1 ULP off, none further."""
    values = [0.9496464266631137, 0.022606837675946078, 0.24660651940454514, 0.027273586001754606]
    path = str(tmp_path / "single-rows")
    for value in values:
        write_deltalake(path, pa.table({"x": pa.array([value], pa.float64()), "file": [f"one {value!r}"]}), mode="append")
    write_deltalake(path, pa.table({"x": pa.array(values, pa.float64()), "file": ["four"] * 4}), mode="append")
    for add in (json.loads(line)["add"] for f in sorted((tmp_path / "single-rows" / "_delta_log").glob("*.json"))
                for line in f.read_text().splitlines() if '"add"' in line):
        stats = json.loads(add["stats"])
        assert all(v in values for v in (stats["minValues"]["x"], stats["maxValues"]["x"]))
    rows = sail["spark"].read.format("delta").load(path).toArrow().to_pylist()
    four = sorted(r["x"] for r in rows if r["file"] == "four")
    assert four == sorted(values)
    single = {r["file"]: r["x"] for r in rows if r["file"] != "four"}
    off = [(name, x) for name, x in single.items() if repr(x) != name.split(" ", 1)[1]]
    assert off, "Sail read every single-row double exactly: the tolerance in tolerance() can go"
    for name, x in single.items():
        exact = float(name.split(" ", 1)[1])
        assert abs(x - exact) <= math.ulp(exact), (name, x)
    assert sorted(sail["spark"].read.parquet(path).toArrow()["x"].to_pylist()) == sorted(values * 2)


def test_sail_bug_time_travel_before_a_checkpoint(sail, tmp_path):
    """Evidence that the time-travel exception is Sail's bug, not ours: a table deltalake wrote (five
    appends) and checkpointed at version 4; deltalake reads every version, Sail versions 0, 1 and 4
    but not 2 and 3."""
    path = str(tmp_path / "checkpointed")
    for i in range(5):
        write_deltalake(path, pa.table({"x": [i]}), mode="append")
    DeltaTable(path).create_checkpoint()
    for version in range(5):
        assert DeltaTable(path, version=version).to_pyarrow_table().num_rows == version + 1
        reader = sail["spark"].read.format("delta").option("versionAsOf", version)
        if sail_cannot_time_travel(path, version):
            with pytest.raises(Exception, match=r"Missing commit file: expected version 0, found \d"):
                reader.load(path).count()
        else:
            assert reader.load(path).count() == version + 1
    assert [v for v in range(5) if sail_cannot_time_travel(path, v)] == [2, 3]


# ---------------------------------------------------------------- appends by other engines, read by driftline

WRITERS = ("deltalake", "polars", "daft", "sail", "duckdb")
DUCKDB_APPEND = """
import pathlib
import duckdb
import duckdb_extension_delta

con = duckdb.connect()
con.load_extension(str(next(pathlib.Path(duckdb_extension_delta.__file__).parent.glob("extensions/*/delta.duckdb_extension"))))
con.sql("attach '{path}' as stored (type delta)")
for shift in {shifts}:
    con.sql(f\"\"\"insert into stored select * replace (window_start + to_microseconds({{shift}}) as window_start,
                                                      window_end + to_microseconds({{shift}}) as window_end)
                from stored where endpoint = 'iris-good' and window_start >= '{start}'::timestamptz
                                                         and window_start < '{end}'::timestamptz\"\"\")
"""
SHIFT = datetime.timedelta(days=-2)


def append(writer, table_path, start, shifts, sail):
    """With `writer`'s own API: reads iris-good's rows of the hour from `start` and appends a copy of
    them shifted by each of `shifts` (window_start and window_end), in the table's schema."""
    path = str(table_path)
    end = start + HOUR
    if writer == "deltalake":
        rows = DeltaTable(path).to_pyarrow_table()
        rows = rows.filter((pc.field("endpoint") == "iris-good") & (pc.field("window_start") >= start) & (pc.field("window_start") < end))
        for shift in shifts:
            moved = {c: rows[c] for c in rows.column_names}
            for c in ("window_start", "window_end"):
                moved[c] = pc.add(rows[c], pa.scalar(shift, pa.duration("us")))
            write_deltalake(path, pa.table(moved, schema=rows.schema), mode="append")
    elif writer == "polars":
        import polars as pl
        rows = pl.read_delta(path).filter((pl.col("endpoint") == "iris-good") & pl.col("window_start").is_between(start, end, closed="left"))
        for shift in shifts:
            rows.with_columns(pl.col("window_start") + shift, pl.col("window_end") + shift).write_delta(path, mode="append")
    elif writer == "daft":
        import daft
        rows = daft.read_deltalake(path).where((daft.col("endpoint") == "iris-good") & (daft.col("window_start") >= start)
                                               & (daft.col("window_start") < end))
        for shift in shifts:
            rows.with_columns({"window_start": daft.col("window_start") + shift,
                               "window_end": daft.col("window_end") + shift}).write_deltalake(path, mode="append")
    elif writer == "sail":
        from pyspark.sql import functions as F
        rows = sail["spark"].read.format("delta").load(path).where(
            (F.col("endpoint") == "iris-good") & (F.col("window_start") >= F.lit(start)) & (F.col("window_start") < F.lit(end)))
        for shift in shifts:
            interval = F.expr(f"INTERVAL {int(shift.total_seconds())} SECONDS")
            rows.withColumn("window_start", F.col("window_start") + interval).withColumn(
                "window_end", F.col("window_end") + interval).write.format("delta").mode("append").save(path)
    elif writer == "duckdb":
        code = DUCKDB_APPEND.format(path=path, shifts=[int(shift / datetime.timedelta(microseconds=1)) for shift in shifts],
                                    start=iso(start), end=iso(end))
        run_in_child(code, "", [], [], table_path.parent.parent / f"duckdb-{table_path.name}", env={"PYTHONPATH": str(DUCKDB_SITE)})
    else:
        raise AssertionError(writer)


def query(store, start, end):
    out = driftline("query", "--store", store, "--endpoint", "iris-good", "--from", iso(start), "--to", iso(end), "--json")
    return [json.loads(line) for line in out.splitlines()]


def iso(moment):
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def with_windows(profiles, shift=datetime.timedelta(0)):
    """`query --json` objects with their windows parsed, and moved by `shift`."""
    out = []
    for p in profiles:
        p = dict(p)
        for c in ("window_start", "window_end"):
            p[c] = datetime.datetime.fromisoformat(p[c]) + shift
        out.append(p)
    return out


def rows_of_hour(table, start):
    return table.filter((pc.field("endpoint") == "iris-good") & (pc.field("window_start") == start))


def shifted_table(table, shift):
    columns = {c: table[c] for c in table.column_names}
    for c in ("window_start", "window_end"):
        columns[c] = pc.add(table[c], pa.scalar(shift, pa.duration("us")))
    return pa.table(columns, schema=table.schema)


@pytest.mark.parametrize("writer", WRITERS)
def test_appends_by_other_engines_are_read_by_query_and_batch(writer, stores, sail, tmp_path):
    """`writer` appends a copy of iris-good's first demo hour of profiles two days earlier (hour H), and
    of its performance row to H and to the hour before H. Then `driftline query` shows H's profiles
    equal to the copied hour's; `driftline batch` over both hours reads them (drift and performance of
    H equal the copied hour's), replaces the foreign performance row of H (its file found by the
    writer's statistics) and keeps the one of H - 1h, which H's report shows in its trend."""
    demo = stores["demo"]
    store = tmp_path / "store"
    shutil.copytree(demo, store)
    first = pc.min(deltalake_table(demo / "profiles")["window_start"]).as_py()
    hour = first + SHIFT
    before = {name: deltalake_table(store / name) for name in TABLES}
    append(writer, store / "profiles", first, [SHIFT], sail)
    append(writer, store / "performance", first, [SHIFT, SHIFT - HOUR], sail)
    assert DeltaTable(str(store / "profiles")).version() == 2
    commit = json.loads((store / "profiles" / "_delta_log" / "00000000000000000002.json").read_text().splitlines()[0])
    assert "commitInfo" in commit and "driftline" not in json.dumps(commit), commit

    # query: every merged profile of H equals the copied hour's, two days later.
    got = with_windows(query(store, hour, hour + HOUR), -SHIFT)
    expected = with_windows(query(demo, first, first + HOUR))
    assert len(got) == len(expected) > 0
    assert sorted(got, key=lambda p: (p["window_start"], p["column"])) == sorted(expected, key=lambda p: (p["window_start"], p["column"]))

    # batch over H - 1h and H: analyses H from the foreign profile rows.
    driftline("batch", "--store", store, "--endpoint", "iris-good", "--from", iso(hour - HOUR), "--to", iso(hour + HOUR))
    performance = deltalake_table(store / "performance")
    drift = deltalake_table(store / "drift")
    check_equal(f"{writer} (batch of H)", rows_of_hour(performance, hour),
                shifted_table(rows_of_hour(before["performance"], first), SHIFT), "performance")
    check_equal(f"{writer} (batch of H)", rows_of_hour(drift, hour),
                shifted_table(rows_of_hour(before["drift"], first), SHIFT), "drift")
    check_equal(writer, rows_of_hour(performance, hour - HOUR),
                shifted_table(rows_of_hour(before["performance"], first), SHIFT - HOUR), "performance")
    report = json.loads((store / "reports" / "iris-good" / f"{hour:%Y-%m-%dT%H}.json").read_text())
    trend = {point["hour"]: point for point in report["trend"]}
    source = rows_of_hour(before["performance"], first).to_pylist()[0]
    assert sorted(trend) == [iso(hour - HOUR), iso(hour)], sorted(trend)
    for point in trend.values():
        assert same(point["accuracy"], source["accuracy"], tolerance(writer)), (point, source["accuracy"])
