"""An atomic replace killed mid-write leaves the old content or the new one, never a mix.

`driftline simulate --training-csv` writes its CSV (megabytes) with DurableFiles' replace: a hidden
temporary in the same folder, written, fsynced, renamed onto the name, the folder fsynced. Here it is run
again and again with alternating seeds and SIGKILLed the moment its temporary shows up in the folder (the
write, the fsync or the rename is then under way); after every kill the CSV must be exactly one of the
two complete versions.
"""
import os
import signal
import subprocess
import time

from conftest import bin_dir

ROWS = 20_000


def write_csv(path, seed):
    return subprocess.Popen([str(bin_dir() / "driftline"), "simulate", "--training-csv", str(path),
                             "--training-rows", str(ROWS), "--seed", str(seed)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def complete(path, seed):
    process = write_csv(path, seed)
    assert process.wait(timeout=300) == 0, process.stderr.read()
    return path.read_bytes()


def test_a_replace_killed_mid_write_leaves_old_or_new(tmp_path):
    versions = {seed: complete(tmp_path / f"v{seed}.csv", seed) for seed in (1, 2)}
    assert versions[1] != versions[2] and len(versions[1]) > 1_000_000
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "train.csv"
    target.write_bytes(versions[1])
    killed_during_write = 0
    for round in range(6):
        seed = 2 if round % 2 == 0 else 1
        process = write_csv(target, seed)
        # Kill as soon as the temporary exists (bounded: a run that never shows one just finishes).
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            if any(name.startswith(".train.csv.") and name.endswith(".tmp") for name in os.listdir(folder)):
                process.send_signal(signal.SIGKILL)
                killed_during_write += 1
                break
            time.sleep(0.0005)
        process.wait(timeout=60)
        content = target.read_bytes()
        assert content in (versions[1], versions[2]), \
            f"round {round}: train.csv is {len(content)} bytes, neither version ({len(versions[1])}, {len(versions[2])})"
        # Left-over temporaries are hidden and never read; clear them so the next round's is the one seen.
        for name in os.listdir(folder):
            if name.endswith(".tmp"):
                os.unlink(folder / name)
    print(f"replace: killed {killed_during_write} of 6 runs with the temporary in place")
    assert killed_during_write >= 3, "the kills missed the write: the test did not test anything"
