"""Issue 13 at the batch level: each model window is analysed on its own. One endpoint's unreadable reference,
or a damaged profile file of one endpoint, fails only that endpoint's windows (named, with what to do); the
other endpoint is written as in a clean run; batch exits 4 and the textfile counts the failures; the next
run retries the failed windows once the file is repaired."""
import shutil

from isolation_support import HEALTHY, IRIS_COLUMNS, START, TRAINING, Pipeline

NOW = "2026-11-01T02:05:00Z"


def seeded(root):
    p = Pipeline(root)
    for endpoint in (HEALTHY, "other"):
        p.run("simulate", "--log", p.log, "--endpoint", endpoint, "--records", "3600", "--rate", "0.5",
              "--start", START, "--seed", "7", check=True)
        p.run("profile", "--store", p.store, "--endpoint", endpoint, "--model-version", "1", "--csv", TRAINING,
              *IRIS_COLUMNS, check=True)
    p.tail(check=True)
    return p


def cron(p, textfile):
    return p.run("batch", "--store", p.store, "--now", NOW, "--prom-textfile", textfile)


def test_an_unreadable_reference_fails_only_its_model_and_is_retried(tmp_path):
    clean = seeded(tmp_path / "clean")
    assert cron(clean, tmp_path / "clean.prom").returncode == 0
    p = seeded(tmp_path / "broken")
    reference = p.store / "references" / "other" / "1.json"
    saved = reference.read_bytes()
    reference.write_text('{"broken')
    proc = cron(p, tmp_path / "t.prom")
    assert proc.returncode == 4, proc.text
    assert "other v1 2026-11-01T00: not analysed" in proc.stderr and "references/other/1.json" in proc.stderr, proc.stderr
    assert "driftline profile" in proc.stderr and "the next batch retries it" in proc.stderr
    prom = (tmp_path / "t.prom").read_text()
    assert 'driftline_batch_failures{endpoint="other"} 2' in prom and f'driftline_batch_failures{{endpoint="{HEALTHY}"}} 0' in prom
    assert p.rows("performance", HEALTHY) == clean.rows("performance", HEALTHY)
    assert p.rows("drift", HEALTHY) == clean.rows("drift", HEALTHY)
    assert p.rows("performance", "other") == []
    # Repaired: the next cron run (same "now", no new data) retries exactly the failed windows.
    reference.write_bytes(saved)
    proc = cron(p, tmp_path / "t.prom")
    assert proc.returncode == 0, proc.text
    assert "analysed 2 model windows (failed before 2)" in proc.stdout, proc.stdout
    assert p.rows("performance", "other") == clean.rows("performance", "other")
    assert 'driftline_batch_failures{endpoint="other"} 0' in (tmp_path / "t.prom").read_text()


def test_a_damaged_profile_file_fails_only_its_endpoint(tmp_path):
    clean = seeded(tmp_path / "clean")
    assert cron(clean, tmp_path / "clean.prom").returncode == 0
    p = seeded(tmp_path / "damaged")
    data = sorted((p.store / "profiles" / "endpoint=other").glob("*.parquet"))[0]
    saved = data.read_bytes()
    data.write_bytes(saved[:100] + b"garbage" + saved[107:])
    proc = cron(p, tmp_path / "t.prom")
    assert proc.returncode == 4, proc.text
    assert "endpoint other: its profiles cannot be read" in proc.stderr and data.name in proc.stderr, proc.stderr
    assert p.rows("performance", HEALTHY) == clean.rows("performance", HEALTHY)
    assert 'driftline_batch_failures{endpoint="other"} 1' in (tmp_path / "t.prom").read_text()
    data.write_bytes(saved)
    proc = cron(p, tmp_path / "t.prom")
    assert proc.returncode == 0, proc.text
    assert p.rows("performance", "other") == clean.rows("performance", "other")
    assert p.rows("drift", "other") == clean.rows("drift", "other")
