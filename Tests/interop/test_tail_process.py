"""The tail stage as a running process: follow latency, SIGTERM, /metrics checked by promtool and scraped
by a real Prometheus server, and deltalake + DuckDB reading <store>/profiles while tail commits to it
and after `driftline compact`."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
import json

import duckdb
import pytest
from deltalake import DeltaTable

try:
    from conftest import bin_dir
except ImportError:  # pragma: no cover
    def bin_dir():
        return pathlib.Path(os.environ["DRIFTLINE_BIN_DIR"])


def exe():
    path = bin_dir() / "driftline"
    assert path.exists(), f"{path} is missing: run `swift build` first"
    return str(path)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def metrics(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
        return response.read().decode()


def records_read(text, endpoint):
    for line in text.splitlines():
        if line.startswith("driftline_tail_records_read_total") and f'endpoint="{endpoint}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def wait_until(predicate, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(step)
    return False


def ingest_one(log, endpoint, writer, i):
    csv = log.parent / f"{endpoint}-{writer}-{i}.csv"
    csv.write_text(f"x,region,p_a,p_b,id\n{i}.5,eu,0.25,0.75,{endpoint}-{writer}-{i}\n")
    subprocess.run([exe(), "ingest", "--log", log, "--endpoint", endpoint, "--model-version", "1", "--csv", csv,
                    "--features", "x,region", "--categorical", "region", "--classes", "a,b",
                    "--proba-columns", "p_a,p_b", "--request-id-column", "id", "--writer-id", writer],
                   check=True, capture_output=True)


def start_tail(log, store, port, *extra):
    return subprocess.Popen([exe(), "tail", "--log", log, "--store", store, "--commit-interval", "200ms",
                             "--metrics-port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(process, timeout=5.0):
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = process.wait(timeout=timeout + 5)
    return code, time.monotonic() - started


def merged_counts(table):
    df = table.to_pandas(columns=["endpoint", "window_start", "column_name", "count", "missing_count"])
    return df.groupby(["endpoint", "window_start", "column_name"])[["count", "missing_count"]].sum().sort_index()


def test_follow_latency_sigterm_and_promtool(tmp_path):
    log, store = tmp_path / "log", tmp_path / "store"
    log.mkdir()
    ingest_one(log, "iris", "w1", 0)
    port = free_port()
    tail = start_tail(log, store, port)
    try:
        assert wait_until(lambda: records_read(metrics(port), "iris") == 1, 10), "tail never read the first record"
        # A new record in an existing partition: seen within 2 s.
        ingest_one(log, "iris", "w1", 1)
        written = time.monotonic()
        assert wait_until(lambda: records_read(metrics(port), "iris") == 2, 2.0), "a new record took over 2 s"
        record_latency = time.monotonic() - written
        # A new partition, and a new endpoint: seen within 5 s.
        ingest_one(log, "iris", "w2", 2)
        ingest_one(log, "wine", "w1", 3)
        written = time.monotonic()
        assert wait_until(lambda: records_read(metrics(port), "iris") == 3 and records_read(metrics(port), "wine") == 1, 5.0)
        partition_latency = time.monotonic() - written
        print(f"follow latency: record {record_latency:.3f} s, new partition/endpoint {partition_latency:.3f} s")

        text = metrics(port)
        promtool = shutil.which("promtool")
        if promtool is None:
            pytest.skip("promtool is missing (apt-get install prometheus)")
        check = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True, text=True)
        assert check.returncode == 0, f"promtool rejects /metrics:\n{check.stdout}{check.stderr}\n{text}"
        for name in ["driftline_tail_commits_total", "driftline_tail_lag_seconds", "driftline_tail_corrupt_batches_total",
                     "driftline_tail_lost_records_total", "driftline_tail_pending_predictions",
                     "driftline_tail_commit_duration_seconds_bucket"]:
            assert name in text, name
    finally:
        code, took = stop(tail)
    assert code == 0, tail.stderr.read()
    assert took < 5.0, f"SIGTERM took {took:.2f} s"
    table = DeltaTable(str(store / "profiles"))
    df = table.to_pandas()
    assert df[df["column_name"] == ":prediction"]["count"].sum() == 4       # everything read was committed


def test_a_real_prometheus_scrapes_the_records_counter(tmp_path):
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.skip("prometheus is missing (apt-get install prometheus)")
    log, store = tmp_path / "log", tmp_path / "store"
    log.mkdir()
    for i in range(3):
        ingest_one(log, "iris", "w1", i)
    port, server_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n"
        f"scrape_configs:\n  - job_name: driftline\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n")
    tail = start_tail(log, store, port)
    server = subprocess.Popen([prometheus, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                               f"--web.listen-address=127.0.0.1:{server_port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        query = urllib.parse.urlencode({"query": 'driftline_tail_records_read_total{endpoint="iris"}'})

        def answered():
            with urllib.request.urlopen(f"http://127.0.0.1:{server_port}/api/v1/query?{query}", timeout=2) as r:
                result = json.loads(r.read())["data"]["result"]
            return result and float(result[0]["value"][1]) == 3.0

        assert wait_until(answered, 30, step=0.5), "Prometheus never answered the records counter"
    finally:
        server.terminate()
        server.wait(timeout=10)
        stop(tail)


def test_deltalake_and_duckdb_read_while_tail_commits_and_after_compact(tmp_path):
    log, store = tmp_path / "log", tmp_path / "store"
    port = free_port()
    subprocess.run([exe(), "simulate", "--log", log, "--endpoint", "iris", "--records", "2000", "--writer-id", "seed", "--start", "2026-11-01T00:00:00Z"], check=True, capture_output=True)
    tail = start_tail(log, store, port, "--window", "1m")
    # Paced (1,200 s of event time at 50 requests/s, in about 3 s): on a fast, quiet machine an unpaced writer finished
    # before tail's second round, and the reads below saw a single commit.
    writer = subprocess.Popen([exe(), "simulate", "--log", log, "--endpoint", "iris", "--records", "60000", "--writer-id", "live", "--seed", "7",
                               "--label-share", "0.5", "--start", "2026-11-01T00:00:00Z", "--speed", "400"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    reads = 0
    versions = set()
    con = duckdb.connect()
    try:
        # The table exists for a reader once its first version file does (the folder comes first).
        assert wait_until(lambda: (store / "profiles" / "_delta_log" / "00000000000000000000.json").exists(), 10)
        while writer.poll() is None or reads < 5:
            table = DeltaTable(str(store / "profiles"))
            versions.add(table.version())
            totals = merged_counts(table)
            files = table.file_uris()
            if files:
                duck = con.execute(
                    "SELECT column_name, sum(count) AS c FROM read_parquet(?, hive_partitioning = true) GROUP BY column_name",
                    [files]).fetchall()
                by_column = totals.groupby("column_name")["count"].sum()
                for column, count in duck:
                    assert by_column[column] == count, f"{column}: DuckDB {count} vs deltalake {by_column[column]}"
            reads += 1
            time.sleep(0.1)
        # Stop only once tail has committed every record (under load it may lag the writer by seconds).
        def caught_up():
            counts = merged_counts(DeltaTable(str(store / "profiles")))
            return not counts.empty and counts.xs(":error", level="column_name")["count"].sum() == 62_000
        assert wait_until(caught_up, 180, step=0.5), "tail never committed all 62,000 records"
    finally:
        writer.wait(timeout=120)
        code, _ = stop(tail)
    assert code == 0
    assert len(versions) >= 3, f"tail committed only versions {versions} while we read"
    before = merged_counts(DeltaTable(str(store / "profiles")))
    # `:error` (`ok` or the error code) counts every record; `:prediction` misses the simulated errors.
    assert before.xs(":error", level="column_name")["count"].sum() == 62_000
    subprocess.run([exe(), "compact", "--store", store, "--older-than", "0s"], check=True, capture_output=True)
    after_table = DeltaTable(str(store / "profiles"))
    after = merged_counts(after_table)
    assert before.equals(after)
    files = after_table.file_uris()
    duck = con.execute("SELECT sum(count) FROM read_parquet(?, hive_partitioning = true) WHERE column_name = ':error'",
                       [files]).fetchone()[0]
    assert duck == 62_000
    rows_after = len(after_table.to_pandas(columns=["column_name"]))
    assert rows_after == len(after)                                     # one row per key after compaction


def test_sigterm_while_tail_is_still_starting_exits_0(tmp_path):
    """A stop request that arrives while tail is still opening the store and rebuilding its label join
    (before the service group traps signals) exits 0 at once: nothing has been profiled, so nothing is
    lost. Before the early handlers, such a stop killed tail by the signal (exit 143 in a shell)."""
    log, store = tmp_path / "log", tmp_path / "store"
    subprocess.run([exe(), "simulate", "--log", log, "--hours", "2", "--seed", "1"], check=True, capture_output=True)
    subprocess.run([exe(), "tail", "--log", log, "--store", store, "--once"], check=True, capture_output=True)
    committed = DeltaTable(str(store / "profiles")).version()
    # On restart, tail logs "resuming …" and then re-reads the horizon's records to rebuild the join
    # (seconds for this log): stop it right then.
    tail = subprocess.Popen([exe(), "tail", "--log", log, "--store", store, "--commit-interval", "200ms"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in tail.stderr:
        seen.append(line)
        if "resuming" in line:
            break
    code, took = stop(tail)
    assert any("resuming" in line for line in seen), "".join(seen)
    assert code == 0, f"exit {code}: {''.join(seen)}{tail.stderr.read()}"
    assert took < 5.0
    assert DeltaTable(str(store / "profiles")).version() == committed   # nothing half-done was committed
