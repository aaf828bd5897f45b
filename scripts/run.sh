#!/usr/bin/env bash
# Runs the SWF endpoint on http://127.0.0.1:7071 backed by Azurite (data kept in .data/azurite). Ctrl-C stops both.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_node_modules

trap 'kill "${AZURITE_PID:-}" 2>/dev/null || true' EXIT INT TERM
echo "Starting Azurite (data in .data/azurite) ..."
start_azurite "$ROOT/.data/azurite" 10000 10001 10002

echo "Starting SwfServerless on http://127.0.0.1:7071 ..."
export AzureWebJobsStorage="${AzureWebJobsStorage:-UseDevelopmentStorage=true}"
# A local development key (as in local.settings.sample.json): requests are SigV4-verified locally as in Azure.
export Swf__AccessKeys__0__AccessKeyId="${Swf__AccessKeys__0__AccessKeyId:-AKIDLOCALDEVELOPMENT}"
export Swf__AccessKeys__0__SecretAccessKey="${Swf__AccessKeys__0__SecretAccessKey:-local-development-secret-change-me}"
dotnet run --project "$ROOT/src/SwfServerless.Functions" -c Release -- --urls http://127.0.0.1:7071 "$@"
