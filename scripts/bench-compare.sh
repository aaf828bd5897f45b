#!/usr/bin/env bash
# The bench's compare mode: the same chain workload against the app as of commit BEFORE (default 4330646, main before
# issue 11) and the app as built in this checkout, interleaved, medians and the ratio (bench/README.md, "Compare two builds").
#   scripts/bench-compare.sh [bench options]      e.g. --sweep 16 --workflows 200 --runs 3
# BEFORE=<commit> picks another "before"; its checkout stays in /tmp/swf-before-<commit> for the next run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
before="${BEFORE:-4330646}"
dir="/tmp/swf-before-$before"
if [ ! -d "$dir/src" ]; then
  # An exported tree, not a worktree: nothing is registered in this repository and removing the folder is enough.
  mkdir -p "$dir"
  git -C "$ROOT" archive "$before" | tar -x -C "$dir"
fi
dotnet build "$dir/src/SwfServerless.Server" -c Release -v q -clp:ErrorsOnly --nologo
dotnet build "$ROOT/bench" -c Release -v q -clp:ErrorsOnly --nologo
out="$ROOT/src/SwfServerless.Server/bin/Release/net10.0"
exec dotnet run -c Release --no-build --project "$ROOT/bench" -- --compare "$dir/src/SwfServerless.Server/bin/Release/net10.0,$out" "$@"
