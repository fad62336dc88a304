#!/usr/bin/env python3
"""Independent oracle for freshet::avro: Apache Avro's Python implementation (PyPI `avro`).

    avro_oracle.py compat IN OUT   IN lines {"id", "reader", "writer"} (schema JSON text)
                                   OUT lines {"id", "compatible", "types"} or {"id", "error"}
    avro_oracle.py codec IN OUT    IN lines {"id", "schema", "datum", "ours"} (datum: plain JSON, ours: hex)
                                   OUT lines {"id", "theirs", "same_bytes", "decoded_ok"} or {"id", "error"}

Run by tests/integration/avro/crosscheck_test.cpp with the project's venv Python.
"""
import datetime
import io
import json
import sys

import avro.compatibility
import avro.io
import avro.schema


def compat(line):
    reader = avro.schema.parse(line["reader"])
    writer = avro.schema.parse(line["writer"])
    res = avro.compatibility.ReaderWriterCompatibilityChecker().get_compatibility(reader, writer)
    ok = res.compatibility is avro.compatibility.SchemaCompatibilityType.compatible
    return {"compatible": ok, "types": sorted(t.name for t in res.incompatibilities)}


def to_python(schema, datum):
    """Avro-JSON-ish plain datum -> what Python's DatumWriter takes (bytes/fixed as bytes)."""
    t = schema.type
    logical = schema.props.get("logicalType") if hasattr(schema, "props") else None
    if logical == "timestamp-millis" and isinstance(datum, int):
        epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return epoch + datetime.timedelta(milliseconds=datum)
    if t in ("bytes", "fixed"):
        return datum.encode("latin-1")
    if t == "record":
        return {f.name: to_python(f.type, datum[f.name]) for f in schema.fields}
    if t == "array":
        return [to_python(schema.items, x) for x in datum]
    if t == "map":
        return {k: to_python(schema.values, v) for k, v in datum.items()}
    if t == "union":
        for branch in schema.schemas:
            try:
                candidate = to_python(branch, datum)
                if branch.validate(candidate) is not None:
                    return candidate
            except Exception:
                continue
        return datum
    return datum


def codec(line):
    schema = avro.schema.parse(line["schema"])
    datum = to_python(schema, line["datum"])
    buf = io.BytesIO()
    avro.io.DatumWriter(schema).write(datum, avro.io.BinaryEncoder(buf))
    theirs = buf.getvalue()
    ours = bytes.fromhex(line["ours"])
    decoded = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(ours)))
    return {"theirs": theirs.hex(), "same_bytes": theirs == ours, "decoded_ok": decoded == datum}


def main():
    mode, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    fn = compat if mode == "compat" else codec
    with open(src, encoding="utf-8") as fin, open(dst, "w", encoding="utf-8") as fout:
        for raw in fin:
            line = json.loads(raw)
            try:
                out = fn(line)
            except Exception as e:  # reported per line, judged by the C++ side
                out = {"error": f"{type(e).__name__}: {e}"}
            out["id"] = line["id"]
            fout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
