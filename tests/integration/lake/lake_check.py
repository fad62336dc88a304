#!/usr/bin/env python3
"""Independent readers for Freshet's Delta tables (run by lake_interop_test and lake_sink_test).

  lake_check.py check-ours TABLE EXPECTED.json   delta-rs, pyarrow and DuckDB read a table common/lake
                                                 wrote: the same rows, every version's files and row
                                                 count, the history, time travel by timestamp, the add
                                                 statistics, and the checkpoint (the log before it
                                                 deleted, delta-rs still loads the table).
  lake_check.py write-delta-rs DIR               delta-rs writes a table (appends, a delete, a txn, a
                                                 checkpoint) for our reader; writes DIR/expected.json.
  lake_check.py check-sink TABLE EXPECTED.json   a table freshet-compaction wrote: every event id once,
                                                 history, an older version, stats, txn versions, DuckDB.
  lake_check.py check-maintained TABLE EXP.json  a table OPTIMIZE / Z-order / VACUUM ran on beside the sink:
                                                 every event id once (delta-rs, DuckDB over the files), an
                                                 OPTIMIZE in the history, every live file present, and the
                                                 given older versions still read whole with their row counts.
  lake_check.py count TABLE                      prints the row count delta-rs reads.

Rows compare in interop.py's canonical JSON (tests/integration/parquet). Exit code 0 = all good;
otherwise the problems are printed, one per line.
"""
import datetime
import glob
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parquet"))
from interop import canon, canon_table  # noqa: E402

import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from deltalake import DeltaTable, write_deltalake  # noqa: E402
from deltalake.transaction import CommitProperties, Transaction  # noqa: E402


def add_actions(dt):
    """The add actions, flattened, as a list of dicts (deltalake returns an arro3 table)."""
    return pa.table(dt.get_add_actions(flatten=True)).to_pylist()


def relative_files(dt, root):
    prefix = "file://" + os.path.abspath(root).rstrip("/") + "/"
    out = set()
    for uri in dt.file_uris():
        if uri.startswith(prefix):
            uri = uri[len(prefix):]
        elif uri.startswith(os.path.abspath(root)):
            uri = uri[len(os.path.abspath(root)) + 1:]
        out.add(uri)
    return out


def sort_key(row):
    return json.dumps(row, sort_keys=True)


def check_ours(root, expected_path):
    exp = json.load(open(expected_path))
    problems = []
    dt = DeltaTable(root)
    latest = exp["latest_version"]
    if dt.version() != latest:
        problems.append(f"version {dt.version()}, expected {latest}")
    proto = dt.protocol()
    if (proto.min_reader_version, proto.min_writer_version) != (1, 2):
        problems.append(f"protocol {proto.min_reader_version}/{proto.min_writer_version}, expected 1/2")
    if list(dt.metadata().partition_columns) != exp["partition_columns"]:
        problems.append(f"partition columns {dt.metadata().partition_columns}")

    # The same rows, through delta-rs's scan (partition column included).
    table = dt.to_pyarrow_table()
    got = sorted((dict(zip(table.schema.names, r)) for r in canon_table(table.select(exp["columns"]))), key=sort_key)
    want = sorted((dict(zip(exp["columns"], r)) for r in
                   (json.loads(line) for line in open(exp["rows_file"]) if line.strip())), key=sort_key)
    if got != want:
        problems.append(f"delta-rs rows differ: {len(got)} rows, expected {len(want)}; "
                        f"first got {got[:1]}, first expected {want[:1]}")

    # Every version: its files and row count.
    for v, info in exp["versions"].items():
        old = DeltaTable(root, version=int(v))
        files = relative_files(old, root)
        if files != set(info["files"]):
            problems.append(f"version {v}: files {sorted(files)[:3]}..., expected {sorted(info['files'])[:3]}...")
        n = old.to_pyarrow_table().num_rows
        if n != info["rows"]:
            problems.append(f"version {v}: {n} rows, expected {info['rows']}")

    # History, newest first.
    ops = [h.get("operation") for h in dt.history()]
    if ops != exp["operations"]:
        problems.append(f"history operations {ops}, expected {exp['operations']}")

    # Time travel by timestamp (commit file modification times, as the protocol says).
    for ts_ms, version in exp["version_at"]:
        t = DeltaTable(root)
        t.load_as_version(datetime.datetime.fromtimestamp(ts_ms / 1000.0, tz=datetime.timezone.utc))
        if t.version() != version:
            problems.append(f"load_as_version({ts_ms}) gave version {t.version()}, expected {version}")

    # Statistics as delta-rs parses them from our adds.
    stats = exp["stats"]
    for a in add_actions(dt):
        s = stats.get(a["path"])
        if s is None:
            problems.append(f"delta-rs lists {a['path']}, which we did not add")
            continue
        if a["num_records"] != s["numRecords"]:
            problems.append(f"{a['path']}: num_records {a['num_records']}, expected {s['numRecords']}")
        for col in ("id", "user"):
            for kind, key in (("min", "minValues"), ("max", "maxValues")):
                if a.get(f"{kind}.{col}") != s[key].get(col):
                    problems.append(f"{a['path']}: {kind}.{col} {a.get(f'{kind}.{col}')!r}, expected {s[key].get(col)!r}")
        if a.get("null_count.score") != s["nullCount"].get("score"):
            problems.append(f"{a['path']}: null_count.score {a.get('null_count.score')}")

    # The transaction identifiers.
    for app, version in exp["txns"].items():
        if dt.transaction_version(app) != version:
            problems.append(f"txn {app}: {dt.transaction_version(app)}, expected {version}")

    # Our checkpoint is what delta-rs starts from when the commits before it are gone.
    cp = exp["last_checkpoint"]
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, "t")
        shutil.copytree(root, copy)
        for path in glob.glob(os.path.join(copy, "_delta_log", "*.json")):
            if int(os.path.basename(path).split(".")[0]) < cp:
                os.remove(path)
        try:
            c = DeltaTable(copy)
            if c.version() != latest or relative_files(c, copy) != relative_files(dt, root):
                problems.append("from our checkpoint delta-rs sees another table")
            at_cp = DeltaTable(copy, version=cp)
            if relative_files(at_cp, copy) != set(exp["versions"][str(cp)]["files"]):
                problems.append(f"delta-rs at checkpoint version {cp} sees other files")
        except Exception as e:  # noqa: BLE001
            problems.append(f"delta-rs cannot load the table from our checkpoint: {e}")
    cp_file = os.path.join(root, "_delta_log", f"{cp:020d}.checkpoint.parquet")
    cp_rows = pq.read_table(cp_file).num_rows
    if cp_rows != exp["checkpoint_actions"]:
        problems.append(f"pyarrow reads {cp_rows} rows from our checkpoint, expected {exp['checkpoint_actions']}")

    # DuckDB reads the data files themselves.
    con = duckdb.connect()
    files = [os.path.join(root, f) for f in exp["versions"][str(latest)]["files"]]
    n, ids = con.execute(f"SELECT count(*), sum(id) FROM read_parquet({files!r})").fetchone()
    if n != len(want) or ids != sum(r["id"] for r in want):
        problems.append(f"DuckDB: {n} rows, sum(id) {ids}")
    return problems


