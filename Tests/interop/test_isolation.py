"""Blast radius: one bad item harms only itself, is named, and heals once removed (harness:
isolation_support.py). The cases of each class of bad input live in test_isolation_<class>.py; this file
checks the harness itself: a clean run is reproducible, so every case can be compared with it exactly."""
from isolation_support import HEALTHY, START_US, assert_healthy, clean_state, inference, seeded  # noqa: F401


def test_a_clean_run_is_what_every_case_compares_with(seeded, clean_state, tmp_path):
    assert clean_state["drift"] and clean_state["profiles"]
    assert len(clean_state["performance"]) == 2 and all(row["endpoint"] == HEALTHY for row in clean_state["performance"])
    again = seeded.copy(tmp_path / "again")
    again.tail(check=True)
    again.batch(check=True)
    assert_healthy(again, clean_state)


def test_a_raw_record_of_another_endpoint_leaves_the_healthy_one_alone(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "raw")
    pipeline.raw("other", [inference(START_US + 1_000_000 * i, [5.0, 3.0, 1.5, 0.2]) for i in range(200)])
    result = pipeline.tail()
    assert result.returncode == 0, result.text
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)


# ---------------------------------------------------------------------------------------------------------------
# Input rules (issue 13: event time, huge values, schemas and names). Each case writes valid-looking bad records
# of endpoint BAD through `LogInterop raw` (what an older or buggy writer could leave), beside the healthy
# endpoint; then `tail` and `batch` run as processes. Every case checks: no signal; the healthy endpoint equals a
# clean run; the bad item is counted and named in the output and in commitInfo; after the cause is removed (the
# writer logs good records again) the next tail/batch heals the bad endpoint with no manual deletion.
import json as _json  # noqa: E402
import math  # noqa: E402

import pytest as _pytest  # noqa: E402

from isolation_support import END, HOUR_US, IRIS_CLASSES, IRIS_COLUMNS, IRIS_FEATURES, TRAINING  # noqa: E402

BAD = "bad"
INT64_MAX, INT64_MIN = 2**63 - 1, -(2**63)
YEAR_2100_US = 4_102_444_800_000_000
BEFORE_2000_US = 946_684_799_000_000
REGRESSION = {"features": [["x", "numeric"]], "task": "regression"}


def _good(n=60, offset=0, rid_prefix=None):
    """n valid records of the healthy schema in the first hour, one a minute from `offset` minutes."""
    return [inference(START_US + (offset + i) * 60_000_000, [5.0 + (i % 7) / 10, 3.0, 1.5, 0.2],
                      rid=f"{rid_prefix}{i}" if rid_prefix else None) for i in range(n)]


def _driftline_info(pipeline):
    """The driftline part of every tail commit's commitInfo."""
    return [info["driftline"] for info in pipeline.commit_infos() if "driftline" in info]


def _quarantined(pipeline, endpoint=BAD):
    infos = _driftline_info(pipeline)
    records = sum(info.get("quarantinedRecords", 0) for info in infos)
    reasons = [info["quarantine"][endpoint]["reason"] for info in infos if endpoint in info.get("quarantine", {})]
    return records, reasons


def _profiles(pipeline, endpoint):
    result = pipeline.run("query", "--store", pipeline.store, "--endpoint", endpoint, "--json")
    return [_json.loads(line) for line in result.stdout.splitlines()] if result.returncode == 0 else []


def _run_and_check_healthy(pipeline, clean_state):
    tail = pipeline.tail()
    assert tail.returncode == 0, tail.text
    batch = pipeline.batch()
    assert batch.returncode == 0, batch.text
    assert_healthy(pipeline, clean_state)
    return tail


def _heal(pipeline, clean_state, *, schema=None, version="1", writer="raw", records=None):
    """The cause removed: the writer logs good records (second hour). The next tail and batch succeed, the bad
    endpoint's new records are profiled, nothing more is quarantined, the healthy endpoint is unchanged."""
    before, _ = _quarantined(pipeline)
    if records is not None:
        pass
    elif schema == REGRESSION:
        records = [{"ts": START_US + HOUR_US + i * 60_000_000, "features": [{"num": float(i)}], "pred": 1.0 + i}
                   for i in range(30)]
    else:
        records = _good(30, offset=60)
    pipeline.raw(BAD, records, schema=schema, version=version, writer=writer)
    tail = _run_and_check_healthy(pipeline, clean_state)
    after, _ = _quarantined(pipeline)
    assert after == before, f"healing quarantined more records:\n{tail.text}"
    rows = [row for row in _profiles(pipeline, BAD) if row.get("model_version") == version]
    assert rows and sum(row["count"] + row["missing"] for row in rows if row["column"] == ":latency_ms") >= 30
    assert pipeline.run("compact", "--store", pipeline.store, "--older-than", "0s").returncode == 0


EVENT_TIME_CASES = [
    # (name, bad timestamps, what the message shows)
    ("end of the 64-bit range", [INT64_MAX], f"{INT64_MAX}µs"),
    ("start of the 64-bit range", [INT64_MIN], f"{INT64_MIN}µs"),
    ("year 2100", [YEAR_2100_US], "2100-01-01T00:00:00Z"),
    ("before 2000", [BEFORE_2000_US], "1999-12-31T23:59:59Z"),
    ("several at both ends", [INT64_MAX - 1, YEAR_2100_US, 0, INT64_MIN + 1], "µs"),
]


