# Shared by run.sh and test.sh: dependencies, free ports, Azurite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ensure_node_modules() {
  # Azurite and the AWS SDK for JavaScript are pinned in package-lock.json; reinstall only when it changed
  # (by content: a fresh clone's file times say nothing).
  local want have=""
  want=$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)
  [ -f "$ROOT/node_modules/.swf-lock-sha256" ] && have=$(cat "$ROOT/node_modules/.swf-lock-sha256")
  if [ "$want" != "$have" ] || [ ! -d "$ROOT/node_modules/azurite" ] || [ ! -d "$ROOT/node_modules/@aws-sdk/client-swf" ]; then
    (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$ROOT/node_modules/.swf-lock-sha256"
  fi
}

# The web console (console/ -> console/dist/, which the Service project embeds): rebuilt only when its sources or the
# lock file changed. Call it before building .NET.
build_console() {
  local want have=""
  want=$(cd "$ROOT" && { sha256sum package-lock.json; find console -path console/dist -prune -o -type f -print | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -d' ' -f1)
  [ -f "$ROOT/node_modules/.swf-console-sha256" ] && have=$(cat "$ROOT/node_modules/.swf-console-sha256")
  if [ "$want" != "$have" ] || [ ! -f "$ROOT/console/dist/index.html" ]; then
    (cd "$ROOT" && npm run --silent build:console)
    echo "$want" > "$ROOT/node_modules/.swf-console-sha256"
  fi
}

# Debian's Chromium for the console's browser test, installed when missing (as root, e.g. on a fresh CI machine).
ensure_chromium() {
  [ -x /usr/bin/chromium ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the console's browser test ..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || true
  fi
  [ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium is missing (apt-get install chromium)" >&2; return 1; }
}

# clang and zlib for the Native AOT compiler's link step, installed when missing (as root, e.g. on a fresh CI machine).
ensure_clang() {
  command -v clang >/dev/null 2>&1 && [ -f /usr/include/zlib.h ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's clang and zlib1g-dev for the Native AOT build ..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang zlib1g-dev; } >/dev/null 2>&1 || true
  fi
  command -v clang >/dev/null 2>&1 && [ -f /usr/include/zlib.h ]
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

wait_for_port() { # port, seconds, what
  local deadline=$(( $(date +%s) + $2 ))
  until node -e "const s=require('net').connect($1,'127.0.0.1');s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(1))" 2>/dev/null; do
    if [ "$(date +%s)" -ge "$deadline" ]; then echo "error: $3 did not start listening on 127.0.0.1:$1 within $2 s" >&2; return 1; fi
    sleep 0.2
  done
}

# start_azurite DATA_DIR BLOB_PORT QUEUE_PORT TABLE_PORT: starts Azurite in the background, sets AZURITE_PID.
start_azurite() {
  mkdir -p "$1"
  node "$ROOT/node_modules/azurite/dist/src/azurite.js" --silent --disableTelemetry --skipApiVersionCheck --loose \
    --location "$1" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
    --blobPort "$2" --queuePort "$3" --tablePort "$4" >"$1/azurite.log" 2>&1 &
  AZURITE_PID=$!
  wait_for_port "$2" 30 Azurite && wait_for_port "$3" 30 Azurite && wait_for_port "$4" 30 Azurite
}

azurite_connection() { # queue port, table port, blob port
  local key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
  echo "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$3/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$1/devstoreaccount1;TableEndpoint=http://127.0.0.1:$2/devstoreaccount1;"
}