def write_delta_rs(out_dir):
    root = os.path.join(out_dir, "table")
    rows = 0
    for i in range(12):
        batch = pa.table({
            "id": pa.array(range(i * 100, i * 100 + 100), pa.int64()),
            "name": pa.array([f"n{j % 13}" for j in range(100)], pa.string()),
            "ts": pa.array([datetime.datetime(2024, 5, 1 + i % 3, tzinfo=datetime.timezone.utc)] * 100,
                           pa.timestamp("us", tz="UTC")),
            "day": pa.array([f"2024-05-0{1 + i % 3}"] * 100, pa.string()),
        })
        props = CommitProperties(app_transactions=[Transaction(app_id="loader", version=i)])
        write_deltalake(root, batch, mode="append", partition_by=["day"], commit_properties=props)
        rows += 100
        if i == 9:
            DeltaTable(root).create_checkpoint()
    dt = DeltaTable(root)
    dt.delete("id < 50")
    rows -= 50
    dt = DeltaTable(root)
    expected = {
        "version": dt.version(),
        "files": sorted(relative_files(dt, root)),
        "rows": rows,
        "txns": {"loader": 11},
        "partition_columns": list(dt.metadata().partition_columns),
    }
    json.dump(expected, open(os.path.join(out_dir, "expected.json"), "w"))
    return []


