# What every benchmark shares: the project's set-up (scripts/common.sh), a
# build installed from a staged copy, and a server of its own in
# /var/tmp/modelmgr-bench (shared_buffers = 512MB, monitors off, otherwise
# default settings), stopped when the benchmark exits.
#
#     source "$(dirname "$0")/common.sh"
#     bench_prepare [sklearn]        # sklearn: also install the Python baseline
#     psql_bench -c 'SELECT 1'

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

PORT=${MM_BENCH_PORT:-55433}
DIR=/var/tmp/modelmgr-bench
STAGE=/var/tmp/modelmgr-build
PY=/usr/bin/python3

bench_prepare() {
    require_root
    install_deps
    if [ "${1:-}" = sklearn ] && ! "$PY" -c 'import sklearn' 2>/dev/null; then
        say "installing python3-sklearn (the baseline)"
        apt-get install -y -qq --no-install-recommends python3-sklearn >/dev/null
    fi
    stage_tree "$STAGE"
    build_and_install "$STAGE"
    mkdir -p "$DIR" && chown "$PG_USER": "$DIR"
    start_server "$DIR/data" "$PORT" "$DIR" "$DIR/log" <<<"shared_buffers = '512MB'
modelmgr.monitor_enabled = off"
    trap 'as_pg "$PG_BIN/pg_ctl" -D "$DIR/data" -w -m fast stop >/dev/null' EXIT
}

psql_bench() { "$PG_BIN/psql" -X -q -h "$DIR" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }
