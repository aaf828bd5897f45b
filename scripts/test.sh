#!/usr/bin/env bash
# Builds, starts a throwaway Azurite (tmpfs), runs every .NET suite (Bicep compiled and linted among them), a bench
# smoke run, publishes the Functions package, runs the real-client end-to-end tests and the web console's browser test
# against the standalone server, and stops everything, also when a test fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
ensure_node_modules
build_console

DATA="$(mktemp -d "$( [ -d /dev/shm ] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/swf-test-XXXXXX")"
APP_PID=""
cleanup() {
  [ -n "$APP_PID" ] && kill "$APP_PID" 2>/dev/null || true
  [ -n "${AZURITE_PID:-}" ] && kill "$AZURITE_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

dotnet build SwfServerless.sln -c Release --nologo -v q -clp:ErrorsOnly

BLOB=$(free_port); QUEUE=$(free_port); TABLE=$(free_port)
start_azurite "$DATA/azurite" "$BLOB" "$QUEUE" "$TABLE"
export SWF_TEST_STORAGE_CONNECTION="$(azurite_connection "$QUEUE" "$TABLE" "$BLOB")"

status=0
failed_steps=""
# Also kept in a file: CI shows only the tail of this script's output, so the failed tests are printed again at the end.
dotnet test SwfServerless.sln -c Release --no-build --nologo -v q --logger "console;verbosity=minimal" 2>&1 \
  | tee "$DATA/dotnet-test.log" || { status=1; failed_steps+=" dotnet-test"; }

# A few seconds of the benchmark (one workflow, one step, every part once) so it does not rot. It measures
# and prints, it never asserts a time; only a crash fails here.
dotnet run -c Release --no-build --project bench -- --suite smoke --storage "$SWF_TEST_STORAGE_CONNECTION" \
  --out "$DATA/bench-smoke.json" >"$DATA/bench-smoke.log" 2>&1 \
  && echo "bench smoke: ok" || { status=1; failed_steps+=" bench-smoke"; echo "--- bench smoke failed:"; tail -40 "$DATA/bench-smoke.log"; }


# The deployable Functions package (scripts/publish.sh checks it holds functions.metadata, worker.config.json, ...).
./scripts/publish.sh >"$DATA/publish.log" 2>&1 && echo "publish: ok" || { status=1; failed_steps+=" publish"; echo "--- publish failed:"; tail -40 "$DATA/publish.log"; }

# End-to-end: the standalone server (the same service the Functions app hosts), a real AWS SDK client, signed
# requests, then the web console in Debian's Chromium, headless (screenshots in artifacts/console-screenshots/). Long
# polls of 10 s keep the empty-poll checks short. Every run registers new domains in the one "e2e" prefix: the domain
# quota (SWF's 100) is raised so that reruns on kept storage do not reach it.
# The Lambda test serves this port itself (tests/e2e/lambda.test.mjs); the server calls it as the function e2e-echo.
export SWF_E2E_LAMBDA_PORT=$(free_port)
export SWF_E2E_ACCESS_KEY_ID="AKIDE2ETEST" SWF_E2E_SECRET_ACCESS_KEY="e2e-secret-key"
# A second key that may only read (the console's browser test checks that its terminate is refused).
export SWF_CONSOLE_READONLY_ACCESS_KEY_ID="AKIDE2EREADONLY" SWF_CONSOLE_READONLY_SECRET_ACCESS_KEY="e2e-read-only-secret"
e2e_against() { # <label> <log> <server command...>: starts the server, runs both suites against it, stops it
  local label="$1" log="$2"; shift 2
  local port; port=$(free_port)
  export SWF_E2E_ENDPOINT="http://127.0.0.1:$port"
  AzureWebJobsStorage="$SWF_TEST_STORAGE_CONNECTION" Swf__StoragePrefix="e2e" Swf__LongPollSeconds="10" Swf__Quotas__Domains="10000" \
  Swf__AccessKeys__0__AccessKeyId="$SWF_E2E_ACCESS_KEY_ID" Swf__AccessKeys__0__SecretAccessKey="$SWF_E2E_SECRET_ACCESS_KEY" \
  Swf__AccessKeys__1__AccessKeyId="$SWF_CONSOLE_READONLY_ACCESS_KEY_ID" Swf__AccessKeys__1__SecretAccessKey="$SWF_CONSOLE_READONLY_SECRET_ACCESS_KEY" \
  Swf__AccessKeys__1__Actions__0="List*,Describe*,Get*,Count*" \
  Swf__LambdaFunctions__0__Name="e2e-echo" Swf__LambdaFunctions__0__Url="http://127.0.0.1:$SWF_E2E_LAMBDA_PORT/echo" \
    "$@" --urls "$SWF_E2E_ENDPOINT" >"$log" 2>&1 &
  APP_PID=$!
  local failed=""
  if wait_for_port "$port" 60 "the SwfServerless server ($label)"; then
    echo "--- e2e and console against the $label server"
    node --test --test-concurrency=1 tests/e2e/ || failed+=" e2e($label)"
    { ensure_chromium && node --test --test-concurrency=1 tests/console/; } || failed+=" console($label)"
  else
    failed+=" server-start($label)"
  fi
  kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
  if [ -n "$failed" ]; then status=1; failed_steps+="$failed"; echo "--- last lines of the $label server's log:"; tail -40 "$log"; fi
}
e2e_against "Release build" "$DATA/app.log" dotnet src/SwfServerless.Server/bin/Release/net10.0/SwfServerless.Server.dll

# The same suites against the Native AOT build (README, "Cold start": what a container that must start fast runs), so
# that nothing the trimmer removes or reflection needs goes unnoticed. Its compiler links with clang, installed here
# when missing and possible (root with apt-get, as on CI); elsewhere the step says it was skipped.
if ensure_clang; then
  if dotnet publish src/SwfServerless.Server -c Release -r linux-x64 -p:PublishAot=true -p:DebugType=none \
       -o "$DATA/server-aot" --nologo -v q -clp:ErrorsOnly >"$DATA/publish-aot.log" 2>&1; then
    echo "publish (Native AOT): ok"
    e2e_against "Native AOT" "$DATA/app-aot.log" "$DATA/server-aot/SwfServerless.Server"
  else
    status=1; failed_steps+=" publish-aot"; echo "--- Native AOT publish failed:"; tail -40 "$DATA/publish-aot.log"
  fi
else
  echo "Native AOT: skipped (no clang; apt-get install clang zlib1g-dev)"
fi
if grep -qE '^\s*Failed[ !]' "$DATA/dotnet-test.log"; then
  echo "--- failed .NET tests (repeated from above):"
  grep -E -A 25 '^\s*Failed[ !]' "$DATA/dotnet-test.log" | head -200
fi
echo "--- test.sh: exit $status${failed_steps:+ (failed:$failed_steps)}"
exit $status
