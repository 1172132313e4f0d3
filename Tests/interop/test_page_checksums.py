"""Parquet page checksums (the `crc` of every page header, CRC-32 of the page bytes after the header, as
parquet-format's PageHeader defines it): pyarrow with `page_checksum_verification=True` verifies the pages we
write, and we verify the pages pyarrow writes with `write_page_checksum=True`. A flipped byte inside a page is
caught by both readers; without the checksum pyarrow would read it (the flip below lands in PLAIN int64 values)."""
import json
import pathlib
import subprocess

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import executable


def page_body_byte(path: pathlib.Path, column: int = 0) -> int:
    """The last byte of a column chunk of row group 0: always inside the body of its last page (a chunk is
    header, body, header, body…, and its size counts the headers)."""
    chunk = pq.ParquetFile(path).metadata.row_group(0).column(column)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    return start + chunk.total_compressed_size - 1


def flipped_copy(path: pathlib.Path, at: int, out: pathlib.Path) -> pathlib.Path:
    data = bytearray(path.read_bytes())
    data[at] ^= 0x01
    out.write_bytes(bytes(data))
    return out


def interop_dump(path):
    return subprocess.run([str(executable("ParquetInterop")), "dump", str(path)], capture_output=True, text=True, timeout=120)


def test_pyarrow_verifies_the_checksums_of_every_page_we_write(swift_bin, tmp_path):
    swift_bin("ParquetInterop", "write-sample", tmp_path)
    files = sorted(tmp_path.glob("*.parquet"))
    assert files
    for path in files:
        verified = pq.ParquetFile(path, page_checksum_verification=True).read()
        assert verified.equals(pq.read_table(path)), path.name


def test_a_flipped_byte_in_one_of_our_pages_fails_pyarrows_verification(swift_bin, tmp_path):
    swift_bin("ParquetInterop", "write-sample", tmp_path)
    # The largest sample: its first column chunk has a page body of several KB.
    path = max(tmp_path.glob("*.parquet"), key=lambda p: pq.ParquetFile(p).metadata.row_group(0).column(0).total_compressed_size)
    bad = flipped_copy(path, page_body_byte(path), tmp_path / "bad.parquet.flipped")
    with pytest.raises(OSError, match="(?i)crc|checksum"):
        pq.ParquetFile(bad, page_checksum_verification=True).read()
    dumped = interop_dump(bad)
    assert dumped.returncode != 0 and "checksum" in dumped.stderr, dumped.stderr


@pytest.mark.parametrize("compression", ["lz4", "none", "snappy"])
@pytest.mark.parametrize("page_version", ["1.0", "2.0"])
@pytest.mark.parametrize("dictionary", [True, False])
def test_we_verify_the_checksums_pyarrow_writes(tmp_path, compression, page_version, dictionary):
    table = pa.table({"id": pa.array(range(20_000), pa.int64()),
                      "name": [f"n{i % 50:03d}" for i in range(20_000)],
                      "x": pa.array([i * 0.25 for i in range(20_000)], pa.float64())})
    path = tmp_path / "py.parquet"
    pq.write_table(table, path, compression=compression, data_page_version=page_version, use_dictionary=dictionary,
                   write_page_checksum=True, row_group_size=8_000, data_page_size=16_384)
    dumped = interop_dump(path)
    assert dumped.returncode == 0, dumped.stderr
    rows = json.loads(dumped.stdout)["rows"]
    assert [r["id"] for r in rows] == list(range(20_000))
    assert [r["name"] for r in rows] == table.column("name").to_pylist()
    # One flipped byte inside the last page of `id` in row group 0: pyarrow and we both refuse the file.
    bad = flipped_copy(path, page_body_byte(path, 0), tmp_path / "bad.parquet")
    with pytest.raises(OSError, match="(?i)crc|checksum"):
        pq.ParquetFile(bad, page_checksum_verification=True).read()
    refused = interop_dump(bad)
    assert refused.returncode != 0, "a flipped page byte was read as good data"
    assert "checksum" in refused.stderr and "corrupt" in refused.stderr, refused.stderr
