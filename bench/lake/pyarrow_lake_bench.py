#!/usr/bin/env python3
"""Times pyarrow on what lake_bench timed us on, and prints both side by side.

Usage: pyarrow_lake_bench.py OUT_DIR   (lake_bench's --out: ours.json, events.jsonl and the tables)

Two comparisons, both in CPU seconds of the process, pyarrow on one thread (set_cpu_count(1),
use_threads=False), median of the same number of rounds:

- writer (the issue's target, >= 1.0): writing the same rows with the same codec. pyarrow reads our
  committed data files (untimed) into Arrow tables, then times `pq.write_table` of each — the same
  rows in the same files, one per date partition — to memory with its defaults. Ours: the same rows,
  already in memory, through `data_file_writer` (Parquet, statistics, the add's stats JSON, a file).
- end to end (for context): from the same JSON lines. pyarrow times `pyarrow.json.read_json` of
  events.jsonl (in memory, schema inferred) plus `pq.write_table` of the result into one file; ours
  is the whole sink (route, decode, map, Parquet, stats, Delta commit, date partitions). pyarrow's
  side has no headers (_event_id, _ingest_ts), no partitioning, statistics JSON or commit.

speed = pyarrow CPU seconds / ours (> 1: we are faster). size = our data files' bytes / pyarrow's
for the same rows in the same files (and, for reference, against pyarrow writing all rows as one file).
MB/s: writer rows use Arrow's in-memory size of the rows, end to end the JSON's bytes.
"""
import io
import json
import os
import statistics
import sys
import time
import urllib.parse

import pyarrow as pa
import pyarrow.json as pj
import pyarrow.parquet as pq


def cpu_timed(fn, rounds):
    cpu, wall, result = [], [], None
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return statistics.median(cpu), statistics.median(wall), result


def main(out_dir):
    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    ours = json.load(open(os.path.join(out_dir, "ours.json")))
    rows, rounds = ours["rows"], ours["rounds"]
    json_text = open(os.path.join(out_dir, "events.jsonl"), "rb").read()
    json_mb = len(json_text) / 1e6
    print(f"{rows} enriched events, median of {rounds} rounds, CPU time, one thread; pyarrow {pa.__version__} "
          "with its defaults")
    header = (f"{'codec':<7} {'comparison':<34} {'ours rows/s':>11} {'MB/s':>7} {'pyarrow rows/s':>14} {'MB/s':>7}"
              f" {'speed ours/pa':>13} {'size ours/pa':>12}")
    print(header)
    print("-" * len(header))
    summary = {}
    for codec in ("snappy", "zstd"):
        o = ours["results"][codec]
        tables = [pq.read_table(os.path.join(o["table"], urllib.parse.unquote(p))) for p in o["data_files"]]
        assert sum(t.num_rows for t in tables) == rows, "the table does not hold every row"
        mb = sum(t.nbytes for t in tables) / 1e6  # Arrow's in-memory size of the rows

        def write_files():
            size = 0
            for t in tables:
                buf = io.BytesIO()
                pq.write_table(t, buf, compression=codec)
                size += buf.tell()
            return size

        def write_one():
            buf = io.BytesIO()
            pq.write_table(pa.concat_tables(tables), buf, compression=codec)
            return buf.tell()

        def json_to_parquet():
            t = pj.read_json(io.BytesIO(json_text), read_options=pj.ReadOptions(use_threads=False))
            buf = io.BytesIO()
            pq.write_table(t, buf, compression=codec)
            return buf.tell()

        pw_cpu, _, pa_size = cpu_timed(write_files, rounds)
        one_size = write_one()
        pe_cpu, _, _ = cpu_timed(json_to_parquet, rounds)
        ow_cpu, oe_cpu = o["writer_cpu_seconds"], o["cpu_seconds"]
        writer_speed, e2e_speed = pw_cpu / ow_cpu, pe_cpu / oe_cpu
        size_ratio, size_one = o["writer_file_bytes"] / pa_size, o["writer_file_bytes"] / one_size
        print(f"{codec:<7} {'writer: same rows -> same files':<34} {rows / ow_cpu:>11.0f} {mb / ow_cpu:>7.1f} "
              f"{rows / pw_cpu:>14.0f} {mb / pw_cpu:>7.1f} {writer_speed:>13.2f} {size_ratio:>12.2f}")
        print(f"{codec:<7} {'end to end: JSON lines -> Parquet':<34} {rows / oe_cpu:>11.0f} {json_mb / oe_cpu:>7.1f} "
              f"{rows / pe_cpu:>14.0f} {json_mb / pe_cpu:>7.1f} {e2e_speed:>13.2f} {'':>12}")
        print(f"{codec:<7} {'  file MB: ours / pyarrow same files / pyarrow one file':<56} "
              f"{o['writer_file_bytes'] / 1e6:.2f} / {pa_size / 1e6:.2f} / {one_size / 1e6:.2f} "
              f"(ours/one file {size_one:.2f})")
        summary[codec] = {
            "writer_speed_ratio": writer_speed, "end_to_end_speed_ratio": e2e_speed,
            "size_ratio": size_ratio, "size_ratio_vs_one_file": size_one,
            "writer_rows_per_cpu_s_ours": rows / ow_cpu, "writer_rows_per_cpu_s_pyarrow": rows / pw_cpu,
            "writer_mb_per_cpu_s_ours": mb / ow_cpu, "writer_mb_per_cpu_s_pyarrow": mb / pw_cpu,
            "end_to_end_rows_per_cpu_s_ours": rows / oe_cpu, "end_to_end_rows_per_cpu_s_pyarrow": rows / pe_cpu,
            "end_to_end_json_mb_per_cpu_s_ours": json_mb / oe_cpu,
            "end_to_end_json_mb_per_cpu_s_pyarrow": json_mb / pe_cpu,
            "file_bytes_ours": o["writer_file_bytes"], "file_bytes_pyarrow": pa_size,
            "file_bytes_pyarrow_one_file": one_size}
    print("target: writer speed ours/pyarrow >= 1.0 (the same rows, the same codec); end to end is context")
    json.dump(summary, open(os.path.join(out_dir, "ratios.json"), "w"), indent=2)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
