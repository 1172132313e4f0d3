"""Shared fixtures for the cross-checks: where the Swift binaries are, and how to run them."""
import functools
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@functools.cache
def bin_dir() -> pathlib.Path:
    env = os.environ.get("DRIFTLINE_BIN_DIR")
    if env:
        return pathlib.Path(env)
    out = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    return pathlib.Path(out)


# Executables of the cross-check tools' package (Tests/interop/Package.swift), not of the product.
INTEROP_TOOLS = {"ParquetInterop", "DeltaInterop", "ProfilesInterop", "StoreInterop", "TailInterop",
                 "BatchInterop", "LogInterop", "driftline-logger-child"}


@functools.cache
def interop_bin_dir() -> pathlib.Path:
    env = os.environ.get("DRIFTLINE_INTEROP_BIN_DIR")
    if env:
        return pathlib.Path(env)
    here = ROOT / "Tests" / "interop"
    out = subprocess.run(["swift", "build", "--package-path", str(here), "--show-bin-path"], cwd=here, check=True,
                         capture_output=True, text=True).stdout.strip()
    return pathlib.Path(out)


def executable(name: str) -> pathlib.Path:
    """A built executable: `driftline` from the product's bin folder, a cross-check tool from Tests/interop's."""
    return (interop_bin_dir() if name in INTEROP_TOOLS else bin_dir()) / name


@pytest.fixture(scope="session")
def swift_bin():
    """Returns a function that runs a built Swift executable and returns its stdout."""
    def run(name, *args, input=None):
        exe = executable(name)
        assert exe.exists(), f"{exe} is missing: run `swift build` first"
        proc = subprocess.run([str(exe), *map(str, args)], input=input, capture_output=True, text=True)
        assert proc.returncode == 0, f"{name} {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}"
        return proc.stdout

    return run
