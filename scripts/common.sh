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
    libsvm-dev libxgboost-dev
)
# And what the tests add: unit tests, TAP, the document schema's validator, the fuzzer, and git
# for the source of the release the upgrade test starts from.
TEST_PACKAGES=(
    libcmocka-dev libipc-run-perl python3-jsonschema python3-sklearn python3-statsmodels clang-14
    python3-xgboost
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

# Citus, for the test of modelmgr on a distributed cluster (test/t/017_citus.pl).  It has no Debian
# package and tests download nothing, so its source comes from ../shared/vendor/citus next to the
# project (see the README there), with the patch Debian's PostgreSQL 15.20 needs.
CITUS_VENDOR=${MM_CITUS_VENDOR:-$PROJECT/../shared/vendor/citus}
CITUS_VERSION=13.2.2
# The Kerberos headers the server's headers include come from krb5-multidev, under their own folder
# (CPATH below): libkrb5-dev would also put a profile.h in /usr/include, which the core's
# src/core/metrics/profile.h must not hide (scripts/check-includes.sh).
CITUS_PACKAGES=(
    krb5-multidev libssl-dev liblz4-dev libzstd-dev libselinux1-dev libxslt1-dev libpam0g-dev
    libreadline-dev
)

# Builds Citus as the unprivileged user in scratch directory $1 and installs it, as root, into the
# PostgreSQL that pg_config $2 (default: the system's) names, unless citus.so is already there.  A
# missing tarball or a failed build is not an error: the Citus test then skips and says why.
install_citus() {
    local work=$1 pg_config=${2:-$PG_BIN/pg_config} src p missing=()
    local tarball=$CITUS_VENDOR/citus-$CITUS_VERSION.tar.gz
    if [ -f "$("$pg_config" --pkglibdir)/citus.so" ]; then
        echo "citus is installed"
        return 0
    fi
    if [ ! -f "$tarball" ]; then
        echo "no $tarball: the Citus test will skip"
        return 0
    fi
    for p in "${CITUS_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]} (to build Citus)"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
            { echo "could not install Citus' build dependencies: the Citus test will skip"; return 0; }
    fi
    say "building Citus $CITUS_VERSION in $work"
    src=$work/citus-$CITUS_VERSION
    mkdir -p "$work"
    chown "$PG_USER": "$work"
    if [ ! -f "$src/src/backend/distributed/citus.so" ]; then
        rm -rf "$src"
        as_pg tar -xzf "$tarball" -C "$work"
        as_pg patch -s -d "$work" -p0 -i "$CITUS_VENDOR/citus-pg15.20.patch"
        if ! (cd "$src" && as_pg ./configure -q --without-libcurl PG_CONFIG="$pg_config" >"$work/configure.log" 2>&1 &&
              as_pg env CPATH=/usr/include/mit-krb5 make -s -j"$(nproc)" >"$work/build.log" 2>&1); then
            echo "building Citus failed (logs in $work): the Citus test will skip"
            return 0
        fi
    fi
    make -C "$src" -s install >"$work/install.log" 2>&1 ||
        { echo "installing Citus failed (log in $work/install.log): the Citus test will skip"; return 0; }
    echo "citus installed into $("$pg_config" --pkglibdir)"
}
