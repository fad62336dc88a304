#!/usr/bin/env python3
"""Independent readers and writers for common/parquet's interop test (run by parquet_interop_test).

  interop.py check-ours FILE.parquet EXPECTED.jsonl   pyarrow and DuckDB read a file we wrote; values
                                                      must equal EXPECTED and every column chunk with
                                                      values must carry trusted min/max statistics.
  interop.py write-pyarrow DIR                        pyarrow (and DuckDB) write files for our reader;
                                                      prints one file name per line.
  interop.py check-json FILE.parquet OURS.jsonl       our reader's rows (OURS) must equal pyarrow's.

Rows are compared in a canonical JSON form both sides produce: one JSON array per row, a value per
top-level field; integers, dates (days) and timestamps (microseconds) as integers; floats as numbers,
or "NaN" / "Infinity" / "-Infinity"; binary as lowercase hex; lists as arrays; maps as arrays of
[key, value]; structs as objects.
"""
import datetime
import json
import math
import os
import sys

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

EPOCH_DATE = datetime.date(1970, 1, 1)
EPOCH_UTC = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_NAIVE = datetime.datetime(1970, 1, 1)


def canon(v, t):
    if v is None:
        return None
    if pa.types.is_timestamp(t):
        epoch = EPOCH_UTC if v.tzinfo is not None else EPOCH_NAIVE
        return (v - epoch) // datetime.timedelta(microseconds=1)
    if pa.types.is_date(t):
        return (v - EPOCH_DATE).days
    if pa.types.is_floating(t):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return float(v)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or \
            (hasattr(pa.types, "is_binary_view") and pa.types.is_binary_view(t)):
        return bytes(v).hex()
    if pa.types.is_map(t):
        items = v.items() if isinstance(v, dict) else v
        return [[canon(k, t.key_type), canon(x, t.item_type)] for k, x in items]
    if pa.types.is_list(t) or pa.types.is_large_list(t) or \
            (hasattr(pa.types, "is_list_view") and pa.types.is_list_view(t)):
        return [canon(x, t.value_type) for x in v]
    if pa.types.is_struct(t):
        return {t.field(i).name: canon(v.get(t.field(i).name), t.field(i).type) for i in range(t.num_fields)}
    if pa.types.is_boolean(t):
        return bool(v)
    if pa.types.is_integer(t):
        return int(v)
    return v


def canon_table(table):
    names = table.schema.names
    types = [table.schema.field(n).type for n in names]
    return [[canon(row[n], t) for n, t in zip(names, types)] for row in table.to_pylist()]


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def first_difference(got, want):
    if len(got) != len(want):
        return f"{len(got)} rows, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            for j, (gv, wv) in enumerate(zip(g, w)):
                if gv != wv:
                    return f"row {i} field {j}: got {gv!r}, expected {wv!r}"
            return f"row {i}: got {g!r}, expected {w!r}"
    return None


def duckdb_table(path):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
    return rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.fetch_arrow_table()


