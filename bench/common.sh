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

# A PostgreSQL other than the system's, for developing a benchmark without
# touching the server others use: MM_BENCH_PG_CONFIG names its pg_config (a
# relocated copy, as a development sandbox has); the build is installed there
# and its servers run its binaries.  MM_BENCH_STAGE moves the staged copy.
BENCH_PG_CONFIG=${MM_BENCH_PG_CONFIG:-}
if [ -n "$BENCH_PG_CONFIG" ]; then
    PG_BIN=$("$BENCH_PG_CONFIG" --bindir)
fi

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

# Stages the tree, builds it and installs it: into the system PostgreSQL, as
# bench_prepare does, or into the one MM_BENCH_PG_CONFIG names (as its
# owner when that is the server's user, so that the copy stays theirs).
bench_build_install() {
    local stage=${MM_BENCH_STAGE:-$STAGE}
    stage_tree "$stage"
    if [ -z "$BENCH_PG_CONFIG" ]; then
        build_and_install "$stage"
        return
    fi
    say "building modelmgr in $stage for $BENCH_PG_CONFIG"
    as_pg make -C "$stage" -s clean >/dev/null
    as_pg make -C "$stage" -s -j"$(nproc)" PG_CONFIG="$BENCH_PG_CONFIG"
    say "installing modelmgr into $("$BENCH_PG_CONFIG" --pkglibdir)"
    if user_can_write "$("$BENCH_PG_CONFIG" --pkglibdir)"; then
        as_pg make -C "$stage" -s install PG_CONFIG="$BENCH_PG_CONFIG" >/dev/null
    else
        make -C "$stage" -s install PG_CONFIG="$BENCH_PG_CONFIG" >/dev/null
    fi
}

# As postgres, or as the role in BENCH_ROLE.
psql_bench() { "$PG_BIN/psql" -X -q -h "$DIR" -p "$PORT" -U "${BENCH_ROLE:-postgres}" -d postgres -v ON_ERROR_STOP=1 "$@"; }

# Prints one line: LABEL, the ratios (ours over the baseline's) of the minimum
# and of the median times, and both minimums.  $4 and $5 are the two sides'
# times in milliseconds, one per line, in any order.
print_ratios() {
    local label=$1 ours_name=$2 base_name=$3
    paste <(sort -g <<<"$4") <(sort -g <<<"$5") |
        awk -v label="$label" -v on="$ours_name" -v bn="$base_name" '
        { o[NR] = $1; b[NR] = $2 }
        END { m = int((NR + 1) / 2);
              printf "%-30s ratio(min) %.2f  ratio(median) %.2f   %s %.1f ms  %s %.1f ms  (%d runs each, alternating)\n",
                     label, o[1] / b[1], o[m] / b[m], on, o[1], bn, b[1], NR }'
}

# Times two statements RUNS times each, alternating, in one session, and
# prints the ratios.
compare_statements() {
    local label=$1 ours_name=$2 base_name=$3 ours=$4 base=$5 script times
    script=$(printf '\\timing on\n'; for _ in $(seq "$RUNS"); do printf '%s;\n%s;\n' "$ours" "$base"; done)
    times=$(psql_bench -o /dev/null <<<"$script" 2>&1 | awk '/^Time:/ {print $2}')
    print_ratios "$label" "$ours_name" "$base_name" \
        "$(awk 'NR % 2 == 1' <<<"$times")" "$(awk 'NR % 2 == 0' <<<"$times")"
}

# One timed statement of ours: the second of two in a session, so that the
# session's first-statement costs (catalog caches, the first large
# allocations) are not counted.
statement_ms() {
    psql_bench -o /dev/null -c "SET client_min_messages = warning" -c "$1" -c '\timing on' -c "$1" 2>&1 |
        awk '/^Time:/ {t = $2} END {print t}'
}

# Milliseconds a command takes, its output discarded.
command_ms() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" > /dev/null
    t1=$(date +%s%N)
    awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e6 }'
}

lines() { printf '%s\n' "$@"; }
