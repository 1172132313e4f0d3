"""Acceptance of the data-quality checks (issue 18): a generated training set and six hours of traffic of a
binary model with five features, against which, from hour 3 on, exactly three things change: `age`'s missing
share goes from 1 % to 25 %, 5 % of `income`'s values lie above the training maximum, and `plan` gets two new
categories at 3 % each. A second endpoint with 150-row hours sees `age`'s missing share go from 1 % to 3 %,
which must not alert. The path is the real one (profile → ingest → tail --once → batch), and the `quality`
table is read with deltalake, pyarrow and DuckDB; every value is compared with pandas on the raw rows."""
import json
import subprocess

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable
from scipy.stats import binom, hypergeom, norm

from conftest import bin_dir

T0_S = 1_795_132_800  # 2026-11-20T00:00:00Z
HOURS = 6
CHANGE_HOUR = 3
CLASSES = ["no", "yes"]
NUMERIC = ["age", "income", "score"]
CATEGORICAL = ["plan", "region"]
FEATURES = NUMERIC + CATEGORICAL
TRAINING_ROWS = 5000
ROWS = {"shop": 2000, "small": 150}
EXACT = 1e-9
EXPECTED_ALERTS = {("age", "missing_share"), ("income", "above_training_max"), ("plan", "unseen_categories")}
NEW_PLANS = ["enterprise", "trial"]


def _rows(rng, n, start_s=None, missing_age=0.01, above_income=0.0, new_plans=0.0, income_max=None):
    data = {
        "age": rng.normal(40, 10, n),
        "income": rng.normal(50, 8, n),
        "score": rng.normal(0, 1, n),
        "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2]).astype(object),
        "region": rng.choice(["eu", "us", "apac"], n, p=[0.4, 0.4, 0.2]).astype(object),
    }
    order = rng.permutation(n)
    k = int(round(missing_age * n))
    data["age"][order[:k]] = np.nan
    k_score = int(round(0.01 * n))
    data["score"][rng.permutation(n)[:k_score]] = np.nan
    if above_income:
        k = int(round(above_income * n))
        data["income"][rng.permutation(n)[:k]] = income_max + rng.uniform(0.5, 5.0, k)
    if new_plans:
        k = int(round(new_plans * n))
        picked = rng.permutation(n)[:2 * k]
        data["plan"][picked[:k]] = NEW_PLANS[0]
        data["plan"][picked[k:]] = NEW_PLANS[1]
    p_yes = rng.uniform(0.05, 0.95, n)
    frame = pd.DataFrame(data)
    frame["p_no"], frame["p_yes"] = 1 - p_yes, p_yes
    frame["label"] = np.where(rng.random(n) < p_yes, "yes", "no")
    frame.insert(0, "id", [f"r{rng.integers(1 << 62):x}-{i}" for i in range(n)])
    if start_s is not None:
        frame.insert(1, "ts", start_s + np.sort(rng.uniform(0, 3599.0, n)).round(3))
    return frame


def generate(seed=18):
    rng = np.random.default_rng(seed)
    training = _rows(rng, TRAINING_ROWS)
    income_max = float(training["income"].max())
    hours = {}
    for endpoint, n in ROWS.items():
        hours[endpoint] = []
        for h in range(HOURS):
            changed = h >= CHANGE_HOUR
            if endpoint == "shop":
                frame = _rows(rng, n, T0_S + 3600 * h, missing_age=0.25 if changed else 0.01,
                              above_income=0.05 if changed else 0.0, new_plans=0.03 if changed else 0.0, income_max=income_max)
            else:
                frame = _rows(rng, n, T0_S + 3600 * h, missing_age=0.03 if changed else 0.01)
            hours[endpoint].append(frame)
    return training, hours


def driftline(*args):
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, args)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"driftline {args} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def mapping_flags():
    return ["--features", ",".join(FEATURES), "--categorical", ",".join(CATEGORICAL), "--classes", ",".join(CLASSES),
            "--proba-columns", "p_no,p_yes", "--label-column", "label"]


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    work = tmp_path_factory.mktemp("quality")
    training, hours = generate()
    training.to_csv(work / "train.csv", index=False)
    store, log = work / "store", work / "log"
    store.mkdir()
    for endpoint in ROWS:
        driftline("profile", "--store", store, "--endpoint", endpoint, "--model-version", "1", "--csv", work / "train.csv",
                  *mapping_flags())
        pd.concat(hours[endpoint], ignore_index=True).to_csv(work / f"{endpoint}.csv", index=False)
        driftline("ingest", "--log", log, "--endpoint", endpoint, "--model-version", "1", "--csv", work / f"{endpoint}.csv",
                  *mapping_flags(), "--timestamp-column", "ts", "--request-id-column", "id")
    driftline("tail", "--log", log, "--store", store, "--once")
    batch = ["batch", "--store", store, "--from", str(T0_S), "--to", str(T0_S + 3600 * HOURS),
             "--prom-textfile", work / "driftline.prom"]
    driftline(*batch)
    quality = DeltaTable(str(store / "quality")).to_pandas()
    quality["h"] = (quality["window_start"].astype("datetime64[us, UTC]").astype("int64") // 1_000_000 - T0_S) // 3600
    return {"work": work, "store": store, "training": training, "hours": hours, "quality": quality, "batch": batch}


def expected_checks(frame, training):
    """{(column, check): dict} from the raw rows, as docs/metrics.md defines the checks."""
    out = {}
    for column in FEATURES:
        x, t = frame[column], training[column]
        n, n0 = len(x), len(t)
        k, k0 = int(x.isna().sum()), int(t.isna().sum())
        pooled = (k + k0) / (n + n0)
        if 0 < pooled < 1:
            z = (k / n - k0 / n0) / np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / n0))
            p = float(norm.sf(z))
        else:
            p = 1.0
        out[(column, "missing_share")] = dict(value=k / n, baseline_value=k0 / n0, p_value=p, count=n, flagged_count=k,
                                              effect=k / n - k0 / n0, threshold=0.05, baseline_count=n0)
        values, trained = x.dropna(), t.dropna()
        n, n0 = len(values), len(trained)
        if column in NUMERIC:
            for check, k in [("below_training_min", int((values < trained.min()).sum())),
                             ("above_training_max", int((values > trained.max()).sum()))]:
                # The k most extreme of the pooled values are all new: C(n, k) / C(n0 + n, k).
                p = 1.0 if k == 0 else float(hypergeom.pmf(k, n0 + n, n, k))
                out[(column, check)] = dict(value=k / n, baseline_value=0.0, p_value=p, count=n, flagged_count=k,
                                            effect=k / n, threshold=0.02, baseline_count=n0)
        else:
            known = set(trained)
            unseen = values[~values.isin(known)]
            counts = unseen.value_counts()
            named = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            k = len(unseen)
            singletons = int((trained.value_counts() == 1).sum())
            p = float(binom.sf(k - 1, n, max(singletons / n0, 1 / (n0 + 1))))
            out[(column, "unseen_categories")] = dict(value=k / n, baseline_value=0.0, p_value=p, count=n, flagged_count=k,
                                                      effect=k / n, threshold=0.02, baseline_count=n0,
                                                      new_categories=[v for v, _ in named], new_category_counts=[int(c) for _, c in named])
    for e in out.values():
        if e["count"] < 100 or e["baseline_count"] < 100:
            e["status"] = "insufficient_data"
        else:
            e["status"] = "alert" if e["effect"] >= e["threshold"] and e["p_value"] < 0.01 else "ok"
    return out


def test_exactly_the_changed_checks_alert_in_the_changed_hours(pipeline):
    q = pipeline["quality"]
    for endpoint in ROWS:
        for h in range(HOURS):
            rows = q[(q["endpoint"] == endpoint) & (q["h"] == h)]
            assert len(rows) == len(NUMERIC) * 3 + len(CATEGORICAL) * 2, (endpoint, h)
            alerts = set(zip(rows[rows["status"] == "alert"]["column_name"], rows[rows["status"] == "alert"]["check"]))
            expected = EXPECTED_ALERTS if endpoint == "shop" and h >= CHANGE_HOUR else set()
            assert alerts == expected, f"{endpoint} hour {h}: {alerts} != {expected}"
    # The small hours' 1 % → 3 % missing share is seen, and evidence alone does not alert it.
    small = q[(q["endpoint"] == "small") & (q["h"] >= CHANGE_HOUR) & (q["column_name"] == "age") & (q["check"] == "missing_share")]
    assert (small["value"] > 0.025).all() and (small["status"] == "ok").all()


def test_every_value_equals_pandas_on_the_raw_rows(pipeline):
    q = pipeline["quality"]
    checked = 0
    for endpoint in ROWS:
        for h in range(HOURS):
            expected = expected_checks(pipeline["hours"][endpoint][h], pipeline["training"])
            rows = q[(q["endpoint"] == endpoint) & (q["h"] == h)].set_index(["column_name", "check"])
            assert set(rows.index) == set(expected), (endpoint, h)
            for key, e in expected.items():
                r = rows.loc[key]
                what = f"{endpoint} hour {h} {key}"
                assert r["count"] == e["count"], what
                assert r["flagged_count"] == e["flagged_count"], f"{what}: {r['flagged_count']} vs {e['flagged_count']}"
                assert abs(r["value"] - e["value"]) <= EXACT, f"{what}: {r['value']} vs {e['value']}"
                assert abs(r["p_value"] - e["p_value"]) <= EXACT * max(1e-300, e["p_value"]) + 1e-13, \
                    f"{what}: p {r['p_value']} vs {e['p_value']}"
                assert abs(r["baseline_value"] - e["baseline_value"]) <= EXACT, what
                assert r["status"] == e["status"], f"{what}: {r['status']} vs {e['status']}"
                if key[1] == "unseen_categories":
                    assert list(r["new_categories"]) == e["new_categories"], what
                    assert list(r["new_category_counts"]) == e["new_category_counts"], what
                checked += 1
    assert checked == len(ROWS) * HOURS * (len(NUMERIC) * 3 + len(CATEGORICAL) * 2)


def test_new_categories_are_named_with_their_exact_counts(pipeline):
    q = pipeline["quality"]
    for h in range(CHANGE_HOUR, HOURS):
        row = q[(q["endpoint"] == "shop") & (q["h"] == h) & (q["column_name"] == "plan")].set_index("check").loc["unseen_categories"]
        frame = pipeline["hours"]["shop"][h]
        counts = {name: int((frame["plan"] == name).sum()) for name in NEW_PLANS}
        assert counts == {name: 60 for name in NEW_PLANS}
        assert dict(zip(row["new_categories"], row["new_category_counts"])) == counts


