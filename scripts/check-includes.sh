#!/usr/bin/env bash
# Checks the include graph of the project's own headers (everything under
# src/), which the build reaches by bare name through one -I per folder:
#
#   - no two headers share a base name, and none shadows a system header of
#     the same name (a bare name must mean one file);
#   - no header includes, directly or through others, one that includes it
#     back: tsort orders the graph and names any cycle;
#   - the core (src/core) includes none of the server glue's headers, so it
#     stays plain C for mm-score, the unit tests and libmmcore.a;
#   - the glue's folders are layers (the order is in $layers below, lowest
#     first, with src/modelmgr.c on top): a .c or .h of one includes the
#     glue headers of its own folder and of lower ones only, so that no two
#     folders depend on each other even where no header cycle shows it.
#
# make unittest runs it.  Exits non-zero on any finding.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0

mapfile -t headers < <(find src -name '*.h' | sort)
mapfile -t sources < <(find src -name '*.c' | sort)

# base name -> path
declare -A where
for h in "${headers[@]}"; do
    name=$(basename "$h")
    if [ -n "${where[$name]:-}" ]; then
        echo "check-includes: $h and ${where[$name]} share a base name" >&2
        status=1
    fi
    where[$name]=$h
done

# the compiler's own include folders, where a header of ours would hide one of the system's
mapfile -t sysdirs < <(${CC:-cc} -E -Wp,-v -xc /dev/null 2>&1 >/dev/null | sed -n 's/^ \(\/.*\)$/\1/p')
for name in "${!where[@]}"; do
    for d in "${sysdirs[@]}"; do
        if [ -e "$d/$name" ]; then
            echo "check-includes: ${where[$name]} hides the system header $d/$name" >&2
            status=1
        fi
    done
done

# the edges between our headers: "includer included", one a line, as tsort reads them
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for h in "${headers[@]}"; do
    echo "$h $h" >>"$edges"          # every header is a node, even one without edges
    for inc in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$h"); do
        target=${where[$(basename "$inc")]:-}
        [ -n "$target" ] && echo "$h $target" >>"$edges"
    done
done
if ! loop=$(tsort <"$edges" 2>&1 >/dev/null); then
    echo "check-includes: the headers include each other in a cycle:" >&2
    echo "$loop" | grep -v 'input contains a loop' | sed 's/^tsort: /  /' >&2
    status=1
fi

# the core includes only the core's headers (and the C library's)
for f in "${sources[@]}" "${headers[@]}"; do
    case $f in src/core/*) ;; *) continue ;; esac
    for inc in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        target=${where[$(basename "$inc")]:-}
        case $target in
            src/core/*) ;;
            "") echo "check-includes: $f includes \"$inc\", which is not a header of the core" >&2; status=1 ;;
            *) echo "check-includes: $f (core) includes the glue's $target" >&2; status=1 ;;
        esac
    done
done

# the glue's layers, lowest first; the core is below them all and src/*.c above
layers=(common catalog data fit workers api)
declare -A rank
for i in "${!layers[@]}"; do rank[${layers[$i]}]=$i; done
top=${#layers[@]}

# a glue file's layer: its rank, or "" (with a finding) when its folder is in none
layer_of() {
    case $1 in
        src/*/*) local folder=${1#src/}; folder=${folder%%/*}
                 echo "${rank[$folder]:-}" ;;
        src/*) echo "$top" ;;
    esac
}

for f in "${sources[@]}" "${headers[@]}"; do
    case $f in src/core/* | src/scorer/*) continue ;; esac
    mine=$(layer_of "$f")
    if [ -z "$mine" ]; then
        echo "check-includes: $f is in a folder of no layer; add its folder to the layers of scripts/check-includes.sh" >&2
        status=1
        continue
    fi
    for inc in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        target=${where[$(basename "$inc")]:-}
        case $target in "" | src/core/* | src/scorer/*) continue ;; esac
        theirs=$(layer_of "$target")
        [ -z "$theirs" ] && continue    # reported as the header's own finding
        if [ "$theirs" -gt "$mine" ]; then
            echo "check-includes: $f (${layers[$mine]:-top}) includes $target (${layers[$theirs]}), a higher layer" >&2
            status=1
        fi
    done
done

[ "$status" -eq 0 ] && echo "check-includes: ${#headers[@]} headers, no shared names, no cycles, the core self-contained, the glue's layers ${layers[*]} depend downward"
exit "$status"
