"""Shared fixtures for the cross-checks: where the Swift binaries are, and how to run them."""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def bin_dir() -> pathlib.Path:
    env = os.environ.get("DRIFTLINE_BIN_DIR")
    if env:
        return pathlib.Path(env)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return pathlib.Path(out)


@pytest.fixture(scope="session")
def swift_bin():
    """Returns a function that runs a built Swift executable and returns its stdout."""
    directory = bin_dir()

    def run(name, *args, input=None):
        exe = directory / name
        assert exe.exists(), f"{exe} is missing: run `swift build` first"
        proc = subprocess.run([str(exe), *map(str, args)], input=input, capture_output=True, text=True)
        assert proc.returncode == 0, f"{name} {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
        return proc.stdout

    return run
