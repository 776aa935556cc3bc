using System.Security.Cryptography;
using Microsoft.AspNetCore.Components.Server.ProtectedBrowserStorage;

namespace OrleansAgents.Api.OperatorConsole;

/// <summary>
/// Keeps the circuit's tokens in the tab's sessionStorage, encrypted with Data Protection, so a
/// reload or a typed URL does not log the user out. Scripts on the page see only ciphertext; the
/// tokens never go into a cookie.
/// </summary>
public sealed partial class ConsoleSessionStore(ProtectedSessionStorage storage, ConsoleSession session, ILogger<ConsoleSessionStore> logger)
{
    private const string Key = "orleans-agents-console";

    public async Task RestoreAsync()
    {
        if (session.IsLoggedIn)
        {
            return;
        }

        try
        {
            var stored = await storage.GetAsync<ConsoleTokens>(Key);
            if (stored.Success && stored.Value is { } tokens)
            {
                session.SignIn(tokens);
            }
        }
        catch (CryptographicException ex)
        {
            // Data Protection keys changed (a restart of an embedded API): the user logs in again.
            LogUnreadable(logger, ex);
            await storage.DeleteAsync(Key);
        }
    }

    public async Task SaveAsync()
    {
        if (session.Snapshot() is { } tokens)
        {
            await storage.SetAsync(Key, tokens);
        }
        else
        {
            await storage.DeleteAsync(Key);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The console's stored session could not be decrypted; the user logs in again")]
    private static partial void LogUnreadable(ILogger logger, Exception exception);
}
