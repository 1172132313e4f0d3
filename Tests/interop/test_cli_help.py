"""Every `driftline` command's --help shows examples that work, and the mistakes users make get a message that
names what is wrong and says what to do (no crash, no Foundation error dump)."""
import re
import shlex
import subprocess

import pytest

from conftest import ROOT, bin_dir

SUBCOMMANDS = ["simulate", "ingest", "collect", "inspect", "tail", "compact", "query", "profile", "batch", "demo"]
# Flags whose value is a file or folder: replaced by an impossible path to check the failure is explained.
PATH_FLAGS = {"--log", "--store", "--csv", "--directory", "--training-csv", "--config"}
# An instruction: an imperative, a rule ("must ..."), or ArgumentParser's own "Missing expected argument".
INSTRUCTION = re.compile(
    r"\b(run|use|give|pass|check|choose|create|re-create|remove|delete|fix|list|point|save|stop|wait|restore|"
    r"add|drop|free|raise|must)\b|e\.g\.|Missing expected argument|Unexpected argument", re.I)
CRASH = re.compile(r"Fatal error|Stack dump|Backtrace|Current stack trace|Error Domain=|NSCocoaErrorDomain|Illegal instruction")


def driftline(*args, cwd=None, timeout=300):
    return subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def example_section(command):
    """The lines of the Examples section of `driftline [command] --help`."""
    proc = driftline(*([command] if command else []), "--help")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    starts = [i for i, line in enumerate(lines) if re.fullmatch(r"Examples?:", line)]
    assert starts, f"driftline {command} --help has no Examples section:\n{proc.stdout}"
    section = []
    for line in lines[starts[0] + 1:]:
        if not line.strip():
            break
        section.append(line)
    return section


def examples(command):
    """The section's driftline commands, continuation lines joined, comments and other tools left out."""
    commands, current = [], ""
    for line in example_section(command):
        text = line.strip()
        if text.startswith("#"):
            continue
        current += (" " if current else "") + text.rstrip("\\").strip()
        if not text.endswith("\\"):
            commands.append(current)
            current = ""
    found = []
    for text in commands:
        text = re.sub(r"^[\d*/,\s]+(?=driftline )", "", text)  # a cron line's schedule
        if text.startswith("driftline "):
            found.append(shlex.split(text.split(" | ")[0])[1:])
    return found


@pytest.mark.parametrize("command", [""] + SUBCOMMANDS)
def test_help_has_examples_that_fit_the_screen(command):
    section = example_section(command)
    # ArgumentParser wraps at 80 columns: a wrapped example would start a line at column 0 and not paste.
    assert all(line.startswith("  ") for line in section), section
    found = examples(command)
    assert found, section
    if command:
        assert found[0][0] == command, f"the first example of {command} runs {found[0][0]}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A folder laid out like the repository root (for pipelines/demo/iris-train.csv) to run examples in."""
    folder = tmp_path_factory.mktemp("examples")
    (folder / "pipelines").symlink_to(ROOT / "pipelines")
    (folder / "a-file").write_text("not a folder\n")
    return folder


def test_first_examples_run_as_a_pipeline(workspace):
    """Each command's first example, in data-flow order, works as printed (demo runs in test_readme and DemoTests)."""
    order = ["simulate", "ingest", "collect", "profile", "tail", "inspect", "query", "batch", "compact"]
    outputs = {}
    for command in order:
        args = examples(command)[0]
        proc = driftline(*args, cwd=workspace)
        assert proc.returncode == 0, f"driftline {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}"
        assert not CRASH.search(proc.stderr), proc.stderr
        outputs[command] = proc.stdout
    assert "ingested 1000 records" in outputs["ingest"]
    assert "collect section OK" in outputs["collect"]
    assert "profiled 1000 rows" in outputs["profile"]
    assert "iris" in outputs["inspect"] and "records" in outputs["inspect"]
    assert "petal_width count" in outputs["query"]
    assert "compacted" in outputs["compact"]
    assert examples("")[0] == ["demo"]


@pytest.mark.parametrize("command", [""] + SUBCOMMANDS)
def test_first_example_with_impossible_paths_explains_itself(command, workspace):
    bad = workspace / "a-file" / "sub"
    args = examples(command)[0]
    args = [str(bad) if i > 0 and args[i - 1] in PATH_FLAGS else a for i, a in enumerate(args)]
    if not any(flag in args for flag in PATH_FLAGS):
        args += ["--directory", str(bad)]
    proc = driftline(*args, cwd=workspace)
    assert proc.returncode != 0, f"driftline {' '.join(args)} succeeded on an impossible path"
    assert not CRASH.search(proc.stderr), proc.stderr
    assert str(bad) in proc.stderr, proc.stderr
    assert INSTRUCTION.search(proc.stderr), proc.stderr


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    """A log of endpoint iris and a store profiled from it, without a reference; and an empty store."""
    folder = tmp_path_factory.mktemp("mistakes")
    for args in [["simulate", "--log", folder / "log", "--endpoint", "iris", "--records", "2000", "--seed", "3",
                  "--start", "2026-11-20T10:00:00Z"],
                 ["tail", "--log", folder / "log", "--store", folder / "store", "--once"]]:
        proc = driftline(*args)
        assert proc.returncode == 0, proc.stderr
    (folder / "empty-store").mkdir()
    (folder / "empty-log").mkdir()
    return folder


