#!/usr/bin/env bash
# Failover by hand, to watch it: a PostgreSQL primary and its synchronous streaming standby
# on loopback ports in a temp folder, then a SIGKILL of the primary and the promotion of
# the standby (what the tests' `Replicated` harness does, tests/integration/pg/).
#
#   bash scripts/failover.sh [COMMAND [ARG...]]
#
# 1. Starts the primary (scripts/pg-cluster.sh: initdb, loopback, trust) and makes it wait
#    for the standby `standby1` on every commit (synchronous_standby_names).
# 2. Clones the standby with pg_basebackup -R -X stream, starts it on another port and
#    waits until the primary reports it as synchronous.
# 3. Starts $CADRE_FAILOVER_LOAD in the background, if set, against the primary.
# 4. Runs COMMAND, or by default prints the URLs and waits for Enter.
# 5. Kills the primary's postmaster with SIGKILL, promotes the standby, waits until it
#    takes writes, prints its URL, waits for the load to end (it may end when the primary
#    dies, or go on through the host list; its exit status is printed, not judged).
# 6. Runs $CADRE_FAILOVER_CHECK, if set, against the promoted standby: its exit status is
#    the script's.
# Everything is stopped and removed on exit, Ctrl-C included.
#
# COMMAND, the load and the check see PRIMARY_URL, STANDBY_URL and MULTI_HOST_URL (both
# hosts, `target_session_attrs=read-write`: the one that takes writes) in their
# environment; the load and the check get the URL they run against as $1, e.g.
#   CADRE_FAILOVER_LOAD='pgbench -i "$1" && pgbench -c 4 -T 30 "$1"' \
#   CADRE_FAILOVER_CHECK='psql "$1" -c "select count(*) from pgbench_history"' \
#   bash scripts/failover.sh sleep 5
# With cadre as the load (after `cargo build --release`): the demo district loaded through
# both hosts while the primary is killed, then the promoted standby's log verified:
#   CADRE_FAILOVER_LOAD='target/release/cadre --quiet --store "$MULTI_HOST_URL" demo --scale 0.3' \
#   CADRE_FAILOVER_CHECK='target/release/cadre --quiet --store "$1" verify &&
#                         target/release/cadre --quiet --store "$1" stats' \
#   bash scripts/failover.sh sleep 4
# The demo stops at the group the kill broke ("connection closed", status 2: it does not
# retry); `verify` then passes on the promoted standby, over every event committed. The
# failover test (tests/integration/failover.rs) runs writers that retry, round after round,
# and checks every acknowledged event and that appends go on.
# Run as root (the servers then run as `postgres`) or as the `postgres` user.
set -euo pipefail
# shellcheck source=scripts/pg-cluster.sh
source "$(dirname "$0")/pg-cluster.sh"

root=$(mktemp -d)
load=""
primary_killed=""
cleanup() {
    if [ -n "$load" ] && kill -0 "$load" 2>/dev/null; then
        kill -TERM "$load" 2>/dev/null || true
        wait "$load" 2>/dev/null || true
    fi
    stop "$root/standby"
    # A killed postmaster's pid file stays behind, naming a process that is gone.
    [ -n "$primary_killed" ] || stop "$root/primary"
    rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# The servers' owner must reach the folders inside.
if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$root"
fi

# Waits (at most 30 s) until `psql URL -Atc SQL` prints EXPECTED.
wait_for() {
    local url=$1 sql=$2 expected=$3
    for _ in $(seq 1 300); do
        [ "$(psql "$url" -Atc "$sql" 2>/dev/null)" = "$expected" ] && return 0
        sleep 0.1
    done
    echo "waited 30 s for $sql to give $expected on $url" >&2
    return 1
}

port_of() {
    local url=$1
    url=${url#*127.0.0.1:}
    echo "${url%%/*}"
}

PRIMARY_URL=$(start "$root/primary")
bin=$(pg_bin)
# ALTER SYSTEM rather than postgresql.conf: the standby's clone of postgresql.auto.conf
# then gets the line that its own last line below overrides.
psql "$PRIMARY_URL" -q -c "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (standby1)'"
psql "$PRIMARY_URL" -q -Atc "SELECT pg_reload_conf()" >/dev/null

standby=$(owned_dir "$root/standby")
as_owner "$bin/pg_basebackup" -R -X stream -D "$standby/data" \
    -h 127.0.0.1 -p "$(port_of "$PRIMARY_URL")" -U postgres
cat >>"$standby/data/postgresql.auto.conf" <<EOF
primary_conninfo = 'host=127.0.0.1 port=$(port_of "$PRIMARY_URL") user=postgres application_name=standby1'
unix_socket_directories = '$standby'
synchronous_standby_names = ''
EOF
STANDBY_URL=$(serve "$standby")
wait_for "$PRIMARY_URL" \
    "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'" sync
MULTI_HOST_URL="postgres://postgres@127.0.0.1:$(port_of "$PRIMARY_URL"),127.0.0.1:$(port_of "$STANDBY_URL")/postgres?target_session_attrs=read-write"
export PRIMARY_URL STANDBY_URL MULTI_HOST_URL
echo "primary (synchronous standby attached): $PRIMARY_URL"
echo "standby: $STANDBY_URL"
echo "both: $MULTI_HOST_URL"

if [ -n "${CADRE_FAILOVER_LOAD:-}" ]; then
    bash -c "$CADRE_FAILOVER_LOAD" load "$PRIMARY_URL" &
    load=$!
fi
if [ $# -gt 0 ]; then
    "$@"
else
    read -r -p "Enter kills the primary " _ || true
fi

pid=$(head -n 1 "$root/primary/data/postmaster.pid")
echo "SIGKILL to the primary's postmaster ($pid)"
kill -KILL "$pid"
primary_killed=yes
for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$(port_of "$PRIMARY_URL")") 2>/dev/null || break
    sleep 0.1
done
as_owner "$bin/pg_ctl" promote -D "$standby/data" -w -t 30 >/dev/null
wait_for "$STANDBY_URL" "SELECT pg_is_in_recovery()" f
echo "promoted: $STANDBY_URL"

if [ -n "$load" ]; then
    status=0
    wait "$load" || status=$?
    load=""
    echo "the load ended with status $status"
fi
if [ -n "${CADRE_FAILOVER_CHECK:-}" ]; then
    bash -c "$CADRE_FAILOVER_CHECK" check "$STANDBY_URL"
fi
