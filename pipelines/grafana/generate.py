#!/usr/bin/env python3
"""Writes the three Grafana dashboards of pipelines/grafana as importable JSON (Dashboards → Import).

Metrics (see pipelines/prometheus/driftline.yml):
  driftline tail /metrics         driftline_tail_* (records read, lag, commits, latest closed window's
                                  requests, errors, feature means and class frequencies)
  driftline batch --prom-textfile driftline_feature_drift_score/status, driftline_feature_tvd/hellinger/
                                  kld/psi, driftline_model_accuracy (labelled, estimated, reference),
                                  driftline_model_error_rate, driftline_model_drift_status,
                                  driftline_model_window_start_seconds (latest analysed hour),
                                  driftline_batch_last_success_timestamp_seconds, and the quality
                                  checks' driftline_quality_status (0 ok, 1 warn, 2 alert)
Usage: python3 pipelines/grafana/generate.py
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
STATUS_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "insufficient data", "color": "gray", "index": 0},
    "1": {"text": "no drift", "color": "green", "index": 1},
    "2": {"text": "possible drift", "color": "orange", "index": 2},
    "3": {"text": "drift detected", "color": "red", "index": 3}}}]
STATUS_THRESHOLDS = {"mode": "absolute", "steps": [
    {"color": "gray", "value": None}, {"color": "green", "value": 1}, {"color": "orange", "value": 2}, {"color": "red", "value": 3}]}


def panel(kind, title, targets, x, y, w, h, unit=None, description=None, **extra):
    defaults = {}
    if unit:
        defaults["unit"] = unit
    p = {
        "type": kind, "title": title, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [{"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend}
                    for i, (expr, legend) in enumerate(targets)],
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {},
    }
    if description:
        p["description"] = description
    p.update(extra)
    return p


def status_panel(kind, title, targets, x, y, w, h, description=None):
    p = panel(kind, title, targets, x, y, w, h, description=description)
    p["fieldConfig"]["defaults"].update({"mappings": STATUS_MAPPINGS, "thresholds": STATUS_THRESHOLDS,
                                         "color": {"mode": "thresholds"}, "min": 0, "max": 3})
    return p


QUALITY_MAPPINGS = [{"type": "value", "options": {
    "0": {"text": "ok", "color": "green", "index": 0},
    "1": {"text": "warn", "color": "orange", "index": 1},
    "2": {"text": "alert", "color": "red", "index": 2}}}]
QUALITY_THRESHOLDS = {"mode": "absolute", "steps": [
    {"color": "green", "value": None}, {"color": "orange", "value": 1}, {"color": "red", "value": 2}]}


def quality_panel(kind, title, targets, x, y, w, h, description=None):
    p = panel(kind, title, targets, x, y, w, h, description=description)
    p["fieldConfig"]["defaults"].update({"mappings": QUALITY_MAPPINGS, "thresholds": QUALITY_THRESHOLDS,
                                         "color": {"mode": "thresholds"}, "min": 0, "max": 2})
    return p


def heat_map(title, targets, x, y, w, h, description=None, maximum=0.5):
    """A state timeline coloured by value on a continuous scale: one row per series (feature), time across."""
    p = panel("state-timeline", title, targets, x, y, w, h, description=description)
    p["fieldConfig"]["defaults"].update({"color": {"mode": "continuous-GrYlRd"}, "min": 0, "max": maximum, "decimals": 3})
    p["options"] = {"showValue": "never", "mergeValues": False, "rowHeight": 0.9}
    return p


def instant_table(title, targets, x, y, w, h, description=None):
    """One row per feature with one column per query (instant queries merged on their labels)."""
    p = panel("table", title, targets, x, y, w, h, description=description)
    for target in p["targets"]:
        target.update({"instant": True, "format": "table"})
    p["transformations"] = [{"id": "merge", "options": {}},
                            {"id": "organize", "options": {"excludeByName": {"Time": True}}}]
    return p


def variable_datasource():
    return {"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Data source",
            "current": {}, "hide": 0}


def variable_endpoint(multi):
    return {"name": "endpoint", "type": "query", "label": "Endpoint", "datasource": DS,
            "query": {"query": "label_values(driftline_tail_window_requests, endpoint)", "refId": "endpoint"},
            "definition": "label_values(driftline_tail_window_requests, endpoint)",
            "refresh": 2, "multi": multi, "includeAll": multi, "current": {}, "hide": 0, "sort": 1}


def dashboard(uid, title, description, panels, variables):
    return {
        "__inputs": [{"name": "DS_PROMETHEUS", "label": "Prometheus", "type": "datasource",
                      "pluginId": "prometheus", "pluginName": "Prometheus"}],
        "__requires": [{"type": "grafana", "id": "grafana", "name": "Grafana", "version": "10.0.0"},
                       {"type": "datasource", "id": "prometheus", "name": "Prometheus", "version": "1.0.0"}],
        "uid": uid, "title": title, "description": description, "tags": ["driftline", "ml-monitoring"],
        "schemaVersion": 39, "version": 1, "editable": True, "timezone": "utc", "refresh": "1m",
        "time": {"from": "now-24h", "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": []},
        "links": [{"title": "Driftline dashboards", "type": "dashboards", "tags": ["driftline"], "asDropdown": True}],
        "panels": [dict(p, id=i + 1) for i, p in enumerate(panels)],
    }


overview = dashboard(
    "driftline-overview", "Driftline — overview",
    "Every monitored endpoint: drift status, accuracy and errors of the last analysed hour (driftline batch), "
    "traffic of the latest window and tail health (driftline tail).",
    [
        status_panel("stat", "Model drift status (last analysed hour)",
                     [("max by (endpoint) (driftline_model_drift_status{endpoint=~\"$endpoint\"})", "{{endpoint}}")], 0, 0, 24, 5,
                     "Worst feature status against the reference: the model's drift_status in store/performance."),
        panel("bargauge", "Accuracy (last analysed hour)",
              [("driftline_model_accuracy{endpoint=~\"$endpoint\"}", "{{endpoint}} v{{model_version}}")], 0, 5, 8, 8, unit="percentunit",
              description="Share of the hour's labelled predictions that were right."),
        panel("bargauge", "Drifted features (vs reference)",
              [("count by (endpoint) (driftline_feature_drift_status{endpoint=~\"$endpoint\", baseline=\"reference\"} == 3)", "{{endpoint}}")],
              8, 5, 8, 8, description="Columns in drift_detected against the training reference."),
        panel("bargauge", "Error rate (last analysed hour)",
              [("driftline_model_error_rate{endpoint=~\"$endpoint\"}", "{{endpoint}}")], 16, 5, 8, 8, unit="percentunit"),
        panel("timeseries", "Requests per window",
              [("sum by (endpoint) (driftline_tail_window_requests{endpoint=~\"$endpoint\"})", "{{endpoint}}")], 0, 13, 12, 8,
              description="Requests in each endpoint's latest closed tail window."),
        panel("timeseries", "Tail lag", [("driftline_tail_lag_seconds{endpoint=~\"$endpoint\"}", "{{endpoint}}")], 12, 13, 12, 8, unit="s",
              description="Now minus the latest event time tail has read."),
        panel("stat", "Age of the last analysis",
              [("time() - max by (endpoint) (driftline_model_window_start_seconds{endpoint=~\"$endpoint\"})", "{{endpoint}}")], 0, 21, 24, 4, unit="s",
              description="More than 2 h means the hourly driftline batch is not running."),
        panel("bargauge", "Data-quality checks in alert",
              [("count by (endpoint) (driftline_quality_status{endpoint=~\"$endpoint\"} == 2)", "{{endpoint}}")], 0, 25, 12, 8,
              description="Columns and checks (missing share, out of range, unseen categories) in alert in the last analysed hour: "
                          "the endpoint dashboard shows which."),
        panel("stat", "Since the last successful batch run",
              [("time() - max by (shard) (driftline_batch_last_success_timestamp_seconds)", "shard {{shard}}")], 12, 25, 12, 8, unit="s",
              description="Per batch shard: time since its last recorded run. Over 2 h: two hourly runs failed (DriftlineBatchNotSucceeding)."),
    ],
    [variable_datasource(), variable_endpoint(True)])

endpoint = dashboard(
    "driftline-endpoint", "Driftline — endpoint details",
    "One endpoint: drift per feature against the training reference and the previous hour, feature means "
    "and class mix per window, accuracy.",
    [
        status_panel("state-timeline", "Drift status per feature (vs reference)",
                     [("max by (column) (driftline_feature_drift_status{endpoint=\"$endpoint\", baseline=\"reference\"})", "{{column}}")], 0, 0, 24, 8),
        panel("bargauge", "Drift score (PSI) per feature vs reference",
              [("max by (column) (driftline_feature_drift_score{endpoint=\"$endpoint\", baseline=\"reference\"})", "{{column}}")], 0, 8, 12, 9,
              description="PSI ≥ 0.25 with a chi² p < 0.01 is drift_detected; ≥ 0.1 with p < 0.05 possible drift.",
              fieldConfig={"defaults": {"min": 0, "thresholds": {"mode": "absolute", "steps": [
                  {"color": "green", "value": None}, {"color": "orange", "value": 0.1}, {"color": "red", "value": 0.25}]}}, "overrides": []}),
        panel("bargauge", "Drift score (PSI) per feature vs previous hour",
              [("max by (column) (driftline_feature_drift_score{endpoint=\"$endpoint\", baseline=\"previous\"})", "{{column}}")], 12, 8, 12, 9),
        panel("timeseries", "Feature means per window",
              [("driftline_tail_window_feature_mean{endpoint=\"$endpoint\"}", "{{feature}}")], 0, 17, 12, 8),
        panel("timeseries", "Predicted class mix per window",
              [("driftline_tail_window_class_frequency{endpoint=\"$endpoint\"}", "{{class}}")], 12, 17, 12, 8, unit="percentunit"),
        panel("timeseries", "Accuracy per analysed hour",
              [("driftline_model_accuracy{endpoint=\"$endpoint\"}", "v{{model_version}}"),
               ("driftline_model_estimated_accuracy{endpoint=\"$endpoint\"}", "v{{model_version}} estimated"),
               ("driftline_model_reference_accuracy{endpoint=\"$endpoint\"}", "v{{model_version}} reference")], 0, 25, 12, 8, unit="percentunit",
              description="Labelled accuracy, the estimate without labels, and the accuracy on the reference's labelled rows."),
        status_panel("state-timeline", "Model drift status",
                     [("max(driftline_model_drift_status{endpoint=\"$endpoint\"})", "{{endpoint}}")], 12, 25, 12, 8),
        heat_map("Per-feature drift heat map (PSI vs reference)",
                 [("max by (feature) (driftline_feature_psi{endpoint=\"$endpoint\"})", "{{feature}}")], 0, 33, 12, 10,
                 description="One row per feature, one cell per analysed hour, green (0) to red (PSI 0.5 and above)."),
        heat_map("Per-feature drift heat map (Hellinger vs reference)",
                 [("max by (feature) (driftline_feature_hellinger{endpoint=\"$endpoint\"})", "{{feature}}")], 12, 33, 12, 10,
                 description="Hellinger distance of each feature's binned distribution against the reference (0 same, 1 disjoint).",
                 maximum=0.3),
        instant_table("TVD, Hellinger, KLD and PSI per feature (last analysed hour)",
                      [("max by (feature) (driftline_feature_tvd{endpoint=\"$endpoint\"})", "tvd"),
                       ("max by (feature) (driftline_feature_hellinger{endpoint=\"$endpoint\"})", "hellinger"),
                       ("max by (feature) (driftline_feature_kld{endpoint=\"$endpoint\"})", "kld"),
                       ("max by (feature) (driftline_feature_psi{endpoint=\"$endpoint\"})", "psi")], 0, 43, 24, 9,
                      description="MLRun's per-feature statistics, against the training reference, for the latest analysed hour."),
        quality_panel("state-timeline", "Data-quality checks per column",
                      [("max by (column, check) (driftline_quality_status{endpoint=\"$endpoint\"})", "{{column}} {{check}}")], 0, 52, 24, 9,
                      description="Each column's checks (missing share, outside the training range, unseen categories): ok, warn or alert. "
                                  "The hour's HTML report names the values and counts."),
    ],
    [variable_datasource(), variable_endpoint(False)])

performance = dashboard(
    "driftline-performance", "Driftline — performance",
    "Serving and pipeline performance: predictions per second and errors per window (driftline tail), "
    "model serving latency per window, error rate per hour (driftline batch), tail throughput, lag and commit latency.",
    [
        panel("timeseries", "Predictions per second",
              [("sum by (endpoint) (driftline_tail_window_requests{endpoint=~\"$endpoint\"}) / $window_seconds", "{{endpoint}}")], 0, 0, 12, 8,
              unit="reqps", description="Requests of the latest closed window divided by the window length (tail --window, 5 min by default)."),
        panel("timeseries", "Errors per window",
              [("sum by (endpoint) (driftline_tail_window_errors{endpoint=~\"$endpoint\"})", "{{endpoint}}")], 12, 0, 12, 8),
        panel("timeseries", "Error rate (window and hour)",
              [("sum by (endpoint) (driftline_tail_window_errors{endpoint=~\"$endpoint\"}) / sum by (endpoint) (driftline_tail_window_requests{endpoint=~\"$endpoint\"})", "{{endpoint}} window"),
               ("driftline_model_error_rate{endpoint=~\"$endpoint\"}", "{{endpoint}} hour")], 0, 8, 12, 8, unit="percentunit"),
        panel("timeseries", "Log records read per second (tail)",
              [("sum by (endpoint) (rate(driftline_tail_records_read_total{endpoint=~\"$endpoint\"}[5m]))", "{{endpoint}}")], 12, 8, 12, 8, unit="ops"),
        panel("timeseries", "Model serving latency per window",
              [("max by (endpoint) (driftline_tail_window_latency_milliseconds{endpoint=~\"$endpoint\", quantile=\"0.5\"})", "{{endpoint}} p50"),
               ("max by (endpoint) (driftline_tail_window_latency_milliseconds{endpoint=~\"$endpoint\", quantile=\"0.95\"})", "{{endpoint}} p95"),
               ("max by (endpoint) (driftline_tail_window_latency_milliseconds{endpoint=~\"$endpoint\", quantile=\"0.99\"})", "{{endpoint}} p99")],
              0, 24, 12, 8, unit="ms",
              description="Quantiles of the latency the serving code logged (InferenceLogger's latency), over the latest closed window (driftline tail)."),
        panel("timeseries", "Tail commit latency",
              [("histogram_quantile(0.5, sum by (le) (rate(driftline_tail_commit_duration_seconds_bucket[15m])))", "p50"),
               ("histogram_quantile(0.99, sum by (le) (rate(driftline_tail_commit_duration_seconds_bucket[15m])))", "p99")], 0, 16, 12, 8, unit="s"),
        panel("timeseries", "Tail lag",
              [("driftline_tail_lag_seconds{endpoint=~\"$endpoint\"}", "{{endpoint}} seconds"),
               ("driftline_tail_lag_bytes{endpoint=~\"$endpoint\"}", "{{endpoint}} bytes")], 12, 16, 12, 8),
        panel("stat", "Lost and corrupt log records",
              [("sum(increase(driftline_tail_lost_records_total[24h]))", "lost (24 h)"),
               ("sum(increase(driftline_tail_corrupt_batches_total[24h]))", "corrupt batches (24 h)")], 12, 24, 12, 8),
    ],
    [variable_datasource(), variable_endpoint(True),
     {"name": "window_seconds", "type": "constant", "label": "Tail window (s)", "query": "300", "hide": 2}])

for name, board in [("driftline-overview", overview), ("driftline-endpoint", endpoint), ("driftline-performance", performance)]:
    (HERE / f"{name}.json").write_text(json.dumps(board, indent=2, ensure_ascii=False) + "\n")
print("wrote", ", ".join(f"{n}.json" for n in ("driftline-overview", "driftline-endpoint", "driftline-performance")))
