#!/usr/bin/env bash
# Runs every test of modelmgr: the core's C unit tests, the pg_regress suites,
# the TAP tests, and a bounded fuzzing run of the parsers of model bytes
# (MM_FUZZ_SECONDS per target, default 30).  For a fresh Debian 12 machine,
# as root:
#
#     bash scripts/test.sh
#
# It installs what is missing, builds and installs the extension, and runs the
# servers the tests need as an unprivileged user, from a copy of the project
# that user can write to.  The upgrade test also needs the source of a past
# release, exported from git history (a clone without it fails at once).  It
# exits non-zero if anything fails.

source "$(dirname "$0")/common.sh"

require_root
install_deps tests

STAGE=${MM_TEST_DIR:-/var/tmp/modelmgr-test}
say "staging the project in $STAGE"
stage_tree "$STAGE"

# The upgrade test (test/t/010_upgrade_release.pl) builds the release this tree
# follows from that release's source, which only the repository's history has:
# the stage has no .git.  Without it the run stops here rather than test less.
say "exporting the release the upgrade test starts from"
release_dir=$(bash "$PROJECT/test/upgrade/release.sh" export "$PROJECT" "$STAGE/releases") ||
    die "the upgrade test needs the source of a past release from the repository's history (above): run from a full clone"
chown -R "$PG_USER": "$STAGE/releases"
echo "release $(basename "$release_dir") in $release_dir"

# Citus for the test on a distributed cluster (test/t/017_citus.pl), built once and kept: without
# its source or when the build fails, that test skips and says why
install_citus "${MM_CITUS_BUILD:-/var/tmp/modelmgr-citus}"

# warnings are errors in the tests' build
build_and_install "$STAGE" MM_WERROR=1

failed=0
declare -a summary

# Runs one suite as the unprivileged user, keeps its output, and records the
# line that summarizes it.
run_suite() {
    local name=$1 pattern=$2 log="$STAGE/$1.log"
    shift 2
    say "$name"
    if runuser -u "$PG_USER" -- env -C "$STAGE" "$@" 2>&1 | tee "$log"; then
        summary+=("$name: $(grep -E "$pattern" "$log" | tail -n 1 || true)")
    else
        failed=1
        summary+=("$name: FAILED $(grep -E "$pattern" "$log" | tail -n 1 || true)")
    fi
}

run_suite "core unit tests" "FAILED" make -s unittest MM_WERROR=1
run_suite "regression suites" "tests (passed|failed)|failed \(" make -s regresscheck
run_suite "TAP tests" "^(All tests successful|Result:|Failed)" make -s tapcheck
run_suite "fuzzing" "^fuzz: (no crash|.*FAILED|.*fails)" env FUZZ_WORK="$STAGE/fuzz" \
    bash test/fuzz/run.sh "${MM_FUZZ_SECONDS:-30}"

if [ -s "$STAGE/regression.diffs" ]; then
    say "regression.diffs"
    cat "$STAGE/regression.diffs"
fi
if [ "$failed" -ne 0 ] && [ -d "$STAGE/tmp_check/log" ]; then
    say "TAP logs of failed tests"
    for f in "$STAGE"/tmp_check/log/regress_log_*; do
        grep -q "not ok" "$f" 2>/dev/null && { echo "--- $f"; tail -n 60 "$f"; }
    done
fi

# each unit test program prints "[  PASSED  ] N test(s)." when all of its tests pass
summary[0]=$(awk -v total="$(find "$STAGE"/test/core -name 'test_*.c' | wc -l)" -v status="${summary[0]#core unit tests: }" '
    /\[  PASSED  \]/ {suites++; tests += $4}
    END {printf "core unit tests: %d of %d suites passed, %d tests %s", suites, total, tests, status}' \
    "$STAGE/core unit tests.log")

say "summary"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
    echo "SOME TESTS FAILED"
    exit 1
fi
echo "ALL TESTS PASSED"