@_pytest.mark.parametrize("name,times,shown", EVENT_TIME_CASES, ids=[c[0] for c in EVENT_TIME_CASES])
def test_input_rules_event_time_out_of_range_is_quarantined(seeded, clean_state, tmp_path, name, times, shown):
    pipeline = seeded.copy(tmp_path / "p")
    records = _good(30) + [inference(t, [5.0, 3.0, 1.5, 0.2]) for t in times] + _good(30, offset=30)
    pipeline.raw(BAD, records)
    tail = _run_and_check_healthy(pipeline, clean_state)
    count, reasons = _quarantined(pipeline)
    assert count == len(times), tail.text
    assert reasons and "outside the valid range" in reasons[0] and shown in reasons[0]
    assert f"quarantined {len(times)} records of endpoint {BAD}" in tail.text and shown in tail.text
    # The good records of the same endpoint were profiled, and its clock did not move: no window beyond the first hour.
    rows = _profiles(pipeline, BAD)
    assert sum(row["count"] for row in rows if row["column"] == ":latency_ms") == 60
    assert all(row["window_start"] < END for row in rows)
    for info in _driftline_info(pipeline):
        for watermark in info.get("watermarks", {}).values():
            assert watermark < START_US + 2 * HOUR_US
    _heal(pipeline, clean_state)


