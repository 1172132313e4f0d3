"""Issue 12's contract, with real processes: whatever the order and timing of arrivals and cron runs, once the
inputs stop changing, the tables, reports and textfile of the hourly `batch` runs equal those of one
`batch --from --to` over the whole range on the same store.

A simulated stretch of days (SIM_DAYS, 3 by default to keep the runtime near two minutes on a loaded 2-core
machine; every ingredient of the week-long scenario is kept) for three endpoints, `hourly-a` and `hourly-b`
at `granularity: hour` and `daily` at `granularity: day`:
- `driftline tail` follows the log (follow mode, 1 h windows, a 500 ms commit interval: fewer partial rows
  keep the debug build's batch runs short) while LogInterop writes each
  simulated hour's records into it;
- records up to 6 h late (every third hour a share of the records carries an event time 1–6 h back);
- labels 0–20 h late (a sixth of the predictions get a label, written once the simulated clock passes
  the prediction time plus its delay);
- the tail stopped (SIGTERM) for 3 simulated hours once, then restarted (it catches up);
- the reference of `hourly-a` replaced on day 4 of a week (16 h before the end of a shorter run), so that
  windows older than the 48 h lookback are re-judged against it too;
- `driftline compact` three times while the tail runs (its commits are not a change: no extra window);
- `batch --now T` at every simulated hour, with the pipeline file that sets the granularities.
Each cron run's count of analysed model windows is checked against the windows whose inputs the test
changed since the previous run (new, late rows, labels, the window after a changed one, the reference),
and printed.
"""
import calendar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import ROOT, bin_dir, executable
from isolation_support import IRIS_CLASSES, IRIS_COLUMNS, IRIS_FEATURES, TRAINING, Pipeline, comparable

START_US = 1_793_491_200_000_000           # 2026-11-01T00:00:00Z
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
SIM_DAYS = int(os.environ.get("DRIFTLINE_CONVERGENCE_DAYS", "3"))
HOURS = SIM_DAYS * 24
ENDPOINTS = {"hourly-a": "hour", "hourly-b": "hour", "daily": "day"}
PER_HOUR = {"hourly-a": 30, "hourly-b": 24, "daily": 10}
STOP_AT, STOP_HOURS = 30, 3             # the tail is down for simulated hours 30, 31, 32
LABEL_SHARE = 1 / 6                    # predictions that get a label
REFERENCE_AT = 80 if SIM_DAYS >= 7 else HOURS - 16   # hourly-a's reference is replaced before this hour's batch
COMPACT_AT = {20, 44, 68}               # `driftline compact` runs (tail running) before these hours' batch
PIPELINE = """defaults:
  granularity: hour
endpoints:
  daily:
    granularity: day
"""


