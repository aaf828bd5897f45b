#!/usr/bin/env bash
# Runs the SWF endpoint on http://127.0.0.1:7071 backed by Azurite (data kept in .data/azurite), with the web console at
# http://127.0.0.1:7071/console/. Ctrl-C stops both.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules
build_console

dotnet build "$ROOT/src/SwfServerless.Server" -c Release --nologo -v q -clp:ErrorsOnly

APP_PID=""
stop() {
  kill "$APP_PID" "${AZURITE_PID:-}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

echo "Starting Azurite (data in .data/azurite) ..."
start_azurite "$ROOT/.data/azurite" 10000 10001 10002

echo "Starting SwfServerless on http://127.0.0.1:7071 ..."
export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
# A local development key (as in local.settings.sample.json): requests are SigV4-verified locally as in Azure.
export Swf__AccessKeys__0__AccessKeyId="${Swf__AccessKeys__0__AccessKeyId:-AKIDLOCALDEVELOPMENT}"
export Swf__AccessKeys__0__SecretAccessKey="${Swf__AccessKeys__0__SecretAccessKey:-local-development-secret-change-me}"
# The built app itself, not `dotnet run`, so that stopping this script stops the app with it.
dotnet "$ROOT/src/SwfServerless.Server/bin/Release/net10.0/SwfServerless.Server.dll" --urls http://127.0.0.1:7071 "$@" &
APP_PID=$!
wait "$APP_PID"