def test_input_rules_a_record_dated_2100_moves_no_clock_and_labels_still_join(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    predictions = _good(40, rid_prefix="r")
    future = [inference(YEAR_2100_US, [5.0, 3.0, 1.5, 0.2], rid="future")]
    # Delayed labels 30 minutes after their predictions, logged after the record dated 2100; one label dated 2100 too.
    labels = [{"ts": START_US + (i + 30) * 60_000_000, "label_for": f"r{i}", "label": "setosa"} for i in range(40)]
    labels.append({"ts": YEAR_2100_US, "label_for": "r0", "label": "virginica"})
    pipeline.raw(BAD, predictions + future + labels, batch=10)
    tail = _run_and_check_healthy(pipeline, clean_state)
    count, reasons = _quarantined(pipeline)
    assert count == 2 and "2100-01-01T00:00:00Z" in reasons[0], tail.text
    infos = _driftline_info(pipeline)
    assert sum(info["labelsJoined"] for info in infos) >= 40 + 0  # the healthy endpoint's joins count too
    assert sum(info["unmatchedLabels"] for info in infos) == 0
    label_rows = [row for row in _profiles(pipeline, BAD) if row["column"] == ":label"]
    assert sum(row["count"] for row in label_rows) == 40   # every delayed label joined; the 2100 one did not
    _heal(pipeline, clean_state)


def test_input_rules_huge_feature_values_are_out_of_range_not_damage(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    huge = [inference(START_US + i * 60_000_000, [v, 3.0, 1.5, 0.2]) for i, v in
            enumerate(["1.7976931348623157e308", "-1e155", "1e101", 5.0, 6.0])]
    pipeline.raw(BAD, _good(30) + huge)
    tail = _run_and_check_healthy(pipeline, clean_state)
    infos = _driftline_info(pipeline)
    assert sum(info.get("outOfRangeValues", 0) for info in infos) == 3
    assert "3 values beyond ±1e100" in tail.text and BAD in tail.text and "sepal_length" in tail.text
    sepal = [row for row in _profiles(pipeline, BAD) if row["column"] == "sepal_length"]
    assert sum(row["count"] for row in sepal) == 32 and sum(row["missing"] for row in sepal) == 3
    for row in sepal:
        for key in ("min", "max", "mean", "std", "p50"):
            assert row.get(key) is None or math.isfinite(row[key])
    # The stores' readers see no damage: query, compact and batch all succeed.
    assert pipeline.run("compact", "--store", pipeline.store, "--older-than", "0s").returncode == 0
    assert pipeline.batch().returncode == 0
    _heal(pipeline, clean_state)


def test_input_rules_residuals_beyond_the_bound_are_missing(seeded, clean_state, tmp_path):
    """A regression prediction and label each within ±1e100 (the logger accepts them) whose residual is beyond it:
    the residual columns count it as out of range, never as a value."""
    pipeline = seeded.copy(tmp_path / "p")
    records = [{"ts": START_US + i * 60_000_000, "features": [{"num": float(i)}], "pred": 1.0 + i} for i in range(20)]
    records.append({"ts": START_US + 21 * 60_000_000, "features": [{"num": "-1.7976931348623157e308"}], "pred": "9e99",
                    "label": -9e99})
    pipeline.raw(BAD, records, schema=REGRESSION)
    tail = _run_and_check_healthy(pipeline, clean_state)
    # x, :residual and :abs_residual of the last record.
    assert sum(info.get("outOfRangeValues", 0) for info in _driftline_info(pipeline)) == 3, tail.text
    residual = [row for row in _profiles(pipeline, BAD) if row["column"] == ":residual"]
    assert sum(row["missing"] for row in residual) == 1 and sum(row["count"] for row in residual) == 0
    for row in _profiles(pipeline, BAD):
        for key in ("min", "max", "mean", "std"):
            assert row.get(key) is None or math.isfinite(row[key]), row
    _heal(pipeline, clean_state, schema=REGRESSION)


NAME_CASES = [
    # (name, schema, version, what the reason says)
    ("reserved feature name", {"features": [[":prediction", "numeric"], ["sepal_width", "numeric"],
                                            ["petal_length", "numeric"], ["petal_width", "numeric"]],
                               "task": {"classes": IRIS_CLASSES}}, "1", "reserved"),
    ("version starting with _", None, "_canary", "must not start with '.' or '_'"),
    ("version with a slash", None, "a/b", "must not contain '/'"),
    ("version ..", None, "..", "must not"),
]


@_pytest.mark.parametrize("name,schema,version,said", NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_input_rules_invalid_names_are_quarantined(seeded, clean_state, tmp_path, name, schema, version, said):
    pipeline = seeded.copy(tmp_path / "p")
    pipeline.raw(BAD, _good(20), schema=schema, version=version)
    tail = _run_and_check_healthy(pipeline, clean_state)
    count, reasons = _quarantined(pipeline)
    assert count == 20 and said in reasons[0], tail.text
    assert f"endpoint {BAD} model version {version}" in tail.text
    assert not _profiles(pipeline, BAD)
    # The same rule refuses the name up front in `profile` (and the logger, ingest, collect: one NameRules).
    if schema is None:
        profile = pipeline.run("profile", "--store", pipeline.store, "--endpoint", BAD, "--model-version", version,
                               "--csv", TRAINING, *IRIS_COLUMNS)
        assert profile.returncode != 0 and said in profile.text
    _heal(pipeline, clean_state, version="2", writer="fixed")


def test_input_rules_a_changed_schema_under_one_version_is_quarantined(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    pipeline.raw(BAD, _good(20), writer="w1")
    changed = {"features": [["sepal_length", "categorical"], ["sepal_width", "numeric"], ["petal_length", "numeric"],
                            ["petal_width", "numeric"]], "task": {"classes": IRIS_CLASSES}}
    records = [{"ts": START_US + i * 60_000_000, "features": [{"cat": "long"}, {"num": 3.0}, {"num": 1.5}, {"num": 0.2}],
                "proba": [0.8, 0.1, 0.1]} for i in range(25)]
    pipeline.raw(BAD, records, schema=changed, writer="w2")
    tail = _run_and_check_healthy(pipeline, clean_state)
    count, reasons = _quarantined(pipeline)
    assert count == 25, tail.text
    assert "column 'sepal_length' changed from numeric to categorical" in reasons[0] and "bump the model version" in reasons[0]
    # The version's first schema stays recorded, so a later tail refuses the changed one too.
    assert any("bad/1" in info.get("schemas", {}) for info in _driftline_info(pipeline))
    pipeline.raw(BAD, records[:5], schema=changed, writer="w3")
    again = pipeline.tail()
    assert again.returncode == 0 and _quarantined(pipeline)[0] == 30, again.text
    healed = [dict(record, ts=START_US + HOUR_US + i * 60_000_000) for i, record in enumerate(records) for _ in [0]]
    healed += [dict(record, ts=START_US + HOUR_US + (25 + i) * 60_000_000) for i, record in enumerate(records[:5])]
    _heal(pipeline, clean_state, schema=changed, version="2", writer="w4", records=healed)


def test_input_rules_the_logger_refuses_a_changed_schema_and_bad_names(seeded, tmp_path):
    """At write time (the logger behind `ingest`): the same version with another schema, a reserved name and a
    version `_canary` are refused with a message that says what to do; nothing is written."""
    pipeline = seeded.copy(tmp_path / "p")
    base = ["ingest", "--log", pipeline.log, "--endpoint", BAD, "--csv", TRAINING, "--writer-id", "i1"]
    first = pipeline.run(*base, "--model-version", "1", *IRIS_COLUMNS)
    assert first.returncode == 0, first.text
    changed = ["--features", ",".join(IRIS_FEATURES), "--categorical", "sepal_length"] + IRIS_COLUMNS[2:]
    refused = pipeline.run(*base[:-1], "i2", "--model-version", "1", *changed)
    assert refused.returncode != 0 and "bump the model version" in refused.text, refused.text
    canary = pipeline.run(*base[:-1], "i3", "--model-version", "_canary", *IRIS_COLUMNS)
    assert canary.returncode != 0 and "must not start with '.' or '_'" in canary.text, canary.text
    reserved = ["--features", ":prediction,sepal_width,petal_length,petal_width"] + IRIS_COLUMNS[2:]
    refused = pipeline.run(*base[:-1], "i4", "--model-version", "3", *reserved)
    assert refused.returncode != 0 and "reserved" in refused.text, refused.text
    assert not (pipeline.log / BAD / "i2").exists() or not any((pipeline.log / BAD / "i2").glob("*.log"))


@_pytest.mark.parametrize("args,flag", [
    (["--window", "1e16"], "--window"),
    (["--window", "1e16s"], "--window"),
    (["--commit-interval", "99999999999d"], "--commit-interval"),
    (["--join-horizon", "1e300"], "--join-horizon"),
])
def test_input_rules_huge_durations_are_typed_errors(seeded, tmp_path, args, flag):
    pipeline = seeded.copy(tmp_path / "p")
    result = pipeline.tail(*args)
    assert result.returncode not in (0,) and flag in result.text and "100 years" in result.text, result.text


@_pytest.mark.parametrize("value", ["1e20", "1e20s", "99999999999999999"])
def test_input_rules_huge_durations_in_the_pipeline_file_are_typed_errors(seeded, tmp_path, value):
    pipeline = seeded.copy(tmp_path / "p")
    config = tmp_path / "pipeline.yaml"
    config.write_text(f"tail:\n  commit_interval: {value}\n")
    result = pipeline.tail("--config", config)
    assert result.returncode != 0 and "commit_interval" in result.text.replace("commit-interval", "commit_interval"), result.text


def test_input_rules_ingest_and_profile_apply_the_same_value_rule(seeded, clean_state, tmp_path):
    """One ValueRange for `ingest` (the logger) and `profile`: a huge regression prediction is refused by ingest with
    its line and field; a huge feature value is accepted by both and profiled as missing, in the reference too."""
    pipeline = seeded.copy(tmp_path / "p")
    csv = tmp_path / "reg.csv"
    rows = ["x,pred,y,ts"] + [f"{i},{i + 0.5},{i},2026-11-01T00:{i:02d}:00Z" for i in range(30)]
    rows.append("1.7976931348623157e308,1,1,2026-11-01T00:40:00Z")
    csv.write_text("\n".join(rows) + "\n")
    mapping = ["--features", "x", "--prediction-column", "pred", "--label-column", "y"]
    ingest = pipeline.run("ingest", "--log", pipeline.log, "--endpoint", BAD, "--model-version", "1", "--csv", csv,
                          "--timestamp-column", "ts", "--writer-id", "csv", *mapping)
    assert ingest.returncode == 0, ingest.text
    profile = pipeline.run("profile", "--store", pipeline.store, "--endpoint", BAD, "--model-version", "1", "--csv", csv, *mapping)
    assert profile.returncode == 0, profile.text
    reference = _json.loads((pipeline.store / "references" / BAD / "1.json").read_text())
    text = _json.dumps(reference)
    assert "1.7976931348623157e+308" not in text and "e+308" not in text
    tail = _run_and_check_healthy(pipeline, clean_state)
    assert sum(info.get("outOfRangeValues", 0) for info in _driftline_info(pipeline)) == 1, tail.text
    x = [row for row in _profiles(pipeline, BAD) if row["column"] == "x"]
    assert sum(row["count"] for row in x) == 30 and sum(row["missing"] for row in x) == 1
    huge = tmp_path / "huge.csv"
    huge.write_text("x,pred,y,ts\n1,1e300,1,2026-11-01T01:00:00Z\n")
    refused = pipeline.run("ingest", "--log", pipeline.log, "--endpoint", BAD, "--model-version", "1", "--csv", huge,
                           "--timestamp-column", "ts", "--writer-id", "csv2", *mapping)
    assert "1e+300" in refused.text and "1e100" in refused.text, refused.text
    assert pipeline.run("profile", "--store", pipeline.store, "--endpoint", BAD, "--model-version", "9", "--csv", huge,
                        *mapping).returncode != 0


def test_input_rules_quarantine_and_out_of_range_show_on_metrics(seeded, clean_state, tmp_path):
    """In follow mode: records with a bad event time, a bad model version and a huge value are counted on /metrics
    with endpoint and reason while the tail keeps running; SIGTERM then exits 0 and the healthy endpoint is exact."""
    import signal
    import socket
    import subprocess
    import time
    import urllib.request

    pipeline = seeded.copy(tmp_path / "p")
    pipeline.raw(BAD, _good(20) + [inference(YEAR_2100_US, [5.0, 3.0, 1.5, 0.2]), inference(INT64_MAX, [5.0, 3.0, 1.5, 0.2])]
                 + [inference(START_US + 50 * 60_000_000, ["1e200", 3.0, 1.5, 0.2])])
    pipeline.raw(BAD, _good(5), version="_canary", writer="canary")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen([str(pipeline_bin()), "tail", "--log", pipeline.log, "--store", pipeline.store,
                                "--commit-interval", "200ms", "--metrics-port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wanted = [f'driftline_tail_quarantined_records_total{{endpoint="{BAD}",reason="event_time"}} 2',
              f'driftline_tail_quarantined_records_total{{endpoint="{BAD}",reason="names"}} 5',
              f'driftline_tail_out_of_range_values_total{{endpoint="{BAD}"}} 1']
    text = ""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                    text = response.read().decode()
            except OSError:
                text = ""
            if all(line in text for line in wanted):
                break
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    for line in wanted:
        assert line in text, f"{line} not on /metrics:\n{text}"
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    _heal(pipeline, clean_state)


def pipeline_bin():
    from conftest import bin_dir
    return bin_dir() / "driftline"


# --- Store and write failures (damaged commits, page checksums, full disks, a missing log folder) -----------
# A second endpoint ("other", simulated beside the healthy one) carries the bad item; the healthy endpoint must
# come out exactly as in a clean run, the bad item be named, and the next run heal it with no manual deletion.
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

import pyarrow.parquet as pq  # noqa: E402
import pytest  # noqa: E402
from deltalake import DeltaTable  # noqa: E402

from conftest import bin_dir  # noqa: E402
from isolation_support import END, IRIS_COLUMNS, START, TRAINING, Pipeline  # noqa: E402

OTHER = "other"


def with_other(seeded, path) -> Pipeline:
    """A copy of the seeded log with a second endpoint, `other` (a different seed and writer), beside the healthy one."""
    pipeline = seeded.copy(path)
    pipeline.run("simulate", "--log", pipeline.log, "--endpoint", OTHER, "--records", "1800", "--rate", "0.5",
                 "--start", START, "--seed", "11", "--writer-id", "o1", check=True)
    pipeline.run("profile", "--store", pipeline.store, "--endpoint", OTHER, "--model-version", "1", "--csv", TRAINING,
                 *IRIS_COLUMNS, check=True)
    return pipeline


def newest_commit(pipeline, table):
    return max((pipeline.store / table / "_delta_log").glob("*.json"))


def aged(path, seconds=3600):
    """Marks a damaged file as damaged long ago (a writer moves a damaged newest commit aside once it is 30 s old)."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def cut_at_line_end(data):
    lines = data.split(b"\n")
    return b"\n".join(lines[:-3]) + b"\n"   # drops the last two actions, ends at a line end


COMMIT_DAMAGE = {
    "empty": lambda data: b"",
    "cut at a line end": cut_at_line_end,
    "cut inside a line": lambda data: data[: len(data) - 40],
    "garbage": lambda data: b"\x00\x13 this is not a Delta commit \xff\n",
}


@pytest.mark.parametrize("damage", sorted(COMMIT_DAMAGE))
def test_a_damaged_newest_profiles_commit_is_named_and_the_next_tail_heals_it(seeded, clean_state, tmp_path, damage):
    pipeline = with_other(seeded, tmp_path / "case")
    pipeline.tail(check=True)
    commit = newest_commit(pipeline, "profiles")
    commit.write_bytes(COMMIT_DAMAGE[damage](commit.read_bytes()))
    aged(commit)
    # Readers report the damage, naming the file; nothing is read as an empty commit.
    for result in (pipeline.run("query", "--store", pipeline.store), pipeline.batch()):
        assert result.returncode != 0, result.text
        assert commit.name in result.text and ("damaged commit" in result.text or "not a valid Delta action" in result.text), result.text
    # The tail (the table's writer) moves it aside, says so, and commits the version again from the log.
    healed = pipeline.tail()
    assert healed.returncode == 0, healed.text
    assert commit.name in healed.text and "_delta_log_damaged" in healed.text, healed.text
    kept = list((pipeline.store / "profiles" / "_delta_log_damaged").iterdir())
    assert len(kept) == 1 and kept[0].name.startswith(commit.name)
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    other = pipeline.run("query", "--store", pipeline.store, "--endpoint", OTHER, "--json", check=True).stdout.splitlines()
    assert other and all(json.loads(line)["endpoint"] == OTHER for line in other)


def test_a_damaged_newest_drift_commit_is_moved_aside_by_the_next_batch(seeded, clean_state, tmp_path):
    pipeline = with_other(seeded, tmp_path / "case")
    pipeline.tail(check=True)
    pipeline.batch(check=True)
    commit = newest_commit(pipeline, "drift")
    commit.write_bytes(b"")
    aged(commit)
    result = pipeline.batch()
    assert result.returncode == 0, result.text
    assert commit.name in result.text and "_delta_log_damaged" in result.text, result.text
    assert_healthy(pipeline, clean_state)


def flip_page_byte(path):
    """Flips the last byte of the largest column chunk of row group 0 (inside its last page's body); returns the offset."""
    group = pq.ParquetFile(path).metadata.row_group(0)
    chunk = max((group.column(i) for i in range(group.num_columns)), key=lambda c: c.total_compressed_size)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    at = start + chunk.total_compressed_size - 1
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    return at


def live_files(pipeline, table, endpoint):
    prefix = f"endpoint={endpoint}/"
    return [pipeline.store / table / uri.split(f"/{table}/", 1)[1]
            for uri in DeltaTable(str(pipeline.store / table)).file_uris() if f"/{prefix}" in uri]


def test_a_flipped_byte_in_a_profiles_file_is_reported_by_query_batch_and_compact(seeded, clean_state, tmp_path):
    pipeline = with_other(seeded, tmp_path / "case")
    pipeline.tail(check=True)
    [damaged] = live_files(pipeline, "profiles", OTHER)
    at = flip_page_byte(damaged)
    flipped = damaged.read_bytes()
    # query: the healthy endpoint's profiles are printed complete, the damaged file is named, exit 1.
    query = pipeline.run("query", "--store", pipeline.store, "--json")
    assert query.returncode == 1 and damaged.name in query.stderr and "checksum" in query.stderr, query.text
    printed = [json.loads(line) for line in query.stdout.splitlines()]
    for profile in printed:
        profile.pop("partial_rows", None)
    assert [p for p in printed if p["endpoint"] == HEALTHY] == clean_state["profiles"]
    assert not [p for p in printed if p["endpoint"] == OTHER]
    # batch: the other endpoint is not analysed (named, exit 1), the healthy one is, exactly.
    batch = pipeline.batch()
    assert batch.returncode == 1 and damaged.name in batch.stderr and OTHER in batch.stderr, batch.text
    assert_healthy(pipeline, clean_state)
    assert not pipeline.rows("performance", OTHER)
    # compact (on a copy): refuses to rewrite the damaged file, compacts the healthy endpoint.
    copy = pipeline.copy(tmp_path / "compact")
    compact = copy.run("compact", "--store", copy.store, "--older-than", "0s", "--no-vacuum")
    assert compact.returncode == 1 and damaged.name in compact.stderr, compact.text
    copied = copy.store / "profiles" / damaged.relative_to(pipeline.store / "profiles")
    assert live_files(copy, "profiles", OTHER) == [copied] and copied.read_bytes() == flipped
    actions = [json.loads(line) for line in newest_commit(copy, "profiles").read_text().splitlines()]
    assert any("add" in a and a["add"]["partitionValues"]["endpoint"] == HEALTHY and (a["add"].get("tags") or {}).get("driftline.compacted") == "true"
               for a in actions)
    # The cause removed (the byte restored, as from a backup): the next batch analyses the other endpoint too.
    data = bytearray(damaged.read_bytes())
    data[at] ^= 0x01
    damaged.write_bytes(bytes(data))
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    assert len(pipeline.rows("performance", OTHER)) == 1     # its one hour


def test_a_flipped_byte_in_a_drift_file_is_named_and_replaced_by_the_next_batch(seeded, clean_state, tmp_path):
    pipeline = with_other(seeded, tmp_path / "case")
    pipeline.tail(check=True)
    pipeline.batch(check=True)
    before = pipeline.rows("drift", OTHER)
    damaged = live_files(pipeline, "drift", OTHER)[0]
    flip_page_byte(damaged)
    result = pipeline.batch()
    assert result.returncode == 0, result.text
    assert damaged.name in result.stderr and "checksum" in result.stderr, result.text
    assert damaged not in live_files(pipeline, "drift", OTHER)
    assert pipeline.rows("drift", OTHER) == before
    assert_healthy(pipeline, clean_state)


def file_size_limit(limit):
    """preexec_fn: the process may not grow a file past `limit` bytes (writes fail with EFBIG, a full disk's
    failure for our purposes); SIGXFSZ ignored so that the write fails instead of killing the process."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return apply


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metric(port, name):
    try:
        text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2).read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return None


def wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def uncommitted(pipeline, table):
    """Data files (and temporaries) in a table's folders that no live or removed file of the log names."""
    folder = pipeline.store / table
    named = set()
    for commit in (folder / "_delta_log").glob("*.json"):
        for line in commit.read_text().splitlines():
            action = json.loads(line)
            for kind in ("add", "remove"):
                if kind in action:
                    named.add(action[kind]["path"])
    return sorted(str(p.relative_to(folder)) for p in folder.glob("endpoint=*/*") if str(p.relative_to(folder)) not in named)


def stop(process):
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=60)
    assert code >= 0, f"tail died by signal {-code}"
    return code


def test_a_full_disk_during_tail_commits_is_retried_without_leftovers_loss_or_duplicates(seeded, clean_state, tmp_path):
    pipeline = with_other(seeded, tmp_path / "case")
    port = free_port()
    output = open(tmp_path / "tail.out", "w")
    tail = subprocess.Popen([str(bin_dir() / "driftline"), "tail", "--log", pipeline.log, "--store", pipeline.store,
                             "--commit-interval", "200ms", "--metrics-port", str(port)],
                            stdout=output, stderr=subprocess.STDOUT, preexec_fn=file_size_limit(16 * 1024))
    try:
        assert wait_for(lambda: (metric(port, "driftline_tail_commit_failures_total") or 0) >= 2), (tmp_path / "tail.out").read_text()
        assert tail.poll() is None, "tail exited on a failed commit"
        assert uncommitted(pipeline, "profiles") == []          # a failed commit removes the files it wrote
        # Space is back: the running tail's next try commits everything once.
        subprocess.run(["prlimit", f"--pid={tail.pid}", "--fsize=unlimited"], check=True)
        assert wait_for(lambda: metric(port, "driftline_tail_commit_retry_seconds") == 0 and
                        (metric(port, "driftline_tail_commits_total") or 0) >= 1)
    finally:
        code = stop(tail)
        output.close()
    text = (tmp_path / "tail.out").read_text()
    assert code == 0, text
    assert "retrying in" in text and "File too large" in text, text
    assert uncommitted(pipeline, "profiles") == []
    pipeline.tail(check=True)          # whatever the stopped tail had not read yet, exactly once
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)


def test_a_full_disk_during_batch_reports_the_run_incomplete_and_the_next_run_finishes_it(seeded, clean_state, tmp_path):
    pipeline = with_other(seeded, tmp_path / "case")
    pipeline.tail(check=True)
    pipeline.batch("--endpoint", HEALTHY, check=True)   # the tables exist; the full run below replaces their rows
    proc = subprocess.run([str(bin_dir() / "driftline"), "batch", "--store", pipeline.store, "--from", START, "--to", END],
                          capture_output=True, text=True, preexec_fn=file_size_limit(2 * 1024), timeout=600)
    assert proc.returncode > 0, proc.stdout + proc.stderr
    assert "incomplete" in proc.stderr and "File too large" in proc.stderr, proc.stderr
    assert uncommitted(pipeline, "drift") == [] and uncommitted(pipeline, "performance") == []
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)


def test_tail_waits_for_a_log_folder_that_does_not_exist_yet(seeded, clean_state, tmp_path):
    pipeline = Pipeline(tmp_path / "late")
    pipeline.store.parent.mkdir(parents=True)
    shutil.copytree(seeded.store, pipeline.store)             # the reference, no log yet
    port = free_port()
    output = open(tmp_path / "tail.out", "w")
    tail = subprocess.Popen([str(bin_dir() / "driftline"), "tail", "--log", pipeline.log, "--store", pipeline.store,
                             "--commit-interval", "200ms", "--metrics-port", str(port)], stdout=output, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: metric(port, "driftline_tail_log_missing") == 1)
        time.sleep(1)
        assert tail.poll() is None, "tail exited because the log folder is missing"
        shutil.copytree(seeded.log, tmp_path / "log.staged")
        os.rename(tmp_path / "log.staged", pipeline.log)     # the folder appears whole
        assert wait_for(lambda: metric(port, "driftline_tail_log_missing") == 0 and
                        (metric(port, "driftline_tail_rows_committed_total") or 0) > 0)
    finally:
        code = stop(tail)
        output.close()
    text = (tmp_path / "tail.out").read_text()
    assert code == 0 and "does not exist yet" in text and str(pipeline.log) in text, text
    pipeline.tail(check=True)          # whatever the stopped tail had not read yet, exactly once
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)


def test_a_full_disk_during_tail_once_exits_1_without_leftovers_and_the_next_run_commits_once(seeded, clean_state, tmp_path):
    pipeline = with_other(seeded, tmp_path / "case")
    proc = subprocess.run([str(bin_dir() / "driftline"), "tail", "--log", pipeline.log, "--store", pipeline.store, "--once"],
                          capture_output=True, text=True, preexec_fn=file_size_limit(16 * 1024), timeout=600)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "cannot commit" in proc.stderr and "File too large" in proc.stderr, proc.stderr
    assert uncommitted(pipeline, "profiles") == []          # the failed commit removed the files it wrote
    pipeline.tail(check=True)
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)


# ---------------------------------------------------------------------------------------------------------
# CSV input (issue 13, "CSV input" and "Smaller ones"): a bad row, file or label harms only itself, is named
# with its line, `profile` refuses exactly what `ingest` refuses, and re-running `ingest` after the cause is
# fixed (or after a kill -9) writes the missing rows and nothing twice.
import csv as _csv  # noqa: E402
import json  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

from conftest import ROOT, bin_dir  # noqa: E402
from isolation_support import IRIS_COLUMNS, START, TRAINING  # noqa: E402

CSV_ENDPOINT = "csvin"
CSV_ROWS = 200
CSV_MAPPING = [*IRIS_COLUMNS, "--timestamp-column", "ts", "--request-id-column", "id"]


def training_rows():
    with open(TRAINING, newline="") as f:
        return list(_csv.DictReader(f))


def csv_lines(count=CSV_ROWS, prefix="r"):
    """Header (line 1) and `count` scored iris rows (line i + 2 is row i), spread over the two hours the
    healthy endpoint covers."""
    train = training_rows()
    columns = ["id", "ts", "sepal_length", "sepal_width", "petal_length", "petal_width", "species",
               "good_setosa", "good_versicolor", "good_virginica"]
    lines = [",".join(columns)]
    for i in range(count):
        row = train[i % len(train)]
        ts = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START_US // 1_000_000 + (i * 7200) // count))
        lines.append(",".join([f"{prefix}{i}", ts] + [row[c] for c in columns[2:]]))
    return lines


def field(line, name, value):
    """`line` with its field `name` replaced by `value` (the columns of csv_lines)."""
    names = csv_lines(1)[0].split(",")
    parts = line.split(",")
    parts[names.index(name)] = value
    return ",".join(parts)


def ingested(pipeline, endpoint=CSV_ENDPOINT, kind="inference"):
    """The request ids (and labels) of the `kind` records of `endpoint` in the log, in log order."""
    out = pipeline.run("inspect", "--log", pipeline.log, "--endpoint", endpoint, "--json", check=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    return [(r["request_id"], r.get("label")) if kind == "label" else r["request_id"] for r in records if r["type"] == kind]


def ingest(pipeline, path, *extra, endpoint=CSV_ENDPOINT, version="1", mapping=CSV_MAPPING):
    return pipeline.run("ingest", "--log", pipeline.log, "--endpoint", endpoint, "--model-version", version, "--csv", path,
                        *mapping, *extra)


def assert_short_messages(text):
    """Every message line quotes at most ~100 characters of a value."""
    for line in text.splitlines():
        assert len(line) < 600, f"a message line of {len(line)} characters: {line[:200]}…"


# (case, line of the bad row, the bad row from the good one, what the message must say)
BAD_ROWS = [
    ("unterminated_quote", 6, lambda line: '"' + line, ["unterminated quoted field", "line 6"]),
    ("hex_number", 9, lambda line: field(line, "sepal_length", "0x10"), ["column sepal_length", '"0x10" is not a number']),
    ("impossible_date", 12, lambda line: field(line, "ts", "2026-02-30T00:00:00Z"), ["column ts", '"2026-02-30T00:00:00Z" is not a valid time']),
    ("ragged_row", 15, lambda line: line + ",extra", ["11 fields where the header has 10"]),
    ("infinity", 20, lambda line: field(line, "petal_width", "inf"), ["column petal_width", '"inf" is not a number']),
    ("overflow_to_infinity", 21, lambda line: field(line, "petal_width", "1e400"), ["column petal_width", "out of the range of a double"]),
    ("probability_above_one", 30, lambda line: field(line, "good_setosa", "1.5"), ["column good_setosa", "a probability is a finite number in [0, 1]"]),
    ("quote_inside_field", 33, lambda line: field(line, "id", 'r"31'), ["a quote inside the unquoted field"]),
    ("huge_garbage_value", 40, lambda line: field(line, "sepal_width", "x" * 5000), ["column sepal_width", "5000 characters"]),
]


@pytest.mark.parametrize("case,line,spoil,said", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_a_bad_csv_row_is_rejected_by_line_and_a_fixed_rerun_heals_without_duplicates(seeded, clean_state, tmp_path, case, line, spoil, said):
    pipeline = seeded.copy(tmp_path / "p")
    good = csv_lines()
    bad = list(good)
    bad[line - 1] = spoil(good[line - 1])
    path = tmp_path / "scored.csv"
    path.write_text("\n".join(bad) + "\n")
    all_ids = [f"r{i}" for i in range(CSV_ROWS)]
    bad_id = f"r{line - 2}"

    result = ingest(pipeline, path)
    assert result.returncode == 2, result.text
    assert f"{path}:{line}:" in result.stderr, result.text
    for fragment in said:
        assert fragment in result.stderr, f"{fragment!r} not in:\n{result.stderr}"
    assert f"ingested {CSV_ROWS - 1} records" in result.stdout and "1 rows rejected" in result.stdout, result.text
    assert "run the same command again" in result.stderr
    assert_short_messages(result.text)
    assert ingested(pipeline) == [i for i in all_ids if i != bad_id]   # the good rows, exactly, in order

    # `profile` reads with the same validation: it refuses the same row, by the same line.
    profiled = pipeline.run("profile", "--store", tmp_path / "refstore", "--endpoint", CSV_ENDPOINT, "--model-version", "1",
                            "--csv", path, *CSV_MAPPING)
    assert profiled.returncode == 1 and f"{path}:{line}:" in profiled.stderr and "1 rows of" in profiled.stderr, profiled.text
    assert profiled.stderr.count("Error:") == 1 and "error: error" not in profiled.text.lower()
    assert_short_messages(profiled.text)

    # The healthy endpoint beside it is exactly what a clean run makes.
    assert pipeline.tail().returncode == 0
    assert pipeline.batch().returncode == 0
    assert_healthy(pipeline, clean_state)

    # Fixed, the same command resumes: the one missing row is written, nothing twice.
    path.write_text("\n".join(good) + "\n")
    again = ingest(pipeline, path)
    assert again.returncode == 0, again.text
    assert "ingested 1 records" in again.stdout and f"{CSV_ROWS - 1} rows were already there" in again.stdout, again.text
    ids = ingested(pipeline)
    assert sorted(ids) == sorted(all_ids) and len(ids) == len(set(ids)) == CSV_ROWS
    assert pipeline.run("profile", "--store", tmp_path / "refstore", "--endpoint", CSV_ENDPOINT, "--model-version", "1",
                        "--csv", path, *CSV_MAPPING).returncode == 0
    assert pipeline.tail().returncode == 0
    assert_healthy(pipeline, clean_state)


def test_duplicate_header_names_refuse_the_file_and_write_nothing(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    good = csv_lines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([good[0].replace("good_virginica", "sepal_length")] + good[1:]) + "\n")
    result = ingest(pipeline, path, mapping=[a.replace("good_virginica", "sepal_length") for a in CSV_MAPPING])
    assert result.returncode == 64, result.text
    assert "line 1: columns 3 and 10 of the header are both named \"sepal_length\"" in result.stderr, result.text
    assert result.stderr.count("Error:") == 1
    assert ingested(pipeline) == []
    profiled = pipeline.run("profile", "--store", tmp_path / "refstore", "--endpoint", CSV_ENDPOINT, "--model-version", "1",
                            "--csv", path, *CSV_MAPPING)
    assert profiled.returncode == 64 and "both named" in profiled.stderr, profiled.text
    assert pipeline.tail().returncode == 0 and pipeline.batch().returncode == 0
    assert_healthy(pipeline, clean_state)
    path.write_text("\n".join(good) + "\n")
    assert ingest(pipeline, path).returncode == 0
    assert len(ingested(pipeline)) == CSV_ROWS


def test_a_label_is_checked_against_the_classes_of_its_predictions_version(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_text("\n".join(csv_lines(40, "a")) + "\n")
    v2.write_text("\n".join(csv_lines(40, "b")).replace(",setosa,", ",small,").replace(",versicolor,", ",medium,").replace(",virginica,", ",large,") + "\n")
    assert ingest(pipeline, v1).returncode == 0
    v2_mapping = [a.replace("setosa,versicolor,virginica", "small,medium,large") for a in CSV_MAPPING]
    assert ingest(pipeline, v2, version="2", mapping=v2_mapping).returncode == 0, "v2"
    labels = ["id,ts,species"] + [f"a{i},{START},setosa" for i in range(5)] + [f"b{i},{START},large" for i in range(5)]
    labels[8] = f"b2,{START},setosa"              # line 9: a v1 class for a v2 prediction
    path = tmp_path / "labels.csv"
    path.write_text("\n".join(labels) + "\n")
    label_flags = ["--labels", "--request-id-column", "id", "--label-column", "species", "--timestamp-column", "ts"]
    result = pipeline.run("ingest", "--log", pipeline.log, "--endpoint", CSV_ENDPOINT, "--csv", path, *label_flags)
    assert result.returncode == 2, result.text
    assert f"{path}:9: column species: label \"setosa\" is not a label of model version \"2\"" in result.stderr, result.text
    assert "small, medium, large" in result.stderr
    got = sorted(ingested(pipeline, kind="label"))
    assert got == sorted([(f"a{i}", "setosa") for i in range(5)] + [(f"b{i}", "large") for i in (0, 1, 3, 4)])
    assert pipeline.tail().returncode == 0 and pipeline.batch().returncode == 0
    assert_healthy(pipeline, clean_state)
    labels[8] = f"b2,{START},medium"
    path.write_text("\n".join(labels) + "\n")
    again = pipeline.run("ingest", "--log", pipeline.log, "--endpoint", CSV_ENDPOINT, "--csv", path, *label_flags)
    assert again.returncode == 0 and "ingested 1 labels" in again.stdout and "9 rows were already there" in again.stdout, again.text
    got = sorted(ingested(pipeline, kind="label"))
    assert got == sorted([(f"a{i}", "setosa") for i in range(5)] + [(f"b{i}", "large") for i in (0, 1, 3, 4)] + [("b2", "medium")])


def test_kill_9_mid_ingest_then_the_same_command_resumes_without_duplicates(seeded, clean_state, tmp_path):
    total = 200_000
    lines = csv_lines(total)
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n")
    for attempt in range(3):
        pipeline = seeded.copy(tmp_path / f"p{attempt}")
        args = [str(bin_dir() / "driftline"), "ingest", "--log", str(pipeline.log), "--endpoint", CSV_ENDPOINT,
                "--model-version", "1", "--csv", str(path), *CSV_MAPPING]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        folder = pipeline.log / CSV_ENDPOINT
        deadline = time.time() + 120
        while proc.poll() is None and time.time() < deadline:
            if folder.exists() and sum(f.stat().st_size for f in folder.rglob("*.log")) > 200_000:
                break
            time.sleep(0.005)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            break
        proc.wait()
    else:
        pytest.fail("ingest finished before it could be killed, three times")
    assert proc.returncode == -signal.SIGKILL
    partial = ingested(pipeline)
    assert 0 < len(partial) < total and partial == [f"r{i}" for i in range(len(partial))]   # a durable prefix
    again = ingest(pipeline, path)
    assert again.returncode == 0, again.text
    assert f"ingested {total - len(partial)} records" in again.stdout and f"{len(partial)} rows were already there" in again.stdout, again.text
    ids = ingested(pipeline)
    assert len(ids) == total and len(set(ids)) == total
    assert pipeline.tail().returncode == 0 and pipeline.batch().returncode == 0
    assert_healthy(pipeline, clean_state)


def test_batch_config_refuses_unknown_keys_and_names_them(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    assert pipeline.tail().returncode == 0
    config = tmp_path / "pipeline.yaml"
    config.write_text("defaults:\n  thresholds:\n    drift_detected_pvalu: 0.01\n")
    result = pipeline.batch("--config", config)
    assert result.returncode == 1 and "unknown key defaults.thresholds.drift_detected_pvalu" in result.stderr, result.text
    assert result.stderr.lower().count("error:") == 1
    config.write_text("defaults:\n  thresholds:\n    drift_detected_pvalue: 0.01\ntail:\n  window: 5m\n")
    assert pipeline.batch("--config", config).returncode == 0
    assert_healthy(pipeline, clean_state)


def test_a_usage_error_says_error_once_with_the_subcommands_usage(seeded, tmp_path):
    pipeline = seeded.copy(tmp_path / "p")
    path = tmp_path / "labels.csv"
    path.write_text("id,species\nx,setosa\n")
    result = pipeline.run("ingest", "--labels", "--log", pipeline.log, "--endpoint", "nosuch", "--csv", path,
                          "--request-id-column", "id", "--label-column", "species")
    assert result.returncode == 64, result.text
    assert result.stderr.lower().count("error:") == 1 and "--endpoint nosuch" in result.stderr, result.text
    assert "Usage: driftline ingest" in result.stderr and "See 'driftline ingest --help'" in result.stderr, result.text


@pytest.mark.parametrize("command", ["tail", "collect"])
def test_a_port_in_use_is_named(seeded, tmp_path, command):
    pipeline = seeded.copy(tmp_path / "p")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        if command == "tail":
            result = pipeline.run("tail", "--log", pipeline.log, "--store", pipeline.store, "--metrics-port", port, timeout=120)
        else:
            result = pipeline.run("collect", "--log", pipeline.log, "--config", ROOT / "pipelines" / "pipeline.example.yaml",
                                  "--listen", f"127.0.0.1:{port}", timeout=120)
    assert result.returncode != 0, result.text
    assert f"port {port} is already in use" in result.stderr, result.text
    assert result.stderr.lower().count("error:") <= 1
