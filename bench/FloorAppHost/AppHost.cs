// One trivial executable (a static HTTP server), so the benchmark can time "AppHost start to HTTP 200"
// exactly as it does for the real stack's /health.
var builder = DistributedApplication.CreateBuilder(args);
var port = builder.Configuration["Floor:Port"] ?? "5099";
builder.AddExecutable("trivial", "/usr/bin/python3", ".", "-m", "http.server", port, "--bind", "127.0.0.1");
builder.Build().Run();
