"""Blast radius of store damage and write failures (issue 13): cases beside a healthy endpoint (harness: isolation_support.py)."""
from isolation_support import HEALTHY, START_US, assert_healthy, clean_state, inference, seeded  # noqa: F401

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


def with_other_committed_last(seeded, path) -> Pipeline:
    """The healthy endpoint tailed first, then `other` added to the log and tailed: the newest profiles commits
    hold only `other`'s rows (a damaged one may hide only those)."""
    pipeline = seeded.copy(path)
    pipeline.tail(check=True)
    pipeline.run("simulate", "--log", pipeline.log, "--endpoint", OTHER, "--records", "1800", "--rate", "0.5",
                 "--start", START, "--seed", "11", "--writer-id", "o1", check=True)
    pipeline.run("profile", "--store", pipeline.store, "--endpoint", OTHER, "--model-version", "1", "--csv", TRAINING,
                 *IRIS_COLUMNS, check=True)
    pipeline.tail(check=True)
    return pipeline


def printed_profiles(result):
    printed = [json.loads(line) for line in result.stdout.splitlines()]
    for profile in printed:
        profile.pop("partial_rows", None)
    return printed


def assert_healthy_beside_damage(pipeline, clean_state):
    """assert_healthy, while `query` exits 1 for the damage it names: the healthy endpoint equals a clean run."""
    query = pipeline.run("query", "--store", pipeline.store, "--endpoint", HEALTHY, "--json")
    assert query.returncode in (0, 1), query.text
    assert printed_profiles(query) == clean_state["profiles"]
    assert pipeline.rows("drift", HEALTHY) == clean_state["drift"]
    assert pipeline.rows("performance", HEALTHY) == clean_state["performance"]


NOW = "2026-11-01T03:00:00Z"      # both hours complete; a batch without --from/--to records its run and retries


@pytest.mark.parametrize("damage", sorted(COMMIT_DAMAGE))
def test_a_damaged_newest_profiles_commit_is_read_around_named_and_healed_by_the_next_tail(seeded, clean_state, tmp_path, damage):
    pipeline = with_other_committed_last(seeded, tmp_path / "case")
    commit = newest_commit(pipeline, "profiles")
    good = int(commit.name.split(".")[0]) - 1
    commit.write_bytes(COMMIT_DAMAGE[damage](commit.read_bytes()))
    aged(commit)
    # query: the profiles as of the version before it (the healthy endpoint complete), the commit named, exit 1.
    query = pipeline.run("query", "--store", pipeline.store, "--json")
    assert query.returncode == 1, query.text
    assert commit.name in query.stderr and "damaged commit" in query.stderr and f"version {good}" in query.stderr, query.text
    assert [p for p in printed_profiles(query) if p["endpoint"] == HEALTHY] == clean_state["profiles"]
    # batch: the healthy endpoint analysed exactly; the run incomplete (exit 4), the commit named, retried next run.
    textfile = tmp_path / "driftline.prom"
    batch = pipeline.run("batch", "--store", pipeline.store, "--now", NOW, "--prom-textfile", textfile)
    assert batch.returncode == 4, batch.text
    assert commit.name in batch.stderr and "next batch" in batch.stderr, batch.text
    assert '\ndriftline_batch_unreadable_profiles_commits{shard="0/1"} 1\n' in textfile.read_text()   # counted for the alert
    assert_healthy_beside_damage(pipeline, clean_state)
    # compact (on a copy; a writer of profiles): reads around it, its replace moves it aside (30 s old), says so.
    copy = pipeline.copy(tmp_path / "compact")
    compact = copy.run("compact", "--store", copy.store, "--older-than", "0s", "--no-vacuum")
    assert compact.returncode == 0, compact.text
    assert commit.name in compact.stderr and "_delta_log_damaged" in compact.stderr, compact.text
    copy.tail(check=True)
    assert [p for p in printed_profiles(copy.run("query", "--store", copy.store, "--json", check=True)) if p["endpoint"] == HEALTHY] == clean_state["profiles"]
    # Nothing was moved by the readers; the tail (the table's writer) moves it aside and commits the version again.
    assert not (pipeline.store / "profiles" / "_delta_log_damaged").exists()
    healed = pipeline.tail()
    assert healed.returncode == 0, healed.text
    assert commit.name in healed.text and "_delta_log_damaged" in healed.text, healed.text
    kept = list((pipeline.store / "profiles" / "_delta_log_damaged").iterdir())
    assert len(kept) == 1 and kept[0].name.startswith(commit.name)
    # The next batch (same --now: nothing new but the commit written again) analyses the other endpoint: retried.
    retried = pipeline.run("batch", "--store", pipeline.store, "--now", NOW, "--prom-textfile", textfile, check=True)
    assert f"{OTHER} v1" in retried.stdout, retried.text
    assert '\ndriftline_batch_unreadable_profiles_commits{shard="0/1"} 0\n' in textfile.read_text()
    query = pipeline.run("query", "--store", pipeline.store, "--json", check=True)
    assert {p["endpoint"] for p in printed_profiles(query)} == {HEALTHY, OTHER}
    assert len(pipeline.rows("performance", OTHER)) == 1     # its one hour
    assert_healthy(pipeline, clean_state)


