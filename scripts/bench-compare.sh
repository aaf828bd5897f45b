#!/usr/bin/env bash
# The bench's compare mode: the same chain workload against the app as of commit BEFORE (default 4330646, main before
# issue 11) and the app as built in this checkout, interleaved, medians and the ratio (bench/README.md, "Compare two builds").
#   scripts/bench-compare.sh [bench options]      e.g. --sweep 16 --workflows 200 --runs 3
# BEFORE=<commit> picks another "before"; its checkout stays in /tmp/swf-before-<commit> for the next run.
# Both servers are published as the deployed package is (scripts/publish.sh): linux-x64, ReadyToRun. R2R=0 compares
# plain Release builds instead (every method JIT-compiled in the timed window).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
before="${BEFORE:-4330646}"
dir="/tmp/swf-before-$before"
if [ ! -d "$dir/src" ]; then
  # An exported tree, not a worktree: nothing is registered in this repository and removing the folder is enough.
  mkdir -p "$dir"
  git -C "$ROOT" archive "$before" | tar -x -C "$dir"
fi
server() { # <source tree> <output dir>: the standalone server as the comparison runs it
  if [ "${R2R:-1}" = 1 ]; then
    dotnet publish "$1/src/SwfServerless.Server" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -o "$2" -v q -clp:ErrorsOnly --nologo
  else
    dotnet build "$1/src/SwfServerless.Server" -c Release -v q -clp:ErrorsOnly --nologo
    rm -rf "$2" && cp -r "$1/src/SwfServerless.Server/bin/Release/net10.0" "$2"
  fi
}
server "$dir" "$dir/server"
server "$ROOT" "$ROOT/artifacts/bench-server"
dotnet build "$ROOT/bench" -c Release -v q -clp:ErrorsOnly --nologo
exec dotnet run -c Release --no-build --project "$ROOT/bench" -- --compare "$dir/server,$ROOT/artifacts/bench-server" "$@"
