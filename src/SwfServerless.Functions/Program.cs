using SwfServerless.Functions.Hosting;

// Standalone (`dotnet run`, tests) and as an Azure Functions custom handler: the same app either way.
var app = SwfApp.Build(args);
await app.RunAsync();

public partial class Program;