def test_a_young_damaged_newest_commit_is_read_around_and_left_until_it_is_30_s_old(seeded, clean_state, tmp_path):
    pipeline = with_other_committed_last(seeded, tmp_path / "case")
    commit = newest_commit(pipeline, "profiles")
    commit.write_bytes(b"")                       # just now: on a filesystem without hard links it may be being written
    query = pipeline.run("query", "--store", pipeline.store, "--json")
    assert query.returncode == 1 and commit.name in query.stderr, query.text
    textfile = tmp_path / "driftline.prom"
    batch = pipeline.run("batch", "--store", pipeline.store, "--now", NOW, "--prom-textfile", textfile)
    assert batch.returncode == 4 and commit.name in batch.stderr, batch.text
    assert '\ndriftline_batch_unreadable_profiles_commits{shard="0/1"} 1\n' in textfile.read_text()
    assert_healthy_beside_damage(pipeline, clean_state)
    # compact may not commit past it yet: it names it, commits nothing, exits 1.
    compact = pipeline.run("compact", "--store", pipeline.store, "--older-than", "0s", "--no-vacuum")
    assert compact.returncode == 1 and commit.name in compact.stderr and "30 s" in compact.stderr, compact.text
    assert newest_commit(pipeline, "profiles") == commit and commit.read_bytes() == b""
    # Once it is 30 s old, the tail moves it aside and the next batch run analyses what it held.
    aged(commit)
    healed = pipeline.tail()
    assert healed.returncode == 0 and "_delta_log_damaged" in healed.text, healed.text
    retried = pipeline.run("batch", "--store", pipeline.store, "--now", NOW, "--prom-textfile", textfile, check=True)
    assert f"{OTHER} v1" in retried.stdout, retried.text
    assert '\ndriftline_batch_unreadable_profiles_commits{shard="0/1"} 0\n' in textfile.read_text()
    assert len(pipeline.rows("performance", OTHER)) == 1
    assert_healthy(pipeline, clean_state)


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
    # batch: the other endpoint is not analysed (named; exit 4, some windows not analysed), the healthy one is, exactly.
    batch = pipeline.batch()
    assert batch.returncode == 4 and damaged.name in batch.stderr and OTHER in batch.stderr, batch.text
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


# --- A real full file system: the store on a tiny tmpfs (needs the right to mount; skipped otherwise) -------
def fill(folder, leave=16 * 1024):
    """Fills the file system of `folder` with one file until a write fails (ENOSPC), then frees `leave` bytes."""
    filler = folder / "filler.bin"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler


@pytest.fixture
def store_on_tmpfs(seeded, tmp_path):
    """A pipeline (healthy + other) whose store is on its own 4 MiB tmpfs; unmounted afterwards."""
    pipeline = with_other(seeded, tmp_path / "case")
    original = pipeline.root / "store.original"
    pipeline.store.rename(original)
    pipeline.store.mkdir()
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(pipeline.store)], capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): {mount.stderr.strip()}; the RLIMIT_FSIZE cases above stand in")
    try:
        shutil.copytree(original, pipeline.store, dirs_exist_ok=True)
        yield pipeline
    finally:
        subprocess.run(["umount", "-l", str(pipeline.store)], check=False)


def test_a_full_tmpfs_during_tail_follow_is_retried_and_heals_once_space_is_freed(store_on_tmpfs, clean_state, tmp_path):
    pipeline = store_on_tmpfs
    filler = fill(pipeline.store)
    port = free_port()
    output = open(tmp_path / "tail.out", "w")
    tail = subprocess.Popen([str(bin_dir() / "driftline"), "tail", "--log", pipeline.log, "--store", pipeline.store,
                             "--commit-interval", "200ms", "--metrics-port", str(port)], stdout=output, stderr=subprocess.STDOUT)
    try:
        assert wait_for(lambda: (metric(port, "driftline_tail_commit_failures_total") or 0) >= 2), (tmp_path / "tail.out").read_text()
        assert tail.poll() is None, "tail exited on a full file system"
        assert uncommitted(pipeline, "profiles") == []          # a failed commit removes the files it wrote
        filler.unlink()                                          # space is back
        assert wait_for(lambda: metric(port, "driftline_tail_commit_retry_seconds") == 0 and
                        (metric(port, "driftline_tail_commits_total") or 0) >= 1), (tmp_path / "tail.out").read_text()
    finally:
        code = stop(tail)
        output.close()
    text = (tmp_path / "tail.out").read_text()
    assert code == 0, text
    assert "retrying in" in text and "No space left on device" in text, text
    assert uncommitted(pipeline, "profiles") == []
    pipeline.tail(check=True)
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)


def test_a_full_tmpfs_during_batch_reports_the_run_incomplete_and_the_next_run_finishes_it(store_on_tmpfs, clean_state):
    pipeline = store_on_tmpfs
    pipeline.tail(check=True)
    pipeline.batch("--endpoint", HEALTHY, check=True)   # the tables exist; the full run below replaces their rows
    filler = fill(pipeline.store, leave=8 * 1024)
    full = pipeline.batch()
    assert full.returncode > 0, full.text
    assert "incomplete" in full.stderr and "No space left on device" in full.stderr, full.text
    assert uncommitted(pipeline, "drift") == [] and uncommitted(pipeline, "performance") == []
    filler.unlink()
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    assert uncommitted(pipeline, "drift") == [] and uncommitted(pipeline, "performance") == []
