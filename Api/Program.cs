// Settings (appsettings.json) are read beside the program, wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

// Production's contract: the schema comes from the migration job; the API only verifies it and
// creates its queues, and refuses to start (exit 1) when either is not possible.
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
