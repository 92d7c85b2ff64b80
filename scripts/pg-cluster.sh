#!/usr/bin/env bash
# A throwaway PostgreSQL cluster in one folder, for the tests and CI.
#
#   bash scripts/pg-cluster.sh start DIR   # prints the admin URL (also written to DIR/url)
#   bash scripts/pg-cluster.sh stop DIR    # stops the cluster and removes DIR
#
# The cluster listens on 127.0.0.1 only, on a free port, with its Unix socket in DIR; every
# local and loopback connection is trusted (it holds test data only). Commits are durable
# (fsync and synchronous_commit on), as the store's guarantees are tested against it.
# PostgreSQL refuses to run as root: run as root, the script gives DIR to the `postgres`
# user and runs the server as that user. When Debian's PostgreSQL binaries are missing it
# installs the `postgresql` package, without leaving Debian's default cluster running.
# The tests read the URL from CADRE_TEST_POSTGRES:
#   export CADRE_TEST_POSTGRES=$(bash scripts/pg-cluster.sh start /tmp/pg)
set -euo pipefail

usage() {
    echo "usage: $0 start DIR | stop DIR" >&2
    exit 2
}

# The newest installed server's bin folder (Debian keeps one per major version).
pg_bin() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
            echo "$dir"
            return 0
        fi
    done
    return 1
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian's package; with create_main_cluster = false its postinst creates (and starts) no
# `main` cluster. Any cluster that still runs after the install is stopped.
install_postgresql() {
    echo "installing Debian's postgresql package" >&2
    as_root mkdir -p /etc/postgresql-common
    local conf=/etc/postgresql-common/createcluster.conf
    if as_root test -f "$conf" && as_root grep -q '^ *create_main_cluster' "$conf"; then
        as_root sed -i 's/^ *create_main_cluster.*/create_main_cluster = false/' "$conf"
    else
        echo "create_main_cluster = false" | as_root tee -a "$conf" >/dev/null
    fi
    as_root apt-get update -qq
    # Keep the createcluster.conf above rather than the package's copy of it.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        postgresql >/dev/null
    if command -v pg_lsclusters >/dev/null 2>&1; then
        pg_lsclusters --no-header 2>/dev/null | while read -r version name _ status _; do
            if [ "$status" = online ]; then
                as_root pg_ctlcluster "$version" "$name" stop || true
            fi
        done
    fi
}

# Runs a command as the owner of the cluster: `postgres` when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

# A port nothing on 127.0.0.1 listens on now; the start retries if it is taken meanwhile.
candidate_port() {
    local port
    while :; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
}

start() {
    local dir=$1 bin
    bin=$(pg_bin) || {
        install_postgresql
        bin=$(pg_bin) || {
            echo "no PostgreSQL server under /usr/lib/postgresql after installing it" >&2
            exit 1
        }
    }
    dir=$(owned_dir "$dir")
    if [ -e "$dir/data" ]; then
        echo "$dir already holds a cluster (stop it first)" >&2
        exit 1
    fi
    as_owner "$bin/initdb" --no-sync -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C \
        >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    cat >>"$dir/data/postgresql.conf" <<EOF

# scripts/pg-cluster.sh: a throwaway cluster on loopback.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = on
synchronous_commit = on
shared_buffers = 32MB
max_connections = 200
EOF
    serve "$dir"
}

# DIR (made if missing) as an absolute path, given to the cluster's owner.
owned_dir() {
    mkdir -p "$1"
    (cd "$1" && pwd -P)
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$1"
    fi
}

# Starts the cluster in DIR/data on a free port (written into its postgresql.conf), then
# prints its admin URL and writes it to DIR/url.
serve() {
    local dir=$1 bin port url
    bin=$(pg_bin)
    for _ in 1 2 3 4 5; do
        port=$(candidate_port)
        # The last `port` line wins; each attempt replaces the previous one.
        sed -i '/^port = /d' "$dir/data/postgresql.conf"
        echo "port = $port" >>"$dir/data/postgresql.conf"
        if as_owner "$bin/pg_ctl" start -D "$dir/data" -l "$dir/server.log" -w -t 30 \
            >/dev/null 2>&1; then
            url="postgres://postgres@127.0.0.1:$port/postgres"
            echo "$url" >"$dir/url"
            echo "$url"
            return 0
        fi
        # Taken by someone else between the check and the bind: try another port.
        grep -q "could not bind" "$dir/server.log" 2>/dev/null || break
    done
    echo "the PostgreSQL server did not start; the end of $dir/server.log:" >&2
    tail -n 20 "$dir/server.log" >&2 || true
    exit 1
}

stop() {
    local dir=$1 bin pid
    [ -d "$dir" ] || return 0
    if [ -f "$dir/data/postmaster.pid" ]; then
        bin=$(pg_bin) || bin=""
        if [ -z "$bin" ] ||
            ! as_owner "$bin/pg_ctl" stop -D "$dir/data" -m fast -w -t 30 >/dev/null 2>&1; then
            [ -z "$bin" ] ||
                as_owner "$bin/pg_ctl" stop -D "$dir/data" -m immediate -w -t 30 >/dev/null 2>&1 ||
                true
            # Still there: the postmaster alone is killed (its backends exit once it is gone).
            pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            if [ -n "$pid" ] && [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = postgres ]; then
                kill -KILL "$pid" || true
            fi
        fi
    fi
    rm -rf "$dir"
}

# Sourced (as scripts/failover.sh does), it only defines the functions above.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    [ $# -eq 2 ] || usage
    case "$1" in
    start) start "$2" ;;
    stop) stop "$2" ;;
    *) usage ;;
    esac
fi
