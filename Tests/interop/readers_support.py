"""What the readers' cross-check (test_readers.py) shares: running the CLI and DeltaInterop, the
README's "Scaling out" snippets (in this Python or in a child one), and comparing any engine's Arrow
table with deltalake's value for value, with the tolerance and the exception Sail's bugs need."""
import json
import math
import os
import pathlib
import re
import subprocess
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc  # noqa: F401 (pa.ipc)
from deltalake import DeltaTable

from conftest import ROOT, bin_dir, executable

TABLES = ("profiles", "drift", "performance")
KEYS = {
    "profiles": ["endpoint", "model_version", "window_start", "column_name", "reference_id"],
    "drift": ["endpoint", "model_version", "window_start", "baseline", "column_name"],
    "performance": ["endpoint", "model_version", "window_start"],
}
DUCKDB_SITE = pathlib.Path(sys.prefix) / "duckdb-delta"


def driftline(*args, timeout=600):
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"driftline {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def delta_interop(*args):
    exe = executable("DeltaInterop")
    assert exe.exists(), f"{exe} is missing: run `swift build` first"
    proc = subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"DeltaInterop {args} failed:\n{proc.stderr}"
    return json.loads(proc.stdout)


# ---------------------------------------------------------------- the README's snippets

def readme_snippets():
    """The section's python snippets by their first comment's engine name ("Polars", "Daft", "Daft on Ray", ...)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Scaling out: reading the store from other engines", 1)[1].split("\n## ", 1)[0]
    found = {}
    for code in re.findall(r"```python\n(.*?)```", section, flags=re.S):
        name = re.match(r"# ([^:]+):", code)
        assert name, f"a snippet without a leading '# Engine: ...' comment:\n{code}"
        found[name.group(1)] = code
    return found


def snippet(name, demo_folder):
    code = readme_snippets()[name]
    return code.replace("driftline-demo", str(demo_folder))


CHILD = r"""
import json, sys
import pyarrow as pa, pyarrow.ipc
request = json.loads(sys.stdin.read())
namespace = {}
exec(compile(request["snippet"], "README snippet", "exec"), namespace)
exec(request["reader"], namespace)

def save(table, name):
    with pa.OSFile(name, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)

for variable, name in request["variables"].items():
    value = namespace[variable]
    save(value if isinstance(value, pa.Table) else pa.Table.from_pandas(value, preserve_index=False), name)
for path, version, name in request["reads"]:
    save(namespace["read"](path, version), name)
"""

DUCKDB_READER = """
def read(path, version):
    at = "" if version is None else f", version => {version}"
    result = con.sql(f"select * from delta_scan('{path}'{at})").arrow()
    return result.read_all() if hasattr(result, "read_all") else result
"""

RAY_READER = """
assert daft.get_or_create_runner().name == "ray", daft.get_or_create_runner().name

def read(path, version):
    return daft.read_deltalake(path, version=version).to_arrow()
"""


def run_in_child(code, reader, variables, reads, folder, env=None):
    """Runs a snippet in a child Python (its own DuckDB, or its own Ray runner), then `read` for each
    (path, version); returns the variables and reads as Arrow tables."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {v: str(folder / f"{v}.arrow") for v in variables}
    read_files = [(str(path), version, str(folder / f"read{i}.arrow")) for i, (path, version) in enumerate(reads)]
    request = {"snippet": code, "reader": reader, "variables": names, "reads": read_files}
    proc = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(request), capture_output=True, text=True,
                          timeout=600, env={**os.environ, **(env or {})}, cwd=folder)
    assert proc.returncode == 0, f"the child Python failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"

    def load(name):
        with pa.memory_map(name) as source:
            return pa.ipc.open_file(source).read_all()

    return ({v: load(n) for v, n in names.items()},
            {(path, version): load(name) for path, version, name in read_files})


# ---------------------------------------------------------------- comparing tables

def canonical(table, name):
    """Rows of an Arrow table as tuples over the sorted column names, sorted by the table's key columns
    then every other column. Timestamps become UTC microseconds (a zone-less timestamp is read as UTC),
    every string and list type its Python value."""
    columns = sorted(table.column_names)
    values = {}
    for column in columns:
        data = table[column]
        if pa.types.is_timestamp(data.type):
            data = pc.cast(data, pa.timestamp("us", tz=data.type.tz)).cast(pa.int64())
        elif pa.types.is_dictionary(data.type):
            data = data.cast(data.type.value_type)
        values[column] = data.to_pylist()
    rows = [tuple(values[c][i] for c in columns) for i in range(table.num_rows)]
    order = [columns.index(k) for k in KEYS[name]] + [i for i, c in enumerate(columns) if c not in KEYS[name]]
    rows.sort(key=lambda row: tuple(sort_key(row[i]) for i in order))
    return columns, rows


def sort_key(value):
    if value is None:
        return (0,)
    if isinstance(value, float) and math.isnan(value):
        return (1,)
    if isinstance(value, list):
        return (2, tuple(sort_key(v) for v in value))
    return (2, value)


def differences(got, expected, name, ulps=0):
    """Every cell where `got` differs from `expected` (floats may differ by `ulps` units in the last place)."""
    got_columns, got_rows = canonical(got, name)
    want_columns, want_rows = canonical(expected, name)
    assert got_columns == want_columns, f"columns differ: {got_columns} vs {want_columns}"
    assert len(got_rows) == len(want_rows), f"{len(got_rows)} rows, deltalake has {len(want_rows)}"
    found = []
    for index, (a, b) in enumerate(zip(got_rows, want_rows)):
        for column, x, y in zip(got_columns, a, b):
            if not same(x, y, ulps):
                found.append((index, column, x, y))
    return found


def same(x, y, ulps):
    if isinstance(x, float) and isinstance(y, float):
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        if x == y:
            return True
        return ulps > 0 and abs(x - y) <= ulps * math.ulp(max(abs(x), abs(y)))
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(same(a, b, ulps) for a, b in zip(x, y))
    return type(x) is type(y) and x == y


def deltalake_table(path, version=None):
    return DeltaTable(str(path), version=version).to_pyarrow_table()



def tolerance(engine):
    """Units in the last place a double may differ from deltalake's. Sail 0.7.2 takes the value of a
    column in a single-row file from the `add` action's JSON statistics and parses that JSON number
    1 ULP off (Sail's bug: the statistics' text round-trips exactly in Python, and Sail reads the same
    values exactly from files of several rows, from plain Parquet, and from a table deltalake wrote,
    see test_sail_bug_single_row_doubles_1_ulp_off). Our drift and performance tables hold one file
    per analysis window, so some of their single-row files show it."""
    return 1 if engine.lower().startswith("sail") else 0


def check_equal(engine, got, expected, name):
    found = differences(got, expected, name, ulps=tolerance(engine))
    assert not found, f"{engine} differs from deltalake in {len(found)} values, e.g. {found[:5]}"


def sail_cannot_time_travel(path, version):
    """Sail 0.7.2 lists the Delta log from min(_last_checkpoint's version, v) - 1 when it builds version
    v, so for 2 <= v < the last checkpoint it misses the commits before v - 1 and fails with "Missing
    commit file" (Sail's bug, crates/sail-delta-lake/src/delta_log/segment.rs; the same on a table
    deltalake wrote and checkpointed, see test_sail_bug_time_travel_before_a_checkpoint)."""
    last = pathlib.Path(path) / "_delta_log" / "_last_checkpoint"
    return last.exists() and 2 <= version < json.loads(last.read_text())["version"]



def as_arrow(value):
    if isinstance(value, pa.Table):
        return value
    if hasattr(value, "to_arrow"):
        return value.to_arrow()
    return pa.Table.from_pandas(value, preserve_index=False)
