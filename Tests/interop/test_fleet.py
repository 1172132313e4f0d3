"""The fleet (issue 14): one `driftline tail` per serving host, all committing to one shared store, and
`batch --shard I/N` sharing a store between N runs. Real processes throughout:

- 4 hosts, each with its own log folder, serve the same 2 endpoints (`driftline simulate`, paced in real time,
  different seeds so request ids differ); delayed labels for 40 % of requests, a third of them logged to a
  shared labels log (`--labels-log`) instead of the host's own folder: a label that reaches another host than
  its prediction. 4 tails follow the 4 folders into one store concurrently, each SIGKILLed and restarted at
  random moments 5 times. Their merged profiles, drift and performance equal one tail's over all the logs
  together; every label is joined exactly once.
- A partition another process holds (a tail, or a plain POSIX `lockf` record lock taken from Python, which is
  what NFS shares between hosts) is skipped and named; the tail takes it over when it is free.
- `batch --shard I/3` run as 3 concurrent processes give tables equal to one unsharded run; each endpoint lands
  in the shard of its FNV-1a hash; a held shard lock makes that shard's run say so and do nothing.
"""
import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest
from deltalake import DeltaTable

from conftest import ROOT, bin_dir

START, END = "2026-11-01T00:00:00Z", "2026-11-01T02:00:00Z"
TRAINING = ROOT / "pipelines" / "demo" / "iris-train.csv"
IRIS_COLUMNS = ["--features", "sepal_length,sepal_width,petal_length,petal_width", "--classes",
                "setosa,versicolor,virginica", "--proba-columns", "good_setosa,good_versicolor,good_virginica",
                "--label-column", "species"]
ENDPOINTS = ["alpha", "beta"]
HOSTS = 4
KILLS = 5


def driftline(*args, check=True, timeout=600):
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    assert proc.returncode >= 0, f"driftline {' '.join(map(str, args))} died by signal {-proc.returncode}:\n{proc.stderr}"
    if check:
        assert proc.returncode == 0, f"driftline {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    proc.text = proc.stdout + proc.stderr
    return proc


def with_references(store):
    for endpoint in ENDPOINTS:
        driftline("profile", "--store", store, "--endpoint", endpoint, "--model-version", "1", "--csv", TRAINING, *IRIS_COLUMNS)


def profiles(store):
    """Merged profiles (`query --json`) without the count of partial rows, sorted."""
    rows = [json.loads(line) for line in driftline("query", "--store", store, "--json").stdout.splitlines()]
    for row in rows:
        row.pop("partial_rows", None)
    return sorted(rows, key=lambda r: (r["endpoint"], r["model_version"], r["window_start"], r["column"]))


def raw_values(log):
    """The raw values of every numeric column the profiles sketch, by (endpoint, window start in µs, column), read
    back from the log with `driftline inspect --json`."""
    values = {}
    for line in driftline("inspect", "--log", log, "--json").stdout.splitlines():
        record = json.loads(line)
        if record["type"] != "inference":
            continue
        window = record["timestamp_us"] // 300_000_000 * 300_000_000
        columns = dict(record["features"])
        columns[":latency_ms"] = record["latency_us"] / 1000
        if record.get("probabilities"):
            ranked = sorted(record["probabilities"].values(), reverse=True)
            columns[":pred1"] = ranked[0]
            columns[":spread12"] = ranked[0] - ranked[1]
            for name, p in record["probabilities"].items():
                columns[f":proba:{name}"] = p
        for column, value in columns.items():
            values.setdefault((record["endpoint"], window, column), []).append(value)
    return {key: np.sort(np.array(v, dtype=float)) for key, v in values.items()}


SKETCH_RANK_ERROR = 0.02   # KLL at k = 200: 1.65 % normalized rank error (99th percentile), docs/metrics.md


