#!/usr/bin/env bash
# Measures cold start (process start to the first answered ListDomains) of the standalone server's published builds
# against a throwaway Azurite: self-contained linux-x64 ReadyToRun (what a container runs) vs framework-dependent, and
# Native AOT where clang is installed (apt-get install clang zlib1g-dev; the AOT compiler links with it).
# Usage: scripts/coldstart.sh [RUNS]   (default 9; publishes the variants first unless SKIP_PUBLISH=1)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_modules
RUNS="${1:-9}"

if [ "${SKIP_PUBLISH:-}" != 1 ]; then
  dotnet publish src/SwfServerless.Server -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
    -p:DebugType=none -o artifacts/server --nologo -v q -clp:ErrorsOnly
  dotnet publish src/SwfServerless.Server -c Release --self-contained false -p:DebugType=none \
    -o artifacts/server-fdd --nologo -v q -clp:ErrorsOnly
  if command -v clang >/dev/null; then
    dotnet publish src/SwfServerless.Server -c Release -r linux-x64 -p:PublishAot=true -p:DebugType=none \
      -o artifacts/server-aot --nologo -v q -clp:ErrorsOnly
  fi
fi
AOT=()
[ -x artifacts/server-aot/SwfServerless.Server ] && AOT=("native-aot=$ROOT/artifacts/server-aot/SwfServerless.Server")

DATA="$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/swf-coldstart-XXXXXX")"
trap '[ -n "${AZURITE_PID:-}" ] && kill "$AZURITE_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"' EXIT INT TERM
BLOB=$(free_port); QUEUE=$(free_port); TABLE=$(free_port)
start_azurite "$DATA/azurite" "$BLOB" "$QUEUE" "$TABLE"

echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK, $(date -u +%Y-%m-%d), $RUNS runs each"
node scripts/coldstart.mjs "$RUNS" "$(azurite_connection "$QUEUE" "$TABLE" "$BLOB")" \
  "self-contained+R2R=$ROOT/artifacts/server/SwfServerless.Server" \
  "framework-dependent=dotnet $ROOT/artifacts/server-fdd/SwfServerless.Server.dll" "${AOT[@]}"
