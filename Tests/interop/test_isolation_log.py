"""Blast radius, log metadata (issue 13): a partition whose manifest cannot be read is held, named and resumed
once the file is restored, never committed as lost; a stray file named like a segment is named and passed over.
Each case beside the healthy endpoint (isolation_support.py), through the real `tail` and `batch`."""
import json

from isolation_support import START_US, assert_healthy, clean_state, inference, seeded  # noqa: F401

BAD = "bad"


def _records(n, offset=0):
    return [inference(START_US + (offset + i) * 60_000_000, [5.0 + (i % 7) / 10, 3.0, 1.5, 0.2]) for i in range(n)]


def _counts(pipeline):
    infos = [info["driftline"] for info in pipeline.commit_infos() if "driftline" in info]
    return {key: sum(info.get(key, 0) for info in infos) for key in ("records", "lostRecords", "corruptBatches")}


def _bad_count(pipeline):
    query = pipeline.run("query", "--store", pipeline.store, "--endpoint", BAD, "--json")
    if query.returncode != 0:
        return 0
    rows = [json.loads(line) for line in query.stdout.splitlines()]
    return sum(row["count"] + row["missing"] for row in rows if row["column"] == ":latency_ms")


def test_a_partition_whose_manifest_cannot_be_read_is_held_and_resumes_when_it_is_restored(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "manifest")
    pipeline.raw(BAD, _records(50))
    folder = pipeline.log / BAD / "raw"
    manifests = sorted(folder.glob("*.manifest*"))
    assert [p.name.endswith(".manifest.copy") for p in manifests] == [False, True], manifests
    saved = manifests[0].read_bytes()
    damaged = bytearray(saved)
    damaged[len(damaged) // 2] ^= 0x40
    manifests[0].write_bytes(bytes(damaged))
    manifests[1].unlink()
    tail = pipeline.tail()
    assert tail.returncode == 0, tail.text
    assert f"{BAD}/raw: held at offset 0" in tail.text and "CRC-32C mismatch" in tail.text, tail.text
    assert "1 partitions held (manifest unreadable): bad/raw" in tail.text, tail.text
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    assert _counts(pipeline)["lostRecords"] == 0 and _bad_count(pipeline) == 0
    # The cause removed (the file restored): the next tail reads the held records, exactly once.
    manifests[0].write_bytes(saved)
    tail = pipeline.tail()
    assert tail.returncode == 0 and "held" not in tail.stdout, tail.text
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    assert _bad_count(pipeline) == 50
    assert _counts(pipeline)["lostRecords"] == 0


def test_a_stray_file_named_like_a_segment_is_named_and_passed_over(seeded, clean_state, tmp_path):
    pipeline = seeded.copy(tmp_path / "stray")
    pipeline.raw(BAD, _records(50))
    folder = pipeline.log / BAD / "raw"
    stray = folder / "00000000000000900000.log"
    stray.write_bytes((folder / "00000000000000000000.log").read_bytes())
    tail = pipeline.tail()
    assert tail.returncode == 0, tail.text
    assert "00000000000000900000.log" in tail.text and "stray file" in tail.text, tail.text
    pipeline.raw(BAD, _records(20, offset=50))       # the writer goes on after offset 50, not after the stray's name
    assert pipeline.tail().returncode == 0
    pipeline.batch(check=True)
    assert_healthy(pipeline, clean_state)
    counts = _counts(pipeline)
    assert counts["lostRecords"] == 0 and _bad_count(pipeline) == 70
    positions = [info["driftline"]["positions"] for info in pipeline.commit_infos() if "driftline" in info]
    assert positions[-1][f"{BAD}/raw"] == 70
    stray.unlink()                                    # removing it changes nothing more
    assert pipeline.tail().returncode == 0 and _bad_count(pipeline) == 70