def assert_same_profiles(a, b, raw):
    """Equal, except where partial rows merged in another order (4 hosts' rows vs 1 tail's): means and spreads in
    the last bits, and the KLL quantile sketches, whose estimates then differ within the sketch's rank error, so
    each side's quantile is checked against the raw values instead."""
    assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
    differing = 0
    for x, y in zip(a, b):
        assert x.keys() == y.keys(), (x, y)
        for key in x:
            if isinstance(x[key], float) and key in ("mean", "std"):
                assert x[key] == pytest.approx(y[key], rel=1e-9, abs=1e-12), (key, x, y)
            elif key.startswith("p") and key[1:].isdigit() and x[key] != y[key]:
                differing += 1
                window = int(pd.Timestamp(x["window_start"]).value // 1000)
                values = raw[(x["endpoint"], window, x["column"])]
                rank = int(key[1:]) / 100
                for estimate in (x[key], y[key]):
                    below = np.searchsorted(values, estimate, side="left") / len(values)
                    upto = np.searchsorted(values, estimate, side="right") / len(values)
                    assert below - SKETCH_RANK_ERROR <= rank <= upto + SKETCH_RANK_ERROR, (key, estimate, below, upto, x)
            else:
                assert x[key] == y[key], (key, x, y)
    return differing


def commit_infos(store, table="profiles"):
    infos = []
    for path in sorted((store / table / "_delta_log").glob("*.json")):
        for line in path.read_text().splitlines():
            action = json.loads(line)
            if "commitInfo" in action:
                infos.append(action["commitInfo"])
    return infos


def table(store, name):
    df = DeltaTable(str(store / name)).to_pandas()
    keys = [c for c in ("endpoint", "model_version", "window_start", "baseline", "column_name") if c in df.columns]
    return df.sort_values(keys).reset_index(drop=True)


def assert_same_table(store_a, store_b, name, sketched=()):
    """Equal row for row: exactly (to 1e-9) except `sketched` columns, which the caller checks."""
    a, b = table(store_a, name), table(store_b, name)
    assert len(a) == len(b) and len(a) > 0, (name, len(a), len(b))
    for column in a.columns:
        if column in sketched:
            continue
        x, y = a[column], b[column]
        if pd.api.types.is_float_dtype(x):
            close = np.isclose(x.to_numpy(float), y.to_numpy(float), rtol=1e-9, atol=1e-12, equal_nan=True)
            assert close.all(), f"{name}.{column}: {a.loc[~close, column].head()} vs {b.loc[~close, column].head()}"
        else:
            same = [list(p) == list(q) if isinstance(p, (list, np.ndarray)) else (p == q or (pd.isna(p) and pd.isna(q)))
                    for p, q in zip(x, y)]
            assert all(same), f"{name}.{column} differs"


def totals(store):
    """(inferences, labels) counted in the merged profiles: `:error` counts every inference, `:label` every
    joined label."""
    path = store / "profiles"
    if not (path / "_delta_log").exists():
        return 0, 0
    df = DeltaTable(str(path)).to_pandas(columns=["column_name", "count", "missing_count"])
    errors = df[df.column_name == ":error"]
    return int((errors["count"] + errors["missing_count"]).sum()), int(df[df.column_name == ":label"]["count"].sum())


class Tail:
    """`driftline tail` of one host, in follow mode, its output appended to a file across restarts."""

    def __init__(self, tmp, host, log, store, labels):
        self.host, self.log, self.store, self.labels = host, log, store, labels
        self.out = tmp / f"tail-{host}.out"
        self.process = None
        self.kills = 0

    def start(self):
        with open(self.out, "a") as out:
            self.process = subprocess.Popen(
                [str(bin_dir() / "driftline"), "tail", "--log", self.log, "--store", self.store, "--tail-id", self.host,
                 "--labels-log", self.labels, "--commit-interval", "300ms"], stdout=out, stderr=subprocess.STDOUT)

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL
        self.kills += 1

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=120)
        assert code == 0, f"tail {self.host} exited {code}:\n{self.out.read_text()[-3000:]}"

    @property
    def text(self):
        return self.out.read_text()


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_four_tails_killed_at_random_equal_one_tail_and_join_every_label_once(tmp_path):
    store, labels = tmp_path / "store", tmp_path / "labels"
    logs = [tmp_path / f"host{h}" for h in range(HOSTS)]
    with_references(store)
    for log in logs:
        log.mkdir()
    labels.mkdir()
    tails = [Tail(tmp_path, f"h{h}", logs[h], store, labels) for h in range(HOSTS)]
    for tail in tails:
        tail.start()
    # Each host serves both endpoints: 1,200 requests each over 40 min of event time, paced to ~15 s.
    simulators = [subprocess.Popen(
        [str(bin_dir() / "driftline"), "simulate", "--log", logs[h], "--endpoint", ENDPOINTS[0], "--endpoint", ENDPOINTS[1],
         "--records", "1200", "--rate", "0.5", "--start", START, "--seed", str(101 + h), "--writer-id", f"h{h}",
         "--label-share", "0.4", "--labels-log", labels, "--speed", "160"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for h in range(HOSTS)]

    # Every tail holds its own host's partitions once they appear; a fifth tail on host 0's folder skips them.
    assert wait_for(lambda: all(f"following alpha/h{t.host[1:]}" in t.text and f"following beta/h{t.host[1:]}" in t.text
                                for t in tails), 60), [t.text[-2000:] for t in tails]
    intruder = driftline("tail", "--log", logs[0], "--store", store, "--tail-id", "intruder", "--once")
    pid = tails[0].process.pid
    for endpoint in ENDPOINTS:
        assert f"partition {endpoint}/h0 is already tailed by pid {pid}" in intruder.text, intruder.text
    assert "following alpha/h0" not in intruder.text

    # Kill each tail 5 times at random moments (some inside a commit), restarting it at once.
    rng = random.Random(14)

    def killer(tail, seed):
        r = random.Random(seed)
        while tail.kills < KILLS:
            time.sleep(r.uniform(0.3, 3.0))
            tail.kill()
            tail.start()

    threads = [threading.Thread(target=killer, args=(t, rng.random())) for t in tails]
    for thread in threads:
        thread.start()
    summaries = [s.communicate(timeout=600) for s in simulators]
    for thread in threads:
        thread.join(timeout=600)
    assert all(s.returncode == 0 for s in simulators), summaries
    assert [t.kills for t in tails] == [KILLS] * HOSTS

    logged = [line for out, _ in summaries for line in out.splitlines() if line.startswith("logged ")]
    inferences = sum(int(line.split()[1]) for line in logged)
    label_count = sum(int(line.split(" labels")[0].split()[-1]) for line in logged)
    elsewhere = sum(int(line.split("(")[2].split()[0]) for line in logged)
    assert inferences == HOSTS * len(ENDPOINTS) * 1200
    assert 0.25 * label_count < elsewhere < 0.42 * label_count, (label_count, elsewhere)

    # Caught up: every inference and every label is in the profiles (then stop the tails gracefully).
    assert wait_for(lambda: totals(store) == (inferences, label_count), 300), (totals(store), inferences, label_count)
    for tail in tails:
        tail.stop()
    for tail in tails:       # nothing left unread or uncommitted
        again = driftline("tail", "--log", tail.log, "--store", store, "--tail-id", tail.host, "--labels-log", labels, "--once")
        assert "already tailed" not in again.text
    assert totals(store) == (inferences, label_count)

    infos = [i["driftline"] for i in commit_infos(store) if "driftline" in i]
    assert sum(i["labelsJoined"] for i in infos) == label_count          # every label joined exactly once
    assert sum(i["duplicateLabels"] for i in infos) == 0
    assert sum(i["unmatchedLabels"] for i in infos) == 0
    actions = [json.loads(line) for p in (store / "profiles" / "_delta_log").glob("*.json") for line in p.read_text().splitlines()]
    txns = {action["txn"]["appId"] for action in actions if "txn" in action}
    assert {f"driftline-tail@h{h}" for h in range(HOSTS)} <= txns

    # One tail over all four logs together (the labels log is then just more partitions of the same log).
    single = tmp_path / "single"
    for log in logs + [labels]:
        shutil.copytree(log, single / "log", dirs_exist_ok=True)
    with_references(single / "store")
    driftline("tail", "--log", single / "log", "--store", single / "store", "--tail-id", "single", "--once")
    assert totals(single / "store") == (inferences, label_count)
    raw = raw_values(single / "log")
    differing = assert_same_profiles(profiles(store), profiles(single / "store"), raw)

    for s in (store, single / "store"):
        driftline("batch", "--store", s, "--from", START, "--to", END)
    # Drift and performance: exact, except the values read from KLL sketches, which differ as the merged
    # sketches do (above): each KS statistic is within its sketch's error of the other run's (both within
    # ~1.65 % of the true value), each latency quantile within the rank error of the hour's raw latencies.
    sketched_drift = ("ks_statistic", "ks_pvalue", "wasserstein")
    sketched_performance = ("latency_p50_ms", "latency_p95_ms", "latency_p99_ms")
    assert_same_table(store, single / "store", "drift", sketched=sketched_drift)
    assert_same_table(store, single / "store", "performance", sketched=sketched_performance)
    a, b = table(store, "drift"), table(single / "store", "drift")
    ks = (a["ks_statistic"] - b["ks_statistic"]).abs()
    assert (ks.isna() == a["ks_statistic"].isna()).all() and (ks.dropna() <= 2 * SKETCH_RANK_ERROR).all(), ks.max()
    a, b = table(store, "performance"), table(single / "store", "performance")
    for frame in (a, b):
        for _, row in frame.iterrows():
            hour = int(pd.Timestamp(row["window_start"]).value // 1000)
            values = np.sort(np.concatenate([v for (e, w, c), v in raw.items()
                                             if e == row["endpoint"] and c == ":latency_ms" and hour <= w < hour + 3_600_000_000]))
            for column, rank in (("latency_p50_ms", 0.5), ("latency_p95_ms", 0.95), ("latency_p99_ms", 0.99)):
                below = np.searchsorted(values, row[column], side="left") / len(values)
                upto = np.searchsorted(values, row[column], side="right") / len(values)
                assert below - SKETCH_RANK_ERROR <= rank <= upto + SKETCH_RANK_ERROR, (column, row[column], below, upto)
    total_commits = DeltaTable(str(store / "profiles")).version()
    print(f"\nfleet: {inferences} inferences and {label_count} labels ({elsewhere} via the shared labels log), "
          f"{HOSTS} tails killed {KILLS} times each, {total_commits} commits; {differing} sketch quantiles differ from "
          f"the single tail's (each within {SKETCH_RANK_ERROR:.0%} in rank of the raw values)")


def test_a_partition_held_by_a_posix_record_lock_is_skipped_and_taken_over_when_free(tmp_path):
    """The partition lock is a POSIX record lock: one taken with `lockf` (F_SETLK, as any NFS client would
    forward to the server) keeps the tail off that partition; released, the tail takes it over."""
    log, store = tmp_path / "log", tmp_path / "store"
    driftline("simulate", "--log", log, "--endpoint", "alpha", "--endpoint", "beta", "--records", "300", "--rate", "0.5",
              "--start", START, "--seed", "5", "--writer-id", "w1")
    lock_path = store / "locks" / "tail" / "alpha" / "w1.lock"
    lock_path.parent.mkdir(parents=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        first = driftline("tail", "--log", log, "--store", store, "--tail-id", "a", "--once")
        assert "partition alpha/w1 is already tailed by" in first.text and "skipping it" in first.text, first.text
        assert totals(store)[0] == 300                         # beta only
    finally:
        os.close(fd)
    second = driftline("tail", "--log", log, "--store", store, "--tail-id", "a", "--once")
    assert "following alpha/w1 from offset 0" in second.text, second.text
    assert totals(store)[0] == 600
    # And the other way: while a tail holds its partitions, Python's lockf cannot take them.
    with open(tmp_path / "tail.out", "w") as out:
        tail = subprocess.Popen([str(bin_dir() / "driftline"), "tail", "--log", log, "--store", store, "--tail-id", "a"],
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: "following alpha/w1" in (tmp_path / "tail.out").read_text(), 60)
        fd = os.open(lock_path, os.O_RDWR)
        try:
            with pytest.raises(OSError):
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
    finally:
        tail.send_signal(signal.SIGTERM)
        assert tail.wait(timeout=60) == 0


def fnv1a64(text):
    h = 0xcbf29ce484222325
    for byte in text.encode():
        h = ((h ^ byte) * 0x100000001b3) % 2**64
    return h


def test_sharded_batch_equals_an_unsharded_run(tmp_path):
    endpoints = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    log, store = tmp_path / "log", tmp_path / "store"
    args = [a for e in endpoints for a in ("--endpoint", e)]
    driftline("simulate", "--log", log, *args, "--records", "2400", "--rate", "0.5", "--start", START, "--seed", "3",
              "--drift-hour", "1", "--drift-endpoints", "alpha,gamma")
    for endpoint in endpoints:
        driftline("profile", "--store", store, "--endpoint", endpoint, "--model-version", "1", "--csv", TRAINING, *IRIS_COLUMNS)
    driftline("tail", "--log", log, "--store", store, "--once")
    sharded = tmp_path / "sharded"
    shutil.copytree(store, sharded)
    shards = {e: fnv1a64(e) % 3 for e in endpoints}
    assert len(set(shards.values())) > 1

    driftline("batch", "--store", store, "--from", START, "--to", END)
    runs = [subprocess.Popen([str(bin_dir() / "driftline"), "batch", "--store", sharded, "--from", START, "--to", END,
                              "--shard", f"{i}/3", "--prom-textfile", tmp_path / f"shard{i}.prom"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(3)]
    outputs = [r.communicate(timeout=600) for r in runs]
    assert all(r.returncode == 0 for r in runs), outputs
    for i, (out, _) in enumerate(outputs):
        analysed = {line.split()[0] for line in out.splitlines() if " v1 " in line}
        assert analysed == {e for e, s in shards.items() if s == i}, (i, out)
    assert_same_table(store, sharded, "drift")
    assert_same_table(store, sharded, "performance")
    # node_exporter reads every *.prom of its folder and refuses a series written twice: the shards' files
    # (per-feature distances included) hold disjoint series.
    series = [{line.rsplit(" ", 1)[0] for line in (tmp_path / f"shard{i}.prom").read_text().splitlines()
               if line and not line.startswith("#")} for i in range(3)]
    assert not (series[0] & series[1] or series[0] & series[2] or series[1] & series[2])
    assert any(line.startswith("driftline_feature_psi{") for s in series for line in s)

    # A shard whose lock is held (here by a POSIX record lock) says so and does nothing; the others run.
    lock_path = sharded / "locks" / "batch-shard-1-of-3.lock"
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o640)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        busy = driftline("batch", "--store", sharded, "--from", START, "--to", END, "--shard", "1/3")
        assert "another batch is running" in busy.text and " v1 " not in busy.stdout, busy.text
        driftline("batch", "--store", sharded, "--from", START, "--to", END, "--shard", "0/3")
    finally:
        os.close(fd)
    bad = driftline("batch", "--store", sharded, "--shard", "3/3", check=False)
    assert bad.returncode != 0 and "--shard 3/3" in bad.text, bad.text
