#!/usr/bin/env bash
# The release test/t/010_upgrade_release.pl upgrades from, and its source.
#
#     release.sh which              prints the release's version and commit
#     release.sh export REPO DIR    exports its tree from the git repository REPO
#                                   into DIR/VERSION (replaced) and prints that path
#
# The release is the newest one in test/upgrade/releases that is not newer
# than the tree's own version (modelmgr.control's default_version): while the tree is
# at a released version, that release itself (the library changes under the
# same SQL objects, and ALTER EXTENSION UPDATE has nothing to do); once the
# Makefile names the next version, the last one released.  MM_UPGRADE_FROM
# names another recorded release.
#
# The source comes from git history, so a clone without it (a shallow one, or
# a copy without .git) cannot give it: that is an error, never a skip.

set -euo pipefail

TREE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RELEASES=$TREE/test/upgrade/releases

die() { printf 'release.sh: %s\n' "$*" >&2; exit 1; }

# True when version $1 sorts at or before version $2.
not_newer() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

# A tree's version: its modelmgr.control's default_version.
version_of() { sed -n "s/^default_version *= *'\(.*\)'/\1/p" "$1/modelmgr.control"; }

current=$(version_of "$TREE")
[ -n "$current" ] || die "no default_version in $TREE/modelmgr.control"
[ -r "$RELEASES" ] || die "$RELEASES is missing"

version='' commit=''
while read -r v c rest; do
    case $v in ''|'#'*) continue ;; esac
    [[ $c =~ ^[0-9a-f]{40}$ ]] && [ -z "$rest" ] || die "$RELEASES: '$v $c $rest' is not a version and a full commit hash"
    if [ -n "${MM_UPGRADE_FROM:-}" ]; then
        [ "$v" = "$MM_UPGRADE_FROM" ] || continue
    elif ! not_newer "$v" "$current" || { [ -n "$version" ] && not_newer "$v" "$version"; }; then
        continue
    fi
    version=$v commit=$c
done < "$RELEASES"
if [ -z "$version" ]; then
    [ -n "${MM_UPGRADE_FROM:-}" ] && die "release $MM_UPGRADE_FROM (MM_UPGRADE_FROM) is not in $RELEASES"
    die "no release in $RELEASES is at or before $current"
fi

case ${1:-} in
which)
    echo "$version $commit"
    ;;
export)
    [ $# -eq 3 ] || die "usage: release.sh export REPO DIR"
    repo=$2 dest=$3/$version
    # the repository may belong to another user than the one exporting (the
    # tests run as the server's user): reading it is all that is done
    git=(git -c safe.directory="$repo" -C "$repo")
    "${git[@]}" rev-parse --git-dir >/dev/null 2>&1 ||
        die "$repo is not a git repository: release $version is exported from the repository's history"
    "${git[@]}" cat-file -e "$commit^{commit}" 2>/dev/null ||
        die "release $version (commit $commit) is not in the repository at $repo; the upgrade test builds it from there: a shallow clone lacks it (git fetch --unshallow)"
    rm -rf "$dest"
    mkdir -p "$dest"
    "${git[@]}" archive --format=tar "$commit" | tar -x -C "$dest"
    # the recorded commit must be the release it is said to be
    made=$(version_of "$dest")
    [ "$made" = "$version" ] ||
        die "commit $commit has version '$made' in its modelmgr.control, not $version: fix $RELEASES"
    echo "$dest"
    ;;
*)
    die "usage: release.sh which | release.sh export REPO DIR"
    ;;
esac
