"""Cross-checks of the Parquet module against pyarrow and DuckDB.

Our writer's files are read by pyarrow and DuckDB and compared with the rows we meant to
write (NAME.expected.json, produced from the input, not by reading back); pyarrow's files
are read by us (ParquetInterop dump) and compared with pyarrow's own reading.
"""
import datetime
import json
import math
import pathlib

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

SAMPLES = ["flat", "flat_plain_uncompressed", "lists", "checkpoint", "columnar"]


@pytest.fixture(scope="module")
def samples(swift_bin, tmp_path_factory):
    d = tmp_path_factory.mktemp("parquet_samples")
    swift_bin("ParquetInterop", "write-sample", d)
    return d


def normalize(v):
    """pyarrow's Python values in the JSON shape ParquetInterop uses."""
    if v is None:
        return None
    if isinstance(v, bytes):
        return {"$bytes": v.hex()}
    if isinstance(v, datetime.datetime):
        assert v.tzinfo is not None, "timestamps must be UTC-adjusted"
        delta = v - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return [normalize(x) for x in v]
    if isinstance(v, list):
        return [normalize(x) for x in v]
    return v


def expected_rows(samples, name):
    return json.loads((samples / f"{name}.expected.json").read_text())


@pytest.mark.parametrize("name", SAMPLES)
def test_pyarrow_reads_our_values(samples, name):
    table = pq.read_table(samples / f"{name}.parquet")
    got = [normalize(r) for r in table.to_pylist()]
    want = expected_rows(samples, name)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"row {i} differs"
    md = pq.ParquetFile(samples / f"{name}.parquet").metadata
    assert md.metadata[b"driftline.sample"] == b"yes"


def test_pyarrow_sees_our_types(samples):
    flat = pq.read_schema(samples / "flat.parquet")
    assert flat.field("id").type == pa.int64() and not flat.field("id").nullable
    assert flat.field("i32").type == pa.int32() and flat.field("i32").nullable
    assert flat.field("f").type == pa.float32()
    assert flat.field("d").type == pa.float64()
    assert flat.field("flag").type == pa.bool_()
    assert flat.field("endpoint").type == pa.string()
    assert flat.field("blob").type == pa.binary()
    assert flat.field("ts").type == pa.timestamp("us", tz="UTC")
    lists = pq.read_schema(samples / "lists.parquet")
    assert lists.field("histogram").type == pa.list_(pa.field("element", pa.int64()))
    assert lists.field("categories").type == pa.list_(pa.field("element", pa.string()))
    assert lists.field("tags").type == pa.list_(pa.field("element", pa.string(), nullable=False))
    ckpt = pq.read_schema(samples / "checkpoint.parquet")
    add = ckpt.field("add").type
    assert isinstance(add, pa.StructType)
    pv = add.field("partitionValues").type
    assert isinstance(pv, pa.MapType) and pv.key_type == pa.string() and pv.item_type == pa.string()
    meta = ckpt.field("metaData").type
    assert meta.field("partitionColumns").type == pa.list_(pa.field("element", pa.string()))
    assert isinstance(meta.field("format").type, pa.StructType)
    # the parquet schema carries LIST/MAP and String/Timestamp annotations (logical and converted)
    pschema = pq.ParquetFile(samples / "flat.parquet").schema
    ts = pschema.column(8)
    assert ts.logical_type.type == "TIMESTAMP" and ts.converted_type == "TIMESTAMP_MICROS"
    assert pschema.column(5).converted_type == "UTF8"


def python_min_max(values):
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not present:
        return None, None
    if isinstance(present[0], str):
        key = lambda s: s.encode()
        return min(present, key=key), max(present, key=key)
    return min(present), max(present)


