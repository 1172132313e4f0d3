"""Bad and edge inputs of `driftline profile` and `driftline batch` (issue 6): each gives a clear
message and exit code or a defined result, never a crash."""
import fcntl
import json
import os
import subprocess
import time

import numpy as np
import pandas as pd
import deltalake

import batch_dataset as ds
from conftest import bin_dir, executable
from test_batch import mapping_flags, write_rows_jsonl


def driftline(*args):
    return subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=300)


def profile(store, csv, endpoint="shop", *extra):
    return driftline("profile", "--store", store, "--endpoint", endpoint, "--model-version", "1", "--csv", csv,
                     *mapping_flags(), *extra)


def small_training(tmp_path, n=300):
    training, _ = ds._rows(np.random.default_rng(1), n, drifted=False, accuracy=0.9), None
    path = tmp_path / "train.csv"
    training.to_csv(path, index=False)
    return training, path


def test_training_csv_with_a_missing_column_names_it(tmp_path):
    training, _ = small_training(tmp_path)
    path = tmp_path / "missing.csv"
    training.drop(columns=["num_05"]).to_csv(path, index=False)
    proc = profile(tmp_path / "store", path)
    assert proc.returncode != 0 and proc.returncode != 3
    assert "no column named num_05" in proc.stderr
    assert not (tmp_path / "store" / "references").exists()


def test_non_numeric_values_in_a_numeric_column_name_line_and_column(tmp_path):
    training, _ = small_training(tmp_path)
    training["num_03"] = training["num_03"].astype(object)
    training.loc[4, "num_03"] = "abc"
    path = tmp_path / "bad.csv"
    training.to_csv(path, index=False)
    proc = profile(tmp_path / "store", path)
    assert proc.returncode == 1, proc.stderr
    assert f"{path}:6: column num_03: \"abc\" is not a number" in proc.stderr
    assert "fix the training set" in proc.stderr


def test_empty_file_and_header_only_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    proc = profile(tmp_path / "store", empty)
    assert proc.returncode != 0 and "empty file" in proc.stderr
    training, _ = small_training(tmp_path)
    header = tmp_path / "header.csv"
    training.head(0).to_csv(header, index=False)
    proc = profile(tmp_path / "store", header)
    assert proc.returncode == 1 and "no data rows" in proc.stderr


def test_reference_has_bins_equal_to_numpy_quantiles(tmp_path):
    training, path = small_training(tmp_path, n=1000)
    proc = profile(tmp_path / "store", path, "shop", "--bins", "10")
    assert proc.returncode == 0, proc.stderr
    ref = json.loads((tmp_path / "store" / "references" / "shop" / "1.json").read_text())
    text = json.dumps(ref)
    for column in ["num_00", ":pred1"]:
        values = training[column].to_numpy(float) if column == "num_00" else ds.derived(training)[column].to_numpy(float)
        expected = ds.reference_edges(values, bins=10)
        found = [c for c in ref["columns"] if c["name"] == column][0]
        assert np.allclose(found["edges"], expected, rtol=0, atol=0), column
        assert found["histogram"] == ds.bin_counts(values, expected).astype(int).tolist()
    assert "region" in text and "c9" in text


def test_invalid_endpoint_name_is_rejected(tmp_path):
    _, path = small_training(tmp_path)
    proc = profile(tmp_path / "store", path, "../etc")
    assert proc.returncode != 0 and "endpoint" in proc.stderr


def test_store_without_profiles_says_what_to_do(tmp_path):
    (tmp_path / "store").mkdir()
    proc = driftline("batch", "--store", tmp_path / "store")
    assert proc.returncode == 1 and "no profiles table" in proc.stderr and "driftline tail" in proc.stderr
    proc = driftline("batch", "--store", tmp_path / "nowhere")
    assert proc.returncode != 0 and "no such folder" in proc.stderr