def iso(us):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(us // 1_000_000))


def window(endpoint, ts):
    length = DAY_US if ENDPOINTS[endpoint] == "day" else HOUR_US
    return ts - ts % length, length


class Simulation:
    def __init__(self, root):
        self.pipeline = Pipeline(root)
        self.pipeline.log.mkdir(parents=True)
        self.config = root / "pipeline.yaml"
        self.config.write_text(PIPELINE)
        self.textfile = root / "driftline.prom"
        self.rng = random.Random(12)
        self.tail_proc = None
        self.written = 0          # log records written (predictions and label events)
        self.labels_written = 0
        self.pending_labels = []  # (due µs, endpoint, rid, label)
        self.changed = set()      # (endpoint, window start) with data since the last batch that the tail committed
        self.unseen = set()       # changes written while the tail is down
        self.windows_with_data = set()   # windows with data the tail committed
        self.analysed = set()
        self.rid = 0
        self.counted = set()
        self.committed_records = self.committed_labels = 0
        self.unmatched = self.duplicates = 0

    # ---- processes
    def start_tail(self):
        self.tail_proc = subprocess.Popen(
            [str(bin_dir() / "driftline"), "tail", "--log", str(self.pipeline.log), "--store", str(self.pipeline.store),
             "--commit-interval", "500ms", "--window", "1h"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop_tail(self):
        self.tail_proc.send_signal(signal.SIGTERM)
        out, err = self.tail_proc.communicate(timeout=60)
        assert self.tail_proc.returncode == 0, f"tail exited {self.tail_proc.returncode}:\n{err}"
        assert "stopped;" in out and "records" in out and "labels:" in out, f"a stopping tail prints its summary:\n{out}"
        self.tail_proc = None
        return out

    def committed(self):
        """Records and joined labels the tail committed so far (sum of every commit's counts; each commit read once)."""
        log = self.pipeline.store / "profiles" / "_delta_log"
        if not log.exists():
            return 0, 0
        for path in sorted(log.glob("*.json")):
            if path.name in self.counted:
                continue
            self.counted.add(path.name)
            for line in path.read_text().splitlines():
                info = json.loads(line).get("commitInfo", {}).get("driftline")
                if info:
                    self.committed_records += info.get("records", 0)
                    self.committed_labels += info.get("labelsJoined", 0)
                    self.unmatched += info.get("unmatchedLabels", 0)
                    self.duplicates += info.get("duplicateLabels", 0)
        return self.committed_records, self.committed_labels

    def wait_for_tail(self):
        deadline = time.monotonic() + 120
        while True:
            records, labels = self.committed()
            if records >= self.written and labels >= self.labels_written:
                assert records == self.written and labels == self.labels_written
                return
            assert self.tail_proc.poll() is None, f"tail died:\n{self.tail_proc.stderr.read()}"
            assert time.monotonic() < deadline, f"tail committed {records}/{self.written} records, {labels}/{self.labels_written} labels"
            time.sleep(0.05)

    def batch(self, now_us, *extra, store=None, textfile=None):
        proc = self.pipeline.run("batch", "--store", store or self.pipeline.store, "--config", self.config,
                                 "--prom-textfile", textfile or self.textfile, "--now", iso(now_us), *extra, check=True)
        return proc.stdout

    # ---- data
    def append(self, endpoint, records):
        document = {"endpoint": endpoint, "writer": "w1", "version": "1",
                    "schema": {"features": [[name, "numeric"] for name in IRIS_FEATURES], "task": {"classes": IRIS_CLASSES}},
                    "records": records}
        proc = subprocess.run([str(executable("LogInterop")), "raw", str(self.pipeline.log)], input=json.dumps(document),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"LogInterop raw failed:\n{proc.stderr}"

    def record(self, endpoint, ts, hour):
        shift = 0.6 if endpoint == "hourly-b" and hour >= 50 else 0.0     # hourly-b drifts on day 3
        features = [round(self.rng.gauss(5.8 + shift, 0.8), 3), round(self.rng.gauss(3.0, 0.4), 3),
                    round(self.rng.gauss(3.7 + shift, 1.7), 3), round(abs(self.rng.gauss(1.2, 0.7)), 3)]
        p = [self.rng.random() + 0.05 for _ in IRIS_CLASSES]
        total = sum(p)
        self.rid += 1
        rid = f"{endpoint}-{self.rid}"
        record = {"ts": ts, "rid": rid, "features": [{"num": x} for x in features],
                  "proba": [round(x / total, 4) for x in p], "latency": self.rng.randint(200, 5000)}
        if self.rng.random() < LABEL_SHARE:
            delay = self.rng.randint(0, 20 * 3600) * 1_000_000
            self.pending_labels.append((ts + delay, endpoint, rid, self.rng.choice(IRIS_CLASSES), ts))
        return record

    def write_hour(self, hour, now_us):
        """Hour `hour`'s records (some of them 1–6 h late) and the labels due by `now_us`, per endpoint."""
        hour_start = START_US + hour * HOUR_US
        for endpoint in ENDPOINTS:
            records = []
            late_hour = hour % 3 == 1 and hour >= 6
            for _ in range(PER_HOUR[endpoint]):
                ts = hour_start + self.rng.randint(0, HOUR_US - 1)
                if late_hour and self.rng.random() < 0.25:
                    ts -= self.rng.randint(1, 6) * HOUR_US
                records.append(self.record(endpoint, ts, hour))
                self.note(endpoint, ts)
            due = [label for label in self.pending_labels if label[0] < now_us and label[1] == endpoint]
            for label in due:
                self.pending_labels.remove(label)
                records.append({"ts": label[0], "label_for": label[2], "label": label[3]})
                self.note(endpoint, label[4])
            self.labels_written += len(due)
            self.written += PER_HOUR[endpoint] + len(due)     # the tail counts label events as records too
            self.append(endpoint, records)

    def note(self, endpoint, ts):
        key = (endpoint, *window(endpoint, ts))
        if self.tail_proc is None:
            self.unseen.add(key)
        else:
            self.changed.add(key)
            self.windows_with_data.add(key)

    def expected(self, now_us, previous_now, reference_changed):
        """The model windows a cron run at `now_us` must analyse (the rule of the README's "Late data and labels")."""
        lookback = now_us - 48 * HOUR_US
        plan = set()
        for endpoint, start, length in self.changed:
            if start + length <= now_us and start + length > lookback:
                plan.add((endpoint, start, length))
        for endpoint, start, length in self.windows_with_data:           # windows completed since the last run
            if previous_now < start + length <= now_us:
                plan.add((endpoint, start, length))
        for endpoint, start, length in list(plan):                       # the next window's previous changed
            nxt = (endpoint, start + length, length)
            if nxt in self.windows_with_data and start + 2 * length <= now_us:
                plan.add(nxt)
        for endpoint in reference_changed:
            plan |= {w for w in self.analysed if w[0] == endpoint}     # however old: the whole model version
        return plan


def table(store, name):
    p = Pipeline(store.parent)
    p.store = store
    rows = []
    for endpoint in ENDPOINTS:
        rows += p.rows(name, endpoint)
    return rows


def files(folder):
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_hourly_cron_converges_to_one_full_run(tmp_path):
    began = time.monotonic()
    sim = Simulation(tmp_path / "sim")
    p = sim.pipeline
    for endpoint in ENDPOINTS:
        p.run("profile", "--store", p.store, "--endpoint", endpoint, "--model-version", "1", "--csv", TRAINING,
              *IRIS_COLUMNS, check=True)
    sim.start_tail()
    previous_now = START_US
    counts = []
    for hour in range(HOURS):
        now_us = START_US + (hour + 1) * HOUR_US + 5 * 60_000_000
        if hour == STOP_AT:
            sim.stop_tail()
        sim.write_hour(hour, now_us)
        if hour == STOP_AT + STOP_HOURS - 1:
            sim.start_tail()
            sim.changed |= sim.unseen
            sim.windows_with_data |= sim.unseen
            sim.unseen = set()
        reference_changed = []
        if hour == REFERENCE_AT:
            p.run("profile", "--store", p.store, "--endpoint", "hourly-a", "--model-version", "1", "--csv", TRAINING,
                  *IRIS_COLUMNS, "--bins", "7", check=True)
            reference_changed = ["hourly-a"]
        if sim.tail_proc is not None:
            sim.wait_for_tail()
        if hour in COMPACT_AT:
            compacted = p.run("compact", "--store", p.store, "--older-than", "2h", check=True).text
            assert "compacted" in compacted or "rows" in compacted, compacted
        out = sim.batch(now_us)
        found = re.search(r"analysed (\d+) model windows", out)
        analysed = int(found.group(1)) if found else 0
        if not found:
            assert "nothing changed since the last run" in out, out
        listed = set()
        for line in out.splitlines():
            m = re.match(r"(\S+) v1 (\d{4}-\d\d-\d\d(?:T\d\d)?) \[", line)
            if m:
                endpoint, label = m.groups()
                us = calendar.timegm(time.strptime(label + ("" if "T" in label else "T00"), "%Y-%m-%dT%H")) * 1_000_000
                listed.add((endpoint, us, DAY_US if ENDPOINTS[endpoint] == "day" else HOUR_US))
        expected = sim.expected(now_us, previous_now, reference_changed)
        assert listed == expected, (f"hour {hour}: analysed {sorted(listed - expected)} unexpectedly, "
                                    f"missed {sorted(expected - listed)}\n{out}")
        assert analysed == len(expected)
        assert "left alone" not in out, out
        sim.analysed |= listed
        counts.append(analysed)
        sim.changed = set()
        previous_now = now_us
    print(f"\nmodel windows analysed by each of the {HOURS} cron runs: {counts}")
    print(f"total {sum(counts)}; a full re-analysis every run would have been "
          f"{sum(len([w for w in sim.analysed if w[1] + w[2] <= START_US + (h + 1) * HOUR_US]) for h in range(HOURS))}")
    summary = sim.stop_tail()
    print(summary.strip())
    # Every label written has its prediction within the join horizon: none is unmatched, none joined twice,
    # although the tail was stopped and restarted (its rebuilt join re-reads labels it had joined).
    sim.committed()
    assert (sim.committed_labels, sim.unmatched, sim.duplicates) == (sim.labels_written, 0, 0)
    end_us = START_US + HOURS * HOUR_US + 5 * 60_000_000

    # One more cron run with nothing new: nothing to analyse.
    assert "nothing changed since the last run" in sim.batch(end_us)

    # The same store, copied, analysed in one run over the whole range.
    full = tmp_path / "full"
    shutil.copytree(p.store, full)
    full_textfile = tmp_path / "full.prom"
    out = sim.batch(end_us, "--from", iso(START_US), "--to", iso(START_US + HOURS * HOUR_US), store=full, textfile=full_textfile)
    assert "analysed" in out
    for name in ("performance", "drift"):
        incremental, once = table(p.store, name), table(full, name)
        assert len(incremental) == len(once) > 0
        for a, b in zip(incremental, once):
            assert a == b, f"{name} rows differ:\n{a}\n{b}"
    reports, reports_once = files(p.store / "reports"), files(full / "reports")
    assert reports.keys() == reports_once.keys()
    assert any(name.endswith(".html") and "T" not in name.split("/")[-1] for name in reports), "day reports are named YYYY-MM-DD.html"
    for name in reports:
        assert reports[name] == reports_once[name], f"report {name} differs"
    assert sim.textfile.read_bytes() == full_textfile.read_bytes()
    elapsed = time.monotonic() - began
    print(f"{len(reports)} report files and the textfile equal; {elapsed:.0f} s")
