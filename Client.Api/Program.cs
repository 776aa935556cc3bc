using Microsoft.Extensions.Options;
using OrleansAgents.Api.Hosting;

var builder = WebApplication.CreateBuilder(args);
try
{
    builder.AddAgentsApi();
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("Invalid configuration:\n  " + string.Join("\n  ", ex.Failures));
    return 2;
}

var app = builder.Build();
app.UseAgentsApi();
await app.RunAsync();
return 0;

/// <summary>Visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