# (arguments, exit code, what the message must contain); {d} is the pipeline folder.
MISTAKES = [
    (["tail", "--log", "{d}/log"], 64, ["--store"]),
    (["batch"], 64, ["--store"]),
    (["tail", "--log", "{d}/no-log", "--store", "{d}/store", "--once"], 64, ["--log {d}/no-log", "no such folder"]),
    (["inspect", "--log", "{d}/no-log"], 64, ["--log {d}/no-log", "no such folder"]),
    (["batch", "--store", "{d}/no-store"], 64, ["--store {d}/no-store", "no such folder"]),
    (["batch", "--store", "{d}/empty-store"], 1, ["no profiles table", "driftline tail"]),
    (["query", "--store", "{d}/empty-store"], 64, ["no profiles table", "run driftline tail"]),
    (["compact", "--store", "{d}/empty-store"], 64, ["no profiles table", "run driftline tail"]),
    (["query", "--store", "{d}/store", "--endpoint", "iris-nope"], 64, ["--endpoint iris-nope", "it has iris", "check the name"]),
    (["batch", "--store", "{d}/store", "--endpoint", "iris-nope"], 64, ["--endpoint iris-nope", "it has iris"]),
    (["query", "--store", "{d}/store", "--column", "petal_widht"], 1, ["--column petal_widht", "petal_width", "check the name"]),
    (["inspect", "--log", "{d}/log", "--endpoint", "iris-nope"], 64, ["--endpoint iris-nope", "it has iris"]),
    (["tail", "--log", "{d}/log", "--store", "{d}/store", "--once", "--endpoint", "iris-nope"], 0, ["warning", "iris-nope", "check the name"]),
    (["ingest", "--labels", "--log", "{d}/log", "--endpoint", "iris-nope", "--csv", "{root}/pipelines/demo/iris.csv",
      "--request-id-column", "species", "--label-column", "species"], 64, ["iris-nope", "ingest its inferences first"]),
    (["tail", "--log", "{d}/empty-log", "--store", "{d}/store", "--once"], 0, ["no partitions yet", "log to it first"]),
    (["query", "--store", "{d}/store", "--from", "2030-01-01T00:00:00Z"], 0, ["no profiles in", "widen --from/--to"]),
    (["tail", "--log", "{d}/log", "--store", "{d}/store", "--window", "fivem"], 64, ["--window fivem", "e.g. 500ms"]),
    (["tail", "--log", "{d}/log", "--store", "{d}/store", "--window", "0s"], 64, ["window", "positive"]),
    (["compact", "--store", "{d}/store", "--older-than", "2 hours"], 64, ["--older-than 2 hours", "e.g."]),
    (["batch", "--store", "{d}/store", "--from", "yesterday"], 64, ["--from yesterday", "give ISO-8601"]),
    (["batch", "--store", "{d}/store", "--from", "2026-11-23T05:00:00Z", "--to", "2026-11-23T04:00:00Z"], 64, ["--to 2026-11-23T04:00:00Z", "give a later --to"]),
    (["query", "--store", "{d}/store", "--from", "2026-13-45"], 64, ["--from 2026-13-45", "give ISO-8601"]),
    (["simulate", "--log", "{d}/log2", "--start", "last tuesday"], 64, ["--start last tuesday", "give ISO-8601"]),
    (["profile", "--store", "{d}/store", "--endpoint", "iris", "--model-version", "1", "--csv", "{d}/train.csv",
      "--features", "a"], 64, ["--csv {d}/train.csv", "check the path"]),
    (["profile", "--store", "{d}/store", "--endpoint", "iris", "--model-version", "1", "--csv", "{root}/pipelines/demo/iris.csv",
      "--features", "sepal_length,petals", "--prediction-column", "petal_width"], 64, ["no column named petals", "fix the column flags"]),
    (["batch", "--store", "{d}/store", "--config", "{d}/pipeline.yaml"], 64, ["--config {d}/pipeline.yaml", "check the path"]),
    (["batch", "--store", "{d}/store", "--from", "2026-11-20T00:00:00Z", "--to", "2026-11-21T00:00:00Z"], 0, ["no reference for iris", "driftline profile"]),
    (["tail", "--log", "{d}/log", "--store", "{d}/a-file/store", "--once"], 1, ["Not a directory", "choose another path"]),
    (["simulate", "--log", "{d}/a-file/log", "--records", "10"], 1, ["--log {d}/a-file/log", "Not a directory", "choose another path"]),
    (["demo", "--hours", "30"], 64, ["--hours 30", "must lie in"]),
    (["frobnicate"], 64, ["Unexpected argument 'frobnicate'"]),
]


@pytest.mark.parametrize("arguments,status,expected", MISTAKES, ids=[" ".join(m[0][:3]) for m in MISTAKES])
def test_common_mistakes_say_what_to_do(arguments, status, expected, pipeline):
    (pipeline / "a-file").write_text("not a folder\n")
    fill = lambda text: text.replace("{d}", str(pipeline)).replace("{root}", str(ROOT))
    proc = driftline(*map(fill, arguments))
    assert proc.returncode == status, (proc.returncode, proc.stderr)
    assert not CRASH.search(proc.stderr), proc.stderr
    for text in map(fill, expected):
        assert text in proc.stderr, f"{text!r} not in:\n{proc.stderr}"
    if status == 64:
        assert INSTRUCTION.search(proc.stderr.split("\nUsage:")[0]), proc.stderr