def check_statistics(path, table):
    """Every column chunk that holds a non-null value has trusted min/max; flat columns' min/max are right."""
    md = pq.ParquetFile(path).metadata
    problems = []
    flat = {n: table.schema.field(n).type for n in table.schema.names}
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        first = sum(md.row_group(k).num_rows for k in range(g))
        for c in range(rg.num_columns):
            col = rg.column(c)
            st = col.statistics
            where = f"row group {g} column {col.path_in_schema}"
            if st is None or not st.has_null_count:
                problems.append(f"{where}: no statistics / null count")
                continue
            if st.null_count < col.num_values and not st.has_min_max:
                problems.append(f"{where}: has_min_max is False")
                continue
            if col.path_in_schema in flat and st.has_min_max:
                t = flat[col.path_in_schema]
                part = table.column(col.path_in_schema).slice(first, rg.num_rows)
                if pa.types.is_floating(t):
                    part = pc.filter(part, pc.invert(pc.fill_null(pc.is_nan(part), False)))
                mm = pc.min_max(part).as_py()
                if st.null_count != part.null_count and not pa.types.is_floating(t):
                    problems.append(f"{where}: null_count {st.null_count}, data has {part.null_count}")
                if canon(st.min, t) != canon(mm["min"], t) or canon(st.max, t) != canon(mm["max"], t):
                    problems.append(f"{where}: min/max {st.min!r}/{st.max!r}, data has {mm['min']!r}/{mm['max']!r}")
    # DuckDB's view of the same footer.
    con = duckdb.connect()
    rows = con.execute(
        "SELECT row_group_id, path_in_schema, stats_min_value, stats_max_value, stats_null_count, num_values "
        f"FROM parquet_metadata('{path}')").fetchall()
    for rg_id, col_path, mn, mx, nulls, num_values in rows:
        if nulls is None:
            problems.append(f"duckdb: row group {rg_id} column {col_path}: no null count")
        elif nulls < num_values and (mn is None or mx is None):
            problems.append(f"duckdb: row group {rg_id} column {col_path}: no min/max")
    return problems


def check_ours(path, expected_path):
    want = load_jsonl(expected_path)
    table = pq.read_table(path)
    diff = first_difference(canon_table(table), want)
    if diff:
        return f"pyarrow: {diff}"
    diff = first_difference(canon_table(duckdb_table(path)), want)
    if diff:
        return f"duckdb: {diff}"
    problems = check_statistics(path, table)
    if problems:
        return "statistics: " + "; ".join(problems[:5])
    return None


def check_json(path, ours_path):
    diff = first_difference(load_jsonl(ours_path), canon_table(pq.read_table(path)))
    return f"our reader vs pyarrow: {diff}" if diff else None


def sample_table(n, seed):
    """Every type we read, with nulls, in flat and nested columns."""
    import random
    rnd = random.Random(seed)

    def maybe(v):
        return None if rnd.random() < 0.15 else v

    words = ["alpha", "beta", "gamma", "delta", "épsilon", "", "z" * 40]
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    cols = {
        "b": [maybe(rnd.random() < 0.5) for _ in range(n)],
        "i32": [maybe(rnd.randint(-2**31, 2**31 - 1)) for _ in range(n)],
        "i64": [maybe(rnd.randint(-2**63, 2**63 - 1)) for _ in range(n)],
        "f32": [maybe(float(rnd.randint(-10000, 10000)) / 4) for _ in range(n)],
        "f64": [maybe(rnd.uniform(-1e9, 1e9)) for _ in range(n)],
        "s": [maybe(rnd.choice(words)) for _ in range(n)],
        "bin": [maybe(bytes(rnd.randrange(256) for _ in range(rnd.randint(0, 6)))) for _ in range(n)],
        "d": [maybe(datetime.date(2000, 1, 1) + datetime.timedelta(days=rnd.randint(0, 20000))) for _ in range(n)],
        "ts": [maybe(start + datetime.timedelta(microseconds=rnd.randint(0, 10**13))) for _ in range(n)],
        "li": [maybe([maybe(rnd.randint(-5, 5)) for _ in range(rnd.randint(0, 3))]) for _ in range(n)],
        "ls": [maybe([rnd.choice(words) for _ in range(rnd.randint(0, 3))]) for _ in range(n)],
        "st": [maybe({"x": rnd.randint(0, 100), "y": maybe(rnd.choice(words)),
                      "z": maybe([{"p": maybe(rnd.random()), "q": maybe(rnd.random() < 0.5)} for _ in range(rnd.randint(0, 2))])})
               for _ in range(n)],
        "m": [maybe([(k, maybe(rnd.randint(0, 9))) for k in rnd.sample(words, rnd.randint(0, 3))]) for _ in range(n)],
        "ll": [maybe([maybe([maybe(rnd.choice(words)) for _ in range(rnd.randint(0, 2))]) for _ in range(rnd.randint(0, 3))])
               for _ in range(n)],
    }
    schema = pa.schema([
        ("b", pa.bool_()), ("i32", pa.int32()), ("i64", pa.int64()), ("f32", pa.float32()), ("f64", pa.float64()),
        ("s", pa.string()), ("bin", pa.binary()), ("d", pa.date32()), ("ts", pa.timestamp("us", tz="UTC")),
        ("li", pa.list_(pa.int64())), ("ls", pa.list_(pa.string())),
        ("st", pa.struct([pa.field("x", pa.int32(), nullable=False), ("y", pa.string()),
                          ("z", pa.list_(pa.struct([("p", pa.float64()), ("q", pa.bool_())])))])),
        ("m", pa.map_(pa.string(), pa.int32())),
        ("ll", pa.list_(pa.list_(pa.string()))),
    ])
    return pa.table(cols, schema=schema)


