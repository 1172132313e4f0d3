"""The shipped Prometheus alerting rules (pipelines/prometheus/driftline-alerts.yml): promtool accepts them,
their unit tests pass, every rule is tested both firing and not firing, the documented per-endpoint override
of the allowed accuracy drop works, every alert says what to look at, and the Alertmanager example is
valid. That the rules query only metrics tail and batch really emit is checked in test_deployment.py."""
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

PROMETHEUS = ROOT / "pipelines/prometheus"
RULES = PROMETHEUS / "driftline-alerts.yml"
RULE_TESTS = PROMETHEUS / "tests/driftline-alerts.test.yml"


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is missing (tools/setup installs it)")
    return path


def alert_names():
    return re.findall(r"^\s*- alert:\s*(\S+)", RULES.read_text(), re.M)


def recording_names():
    return re.findall(r"^\s*- record:\s*(\S+)", RULES.read_text(), re.M)


def rule_expressions():
    """The `expr:` of every rule (one line each in this file)."""
    return re.findall(r"^\s*expr:\s*(.+)$", RULES.read_text(), re.M)


def test_promtool_checks_the_rules_and_the_config():
    promtool = tool("promtool")
    check = subprocess.run([promtool, "check", "rules", str(RULES)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert f"SUCCESS: {len(alert_names()) + len(recording_names())} rules found" in check.stdout
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
    assert len(names) >= 18
    assert names - fires == set(), f"rules never tested firing: {sorted(names - fires)}"
    assert names - silent == set(), f"rules never tested staying silent: {sorted(names - silent)}"
    assert (fires | silent) - names == set(), "tests of rules that do not exist"


def test_a_mutated_threshold_fails_the_unit_tests(tmp_path):
    """The unit tests have teeth: moving one threshold makes promtool report a failure."""
    promtool = tool("promtool")
    mutated = tmp_path / "rules.yml"
    mutated.write_text(RULES.read_text().replace("driftline_model_accuracy < 0.80", "driftline_model_accuracy < 0.70"))
    tests = tmp_path / "rules.test.yml"
    tests.write_text(RULE_TESTS.read_text().replace("../driftline-alerts.yml", str(mutated)))
    run = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
    assert run.returncode != 0
    assert "DriftlineAccuracyBelowFloor" in run.stdout + run.stderr


def test_a_mutated_evidence_factor_fails_the_small_hour_case(tmp_path):
    """Without the standard-error term the 40-label hour (drop 0.10, 3 SE = 0.103) would fire: the small-hour
    case really exercises the evidence part of DriftlineAccuracyBelowReference."""
    promtool = tool("promtool")
    text = RULES.read_text()
    assert "> 3 * sqrt(" in text
    mutated = tmp_path / "rules.yml"
    mutated.write_text(text.replace("> 3 * sqrt(", "> 2 * sqrt("))
    tests = tmp_path / "rules.test.yml"
    tests.write_text(RULE_TESTS.read_text().replace("../driftline-alerts.yml", str(mutated)))
    run = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
    assert run.returncode != 0
    assert 'endpoint="small"' in run.stdout + run.stderr


def test_the_documented_override_gives_one_endpoint_its_own_allowed_drop(tmp_path):
    """docs/operations.md: put `(0 * driftline_model_reference_accuracy{endpoint="fraud"} + 0.02) or` in front of
    the recording rule. fraud (0.95 → 0.92 at 5,000 labels) then alerts; iris with the same numbers keeps 0.05."""
    promtool = tool("promtool")
    default = "expr: 0 * driftline_model_reference_accuracy + 0.05"
    text = RULES.read_text()
    assert default in text
    override = 'expr: (0 * driftline_model_reference_accuracy{endpoint="fraud"} + 0.02) or 0 * driftline_model_reference_accuracy + 0.05'
    rules = tmp_path / "rules.yml"
    rules.write_text(text.replace(default, override))
    series = []
    for endpoint in ("fraud", "iris"):
        for name, value in (("reference_accuracy", "0.95"), ("accuracy", "0.92"), ("labeled", "5000")):
            series.append(f"      - series: 'driftline_model_{name}{{endpoint=\"{endpoint}\",model_version=\"1\"}}'\n"
                          f"        values: '{value}x10'\n")
    tests = tmp_path / "override.test.yml"
    tests.write_text(
        f"rule_files:\n  - {rules}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n" + "".join(series)
        + "    promql_expr_test:\n      - expr: driftline:model_accuracy_allowed_drop\n        eval_time: 5m\n        exp_samples:\n"
        + "          - labels: 'driftline:model_accuracy_allowed_drop{endpoint=\"fraud\",model_version=\"1\"}'\n            value: 0.02\n"
        + "          - labels: 'driftline:model_accuracy_allowed_drop{endpoint=\"iris\",model_version=\"1\"}'\n            value: 0.05\n"
        + "      - expr: ALERTS{alertname=\"DriftlineAccuracyBelowReference\"}\n        eval_time: 5m\n        exp_samples:\n"
        + "          - labels: 'ALERTS{alertname=\"DriftlineAccuracyBelowReference\",alertstate=\"firing\",endpoint=\"fraud\",model_version=\"1\",severity=\"page\"}'\n"
        + "            value: 1\n")
    run = subprocess.run([promtool, "test", "rules", str(tests)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_alert_has_a_severity_and_an_actionable_description():
    blocks = re.split(r"^\s*- alert:\s*", RULES.read_text(), flags=re.M)[1:]
    assert len(blocks) == len(alert_names())
    for block in blocks:
        name = block.split()[0]
        assert re.search(r"severity:\s*(page|ticket)\b", block), name
        assert "summary:" in block and "description:" in block, name
        description = block.split("description:", 1)[1]
        # What to look at: a report, a query of a Driftline metric, or the log of the process concerned.
        assert re.search(r"<store>/reports|driftline_\w+\{|`journalctl|log", description), f"{name} says nothing to look at"


def test_the_alertmanager_example_is_valid_and_routes_both_severities():
    amtool = tool("amtool")
    example = PROMETHEUS / "alertmanager.example.yml"
    run = subprocess.run([amtool, "check-config", str(example)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    text = example.read_text()
    assert "severity=\"page\"" in text and "severity=\"ticket\"" in text


@pytest.mark.parametrize("labels, receiver", [
    ({"alertname": "DriftlineTailDown", "severity": "page"}, "on-call"),
    ({"alertname": "DriftlineAccuracyBelowReference", "severity": "page", "endpoint": "iris"}, "on-call"),
    ({"alertname": "DriftlineFeatureDrift", "severity": "ticket", "endpoint": "iris"}, "ml-team-mail"),
    ({"alertname": "DriftlineDataQuality", "severity": "ticket", "endpoint": "iris"}, "data-team-mail"),
])
def test_the_alertmanager_example_routes_each_kind_of_alert(labels, receiver):
    """amtool's own routing: pages to on-call, data-quality findings to the data owners, other tickets by mail."""
    amtool = tool("amtool")
    run = subprocess.run([amtool, "config", "routes", "test", f"--config.file={PROMETHEUS / 'alertmanager.example.yml'}",
                          *(f"{k}={v}" for k, v in labels.items())], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip().splitlines()[-1] == receiver

