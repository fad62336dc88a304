#!/usr/bin/env python3
"""Times pyarrow writing the rows lake_bench committed, and prints both side by side.

Usage: pyarrow_lake_bench.py OUT_DIR   (lake_bench's --out: ours.json and the tables it left)

pyarrow reads our table's data files (untimed; via delta-rs, so only committed files count), then
writes the same rows — the same columns, the date partition column left out as Delta data files do
— to one in-memory Parquet file per round with the same codec and its defaults. Rates are per
CPU-second of the writing process. speed ours/pyarrow > 1 means the sink (route + map + write +
stats + commit) is faster than pyarrow's bare write.
"""
import io
import json
import os
import statistics
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
from deltalake import DeltaTable


def main(out_dir):
    ours = json.load(open(os.path.join(out_dir, "ours.json")))
    rows = ours["rows"]
    print(f"{rows} enriched events, median of {ours['rounds']} rounds; pyarrow {pa.__version__} with its defaults")
    header = (f"{'codec':<7} {'writer':<8} {'rows/s':>10} {'MB/s':>8} {'file MB':>8} {'wall rows/s':>12}"
              f"   {'speed ours/pyarrow':>18} {'size ours/pyarrow':>17}")
    print(header)
    print("-" * len(header))
    summary = {}
    for codec in ("snappy", "zstd"):
        o = ours["results"][codec]
        dt = DeltaTable(o["table"])
        table = pa.concat_tables([pq.read_table(uri.replace("file://", "")) for uri in dt.file_uris()])
        assert table.num_rows == rows, f"{table.num_rows} rows in the table, expected {rows}"
        mb = table.nbytes / 1e6  # Arrow's in-memory size of the rows: the MB/s denominator for both
        cpu, wall, size = [], [], 0
        for _ in range(ours["rounds"]):
            buf = io.BytesIO()
            start, start_cpu = time.perf_counter(), time.process_time()
            pq.write_table(table, buf, compression=codec)
            cpu.append(time.process_time() - start_cpu)
            wall.append(time.perf_counter() - start)
            size = buf.tell()
        pa_s, pa_wall = statistics.median(cpu), statistics.median(wall)
        speed, size_ratio = pa_s / o["cpu_seconds"], o["file_bytes"] / size
        print(f"{codec:<7} {'freshet':<8} {rows / o['cpu_seconds']:>10.0f} {mb / o['cpu_seconds']:>8.1f} "
              f"{o['file_bytes'] / 1e6:>8.2f} {rows / o['wall_seconds']:>12.0f}   {speed:>18.2f} {size_ratio:>17.2f}")
        print(f"{codec:<7} {'pyarrow':<8} {rows / pa_s:>10.0f} {mb / pa_s:>8.1f} {size / 1e6:>8.2f} {rows / pa_wall:>12.0f}")
        summary[codec] = {"speed_ratio": speed, "size_ratio": size_ratio, "ours_rows_per_cpu_s": rows / o["cpu_seconds"],
                          "pyarrow_rows_per_cpu_s": rows / pa_s, "mb_per_cpu_s_ours": mb / o["cpu_seconds"],
                          "mb_per_cpu_s_pyarrow": mb / pa_s}
    json.dump(summary, open(os.path.join(out_dir, "ratios.json"), "w"), indent=2)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