@pytest.mark.parametrize("name", ["flat", "flat_plain_uncompressed", "columnar"])
def test_statistics_present_and_right(samples, name):
    f = pq.ParquetFile(samples / f"{name}.parquet")
    md = f.metadata
    table = f.read()
    assert md.num_row_groups > 1, "samples are written in several row groups"
    start = 0
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        part = table.slice(start, rg.num_rows)
        start += rg.num_rows
        for j in range(rg.num_columns):
            col = rg.column(j)
            if col.path_in_schema.endswith(".element"):
                values = [x for lst in part.column(col.path_in_schema.split(".")[0]).to_pylist() if lst for x in lst]
                stats = col.statistics
                assert stats is not None and stats.has_min_max == bool([v for v in values if v is not None])
                lo, hi = python_min_max(values)
                if lo is not None:
                    assert (stats.min, stats.max) == (lo, hi)
                continue
            values = part.column(col.path_in_schema).to_pylist()
            stats = col.statistics
            assert stats is not None, f"{col.path_in_schema}: no statistics"
            assert stats.null_count == sum(v is None for v in values)
            lo, hi = python_min_max(values)
            if lo is None:
                continue
            assert stats.has_min_max
            if isinstance(lo, float):
                assert stats.min == lo and stats.max == hi
            else:
                assert stats.min == lo, f"{col.path_in_schema} min"
                assert stats.max == hi, f"{col.path_in_schema} max"
    assert start == md.num_rows


def test_duckdb_sql_over_our_files(samples):
    con = duckdb.connect()
    flat = str(samples / "flat.parquet")
    want = expected_rows(samples, "flat")
    got_sum = con.execute(f"select sum(id), count(*), count(i32) from read_parquet('{flat}')").fetchone()
    assert got_sum == (sum(r["id"] for r in want), len(want), sum(r["i32"] is not None for r in want))
    groups = dict(con.execute(f"select endpoint, count(*) from read_parquet('{flat}') group by endpoint").fetchall())
    want_groups = {}
    for r in want:
        want_groups[r["endpoint"]] = want_groups.get(r["endpoint"], 0) + 1
    assert groups == want_groups
    ts_max = con.execute(f"select epoch_us(max(ts)) from read_parquet('{flat}')").fetchone()[0]
    assert ts_max == max(r["ts"] for r in want if r["ts"] is not None)

    lists = str(samples / "lists.parquet")
    lwant = expected_rows(samples, "lists")
    total_len = con.execute(f"select sum(len(histogram)) from read_parquet('{lists}')").fetchone()[0]
    assert total_len == sum(len(r["histogram"]) for r in lwant if r["histogram"] is not None)
    unnest_sum = con.execute(f"select sum(x) from (select unnest(histogram) as x from read_parquet('{lists}'))").fetchone()[0]
    assert unnest_sum == sum(x for r in lwant if r["histogram"] for x in r["histogram"] if x is not None)
    cats = dict(con.execute(f"select c, count(*) from (select unnest(categories) as c from read_parquet('{lists}')) where c is not null group by c").fetchall())
    want_cats = {}
    for r in lwant:
        for c in r["categories"] or []:
            if c is not None:
                want_cats[c] = want_cats.get(c, 0) + 1
    assert cats == want_cats

    ckpt = str(samples / "checkpoint.parquet")
    adds = con.execute(f"select count(*), sum(add.size) from read_parquet('{ckpt}') where add is not null").fetchone()
    cw = expected_rows(samples, "checkpoint")
    assert adds == (sum(r["add"] is not None for r in cw), sum(r["add"]["size"] for r in cw if r["add"]))
    ep = con.execute(f"select count(*) from read_parquet('{ckpt}') where add.partitionValues['endpoint'] = 'ep1'").fetchone()[0]
    assert ep == sum(1 for r in cw if r["add"] and ["endpoint", "ep1"] in r["add"]["partitionValues"])