def check_sink(root, expected_path):
    exp = json.load(open(expected_path))
    problems = []
    dt = DeltaTable(root)
    table = dt.to_pyarrow_table()
    ids = table.column("_event_id").to_pylist()
    want = set(exp["event_ids"])
    seen = {}
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
    missing = [i for i in want if i not in seen]
    dup = {i: c for i, c in seen.items() if c > 1}
    extra = [i for i in seen if i not in want]
    if missing or dup or extra:
        problems.append(f"exactly once violated: {len(missing)} missing (e.g. {missing[:3]}), "
                        f"{len(dup)} duplicated (e.g. {list(dup.items())[:3]}), {len(extra)} unexpected")
    for col in exp.get("columns", []):
        if col not in table.schema.names:
            problems.append(f"column {col} is missing from the table")
    if exp.get("check_values"):
        by_id = {r["_event_id"]: r for r in table.select(list(exp["check_values"][0].keys())).to_pylist()}
        for want_row in exp["check_values"]:
            got = by_id.get(want_row["_event_id"])
            got_c = {k: canon(v, table.schema.field(k).type) for k, v in (got or {}).items()}
            if got_c != want_row:
                problems.append(f"row {want_row['_event_id']}: {got_c}, expected {want_row}")
                break

    history = dt.history()
    if len(history) != dt.version() + 1:
        problems.append(f"history has {len(history)} entries for version {dt.version()}")
    ops = {h.get("operation") for h in history}
    if "STREAMING UPDATE" not in ops or "CREATE TABLE" not in ops:
        problems.append(f"history operations {ops}")
    if dt.version() < exp.get("min_versions", 2):
        problems.append(f"only {dt.version()} versions")

    # An older version holds a prefix: fewer or equal rows, none duplicated.
    mid = dt.version() // 2
    old = DeltaTable(root, version=mid).to_pyarrow_table()
    old_ids = old.column("_event_id").to_pylist()
    if len(old_ids) > len(ids) or len(set(old_ids)) != len(old_ids) or not set(old_ids) <= set(ids):
        problems.append(f"version {mid} is not a prefix of the latest")
    # Time travel by timestamp lands on a version whose rows are a subset too.
    h_mid = [h for h in history if h["version"] == mid][0]
    t = DeltaTable(root)
    t.load_as_version(datetime.datetime.fromtimestamp(h_mid["timestamp"] / 1000.0, tz=datetime.timezone.utc))
    if t.version() < mid:
        problems.append(f"load_as_version(timestamp of {mid}) gave {t.version()}")

    adds = add_actions(dt)
    if sum(a["num_records"] for a in adds) != table.num_rows:
        problems.append("the add stats' num_records do not sum to the rows")
    for a in adds:
        for col in exp.get("stats_columns", []):
            if a.get(f"min.{col}") is None or a.get(f"max.{col}") is None:
                problems.append(f"{a['path']}: no min/max for {col}")
                break
        if not a["path"].startswith("date="):
            problems.append(f"{a['path']} is not in a date partition")
    for app, version in exp.get("txns", {}).items():
        if dt.transaction_version(app) != version:
            problems.append(f"txn {app} = {dt.transaction_version(app)}, expected {version}")

    con = duckdb.connect()
    files = [os.path.join(root, a["path"]) for a in adds]
    n = con.execute(f"SELECT count(DISTINCT _event_id) FROM read_parquet({files!r})").fetchone()[0]
    if n != len(want):
        problems.append(f"DuckDB counts {n} distinct event ids, expected {len(want)}")
    return problems


def check_maintained(root, expected_path):
    exp = json.load(open(expected_path))
    problems = []
    dt = DeltaTable(root)
    ids = dt.to_pyarrow_table(columns=["_event_id"]).column("_event_id").to_pylist()
    want = set(exp["event_ids"])
    seen = {}
    for i in ids:
        seen[i] = seen.get(i, 0) + 1
    missing = [i for i in want if i not in seen]
    dup = {i: c for i, c in seen.items() if c > 1}
    extra = [i for i in seen if i not in want]
    if missing or dup or extra:
        problems.append(f"exactly once violated at v{dt.version()}: {len(missing)} missing (e.g. {missing[:3]}), "
                        f"{len(dup)} duplicated (e.g. {list(dup.items())[:3]}), {len(extra)} unexpected")
    ops = [h.get("operation") for h in dt.history()]
    if "OPTIMIZE" not in ops:
        problems.append(f"no OPTIMIZE in the history: {sorted(set(ops))}")
    adds = add_actions(dt)
    for a in adds:
        if not os.path.exists(os.path.join(root, a["path"])):
            problems.append(f"live file {a['path']} is gone")
            break
    if sum(a["num_records"] for a in adds) != len(ids):
        problems.append("the add stats' num_records do not sum to the rows")
    con = duckdb.connect()
    files = [os.path.join(root, a["path"]) for a in adds]
    n = con.execute(f"SELECT count(*), count(DISTINCT _event_id) FROM read_parquet({files!r})").fetchone()
    if n != (len(want), len(want)):
        problems.append(f"DuckDB reads {n[0]} rows, {n[1]} distinct ids over the live files, expected {len(want)}")
    for v, rows in exp.get("versions", {}).items():
        try:
            old = DeltaTable(root, version=int(v)).to_pyarrow_table(columns=["_event_id"])
            old_ids = old.column("_event_id").to_pylist()
            if len(old_ids) != rows or len(set(old_ids)) != len(old_ids):
                problems.append(f"version {v}: {len(old_ids)} rows ({len(set(old_ids))} distinct), expected {rows}")
        except Exception as e:  # noqa: BLE001 - a reader error is the finding
            problems.append(f"version {v} cannot be read: {e}")
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    cmd = argv[1]
    if cmd == "check-ours" and len(argv) == 4:
        problems = check_ours(argv[2], argv[3])
    elif cmd == "write-delta-rs" and len(argv) == 3:
        problems = write_delta_rs(argv[2])
    elif cmd == "check-sink" and len(argv) == 4:
        problems = check_sink(argv[2], argv[3])
    elif cmd == "check-maintained" and len(argv) == 4:
        problems = check_maintained(argv[2], argv[3])
    elif cmd == "count" and len(argv) == 3:
        print(DeltaTable(argv[2]).to_pyarrow_table().num_rows)
        problems = []
    else:
        print(__doc__)
        return 2
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    rc = main(sys.argv)
    # Skip the interpreter's teardown: with delta-rs, pyarrow and DuckDB loaded, their native thread
    # pools are torn down in an order that sometimes aborts ("terminate called without an active
    # exception") after all the work is done and printed.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)
