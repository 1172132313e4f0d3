"""`driftline tail --config FILE`: the pipeline file's `tail:` section, with flags winning over it."""
import subprocess

from deltalake import DeltaTable

from conftest import ROOT, bin_dir


def driftline(*args):
    return subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=300)


def simulate(log, endpoint):
    done = driftline("simulate", "--log", log, "--endpoint", endpoint, "--records", 400, "--seed", 3,
                     "--start", "2026-11-01T00:00:00Z")
    assert done.returncode == 0, done.stderr


def windows(store):
    frame = DeltaTable(str(store / "profiles")).to_pandas()
    return set(frame.endpoint), set((frame.window_end - frame.window_start).dt.total_seconds())


def test_config_sets_window_and_endpoints(tmp_path):
    log, store, config = tmp_path / "log", tmp_path / "store", tmp_path / "pipeline.yaml"
    simulate(log, "iris-a")
    simulate(log, "iris-b")
    config.write_text("tail:\n  window: 1m\n  commit_interval: 5s\n  endpoints: [iris-a]\n")
    done = driftline("tail", "--log", log, "--store", store, "--config", config, "--once")
    assert done.returncode == 0, done.stderr
    assert windows(store) == ({"iris-a"}, {60.0})


def test_flags_win_over_the_config(tmp_path):
    log, store, config = tmp_path / "log", tmp_path / "store", tmp_path / "pipeline.yaml"
    simulate(log, "iris-a")
    config.write_text("tail:\n  window: 1m\n")
    done = driftline("tail", "--log", log, "--store", store, "--config", config, "--window", "2m", "--once")
    assert done.returncode == 0, done.stderr
    assert windows(store) == ({"iris-a"}, {120.0})


def test_unknown_key_and_bad_values_are_named(tmp_path):
    log = tmp_path / "log"
    simulate(log, "iris-a")
    for text, expected in [("tail:\n  windw: 1m\n", "tail.windw"),
                           ("tail:\n  window: [1]\n", "tail.window"),
                           ("tail:\n  window: often\n", "tail.window = often"),
                           ("tail:\n  window: 7m\n", "tail.window = 7m: must divide an hour"),
                           # one file, checked whole: a typo in another command's section is found here too
                           ("tial:\n  window: 1m\n", "unknown key tial"),
                           ("collect:\n  listn: 127.0.0.1:1\n", "unknown key collect.listn"),
                           ("defaults:\n  bins: 1\n", "defaults.bins = 1"),
                           ("tail:\n  metrics_port: high\n", "tail.metrics_port"),
                           ("tail: 3\n", "`tail` must be a mapping")]:
        config = tmp_path / "bad.yaml"
        config.write_text(text)
        done = driftline("tail", "--log", log, "--store", tmp_path / "store", "--config", config, "--once")
        assert done.returncode != 0
        assert expected in done.stderr, (text, done.stderr)
    missing = driftline("tail", "--log", log, "--store", tmp_path / "store", "--config", tmp_path / "none.yaml", "--once")
    assert missing.returncode != 0 and "cannot read the file" in missing.stderr


def test_example_pipeline_file_is_accepted(tmp_path):
    log, store = tmp_path / "log", tmp_path / "store"
    simulate(log, "iris-a")
    done = driftline("tail", "--log", log, "--store", store, "--config", ROOT / "pipelines" / "pipeline.example.yaml", "--once")
    assert done.returncode == 0, done.stderr
    assert windows(store) == ({"iris-a"}, {300.0})
