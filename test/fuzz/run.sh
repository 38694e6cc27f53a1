#!/usr/bin/env bash
# Fuzzes the parsers of untrusted model bytes for a bounded time: the binary
# artifact reader, the JSON document reader, and mm-score's CSV reader, each
# built with libFuzzer, AddressSanitizer and UndefinedBehaviorSanitizer
# (clang from Debian).  First every kept input runs once: the seeds in
# test/fuzz/corpus/TARGET and the inputs of crashes found and fixed, in
# test/fuzz/regressions/TARGET.  Then each target is fuzzed for SECONDS,
# with the dictionary test/fuzz/TARGET.dict where there is one.
#
#     bash test/fuzz/run.sh [SECONDS]       (default 60 per target)
#
# Needs clang-14 and libclang-rt-14-dev (scripts/common.sh installs them for
# the test run).  A crash stops the run and leaves its input in the work
# directory; fix it, then keep the input in test/fuzz/regressions/TARGET.
# Exits non-zero on any crash, leak or sanitizer report.
set -euo pipefail

SECONDS_EACH=${1:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${FUZZ_WORK:-$(mktemp -d /tmp/modelmgr-fuzz.XXXXXX)}
CLANG=${CLANG:-clang-14}
command -v "$CLANG" >/dev/null || { echo "fuzz: $CLANG is not installed (apt-get install clang-14 libclang-rt-14-dev)" >&2; exit 1; }

FLAGS="-g -O1 -std=c99 -D_DEFAULT_SOURCE -ffp-contract=off -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
LIBS="-llapacke -llapack -lblas -lz -ljansson -lsvm -lxgboost -lm -pthread"
PGCOMMON="-L$(pg_config --pkglibdir) -lpgcommon -lpgport"

# the core's folders, as the Makefile names them; each is one -I
CORE_DIRS=$(make -s --no-print-directory -C "$ROOT" print-core-dirs)
CORE_INCLUDES=()
CORE_SRCS=()
for d in $CORE_DIRS; do
    CORE_INCLUDES+=(-I"$ROOT/$d")
    CORE_SRCS+=("$ROOT/$d"/*.c)
done

echo "fuzz: building in $WORK"
mkdir -p "$WORK/obj"
# object names are the files' base names: the Makefile refuses core files that share one, and the
# CSV reader's differs from them
for src in "${CORE_SRCS[@]}" "$ROOT"/src/scorer/csv.c; do
    "$CLANG" $FLAGS -fsanitize=fuzzer-no-link "${CORE_INCLUDES[@]}" -c -o "$WORK/obj/$(basename "${src%.c}").o" "$src"
done
CORE_OBJS=$(ls "$WORK"/obj/*.o | grep -v '/csv\.o$')
for t in artifact document csv; do
    objs=$CORE_OBJS
    [ "$t" = csv ] && objs="$WORK/obj/csv.o"
    "$CLANG" $FLAGS -fsanitize=fuzzer "${CORE_INCLUDES[@]}" -I"$ROOT/src/scorer" -o "$WORK/fuzz_$t" \
        "$HERE/fuzz_$t.c" $objs $LIBS $PGCOMMON
done

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for t in artifact document csv; do
    kept=()
    for d in "$HERE/corpus/$t" "$HERE/regressions/$t"; do
        [ -d "$d" ] && [ -n "$(ls -A "$d")" ] && kept+=("$d")
    done
    echo "fuzz: $t: replaying the kept inputs"
    if [ ${#kept[@]} -gt 0 ]; then
        files=$(find "${kept[@]}" -type f | sort)
        # shellcheck disable=SC2086
        (cd "$WORK" && ./fuzz_$t $files > "$WORK/replay_$t.log" 2>&1) ||
            { echo "fuzz: $t: a kept input fails"; tail -n 40 "$WORK/replay_$t.log"; status=1; continue; }
    fi
    echo "fuzz: $t: fuzzing for $SECONDS_EACH s"
    mkdir -p "$WORK/corpus_$t"
    dict=()
    [ -f "$HERE/$t.dict" ] && dict=(-dict="$HERE/$t.dict")
    if (cd "$WORK" && ./fuzz_$t -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=20 -rss_limit_mb=2048 \
            "${dict[@]}" -print_final_stats=1 "$WORK/corpus_$t" "${kept[@]}" > "$WORK/fuzz_$t.log" 2>&1); then
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$WORK/fuzz_$t.log" | sed "s/^/fuzz: $t: /"
    else
        echo "fuzz: $t: FAILED; the input is in $WORK:"
        ls "$WORK" | grep -E '^(crash|leak|timeout|oom)-' || true
        tail -n 60 "$WORK/fuzz_$t.log"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "fuzz: no crash, leak or sanitizer report"
exit "$status"
