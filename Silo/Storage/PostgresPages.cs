using Npgsql;

namespace OrleansAgents.Silo.Storage;

/// <summary>Keyset pages read from PostgreSQL, shared by the read models' list queries.</summary>
internal static class PostgresPages
{
    /// <summary>
    /// Binds <c>@limit</c> to one row more than asked and reads the rows with <paramref name="read"/>:
    /// the extra row only tells whether another page exists, so it is dropped and <c>More</c> is true.
    /// </summary>
    public static async Task<(List<T> Items, bool More)> ReadAsync<T>(
        NpgsqlCommand command, int limit, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        command.Parameters.AddWithValue("limit", limit + 1);
        var items = new List<T>(limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(read(reader));
            }
        }

        if (items.Count <= limit)
        {
            return (items, false);
        }

        items.RemoveAt(limit);
        return (items, true);
    }
}
