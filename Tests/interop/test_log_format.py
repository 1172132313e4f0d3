"""Cross-check of Sources/DriftlineLog/FORMAT.md: an independent Python reader of the log.

The Swift side (LogInterop) writes partitions for the three task kinds and prints every record it wrote.
This file parses the segments, indexes and manifests byte by byte as FORMAT.md describes them, checks
CRC-32C (own table), decompresses the payloads with pyarrow's LZ4 block codec (`lz4_raw`), decodes the
records and compares them with what Swift says it wrote, bit for bit.
"""
import json
import os
import stat
import struct

import pyarrow as pa

HEADER = struct.Struct("<4sB3sqIIIIqqQII")  # 64 bytes, FORMAT.md "Batch"


def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class Cursor:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        assert self.pos + n <= len(self.data), "truncated"
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def varint(self) -> int:
        shift = result = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    def string(self) -> str:
        return self.take(self.varint()).decode("utf-8")

    def double_hex(self) -> str:
        return self.take(8)[::-1].hex()  # little-endian bytes -> bit pattern as 16 hex digits

    def i64(self) -> int:
        return struct.unpack("<q", self.take(8))[0]


def decode_schema(c: Cursor):
    assert c.byte() == 1
    features = [(c.byte(), c.string()) for _ in range(c.varint())]
    task = c.byte()
    classes, threshold = [], None
    if task in (0, 1):
        classes = [c.string() for _ in range(c.varint())]
        if task == 0:
            threshold = struct.unpack("<d", c.take(8))[0]
    return {"features": features, "task": task, "classes": classes, "threshold": threshold}


def read_manifest_file(path):
    raw = open(path, "rb").read()
    assert raw[:4] == b"DLSM" and raw[4] == 1 and raw[5:8] == b"\0\0\0"
    (n,) = struct.unpack_from("<I", raw, 8)
    assert len(raw) == 16 + n
    assert struct.unpack_from("<I", raw, 12 + n)[0] == crc32c(raw[:12 + n])
    body = raw[12:12 + n]
    c = Cursor(body)
    assert c.byte() == 1
    manifest = {"endpoint": c.string(), "model_version": c.string(), "schema": decode_schema(c)}
    assert c.pos == len(body)
    return manifest, fnv1a64(body)


def decode_label(c: Cursor, tag: int, classes):
    if tag == 0:
        return None
    if tag == 1:
        return {"class": classes[c.varint()]}
    assert tag == 2
    return {"value": c.double_hex()}


def decode_records(payload: bytes, schema):
    c, out = Cursor(payload), []
    classes = schema["classes"]
    while c.pos < len(payload):
        tag = c.byte()
        ts = c.i64()
        rid = c.take(c.varint()).hex()
        if tag == 2:
            out.append({"kind": "label", "ts": ts, "rid": rid, "label": decode_label(c, c.byte(), classes)})
            continue
        assert tag == 1
        latency = c.varint()
        assert c.varint() == len(schema["features"])
        features = []
        for kind, _name in schema["features"]:
            if kind == 0:
                features.append({"num": c.double_hex()})
            else:
                n = c.varint()
                features.append({"cat": c.take(n - 1).decode("utf-8")} if n else {"num": "7ff8000000000000"})
        otag = c.byte()
        if otag == 0:
            count = c.varint()
            assert count == len(classes)
            outcome = {"proba": [c.double_hex() for _ in range(count)]}
        elif otag == 1:
            outcome = {"pred": c.double_hex()}
        else:
            outcome = {"error": c.string()}
        label = decode_label(c, c.byte(), classes)
        out.append({"kind": "inference", "ts": ts, "rid": rid, "latency": latency, "features": features,
                    "outcome": outcome, "label": label})
    return out


def read_partition(folder):
    names = sorted(os.listdir(folder))
    manifests = {}
    for name in names:
        if name.endswith(".manifest"):
            manifest, fingerprint = read_manifest_file(os.path.join(folder, name))
            assert name == f"{fingerprint:016x}.manifest"
            manifests[fingerprint] = manifest
    records, expected_offset = [], 0
    for name in [n for n in names if n.endswith(".log")]:
        base = int(name[:20])
        assert len(name) == 24 and base == expected_offset
        data = open(os.path.join(folder, name), "rb").read()
        pos, starts, segment_max = 0, {}, None
        while pos < len(data):
            (magic, codec, reserved, base_offset, count, stored, uncompressed, reserved2,
             first_ts, max_ts, fingerprint, reserved3, crc) = HEADER.unpack_from(data, pos)
            assert magic == b"DLB\x01" and reserved == b"\0\0\0" and reserved2 == 0 and reserved3 == 0
            assert base_offset == expected_offset
            payload = data[pos + 64:pos + 64 + stored]
            assert crc32c(data[pos:pos + 60] + payload) == crc
            if codec == 1:
                payload = pa.decompress(payload, decompressed_size=uncompressed, codec="lz4_raw", asbytes=True)
            else:
                assert codec == 0 and stored == uncompressed
            assert len(payload) == uncompressed
            batch = decode_records(payload, manifests[fingerprint]["schema"])
            assert len(batch) == count
            assert first_ts == batch[0]["ts"] and max_ts == max(r["ts"] for r in batch)
            segment_max = max_ts if segment_max is None else max(segment_max, max_ts)
            starts[pos] = base_offset - base
            records += batch
            expected_offset += count
            pos += 64 + stored
        index = open(os.path.join(folder, name[:20] + ".index"), "rb").read()
        entries = [struct.unpack_from("<II", index, i) for i in range(0, len(index), 8)]
        for rel, position in entries:
            assert starts.get(position) == rel
        times = open(os.path.join(folder, name[:20] + ".timeindex"), "rb").read()
        tentries = [struct.unpack_from("<qI", times, i) for i in range(0, len(times), 12)]
        assert [t for t, _ in tentries] == sorted(t for t, _ in tentries)
        assert tentries and tentries[-1][0] == segment_max  # closed segments end with their newest timestamp
    return manifests, records


def test_independent_reader_matches_what_swift_wrote(swift_bin, tmp_path):
    written = json.loads(swift_bin("LogInterop", "write", tmp_path))
    for endpoint, expected in written.items():
        folder = tmp_path / endpoint / "w1"
        manifests, records = read_partition(folder)
        assert [f"{fp:016x}" for fp in manifests] == [expected["fingerprint"]]
        manifest = next(iter(manifests.values()))
        assert manifest["endpoint"] == endpoint
        assert len(os.listdir(folder)) > 6  # several segments with their indexes
        assert records == expected["records"]
    # Permissions: files 0640, folders 0750.
    for root, dirs, files in os.walk(tmp_path):
        for d in dirs:
            assert stat.S_IMODE(os.stat(os.path.join(root, d)).st_mode) == 0o750
        for f in files:
            assert stat.S_IMODE(os.stat(os.path.join(root, f)).st_mode) == 0o640


def test_crc32c_check_value():
    assert crc32c(b"123456789") == 0xE3069283
