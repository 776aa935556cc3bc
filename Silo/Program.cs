using Microsoft.Extensions.Options;
using OrleansAgents.Silo.Hosting;
using OrleansAgents.Silo.Storage;

// `migrate` applies the database schema and exits; anything else runs the silo.
if (args is ["migrate", ..])
{
    return await MigrateCommand.RunAsync(args[1..]);
}

var builder = WebApplication.CreateBuilder(args);
try
{
    builder.AddAgentsSiloHost();
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("Invalid configuration:\n  " + string.Join("\n  ", ex.Failures));
    return 2;
}

var app = builder.Build();
app.MapAgentsSiloEndpoints();
try
{
    await app.RunAsync();
}
catch (SchemaException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 3;
}

return 0;
