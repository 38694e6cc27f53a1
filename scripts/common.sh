# Shared by scripts/demo.sh and scripts/test.sh: dependencies, build, staging.
# Sourced, not run.

set -euo pipefail

PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_USER=${MM_PG_USER:-postgres}
export DEBIAN_FRONTEND=noninteractive

# Debian packages the build and the walk-through need.
PACKAGES=(
    make gcc libc6-dev pkg-config
    postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-client-$PG_MAJOR
    liblapacke-dev liblapack-dev libblas-dev zlib1g-dev libjansson-dev
)
# And what the tests add: unit tests, TAP, the document schema's validator, the fuzzer, and git
# for the source of the release the upgrade test starts from.
TEST_PACKAGES=(
    libcmocka-dev libipc-run-perl python3-jsonschema python3-sklearn python3-statsmodels clang-14
    libclang-rt-14-dev git
)

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

require_root() {
    [ "$(id -u)" -eq 0 ] || die "run this as root (it installs packages and PostgreSQL refuses to run as root, so it starts the server as '$PG_USER')"
}

# Installs whichever of PACKAGES is missing; with "tests", of TEST_PACKAGES too.
install_deps() {
    local missing=() p wanted=("${PACKAGES[@]}")
    [ "${1:-}" = tests ] && wanted+=("${TEST_PACKAGES[@]}")
    for p in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        echo "all dependencies are installed"
    else
        say "installing ${missing[*]}"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    id "$PG_USER" >/dev/null 2>&1 || die "user '$PG_USER' does not exist (the postgresql package creates it)"
    [ -x "$PG_BIN/initdb" ] || die "$PG_BIN/initdb is missing"
}

# True when the unprivileged user can write to directory $1.
user_can_write() {
    runuser -u "$PG_USER" -- test -w "$1" -a -x "$1" 2>/dev/null
}

# Copies the project (without .git, run/ and exported releases) to $1, owned by the server's user.
stage_tree() {
    local dest=$1
    rm -rf "$dest"
    mkdir -p "$dest"
    (cd "$PROJECT" && tar --exclude=./.git --exclude=./run --exclude=./tmp_check \
        --exclude=./results --exclude=./releases -cf - .) | tar -xf - -C "$dest"
    chown -R "$PG_USER": "$dest"
}

# Builds as the unprivileged user in $1 and installs into PostgreSQL as root;
# the rest of the arguments go to make (MM_WERROR=1 for a development build).
build_and_install() {
    local dir=$1
    shift
    say "building modelmgr in $dir"
    runuser -u "$PG_USER" -- make -C "$dir" -s clean >/dev/null
    runuser -u "$PG_USER" -- make -C "$dir" -s -j"$(nproc)" "$@"
    say "installing modelmgr into PostgreSQL $PG_MAJOR"
    make -C "$dir" -s install >/dev/null
}

as_pg() { runuser -u "$PG_USER" -- "$@"; }

# Starts (or restarts, to load a freshly built library) a server with modelmgr
# preloaded: data in $1, port $2, Unix socket in $3, log in $4; extra lines for
# postgresql.conf come on standard input when the cluster is created.
start_server() {
    local data=$1 port=$2 socket=$3 log=$4
    if [ ! -f "$data/PG_VERSION" ]; then
        say "creating a database cluster in $data"
        as_pg "$PG_BIN/initdb" -D "$data" -A trust -U postgres --no-instructions >/dev/null
        {
            printf "\n# modelmgr\nshared_preload_libraries = 'modelmgr'\n"
            printf "listen_addresses = ''\nport = %s\nunix_socket_directories = '%s'\n" "$port" "$socket"
            cat
        } | as_pg tee -a "$data/postgresql.conf" >/dev/null
    fi
    if as_pg "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        say "restarting the server in $data (to load the freshly built library)"
        as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -m fast restart >/dev/null
    else
        say "starting the server on port $port (socket in $socket)"
        as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w start >/dev/null
    fi
}