def test_status_prints_the_windows_quality_table(pipeline):
    out = driftline("status", "--store", pipeline["store"], "--endpoint", "shop", "--hour", str(T0_S + 3600 * CHANGE_HOUR + 60)).stdout
    section = out.split("data quality:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section[0].split()[:3] == ["column", "check", "status"]
    alerts = [line.split() for line in section[1:] if line.split()[2] == "alert"]
    assert {(cells[0], cells[1]) for cells in alerts} == EXPECTED_ALERTS
    assert [line.split()[2] for line in section[1:len(alerts) + 1]] == ["alert"] * len(alerts)   # alerts first
    plan = next(line for line in section if line.split()[:2] == ["plan", "unseen_categories"])
    assert all(f"{name} 60" in plan for name in NEW_PLANS), plan
    clean = driftline("status", "--store", pipeline["store"], "--endpoint", "shop", "--hour", str(T0_S + 60)).stdout
    assert "data quality:" in clean and " alert " not in clean.split("data quality:", 1)[1]


def test_the_overview_names_the_latest_windows_alerting_checks(pipeline):
    # The overview (index.html, and `driftline status`) shows the latest window's alerting checks: exactly the
    # quality table's `alert` rows of that window.
    quality = pipeline["quality"]
    for endpoint in ROWS:
        rows = quality[(quality["endpoint"] == endpoint) & (quality["h"] == quality["h"].max())]
        expected = sorted(f"{r.column_name} {r.check}" for r in rows.itertuples() if r.status == "alert")
        assert (endpoint == "shop") == bool(expected)
        out = driftline("status", "--store", pipeline["store"], "--endpoint", endpoint).stdout
        line = next(line for line in out.splitlines() if line.startswith("  data quality: "))
        if expected:
            assert line == f"  data quality: {len(expected)} alert: " + "; ".join(expected), out
        else:
            assert line == "  data quality: ok", out
    page = (pipeline["store"] / "reports" / "index.html").read_text()
    shop = next(row for row in page.split("<tr class=\"model\">")[1:] if row.startswith("<td>shop</td>"))
    cell = shop.split("<td class=\"quality\">", 1)[1].split("</td>", 1)[0]
    assert cell == '<span class="quality-alert">3 alert</span> <small>' + ", ".join(sorted(f"{c} {k}" for c, k in EXPECTED_ALERTS)) + "</small>"
    small = next(row for row in page.split("<tr class=\"model\">")[1:] if row.startswith("<td>small</td>"))
    assert '<td class="quality">ok</td>' in small


def test_other_readers_see_the_same_table(pipeline):
    store = pipeline["store"]
    dt = DeltaTable(str(store / "quality"))
    files = [str(store / "quality" / f) for f in dt.file_uris()] if hasattr(dt, "file_uris") else dt.files()
    paths = [f if f.startswith("/") else str(store / "quality" / f) for f in files]
    by_pyarrow = sum(pq.read_table(p).num_rows for p in paths)
    assert by_pyarrow == len(pipeline["quality"])
    con = duckdb.connect()
    alerts = con.execute(
        "SELECT count(*) FROM read_parquet($files, hive_partitioning = true) WHERE status = 'alert'",
        {"files": paths}).fetchone()[0]
    assert alerts == 3 * (HOURS - CHANGE_HOUR)
    # The exact counts behind the range checks: tail counts each window's values outside the training range
    # into the profiles (below_reference_min / above_reference_max), which add up to pandas' hourly counts.
    profiles = DeltaTable(str(store / "profiles")).to_pandas()
    income = profiles[(profiles["endpoint"] == "shop") & (profiles["column_name"] == "income")].copy()
    assert income["above_reference_max"].notna().all() and income["below_reference_min"].notna().all()
    income["h"] = (income["window_start"].astype("datetime64[us, UTC]").astype("int64") // 1_000_000 - T0_S) // 3600
    top = pipeline["training"]["income"].max()
    for h in range(HOURS):
        assert income[income["h"] == h]["above_reference_max"].sum() == (pipeline["hours"]["shop"][h]["income"] > top).sum()


def test_report_textfile_and_model_status_carry_the_findings(pipeline):
    reports = pipeline["store"] / "reports" / "shop"
    for h in range(HOURS):
        stamp = pd.Timestamp(T0_S + 3600 * h, unit="s", tz="UTC").strftime("%Y-%m-%dT%H")
        report = json.loads((reports / f"{stamp}.json").read_text())
        alerts = {(r["column"], r["check"]) for r in report["quality"] if r["status"] == "alert"}
        assert alerts == (EXPECTED_ALERTS if h >= CHANGE_HOUR else set()), h
        assert report["quality_status"] == ("alert" if h >= CHANGE_HOUR else "ok"), h
        page = (reports / f"{stamp}.html").read_text()
        assert "Data quality" in page
        if h >= CHANGE_HOUR:
            assert "enterprise (60)" in page and "trial (60)" in page
    text = (pipeline["work"] / "driftline.prom").read_text()
    assert 'driftline_quality_status{endpoint="shop",model_version="1",column="age",check="missing_share"} 2' in text
    assert 'driftline_quality_status{endpoint="shop",model_version="1",column="score",check="missing_share"} 0' in text
    assert 'driftline_model_quality_status{endpoint="shop",model_version="1"} 2' in text
    assert 'driftline_model_quality_status{endpoint="small",model_version="1"} 0' in text


def test_the_rule_is_configurable_per_endpoint(pipeline, tmp_path):
    config = tmp_path / "pipeline.yaml"
    config.write_text("endpoints:\n  shop:\n    quality: { model_status: warn, missing_share_increase: 0.5 }\n")
    batch = [a for a in pipeline["batch"]]
    prom = tmp_path / "driftline.prom"
    batch[batch.index(pipeline["work"] / "driftline.prom")] = prom
    driftline(*batch, "--config", config)
    q = DeltaTable(str(pipeline["store"] / "quality")).to_pandas()
    assert not ((q["column_name"] == "age") & (q["check"] == "missing_share") & (q["status"] == "alert")).any()
    assert 'driftline_model_quality_status{endpoint="shop",model_version="1"} 1' in prom.read_text()
    assert 'driftline_quality_status{endpoint="shop",model_version="1",column="plan",check="unseen_categories"} 1' in prom.read_text()
    bad = tmp_path / "bad.yaml"
    bad.write_text("defaults:\n  quality: { missing_share: 0.1 }\n")
    proc = subprocess.run([str(bin_dir() / "driftline"), *map(str, pipeline["batch"]), "--config", bad], capture_output=True, text=True)
    assert proc.returncode != 0 and "unknown key defaults.quality.missing_share" in proc.stderr
    # Back to the defaults: the run replaces the rows again, and the table equals the first run's.
    driftline(*pipeline["batch"])
    again = DeltaTable(str(pipeline["store"] / "quality")).to_pandas().drop(columns=[]).sort_values(
        ["endpoint", "window_start", "column_name", "check"]).reset_index(drop=True)
    first = pipeline["quality"].drop(columns=["h"]).sort_values(["endpoint", "window_start", "column_name", "check"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(again[first.columns], first)


def test_values_beyond_the_category_cap_keep_their_names(tmp_path):
    """One hour-long window of a column with more distinct values than a profile names (256): the values
    counted under `__other__` keep up to 32 names in `profiles.other_categories`, and the unseen-category
    check names them with their exact counts, the rest reported as `__other__`."""
    rng = np.random.default_rng(7)
    known = [f"a{i:03d}" for i in range(256)]
    training = pd.DataFrame({"zip": rng.choice(known, 5000)})
    # Every known value first (the window's 256 named values), then two busy new ones and 100 rare ones.
    values = known + ["new-x"] * 40 + ["new-y"] * 25 + [f"r{i:03d}" for i in range(100)]
    hour = pd.DataFrame({"zip": values})
    for frame, start in [(training, None), (hour, T0_S)]:
        p_yes = rng.uniform(0.05, 0.95, len(frame))
        frame["p_no"], frame["p_yes"] = 1 - p_yes, p_yes
        frame["label"] = "no"
        frame.insert(0, "id", [f"w{i}" for i in range(len(frame))])
        if start is not None:
            frame.insert(1, "ts", start + np.arange(len(frame)) * 0.5)
    flags = ["--features", "zip", "--categorical", "zip", "--classes", "no,yes", "--proba-columns", "p_no,p_yes",
             "--label-column", "label"]
    store, log = tmp_path / "store", tmp_path / "log"
    store.mkdir()
    training.to_csv(tmp_path / "train.csv", index=False)
    hour.to_csv(tmp_path / "hour.csv", index=False)
    driftline("profile", "--store", store, "--endpoint", "wide", "--model-version", "1", "--csv", tmp_path / "train.csv", *flags)
    driftline("ingest", "--log", log, "--endpoint", "wide", "--model-version", "1", "--csv", tmp_path / "hour.csv", *flags,
              "--timestamp-column", "ts", "--request-id-column", "id")
    driftline("tail", "--log", log, "--store", store, "--once", "--window", "1h")
    driftline("batch", "--store", store, "--from", str(T0_S), "--to", str(T0_S + 3600))
    profiles = DeltaTable(str(store / "profiles")).to_pandas()
    row = profiles[profiles["column_name"] == "zip"].iloc[0]
    assert len(row["categories"]) == 257 and row["categories"][-1] == "__other__" and row["category_counts"][-1] == 165
    rare = [f"r{i:03d}" for i in range(30)]
    assert list(row["other_categories"]) == ["new-x", "new-y"] + rare
    assert list(row["other_category_counts"]) == [40, 25] + [1] * 30
    q = DeltaTable(str(store / "quality")).to_pandas()
    unseen = q[(q["column_name"] == "zip") & (q["check"] == "unseen_categories")].iloc[0]
    truth = pd.Series(values)[~pd.Series(values).isin(known)]
    assert unseen["flagged_count"] == len(truth) == 165 and unseen["status"] == "alert"
    assert list(unseen["new_categories"]) == ["new-x", "new-y"] + rare[:18] + ["__other__"]
    assert list(unseen["new_category_counts"]) == [40, 25] + [1] * 18 + [165 - 65 - 30]