def pyarrow_table():
    n = 2000
    rows = []
    for i in range(n):
        rows.append({
            "id": i * 7 - 3000,
            "small": None if i % 11 == 0 else (i % 5) - 2,
            "f": None if i % 13 == 0 else float(i) / 3.0,
            "flag": None if i % 17 == 0 else i % 2 == 0,
            "name": None if i % 19 == 0 else ["alpha", "beta", "gamma", "délta"][i % 4],
            "text": f"text-{i * 7919 % 10007}" * (i % 3),
            "blob": None if i % 23 == 0 else bytes([(i * k) % 256 for k in range(i % 9)]),
            "ts": None if i % 29 == 0 else datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(microseconds=i * 123457),
            "hist": None if i % 31 == 0 else [None if (i + k) % 10 == 0 else k * i for k in range(i % 6)],
            "cats": None if i % 37 == 0 else [["x", "y", "z"][(i + k) % 3] for k in range(i % 4)],
            "kv": None if i % 41 == 0 else [(f"k{k}", None if k == 2 else f"v{i}") for k in range(i % 4)],
            "st": None if i % 43 == 0 else {"a": i, "b": None if i % 2 else f"s{i}", "c": {"d": float(i)}},
        })
    schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False), ("small", pa.int32()), ("f", pa.float64()), ("flag", pa.bool_()),
        ("name", pa.string()), pa.field("text", pa.string(), nullable=False), ("blob", pa.binary()),
        ("ts", pa.timestamp("us", tz="UTC")), ("hist", pa.list_(pa.int64())), ("cats", pa.list_(pa.string())),
        ("kv", pa.map_(pa.string(), pa.string())),
        ("st", pa.struct([("a", pa.int64()), ("b", pa.string()), ("c", pa.struct([("d", pa.float64())]))])),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


@pytest.mark.parametrize("compression", ["lz4", "none", "snappy"])
@pytest.mark.parametrize("dictionary", [True, False])
@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_we_read_pyarrow_files(swift_bin, tmp_path, compression, dictionary, page_version):
    table = pyarrow_table()
    path = tmp_path / "py.parquet"
    pq.write_table(table, path, compression=compression, use_dictionary=dictionary, data_page_version=page_version,
                   row_group_size=700, data_page_size=2048)
    codec = pq.ParquetFile(path).metadata.row_group(0).column(0).compression
    assert codec == {"lz4": "LZ4", "none": "UNCOMPRESSED", "snappy": "SNAPPY"}[compression]
    dumped = json.loads(swift_bin("ParquetInterop", "dump", path))
    assert dumped["num_row_groups"] == 3
    want = [normalize(r) for r in table.to_pylist()]
    assert len(dumped["rows"]) == len(want)
    for i, (g, w) in enumerate(zip(dumped["rows"], want)):
        assert g == w, f"row {i} differs"


def test_projection_reads_only_named_fields(swift_bin, tmp_path):
    table = pyarrow_table()
    path = tmp_path / "py.parquet"
    pq.write_table(table, path, compression="lz4")
    dumped = json.loads(swift_bin("ParquetInterop", "dump", path, "kv,id"))
    want = [normalize({"kv": r["kv"], "id": r["id"]}) for r in table.to_pylist()]
    assert dumped["rows"] == want


def test_row_group_skipping_by_statistics(swift_bin, tmp_path):
    path = tmp_path / "sorted.parquet"
    table = pa.table({"t": pa.array(range(0, 10000), pa.int64()), "name": [f"n{i:05d}" for i in range(10000)]})
    pq.write_table(table, path, row_group_size=1000, compression="lz4")
    md = pq.ParquetFile(path).metadata
    want = [g for g in range(md.num_row_groups)
            if md.row_group(g).column(0).statistics.max >= 2500 and md.row_group(g).column(0).statistics.min <= 4100]
    got = swift_bin("ParquetInterop", "skip", path, "t", "2500", "4100").split()
    assert [int(x) for x in got] == want == [2, 3, 4]
    got = swift_bin("ParquetInterop", "skip", path, "name", "n09500", "-").split()
    assert [int(x) for x in got] == [9]


@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
def test_corrupted_pyarrow_files_are_typed_errors(swift_bin, tmp_path, page_version):
    path = tmp_path / "py.parquet"
    pq.write_table(pyarrow_table().slice(0, 200), path, compression="lz4", data_page_version=page_version,
                   row_group_size=80, data_page_size=1024)
    result = json.loads(swift_bin("ParquetInterop", "corrupt", path, "20261123"))
    assert result["other_errors"] == 0
    assert result["truncations"] >= path.stat().st_size // 97
    assert result["errors"] + result["reads"] == result["truncations"] + 1000
    assert result["errors"] > result["truncations"]  # every truncation fails, and many flips do
