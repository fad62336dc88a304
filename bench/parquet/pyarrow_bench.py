#!/usr/bin/env python3
"""Times pyarrow writing the rows parquet_bench wrote, and prints both writers side by side.

Usage: pyarrow_bench.py OUT_DIR   (OUT_DIR is parquet_bench's --out; it holds source.parquet, ours.json)
"""
import io
import json
import os
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq


def main(out_dir):
    ours = json.load(open(os.path.join(out_dir, "ours.json")))
    table = pq.read_table(os.path.join(out_dir, "source.parquet"))
    assert table.num_rows == ours["rows"], "source.parquet does not hold the benchmark's rows"
    rows, mb = ours["rows"], ours["input_bytes"] / 1e6
    print(f"{rows} enriched events ({mb:.1f} MB of values), median of {ours['rounds']} rounds, one file each, "
          f"pyarrow {pa.__version__} with its defaults (dictionary, 1 MiB pages)")
    print("rates are per CPU-second of the writing process (the box may be shared); wall rows/s for reference")
    header = (f"{'codec':<7} {'writer':<8} {'rows/s':>10} {'MB/s':>8} {'file MB':>8} {'wall rows/s':>12}"
              f"   {'speed ours/pyarrow':>18} {'size ours/pyarrow':>17}")
    print(header)
    print("-" * len(header))
    for codec in ("snappy", "zstd"):
        cpu, wall, size = [], [], 0
        for _ in range(ours["rounds"]):
            buf = io.BytesIO()
            start, start_cpu = time.perf_counter(), time.process_time()
            pq.write_table(table, buf, compression=codec)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start)
            size = buf.tell()
        pa_s, pa_wall = statistics.median(cpu), statistics.median(wall)
        o = ours["results"][codec]
        print(f"{codec:<7} {'freshet':<8} {rows / o['seconds']:>10.0f} {mb / o['seconds']:>8.1f} {o['bytes'] / 1e6:>8.2f} "
              f"{rows / o['wall_seconds']:>12.0f}   {pa_s / o['seconds']:>18.2f} {o['bytes'] / size:>17.2f}")
        print(f"{codec:<7} {'pyarrow':<8} {rows / pa_s:>10.0f} {mb / pa_s:>8.1f} {size / 1e6:>8.2f} {rows / pa_wall:>12.0f}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
