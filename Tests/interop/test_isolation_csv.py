"""Blast radius of CSV input (issue 13): cases beside a healthy endpoint (harness: isolation_support.py)."""
from isolation_support import HEALTHY, START_US, assert_healthy, clean_state, inference, seeded  # noqa: F401

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
    # EventTimeRange, the rule tail quarantines by: from 2000-01-01 to one hour after now.
    ("event_time_in_2100", 45, lambda line: field(line, "ts", "2100-01-01T00:00:00Z"), ["column ts", "2100-01-01T00:00:00Z", "an event time must lie in"]),
    ("event_time_before_2000", 50, lambda line: field(line, "ts", "1999-12-31T23:59:59Z"), ["column ts", "1999-12-31T23:59:59Z", "an event time must lie in"]),
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
