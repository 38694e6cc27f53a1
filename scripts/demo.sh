#!/usr/bin/env bash
# Sets modelmgr up on this machine and walks through what it does.  For a
# fresh Debian 12 machine, as root:
#
#     bash scripts/demo.sh
#
# It installs what is missing, builds and installs the extension, starts a
# PostgreSQL 15 server with modelmgr preloaded in run/ (as the unprivileged
# user postgres, on a Unix socket only), loads a sample data set of house
# sales, and runs train, evaluate, deploy, predict, retrain, rollback,
# classification, clustering, monitoring (a check by hand, then the
# background worker retraining on an alert), tuning, and export (a document,
# an import, and the standalone scorer mm-score on CSV rows), printing each
# statement and its result.  It ends by saying how to connect.
#
# Environment: MM_PORT (default 55432) picks the port.

source "$(dirname "$0")/common.sh"

PORT=${MM_PORT:-55432}
DB=modelmgr_demo

require_root
install_deps

# the server's files live in run/ when the unprivileged user can reach it
RUN="$PROJECT/run"
mkdir -p "$RUN"
chown "$PG_USER": "$RUN"
if ! user_can_write "$RUN"; then
    fallback=/var/tmp/modelmgr-demo
    echo "note: '$PG_USER' cannot reach $RUN (a parent folder is closed to it);"
    echo "      the server's files go to $fallback instead, linked from run/server"
    mkdir -p "$fallback"
    chown "$PG_USER": "$fallback"
    ln -sfn "$fallback" "$RUN/server"
    RUN=$fallback
fi
DATA="$RUN/pgdata"
LOG="$RUN/postgres.log"

# build in a copy the unprivileged user owns, install as root
STAGE=/var/tmp/modelmgr-build
stage_tree "$STAGE"
build_and_install "$STAGE"

start_server "$DATA" "$PORT" "$RUN" "$LOG" </dev/null

PSQL=("$PG_BIN/psql" -X -q -h "$RUN" -p "$PORT" -U postgres)
say "creating database $DB with the sample data"
PGOPTIONS='-c client_min_messages=warning' "${PSQL[@]}" -d postgres -v ON_ERROR_STOP=1 \
    -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
"${PSQL[@]}" -d "$DB" -v ON_ERROR_STOP=1 -f "$PROJECT/scripts/sample_data.sql" >/dev/null

say "walk-through"
"${PSQL[@]}" -d "$DB" -v ON_ERROR_STOP=1 -v run="$RUN" -v bindir="$PG_BIN" -P pager=off \
    < "$PROJECT/scripts/demo.sql"

say "the server keeps running"
cat <<EOF
Connect with:
    psql -h $RUN -p $PORT -U postgres $DB
Server log: $LOG
Stop it with:
    runuser -u $PG_USER -- $PG_BIN/pg_ctl -D $DATA stop
Score CSV rows outside the database with the exported model:
    $PG_BIN/mm-score --keep=id $RUN/house_price.json ROWS.csv
Run every test with:
    bash scripts/test.sh
EOF
