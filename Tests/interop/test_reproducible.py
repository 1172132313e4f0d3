"""The same store gives the same bytes: `query`, `batch` (tables, reports, textfile, Anodot) and `compact`
run twice on copies of one store agree byte for byte, `tail --once` over one log into two empty stores
commits the same rows, and compaction changes no analysed number (every merge follows one canonical
order and every sketch merge's coin is seeded from the data it merges)."""
import filecmp
import json
import shutil
import subprocess

import pytest
from deltalake import DeltaTable

from conftest import ROOT, bin_dir

START, END = "2026-11-01T00:00:00Z", "2026-11-01T02:00:00Z"
TRAINING = ROOT / "pipelines" / "demo" / "iris-train.csv"
CLASSES = "setosa,versicolor,virginica"


def driftline(*args, cwd=None):
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)
    assert proc.returncode == 0, f"driftline {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def simulate(log, writer, seed):
    driftline("simulate", "--log", log, "--endpoint", "iris-good", "--hours", "2", "--start", START, "--drift-hour", "1",
              "--seed", seed, "--writer-id", writer)


def rows(store, table, keys):
    df = DeltaTable(str(store / table)).to_pandas()
    return df.sort_values(keys).reset_index(drop=True)


PROFILE_KEYS = ["endpoint", "model_version", "window_start", "column_name", "count", "missing_count", "sketch"]
DRIFT_KEYS = ["endpoint", "model_version", "window_start", "baseline", "column_name"]
PERFORMANCE_KEYS = ["endpoint", "model_version", "window_start"]


@pytest.fixture(scope="module")
def store_with_partials(tmp_path_factory):
    """Two hours of iris-good traffic with a reference; every window in several partial rows (a second
    writer's records and late labels arrive in a second and third tail run)."""
    root = tmp_path_factory.mktemp("repro")
    log, store = root / "log", root / "store"
    driftline("profile", "--store", store, "--endpoint", "iris-good", "--model-version", "1", "--csv", TRAINING,
              "--features", "sepal_length,sepal_width,petal_length,petal_width", "--classes", CLASSES,
              "--proba-columns", "good_setosa,good_versicolor,good_virginica", "--label-column", "species")
    simulate(log, "w1", 7)
    driftline("tail", "--log", log, "--store", store, "--once")
    simulate(log, "w2", 8)
    driftline("tail", "--log", log, "--store", store, "--once")
    simulate(log, "w3", 9)
    driftline("tail", "--log", log, "--store", store, "--once")
    return root


def same_tree(a, b):
    comparison = filecmp.dircmp(a, b)
    differing = []

    def walk(c, prefix=""):
        differing.extend(prefix + name for name in c.diff_files + c.left_only + c.right_only)
        for name, sub in c.subdirs.items():
            walk(sub, prefix + name + "/")
    walk(comparison)
    return differing


def test_tail_once_over_one_log_commits_the_same_rows(store_with_partials, tmp_path):
    log = store_with_partials / "log"
    first, second = tmp_path / "a", tmp_path / "b"
    driftline("tail", "--log", log, "--store", first, "--once")
    driftline("tail", "--log", log, "--store", second, "--once")
    a, b = rows(first, "profiles", PROFILE_KEYS), rows(second, "profiles", PROFILE_KEYS)
    assert len(a) > 100
    assert a.equals(b)


def test_query_batch_and_compact_on_copies_give_the_same_bytes(store_with_partials, tmp_path):
    source = store_with_partials / "store"
    parts = rows(source, "profiles", PROFILE_KEYS).groupby(["window_start", "column_name"]).size()
    assert parts.max() >= 3, "the windows must hold several partial rows"
    outputs = {}
    for name in ("a", "b"):
        copy = tmp_path / name
        shutil.copytree(source, copy / "store")
        def run(*args):   # the copies' own paths are the one thing that may differ in what is printed
            return driftline(*args).replace(str(copy), "<copy>")
        out = {"query": run("query", "--store", copy / "store", "--json")}
        out["batch"] = run("batch", "--store", copy / "store", "--from", START, "--to", END,
                           "--prom-textfile", copy / "driftline.prom", "--anodot", copy / "anodot.json")
        out["compact"] = run("compact", "--store", copy / "store", "--older-than", "0s")
        out["query after compact"] = run("query", "--store", copy / "store", "--json")
        out["drift"] = rows(copy / "store", "drift", DRIFT_KEYS)
        out["performance"] = rows(copy / "store", "performance", PERFORMANCE_KEYS)
        out["profiles"] = rows(copy / "store", "profiles", PROFILE_KEYS)
        outputs[name] = out
    a, b = outputs["a"], outputs["b"]
    for key in ("query", "batch", "compact", "query after compact"):
        assert a[key] == b[key], f"{key} printed different bytes on two copies of one store"
    for key in ("drift", "performance", "profiles"):
        assert a[key].equals(b[key]), f"{key} rows differ between two copies of one store"
    assert not same_tree(tmp_path / "a" / "store" / "reports", tmp_path / "b" / "store" / "reports")
    for name in ("driftline.prom", "anodot.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def without_part_counts(query_json):
    """`query --json` lines without `partial_rows`, the one field compaction is meant to change."""
    lines = [json.loads(line) for line in query_json.splitlines()]
    for line in lines:
        line.pop("partial_rows")
    return lines


def test_compaction_changes_no_merged_profile_and_no_analysed_number(store_with_partials, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(store_with_partials / "store", store)
    before_query = driftline("query", "--store", store, "--json")
    driftline("batch", "--store", store, "--from", START, "--to", END)
    drift, performance = rows(store, "drift", DRIFT_KEYS), rows(store, "performance", PERFORMANCE_KEYS)
    reports = tmp_path / "reports-before"
    shutil.copytree(store / "reports", reports)
    driftline("compact", "--store", store, "--older-than", "0s")
    assert without_part_counts(driftline("query", "--store", store, "--json")) == without_part_counts(before_query)
    driftline("batch", "--store", store, "--from", START, "--to", END)
    assert rows(store, "drift", DRIFT_KEYS).equals(drift)
    assert rows(store, "performance", PERFORMANCE_KEYS).equals(performance)
    assert not same_tree(reports, store / "reports")
