#!/usr/bin/env bash
# Lays out a ready-to-deploy Azure Functions custom-handler app and zips it:
#
#   artifacts/functionapp/            host.json, Swf/ Sweep/ Intents/ (function.json each), SwfServerless (+ its files)
#   artifacts/swfserverless-functionapp.zip
#
# The handler is self-contained for linux-x64 with ReadyToRun code (no .NET on the host needed, faster cold
# start), trimmed (the app and its libraries publish with no trim warnings; the zip shrinks from ~50 to ~22 MB,
# which every new instance downloads). scripts/test.sh runs the end-to-end tests against this very build. Usage: scripts/publish.sh [--framework-dependent] [--out DIR]. --framework-dependent builds the
# portable variant (needs `dotnet` on the host) that scripts/coldstart.sh compares against; it is not for Azure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

MODE=self-contained
OUT="$ROOT/artifacts"
while [ $# -gt 0 ]; do
  case "$1" in
    --framework-dependent) MODE=framework-dependent ;;
    --out) OUT="$2"; shift ;;
    *) echo "usage: $0 [--framework-dependent] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

APP="$OUT/functionapp"
ZIP="$OUT/swfserverless-functionapp.zip"
[ "$MODE" = framework-dependent ] && { APP="$OUT/functionapp-fdd"; ZIP="$OUT/swfserverless-functionapp-fdd.zip"; }
rm -rf "$APP" "$ZIP"
mkdir -p "$APP"

if [ "$MODE" = self-contained ]; then
  dotnet publish src/SwfServerless.Service -c Release -r linux-x64 --self-contained true \
    -p:PublishReadyToRun=true -p:PublishTrimmed=true -p:ILLinkTreatWarningsAsErrors=true -p:DebugType=none \
    -o "$APP" --nologo -v q -clp:ErrorsOnly
else
  dotnet publish src/SwfServerless.Service -c Release --self-contained false \
    -p:DebugType=none -o "$APP" --nologo -v q -clp:ErrorsOnly
fi
# Development-only files the Functions host does not need.
rm -f "$APP/appsettings.Development.json"

# The host finds functions as <root>/<Name>/function.json and the handler via host.json.
cp host.json "$APP/host.json"
for fn in functions/*/; do
  name="$(basename "$fn")"
  mkdir -p "$APP/$name"
  cp "$fn/function.json" "$APP/$name/function.json"
done
[ "$MODE" = self-contained ] && chmod 0755 "$APP/SwfServerless"

# Zip with Unix modes kept (the handler must stay executable): Debian's zip when present, else Python's zipfile.
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
            z.write(path, os.path.relpath(path, root))  # keeps the file's mode in external_attr
PY
fi

echo "Function app folder: $APP"
echo "Zip package:         $ZIP ($(du -h "$ZIP" | cut -f1))"
