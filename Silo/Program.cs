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
var membershipWatch = app.Services.GetRequiredService<MembershipEntryWatch>(); // RunAsync disposes the services
try
{
    await app.RunAsync();
}
catch (SchemaException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 3;
}
catch (Npgsql.NpgsqlException ex)
{
    // PostgreSQL went away while the silo started (Orleans' storage start-up does not retry): one
    // clear line and a non-zero exit for the orchestrator to restart, not an abort with a dump.
    await Console.Error.WriteLineAsync($"PostgreSQL failed while the silo started: {ex.Message}");
    return 4;
}
catch (StackExchange.Redis.RedisConnectionException ex)
{
    // The same for Redis (membership) restarting while the silo starts.
    await Console.Error.WriteLineAsync($"Redis was unreachable while the silo started: {ex.Message}");
    return 5;
}

if (membershipWatch.Lost)
{
    // Its row left the membership table (Redis restarted empty): a restart rejoins the cluster.
    await Console.Error.WriteLineAsync("The membership table lost this silo's row; stopped to rejoin on restart.");
    return MembershipEntryWatch.ExitCode;
}

return 0;