def recent_hours(tmp_path, rows_per_hour, hours_back):
    """A store with a reference of endpoint shop (and one of endpoint ghost, which has no traffic) and
    production profiles in the given hours before now."""
    store = tmp_path / "store"
    training, path = small_training(tmp_path, n=2000)
    assert profile(store, path).returncode == 0
    assert profile(store, path, "ghost").returncode == 0
    now = int(time.time())
    last = now - now % 3600 - 3600
    rng = np.random.default_rng(5)
    frames = []
    for back in hours_back:
        frame = ds._rows(rng, rows_per_hour, drifted=True, accuracy=0.5, start_s=last - 3600 * back)
        frames.append(frame)
    write_rows_jsonl(tmp_path / "rows.jsonl", frames)
    (tmp_path / "schema.json").write_text(json.dumps({
        "features": [{"name": f, "kind": "categorical" if f in ds.CATEGORICAL else "numeric"} for f in ds.FEATURES],
        "classes": ds.CLASSES}))
    out = subprocess.run([str(executable("BatchInterop")), "write-profiles", store, "shop", "1", tmp_path / "schema.json",
                          tmp_path / "rows.jsonl"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return store, last


def hours_of(store, table):
    frame = deltalake.DeltaTable(str(store / table)).to_pandas()
    return frame, sorted(set(frame["window_start"].astype("datetime64[us, UTC]").astype("int64") // 1_000_000))


def test_fewer_than_100_values_is_insufficient_data_and_no_alert(tmp_path):
    store, last = recent_hours(tmp_path, rows_per_hour=60, hours_back=[0])
    proc = driftline("batch", "--store", store, "--fail-on-drift")
    assert proc.returncode == 0, proc.stderr
    drift, hours = hours_of(store, "drift")
    assert hours == [last]
    assert set(drift["status"]) == {"insufficient_data"}
    perf, _ = hours_of(store, "performance")
    assert list(perf["drift_status"]) == ["insufficient_data"]
    assert perf["requests"].iloc[0] == 60


def test_default_range_catches_up_on_unanalysed_hours_and_fail_on_drift_exits_3(tmp_path):
    store, last = recent_hours(tmp_path, rows_per_hour=400, hours_back=[0, 2, 5, 30, 50])
    proc = driftline("batch", "--store", store, "--fail-on-drift")
    assert proc.returncode == 3, proc.stdout + proc.stderr
    _, hours = hours_of(store, "performance")
    assert hours == [last - 30 * 3600, last - 5 * 3600, last - 2 * 3600, last]   # 50 h back is outside the default 48 h lookback
    assert "drift_detected" in proc.stdout
    # The ghost endpoint has a reference but no profiles: nothing is written for it.
    assert not (store / "reports" / "ghost").exists()
    reports = sorted(os.listdir(store / "reports" / "shop"))
    assert len(reports) == 8 and all(r.endswith((".html", ".json")) for r in reports)
    # A second run finds nothing changed (the hours were analysed, no profile rows came since) and leaves the rows as they were.
    before, _ = hours_of(store, "performance")
    proc = driftline("batch", "--store", store)
    assert proc.returncode == 0 and proc.stdout.count("shop v1") == 0, proc.stdout
    assert "nothing changed since the last run" in proc.stdout
    after, _ = hours_of(store, "performance")
    key = ["window_start"]
    pd.testing.assert_frame_equal(before.sort_values(key).reset_index(drop=True), after.sort_values(key).reset_index(drop=True))


def test_a_second_batch_exits_0_and_names_the_holder(tmp_path):
    store, _ = recent_hours(tmp_path, rows_per_hour=150, hours_back=[0])
    (store / "locks").mkdir(exist_ok=True)
    with open(store / "locks" / "batch.lock", "a+") as held:
        fcntl.lockf(held, fcntl.LOCK_EX | fcntl.LOCK_NB)   # store locks are POSIX record locks (shared over NFS)
        proc = driftline("batch", "--store", store)
        assert proc.returncode == 0
        assert "another batch is running" in proc.stderr
    assert not (store / "drift").exists() or deltalake.DeltaTable(str(store / "drift")).to_pandas().empty


def test_bad_flags_name_the_flag(tmp_path):
    (tmp_path / "store").mkdir()
    proc = driftline("batch", "--store", tmp_path / "store", "--from", "yesterday")
    assert proc.returncode != 0 and "--from yesterday" in proc.stderr
    (tmp_path / "bad.yaml").write_text("defaults: {bins: 1}\n")
    proc = driftline("batch", "--store", tmp_path / "store", "--config", tmp_path / "bad.yaml")
    assert proc.returncode == 1 and "defaults.bins = 1" in proc.stderr
