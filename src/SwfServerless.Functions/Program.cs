using Microsoft.Azure.Functions.Worker.Builder;
using SwfServerless.Functions;

// The Functions app: the Functions host starts this worker and invokes the functions in SwfFunctions.
var builder = FunctionsApplication.CreateBuilder(args);
builder.AddSwfFunctions();
await builder.Build().RunAsync();
