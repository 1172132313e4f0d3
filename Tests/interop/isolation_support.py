"""The harness of the isolation suite (Tests/interop/test_isolation_*.py).

Every case puts one bad item (a record, a file, a reference, an endpoint) beside a healthy endpoint and
runs the real stages as processes. What each case then checks, with the helpers below:
- no process died by a signal (`Pipeline.run` asserts it on every call);
- the healthy endpoint's merged profiles, drift and performance rows equal those of a clean run
  (`Pipeline.healthy_state()` against the module's `clean_state`);
- the bad item is named in the output (and counted in `commitInfo` or `/metrics` where that applies);
- once the cause is removed, the next `tail`/`batch` heals it with no manual deletion.

Bad records that InferenceLogger would refuse reach the log through `LogInterop raw` (a writer with no
validation: what an older or buggy writer could leave there), see Tests/interop/LogInterop/RawRecords.swift.
"""
import json
import math
import pathlib
import shutil
import subprocess

import pandas as pd
import pytest
from deltalake import DeltaTable

from conftest import ROOT, bin_dir, executable

HEALTHY = "healthy"
START, END = "2026-11-01T00:00:00Z", "2026-11-01T02:00:00Z"
START_US = 1_793_491_200_000_000           # START in µs since the epoch
HOUR_US = 3_600_000_000
TRAINING = ROOT / "pipelines" / "demo" / "iris-train.csv"
IRIS_FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]
IRIS_COLUMNS = ["--features", ",".join(IRIS_FEATURES), "--classes", ",".join(IRIS_CLASSES),
                "--proba-columns", "good_setosa,good_versicolor,good_virginica", "--label-column", "species"]


class Pipeline:
    """A log folder and a store under `root`, driven through the real `driftline` executable."""

    def __init__(self, root: pathlib.Path):
        self.root = pathlib.Path(root)
        self.log = self.root / "log"
        self.store = self.root / "store"

    def run(self, *args, timeout=600, env=None, check=False):
        """Runs `driftline args…`; asserts it was not killed by a signal (a crash), returns the result with
        `.text` = stdout + stderr."""
        proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True,
                              timeout=timeout, env=env)
        assert proc.returncode >= 0, f"driftline {' '.join(map(str, args))} died by signal {-proc.returncode}:\n{proc.stderr}"
        if check:
            assert proc.returncode == 0, f"driftline {' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        proc.text = proc.stdout + proc.stderr
        return proc

    def seed_healthy(self):
        """Two hours of the healthy endpoint (the iris-good model, 1,800 requests an hour, labels for 30 %)
        and its reference."""
        self.run("simulate", "--log", self.log, "--endpoint", HEALTHY, "--records", "3600", "--rate", "0.5",
                 "--start", START, "--seed", "7", "--writer-id", "h1", check=True)
        self.run("profile", "--store", self.store, "--endpoint", HEALTHY, "--model-version", "1", "--csv", TRAINING,
                 *IRIS_COLUMNS, check=True)

    def copy(self, root: pathlib.Path) -> "Pipeline":
        """A copy of this pipeline's folders under `root`."""
        shutil.copytree(self.root, root)
        return Pipeline(root)

    def tail(self, *extra, timeout=600, check=False):
        return self.run("tail", "--log", self.log, "--store", self.store, "--once", *extra, timeout=timeout, check=check)

    def batch(self, *extra, check=False):
        return self.run("batch", "--store", self.store, "--from", START, "--to", END, *extra, check=check)

    def raw(self, endpoint, records, *, schema=None, writer="raw", version="1", batch=None):
        """Appends `records` (LogInterop raw's JSON shape) to partition `<endpoint>/<writer>`, unvalidated.
        The default schema is the healthy endpoint's (iris, 3 classes)."""
        document = {"endpoint": endpoint, "writer": writer, "version": version,
                    "schema": schema or {"features": [[name, "numeric"] for name in IRIS_FEATURES],
                                         "task": {"classes": IRIS_CLASSES}},
                    "records": records}
        if batch:
            document["batch"] = batch
        proc = subprocess.run([str(executable("LogInterop")), "raw", str(self.log)], input=json.dumps(document),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"LogInterop raw failed:\n{proc.stderr}"

    def healthy_state(self):
        """What a clean run must reproduce for the healthy endpoint: its merged profiles (`query --json`,
        without the count of partial rows) and its drift and performance rows."""
        query = self.run("query", "--store", self.store, "--endpoint", HEALTHY, "--json", check=True).stdout
        profiles = [json.loads(line) for line in query.splitlines()]
        for profile in profiles:
            profile.pop("partial_rows", None)
        return {"profiles": profiles, "drift": self.rows("drift", HEALTHY), "performance": self.rows("performance", HEALTHY)}

    def rows(self, table, endpoint):
        """The rows of `endpoint` in `table` as sorted JSON-ready records (empty when the table is missing)."""
        path = self.store / table
        if not (path / "_delta_log").exists():
            return []
        df = DeltaTable(str(path)).to_pandas()
        df = df[df.endpoint == endpoint]
        keys = [c for c in ("model_version", "window_start", "baseline", "column_name") if c in df.columns]
        return [{name: comparable(value) for name, value in row.items()} for row in df.sort_values(keys).to_dict(orient="records")]

    def commit_infos(self, table="profiles"):
        """The `commitInfo` of every commit of a table, in version order."""
        infos = []
        for path in sorted((self.store / table / "_delta_log").glob("*.json")):
            for line in path.read_text().splitlines():
                action = json.loads(line)
                if "commitInfo" in action:
                    infos.append(action["commitInfo"])
        return infos


def comparable(value):
    """A cell as a value `==` compares exactly: NaN as text (NaN != NaN), timestamps as ISO text, arrays as lists."""
    if isinstance(value, float):
        return "nan" if math.isnan(value) else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return [comparable(v) for v in value.tolist()]
    if value is None or (not isinstance(value, (str, bytes, list)) and pd.isna(value)):
        return None
    return value


def inference(ts, features, probabilities=(0.8, 0.1, 0.1), rid=None, label=None, latency=1000):
    """One record in LogInterop raw's shape, for the healthy schema (numbers may be text: "nan", "1e308")."""
    record = {"ts": ts, "features": [{"num": x} if x is not None else None for x in features],
              "proba": list(probabilities), "latency": latency}
    if rid:
        record["rid"] = rid
    if label is not None:
        record["label"] = label
    return record


def assert_healthy(pipeline: Pipeline, clean_state):
    """The healthy endpoint is exactly what it is in a clean run."""
    state = pipeline.healthy_state()
    for part in ("profiles", "drift", "performance"):
        assert state[part] == clean_state[part], f"the healthy endpoint's {part} differ from a clean run's"


# Fixtures: a case module imports them (`from isolation_support import seeded, clean_state`).
@pytest.fixture(scope="session")
def seeded(tmp_path_factory):
    """A log with the healthy endpoint and its reference, not yet tailed: each case copies it."""
    pipeline = Pipeline(tmp_path_factory.mktemp("isolation") / "seeded")
    pipeline.seed_healthy()
    return pipeline


@pytest.fixture(scope="session")
def clean_state(seeded, tmp_path_factory):
    """The healthy endpoint's profiles, drift and performance after a clean tail and batch."""
    clean = seeded.copy(tmp_path_factory.mktemp("isolation") / "clean")
    clean.tail(check=True)
    clean.batch(check=True)
    return clean.healthy_state()
