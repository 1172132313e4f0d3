"""The shipped Prometheus alerting rules (pipelines/prometheus/driftline-rules.yml): promtool accepts them,
their unit tests pass, every rule is tested both firing and not firing, and the Alertmanager example is
valid. That the rules query only metrics tail and batch really emit is checked in test_deployment.py."""
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

PROMETHEUS = ROOT / "pipelines/prometheus"
RULES = PROMETHEUS / "driftline-rules.yml"
RULE_TESTS = PROMETHEUS / "tests/driftline-rules.test.yml"


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is missing (tools/setup installs it)")
    return path


def alert_names():
    return re.findall(r"^\s*- alert:\s*(\S+)", RULES.read_text(), re.M)


def rule_expressions():
    """The `expr:` of every rule (one line each in this file)."""
    return re.findall(r"^\s*expr:\s*(.+)$", RULES.read_text(), re.M)


def test_promtool_checks_the_rules_and_the_config():
    promtool = tool("promtool")
    check = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(alert_names())} rules found" in check.stdout
    config = subprocess.run([promtool, "check", "config", str(PROMETHEUS / "driftline.yml")], capture_output=True, text=True)
    assert config.returncode == 0, config.stdout + config.stderr
    assert "1 rule files found" in config.stdout


def test_promtool_unit_tests_of_the_rules_pass():
    promtool = tool("promtool")
    run = subprocess.run([promtool, "test", "rules", RULE_TESTS.name], cwd=RULE_TESTS.parent, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SUCCESS" in run.stdout


def test_every_rule_is_tested_firing_and_not_firing():
    text = RULE_TESTS.read_text()
    cases = re.findall(r"alertname:\s*(\S+)\s*\n\s*exp_alerts:(\s*\[\])?", text)
    fires = {name for name, empty in cases if not empty}
    silent = {name for name, empty in cases if empty}
    names = set(alert_names())
    assert len(names) >= 10
    assert names - fires == set(), f"rules never tested firing: {sorted(names - fires)}"
    assert names - silent == set(), f"rules never tested staying silent: {sorted(names - silent)}"
    assert (fires | silent) - names == set(), "tests of rules that do not exist"


def test_a_mutated_threshold_fails_the_unit_tests(tmp_path):
    """The unit tests have teeth: moving one threshold makes promtool report a failure."""
    promtool = tool("promtool")
    mutated = tmp_path / "rules.yml"
    mutated.write_text(RULES.read_text().replace("driftline_model_accuracy < 0.80", "driftline_model_accuracy < 0.70"))
    tests = tmp_path / "rules.test.yml"
    tests.write_text(RULE_TESTS.read_text().replace("../driftline-rules.yml", str(mutated)))
    run = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "DriftlineAccuracyBelowFloor" in run.stdout + run.stderr


def test_every_alert_has_a_severity_and_an_actionable_description():
    blocks = re.split(r"^\s*- alert:\s*", RULES.read_text(), flags=re.M)[1:]
    assert len(blocks) == len(alert_names())
    for block in blocks:
        name = block.split()[0]
        assert re.search(r"severity:\s*(page|ticket)\b", block), name
        assert "summary:" in block and "description:" in block, name


def test_the_alertmanager_example_is_valid_and_routes_both_severities():
    amtool = tool("amtool")
    example = PROMETHEUS / "alertmanager.example.yml"
    run = subprocess.run([amtool, "check-config", str(example)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    text = example.read_text()
    assert "severity=\"page\"" in text and "severity=\"ticket\"" in text
