"""Blast radius: one bad item harms only itself, is named, and heals once removed (harness:
isolation_support.py). The cases of each class of bad input live in test_isolation_<class>.py; this file
checks the harness itself: a clean run is reproducible, so every case can be compared with it exactly."""
from isolation_support import HEALTHY, START_US, assert_healthy, clean_state, inference, seeded  # noqa: F401


def test_a_clean_run_is_what_every_case_compares_with(seeded, clean_state, tmp_path):
    assert clean_state["drift"] and clean_state["profiles"]
    assert len(clean_state["performance"]) == 2 and all(row["endpoint"] == HEALTHY for row in clean_state["performance"])
    again = seeded.copy(tmp_path / "again")
    again.tail(check=True)
    again.batch(check=True)
    assert_healthy(again, clean_state)


def test_a_raw_record_of_another_endpoint_leaves_the_healthy_one_alone(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "raw")
    pipeline.raw("other", [inference(START_US + 1_000_000 * i, [5.0, 3.0, 1.5, 0.2]) for i in range(200)])
    result = pipeline.tail()
    assert result.returncode == 0, result.text
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
