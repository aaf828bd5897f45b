#!/usr/bin/env bash
# Builds the deployable Azure Functions app (the .NET isolated worker) and zips it:
#
#   artifacts/functionapp/                  the publish folder: SwfServerless.Functions.dll and its libraries, host.json,
#                                           functions.metadata, worker.config.json, .azurefunctions/ (the host's extensions)
#   artifacts/swfserverless-functionapp.zip what `az functionapp deployment source config-zip` deploys to Flex Consumption
#
# Framework-dependent for linux-x64 with ReadyToRun code: Flex Consumption's runtime `dotnet-isolated` 10.0 brings .NET,
# and precompiled code shortens the worker's start. Usage: scripts/publish.sh [--out DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

OUT="$ROOT/artifacts"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift ;;
    *) echo "usage: $0 [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

APP="$OUT/functionapp"
ZIP="$OUT/swfserverless-functionapp.zip"
rm -rf "$APP" "$ZIP"
mkdir -p "$OUT"

ensure_node_modules
build_console
dotnet publish src/SwfServerless.Functions -c Release -r linux-x64 --self-contained false \
  -p:PublishReadyToRun=true -p:DebugType=none -o "$APP" --nologo -v q -clp:ErrorsOnly

# What the Functions host reads at the root of the package; a publish without them would deploy an app with no functions.
for f in host.json functions.metadata worker.config.json extensions.json SwfServerless.Functions.dll .azurefunctions; do
  [ -e "$APP/$f" ] || { echo "error: $f is missing from the publish output" >&2; exit 1; }
done

# The web console is embedded in the service's assembly (served by the Swf function at /console/).
grep -aq 'console/index.html' "$APP/SwfServerless.Service.dll" || { echo "error: the web console is not embedded in SwfServerless.Service.dll" >&2; exit 1; }

# Zip the folder's contents (the dot-folder .azurefunctions included): Debian's zip when present, else Python's zipfile.
if ! command -v zip >/dev/null 2>&1 && [ "${CI:-}" = true ] && command -v apt-get >/dev/null 2>&1; then
  (apt-get install -y -qq zip >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq zip >/dev/null 2>&1; }) || true
fi
if command -v zip >/dev/null 2>&1; then
  (cd "$APP" && zip -qr -X "$ZIP" .)
else
  python3 - "$APP" "$ZIP" <<'PY'
import os, sys, zipfile
root, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
    for folder, _, files in os.walk(root):
        for f in sorted(files):
            path = os.path.join(folder, f)
            z.write(path, os.path.relpath(path, root))
PY
fi

echo "Function app folder: $APP"
echo "Zip package:         $ZIP ($(du -h "$ZIP" | cut -f1))"
