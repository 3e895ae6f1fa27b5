// Settings (appsettings.json) are read beside the program, wherever it is started from. The slim builder leaves
// out what the API never uses (IIS, HTTPS and HTTP/3 in Kestrel, regex route constraints, the Debug and EventSource
// loggers): the API serves plain HTTP behind the cluster's ingress or the AppHost.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Production's contract: the schema comes from the migration job and the queues from the database
// bootstrap; the API only verifies both (as production's does), and refuses to start (exit 1) when either is missing.
if (!await app.VerifyDatabaseAsync())
{
    return 1;
}

app.UseGpuDevPipeline();
app.MapHealthEndpoints();
app.MapGpuDevApis();

await app.RunAsync();
return 0;

// Visible to the in-process API tests (WebApplicationFactory<Program>).
public partial class Program;
