"""Every file the product creates is 0640 and every folder 0750, whatever the umask (feature values can be
personal data): the whole pipeline runs as separate `driftline` processes under umask 0, which would give
0666 files and 0777 folders to a create that trusted the umask, and then the log, the store and the
exporter files are walked."""
import os
import pathlib
import stat
import subprocess
import time

from conftest import bin_dir

FEATURES = "sepal_length,sepal_width,petal_length,petal_width"
CLASSES = "setosa,versicolor,virginica"


def driftline(*args):
    """Runs the CLI under umask 0 (set in the child only) and returns its stdout."""
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True,
                          preexec_fn=lambda: os.umask(0))
    assert proc.returncode == 0, f"driftline {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
    return proc.stdout


def offenders(root):
    """Paths under (and including) `root` whose mode is not 0750 (folders) or 0640 (files)."""
    found = []
    for folder, names, files in os.walk(root):
        for path in [folder] + [os.path.join(folder, f) for f in files]:
            mode = stat.S_IMODE(os.lstat(path).st_mode)
            expected = 0o750 if os.path.isdir(path) else 0o640
            if mode != expected:
                found.append(f"{os.path.relpath(path, root.parent)}: {oct(mode)}, expected {oct(expected)}")
    return found


def test_every_file_and_folder_the_product_creates_has_the_policys_mode(tmp_path):
    log, store, exports = tmp_path / "log", tmp_path / "store", tmp_path / "exports"
    exports.mkdir()   # the exporter files' folder belongs to the operator (batch checks it is writable)
    training = tmp_path / "train.csv"
    hour = 3600
    start = int(time.time()) // hour * hour - 3 * hour
    iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    # The logger (InferenceLogger inside `simulate`): partitions, segments, indexes, manifests, lock files.
    driftline("simulate", "--log", log, "--endpoint", "iris-good", "--model-version", "1", "--hours", 3,
              "--start", iso(start), "--drift-hour", 2, "--seed", 7)
    driftline("simulate", "--training-csv", training, "--training-rows", 400, "--seed", 1)
    # A reference (store/references/…), the tail's profiles table, locks and consumer offsets.
    driftline("profile", "--store", store, "--endpoint", "iris-good", "--model-version", "1", "--csv", training,
              "--features", FEATURES, "--classes", CLASSES, "--proba-columns", "good_setosa,good_versicolor,good_virginica",
              "--label-column", "species")
    driftline("tail", "--log", log, "--store", store, "--once")
    # Batch: drift and performance tables, HTML/JSON reports, the textfile and the Anodot file.
    textfile, anodot = exports / "driftline.prom", exports / "anodot.json"
    driftline("batch", "--store", store, "--from", iso(start), "--to", iso(start + 3 * hour),
              "--prom-textfile", textfile, "--anodot", anodot)
    # Compaction rewrites the closed windows of profiles as new data files and commits (then vacuums).
    driftline("compact", "--store", store, "--older-than", "0s")

    created = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    # The run really produced the kinds of files the policy covers.
    for expected in ["log/iris-good", "store/profiles/_delta_log", "store/drift/_delta_log", "store/performance/_delta_log",
                     "store/references/iris-good/1.json", "store/locks/batch.lock", "store/locks/tail/iris-good",
                     "store/reports/iris-good"]:
        assert expected in created, f"{expected} missing: the pipeline did not run as expected ({sorted(created)[:40]})"
    for suffix in [".log", ".index", ".timeindex", ".manifest", ".offset", "writer.lock", ".parquet", ".json", ".html"]:
        assert any(name.endswith(suffix) for name in created), f"no {suffix} file was created"

    bad = offenders(log) + offenders(store)
    for path in [textfile, anodot, training]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode != 0o640:
            bad.append(f"{path.relative_to(tmp_path)}: {oct(mode)}, expected 0o640")
    assert not bad, "files and folders with the wrong mode (the policy: files 0640, folders 0750):\n" + "\n".join(bad)