def write_pyarrow(out_dir):
    table = sample_table(3000, 1)
    variants = {
        "pa_dict_snappy_v1": dict(compression="snappy", use_dictionary=True, data_page_version="1.0"),
        "pa_dict_zstd_v2": dict(compression="zstd", use_dictionary=True, data_page_version="2.0"),
        "pa_plain_none_v1": dict(compression="none", use_dictionary=False, data_page_version="1.0"),
        "pa_plain_zstd_v2": dict(compression="zstd", use_dictionary=False, data_page_version="2.0"),
        "pa_gzip_v1": dict(compression="gzip", data_page_version="1.0"),
        "pa_dict_snappy_v2": dict(compression="snappy", data_page_version="2.0"),
        "pa_row_groups_small_pages": dict(compression="snappy", row_group_size=700, data_page_size=2048,
                                          dictionary_pagesize_limit=512),
        "pa_format_1_0": dict(compression="snappy", version="1.0"),
        "pa_delta_encodings_v2": dict(compression="zstd", use_dictionary=False, data_page_version="2.0",
                                      column_encoding={"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED",
                                                       "d": "DELTA_BINARY_PACKED", "ts": "DELTA_BINARY_PACKED",
                                                       "s": "DELTA_BYTE_ARRAY", "bin": "DELTA_LENGTH_BYTE_ARRAY",
                                                       "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT"}),
    }
    names = []
    for name, opts in variants.items():
        path = os.path.join(out_dir, name + ".parquet")
        t = table
        if name == "pa_format_1_0":  # the oldest layout (PLAIN_DICTIONARY pages), flat columns only
            t = table.select(["b", "i32", "i64", "f32", "f64", "s", "bin", "d"])
        if name == "pa_delta_encodings_v2":  # encodings chosen per (flat) column
            t = table.select(["b", "i32", "i64", "f32", "f64", "s", "bin", "d", "ts"])
        pq.write_table(t, path, **opts)
        names.append(path)
    # A file DuckDB's own writer made, as a third opinion.
    path = os.path.join(out_dir, "duckdb_written.parquet")
    con = duckdb.connect()
    con.register("t", table.select(["b", "i32", "i64", "f64", "s", "bin", "d", "li", "st", "m"]))
    con.execute(f"COPY (SELECT * FROM t) TO '{path}' (FORMAT parquet)")
    names.append(path)
    for n in names:
        print(n)


def main(argv):
    if len(argv) >= 2 and argv[1] == "write-pyarrow":
        write_pyarrow(argv[2])
        return 0
    if len(argv) == 4 and argv[1] in ("check-ours", "check-json"):
        problem = (check_ours if argv[1] == "check-ours" else check_json)(argv[2], argv[3])
        if problem:
            print(problem)
            return 1
        print("ok")
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    rc = main(sys.argv)
    # Skip the interpreter's teardown (pyarrow's and DuckDB's native thread pools may abort in it
    # after the work is done): the exit code is what counts.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)
