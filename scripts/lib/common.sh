# shellcheck shell=bash disable=SC2034 # variables are used by the sourcing scripts
# Shared settings for the scripts under scripts/. Sourced, never executed.
#
# Everything that more than one script needs to agree on (cache location,
# Kafka version, where the jars live, which markers mean "done") is defined
# here once, so install-deps and the stack scripts cannot drift apart.

FRESHET_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FRESHET_DEPS_DIR="$FRESHET_SCRIPTS_DIR/deps"

# Machine-local cache for things that are not Debian packages: the Kafka jars
# and the Python venv. Overridable so CI or tests can point at a scratch dir.
FRESHET_CACHE="${FRESHET_CACHE:-$HOME/.cache/freshet}"

FRESHET_KAFKA_POM="$FRESHET_DEPS_DIR/kafka-pom.xml"
FRESHET_PY_REQUIREMENTS="$FRESHET_DEPS_DIR/python-requirements.txt"
FRESHET_VENV="$FRESHET_CACHE/venv"

# The pom is the single source of truth for the Kafka version; reading it with
# sed (rather than asking Maven) keeps every caller of this file instant.
FRESHET_KAFKA_VERSION="$(sed -n 's:.*<kafka\.version>[[:space:]]*\([^<[:space:]]*\)[[:space:]]*</kafka\.version>.*:\1:p' \
    "$FRESHET_KAFKA_POM" | head -n 1)"
if [[ -z "$FRESHET_KAFKA_VERSION" ]]; then
    echo "common.sh: cannot read <kafka.version> from $FRESHET_KAFKA_POM" >&2
    exit 1
fi
FRESHET_KAFKA_LIBS="$FRESHET_CACHE/kafka-$FRESHET_KAFKA_VERSION/libs"
# Written last by install-deps and holding the pom's hash: its presence means
# the libs dir is complete, and a changed pom invalidates it.
FRESHET_KAFKA_MARKER="$FRESHET_KAFKA_LIBS/.freshet-complete"

# Prints the sha256 of a file (just the hash).
freshet_sha256() {
    local sum
    sum="$(sha256sum -- "$1")"
    printf '%s\n' "${sum%% *}"
}

# True if PID is alive and its command line contains every given substring.
# Guards against pid files that outlived their process and whose pid has since
# been reused by something unrelated. Zombies count as dead.
freshet_pid_matches() {
    local pid="$1"; shift
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    local state
    state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || true)"
    [[ -n "$state" && "$state" != Z && "$state" != X ]] || return 1
    local cmdline
    cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
    local needle
    for needle in "$@"; do
        [[ "$cmdline" == *"$needle"* ]] || return 1
    done
    return 0
}

# Runs COMMAND [ARGS...] every 0.1 s until it succeeds, for up to SECONDS; returns its last status.
freshet_wait_until() {
    local seconds="$1" i; shift
    for ((i = 0; i < seconds * 10; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    "$@"
}

freshet_pid_gone() { ! freshet_pid_matches "$1"; }

# Waits up to SECONDS for PID to disappear (or become a zombie). Returns 1 on timeout.
freshet_wait_gone() { freshet_wait_until "$2" freshet_pid_gone "$1"; }

# Stops the process recorded in PIDFILE if (and only if) its command line
# still matches the given substrings. MODE is "term" (graceful, escalating to
# SIGKILL after TIMEOUT seconds) or "kill" (SIGKILL right away). Removes the
# pid file afterwards. Returns 0 when nothing is left running.
freshet_stop_pidfile() {
    local pidfile="$1" mode="$2" timeout="$3" name="$4"; shift 4
    [[ -f "$pidfile" ]] || return 0
    local pid
    pid="$(tr -dc '0-9' <"$pidfile")"
    if ! freshet_pid_matches "$pid" "$@"; then
        rm -f -- "$pidfile"
        return 0
    fi
    if [[ "$mode" == kill ]]; then
        kill -KILL "$pid" 2>/dev/null || true
    else
        kill -TERM "$pid" 2>/dev/null || true
        if ! freshet_wait_gone "$pid" "$timeout"; then
            echo "$name: pid $pid still alive after ${timeout}s, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    if ! freshet_wait_gone "$pid" 10; then
        echo "$name: pid $pid did not exit" >&2
        return 1
    fi
    rm -f -- "$pidfile"
    return 0
}

# Validates a TCP port argument; exits with a usage error otherwise.
freshet_require_port() {
    local what="$1" value="$2"
    if ! [[ "$value" =~ ^[0-9]+$ ]] || ((value < 1 || value > 65535)); then
        echo "invalid $what: '$value' (expected 1-65535)" >&2
        exit 2
    fi
}

# True if something already accepts TCP connections on 127.0.0.1:PORT. Used to
# refuse a start up front: otherwise a readiness probe could be answered by
# whatever already owns the port while the new server dies on bind.
freshet_port_in_use() {
    # shellcheck disable=SC2016 # $1 is expanded by the inner bash
    timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# True once nothing accepts on 127.0.0.1:PORT, waiting up to SECONDS for it. A server that was just
# SIGKILLed counts as gone (its command line is empty) while its other threads still exit and its
# listening socket is still open; a restart on the same port must wait that out.
freshet_port_free() { ! freshet_port_in_use "$1"; }
freshet_wait_port_free() { freshet_wait_until "$2" freshet_port_free "$1"; }
