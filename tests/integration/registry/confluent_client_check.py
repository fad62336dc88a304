"""Drives a Freshet registry with Confluent's own Python client (PyPI confluent-kafka 2.16):
SchemaRegistryClient, AvroSerializer and AvroDeserializer, and a real Kafka topic in between.

Run by tests/integration/registry/registry_client_test.cpp (the gtest passes the addresses):
    python confluent_client_check.py --url http://127.0.0.1:PORT --bootstrap 127.0.0.1:PORT --topic T
Prints one JSON line with what it saw and exits 0 when every check held; a failed check raises
(exit 1, with the traceback on stderr).
"""
import argparse
import json
import struct
import sys
import time
import uuid

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

USER_V1 = json.dumps({
    "type": "record", "name": "User", "namespace": "com.example",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"}],
})
# Compatible under BACKWARD: the new field has a default.
USER_V2 = json.dumps({
    "type": "record", "name": "User", "namespace": "com.example",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"},
               {"name": "email", "type": ["null", "string"], "default": None}],
})
# Incompatible under BACKWARD: a new field without a default cannot be read from old data.
USER_V3_BAD = json.dumps({
    "type": "record", "name": "User", "namespace": "com.example",
    "fields": [{"name": "name", "type": "string"}, {"name": "age", "type": "int"},
               {"name": "email", "type": ["null", "string"], "default": None},
               {"name": "country", "type": "string"}],
})


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def expect_error(fn, status, code):
    try:
        fn()
    except SchemaRegistryError as e:
        check(e.http_status_code == status and e.error_code == code,
              f"expected HTTP {status} / {code}, got {e.http_status_code} / {e.error_code}: {e.error_message}")
        return e
    raise AssertionError(f"expected HTTP {status} / {code}, the call succeeded")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--topic", required=True)
    args = ap.parse_args()
    seen = {}

    client = SchemaRegistryClient({"url": args.url})
    subject = f"{args.topic}-value"

    # Register, and register again: same id, one version.
    id1 = client.register_schema(subject, Schema(USER_V1, "AVRO"))
    check(SchemaRegistryClient({"url": args.url}).register_schema(subject, Schema(USER_V1, "AVRO")) == id1,
          "re-registering v1 must return its id")
    latest = client.get_latest_version(subject)
    check(latest.version == 1 and latest.schema_id == id1, f"latest after v1: {latest}")
    check(client.get_versions(subject) == [1], "one version after registering v1 twice")

    # Evolve compatibly.
    check(client.test_compatibility(subject, Schema(USER_V2, "AVRO")), "v2 must test compatible")
    id2 = client.register_schema(subject, Schema(USER_V2, "AVRO"))
    check(id2 != id1, "v2 must get a new id")
    v2 = client.get_version(subject, 2)
    check(v2.schema_id == id2 and v2.version == 2, f"version 2: {v2}")
    check(client.get_versions(subject) == [1, 2], "two versions")
    found = client.lookup_schema(subject, Schema(USER_V1, "AVRO"))
    check(found.version == 1 and found.schema_id == id1, f"lookup of v1: {found}")

    # An incompatible change is rejected, with Confluent's codes, and changes nothing.
    check(not client.test_compatibility(subject, Schema(USER_V3_BAD, "AVRO")), "v3 must test incompatible")
    err = expect_error(lambda: client.register_schema(subject, Schema(USER_V3_BAD, "AVRO")), 409, 409)
    check("READER_FIELD_MISSING_DEFAULT_VALUE" in err.error_message, f"409 message: {err.error_message}")
    check(client.get_versions(subject) == [1, 2], "the rejected schema must not add a version")
    expect_error(lambda: client.register_schema(subject, Schema("{\"type\": \"recrd\"}", "AVRO")), 422, 42201)
    expect_error(lambda: client.get_version(subject, 9), 404, 40402)
    expect_error(lambda: client.get_latest_version(f"{subject}-missing"), 404, 40401)
    expect_error(lambda: SchemaRegistryClient({"url": args.url}).get_schema(999999), 404, 40403)

    # Compatibility levels, global and per subject.
    check(client.get_compatibility() == "BACKWARD", "global level defaults to BACKWARD")
    expect_error(lambda: client.get_compatibility(subject), 404, 40408)
    client.set_compatibility(subject_name=subject, level="NONE")
    check(client.get_compatibility(subject) == "NONE", "subject level NONE")
    client.delete_config(subject)
    expect_error(lambda: client.get_compatibility(subject), 404, 40408)

    # Serialize with the registry's id; deserialize with a client that has never seen the schemas.
    ctx = SerializationContext(args.topic, MessageField.VALUE)
    ser_v1 = AvroSerializer(client, USER_V1)
    ser_v2 = AvroSerializer(client, USER_V2)
    b1 = ser_v1({"name": "ada", "age": 36}, ctx)
    b2 = ser_v2({"name": "bob", "age": 41, "email": "bob@example.com"}, ctx)
    check(b1[0] == 0 and struct.unpack(">I", b1[1:5])[0] == id1, "v1 bytes carry v1's id")
    check(b2[0] == 0 and struct.unpack(">I", b2[1:5])[0] == id2, "v2 bytes carry v2's id")
    check(client.get_versions(subject) == [1, 2], "auto-registration of known schemas adds nothing")

    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for f in admin.create_topics([NewTopic(args.topic, num_partitions=1, replication_factor=1)]).values():
        f.result(30)
    producer = Producer({"bootstrap.servers": args.bootstrap})
    producer.produce(args.topic, value=b1)
    producer.produce(args.topic, value=b2)
    check(producer.flush(30) == 0, "produced")
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": "registry-check-" + uuid.uuid4().hex,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([args.topic])
    values = []
    deadline = time.time() + 60
    while len(values) < 2 and time.time() < deadline:
        m = consumer.poll(1.0)
        if m is not None and m.error() is None:
            values.append(m.value())
    consumer.close()
    check(len(values) == 2, f"read back {len(values)} of 2 records")

    fresh = SchemaRegistryClient({"url": args.url})
    as_written = AvroDeserializer(fresh)
    as_v2 = AvroDeserializer(SchemaRegistryClient({"url": args.url}), USER_V2)
    r1, r2 = (as_written(v, ctx) for v in values)
    check(r1 == {"name": "ada", "age": 36}, f"v1 record with its writer schema: {r1}")
    check(r2 == {"name": "bob", "age": 41, "email": "bob@example.com"}, f"v2 record: {r2}")
    check(as_v2(values[0], ctx) == {"name": "ada", "age": 36, "email": None}, "v1 data read as v2 takes the default")
    check(json.loads(fresh.get_schema(id1).schema_str) == json.loads(USER_V1), "schema by id")
    check(any(sv.subject == subject and sv.version == 2 for sv in fresh.get_schema_versions(id2)),
          "subject-versions of an id")

    # The same schema under another subject shares the id; soft then permanent deletion.
    other = f"{args.topic}-other"
    check(client.register_schema(other, Schema(USER_V1, "AVRO")) == id1, "same schema, other subject: same id")
    mine = lambda: sorted(client.get_subjects(subject_prefix=args.topic))  # noqa: E731
    check(mine() == sorted([subject, other]), f"subjects: {mine()}")
    expect_error(lambda: client.delete_subject(other, permanent=True), 404, 40405)
    check(client.delete_subject(other) == [1], "soft delete")
    check(client.delete_subject(other, permanent=True) == [1], "permanent delete")
    check(mine() == [subject], "deleted subject is gone")
    check(client.get_schema(id1) is not None, "id still used by the first subject")

    seen.update(id1=id1, id2=id2, subjects=mine())
    print(json.dumps(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
