// Cold start: process start to the first answered SWF call (ListDomains) of the standalone server (started with
// --urls on a free loopback port and polled until it answers).
// Usage: node scripts/coldstart.mjs RUNS CONNECTION_STRING NAME=COMMAND [NAME=COMMAND ...]
// COMMAND is split on spaces. Variants run interleaved (A B A B ...) so drift on the machine hits both alike.
import { spawn } from "node:child_process";
import http from "node:http";
import net from "node:net";

const [runsArg, connection, ...variantArgs] = process.argv.slice(2);
const runs = Number(runsArg);
const variants = variantArgs.map((v) => {
  const i = v.indexOf("=");
  return { name: v.slice(0, i), command: v.slice(i + 1).split(" ") };
});

const freePort = () => new Promise((resolve) => {
  const s = net.createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const listDomains = (port) => new Promise((resolve) => {
  const body = JSON.stringify({ registrationStatus: "REGISTERED" });
  const req = http.request({
    host: "127.0.0.1", port, method: "POST", path: "/",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "SimpleWorkflowService.ListDomains", "content-length": Buffer.byteLength(body) },
  }, (res) => { res.resume(); res.on("end", () => resolve(res.statusCode)); });
  req.on("error", () => resolve(0));
  req.end(body);
});

async function once(variant) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(variant.command[0], [...variant.command.slice(1), "--urls", `http://127.0.0.1:${port}`], {
    env: {
      ...process.env,
      AzureWebJobsStorage: connection,
      Swf__StoragePrefix: "coldstart",
      Logging__LogLevel__Default: "Warning",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  let exited = false;
  child.on("exit", () => { exited = true; });
  try {
    for (;;) {
      if (exited) throw new Error(`${variant.name} exited before answering`);
      const status = await listDomains(port);
      if (status === 200) return Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== 0) throw new Error(`${variant.name} answered ${status}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => (exited ? r() : child.on("exit", r)));
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

// One unmeasured run per variant: creates the tables (as a deployed app finds them) and warms the page cache.
for (const v of variants) await once(v);
const results = Object.fromEntries(variants.map((v) => [v.name, []]));
for (let i = 0; i < runs; i++) for (const v of variants) results[v.name].push(await once(v));

for (const v of variants) {
  const xs = results[v.name];
  console.log(`${v.name.padEnd(28)} median ${median(xs).toFixed(0).padStart(5)} ms  min ${Math.min(...xs).toFixed(0).padStart(5)}  max ${Math.max(...xs).toFixed(0).padStart(5)}  runs ${xs.map((x) => x.toFixed(0)).join(" ")}`);
}
