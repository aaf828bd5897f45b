using SwfServerless.Server;

// The standalone server: ./scripts/run.sh, the tests, the end-to-end suite, the benchmark, containers.
SwfServer.PreferInlineSocketCompletions();
var app = SwfServer.Build(args);
await app.RunAsync();
