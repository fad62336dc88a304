# shellcheck shell=bash disable=SC2034 # sourced: defines the local stack's ports
# Every port of the local stack, as offsets from FRESHET_PORT_BASE (default 19000), so that two
# stacks (or a stack and a test run) can live side by side by shifting one number.
FRESHET_PORT_BASE="${FRESHET_PORT_BASE:-19000}"
b=$FRESHET_PORT_BASE
PORT_KAFKA=$((b + 92));        PORT_KAFKA_CONTROLLER=$((b + 93)); PORT_REDIS=$((b + 79))
PORT_REGISTRY_HTTP=$((b + 81)); PORT_INGEST_HTTP=$((b + 80));      PORT_QUERY_HTTP=$((b + 90))
PORT_INGEST_GRPC=$((b + 51));   PORT_QUERY_GRPC=$((b + 52))
PORT_QUALITY_GATE_GRPC=$((b + 53)); PORT_ENRICH_GRPC=$((b + 54)); PORT_AGGREGATE_GRPC=$((b + 55))
PORT_COMPACTION_GRPC=$((b + 56));   PORT_REGISTRY_GRPC=$((b + 57))
PORT_METRICS_REGISTRY=$((b + 101)); PORT_METRICS_INGEST=$((b + 102)); PORT_METRICS_QUALITY_GATE=$((b + 103))
PORT_METRICS_ENRICH=$((b + 104));   PORT_METRICS_AGGREGATE=$((b + 105)); PORT_METRICS_COMPACTION=$((b + 106))
PORT_METRICS_QUERY=$((b + 107))
unset b
