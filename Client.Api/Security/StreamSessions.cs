using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansAgents.Api.Errors;
using OrleansAgents.Errors;

namespace OrleansAgents.Api.Security;

/// <summary>Section <c>Streams</c>: Server-Sent Event streams per caller.</summary>
public sealed class StreamOptions
{
    public const string Section = "Streams";

    /// <summary>Open streams one subject may hold on one API process; the next is refused with 429 <c>stream.too_many</c>.</summary>
    public int MaxConcurrentPerUser { get; set; } = 8;

    /// <summary>How often an open stream checks that its credentials still hold (expiry, revocation).</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a stream opened with an API key asks the key's grain whether it was revoked.</summary>
    public TimeSpan ApiKeyRecheckInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Open SSE streams: a cap per subject, and an end when the credentials that opened the stream
/// stop being valid. Authentication runs once, at the request; without this a stream opened a
/// minute before a token expired, or before a logout or password change, would go on for hours.
/// </summary>
public sealed class StreamSessions(IOptions<StreamOptions> options, RevocationCache revocations, IGrainFactory grains, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    private StreamOptions Options => options.Value;

    private RevocationCache Revocations => revocations;

    private IGrainFactory Grains => grains;

    private TimeProvider Time => time;

    /// <summary>Open streams of <paramref name="subject"/> on this process.</summary>
    public int OpenOf(string subject) => _open.GetValueOrDefault(subject);

    /// <summary>A session whose token ends the stream, or null with a 429 when the caller holds too many.</summary>
    public Session? TryOpen(HttpContext http, out ProblemHttpResult? refused)
    {
        var subject = Ownership.Caller(http);
        var max = Options.MaxConcurrentPerUser;
        var count = _open.AddOrUpdate(subject, 1, (_, n) => n + 1);
        if (count > max)
        {
            Release(subject);
            refused = ProblemResults.Problem(StatusCodes.Status429TooManyRequests, ErrorCodes.StreamLimitExceeded,
                $"You already have {max.ToString(CultureInfo.InvariantCulture)} event streams open ({StreamOptions.Section}:MaxConcurrentPerUser); close one first.",
                recoverable: true);
            return null;
        }

        refused = null;
        var session = new Session(this, subject, http);
        http.Response.RegisterForDispose(session);
        return session;
    }

    private void Release(string subject)
    {
        while (_open.TryGetValue(subject, out var n))
        {
            if (n <= 1 ? _open.TryRemove(KeyValuePair.Create(subject, n)) : _open.TryUpdate(subject, n - 1, n))
            {
                return;
            }
        }
    }

    /// <summary>One open stream: <see cref="Token"/> is cancelled when the client leaves or its credentials end.</summary>
    public sealed class Session : IDisposable
    {
        private readonly StreamSessions _owner;
        private readonly string _subject;
        private readonly CancellationTokenSource _ended;
        private readonly ITimer _timer;
        private readonly DateTimeOffset? _expires;
        private readonly string? _jti;
        private readonly string? _stampId;
        private readonly (string Id, string Secret)? _apiKey;
        private DateTimeOffset _keyCheckedAt;
        private int _checkingKey;
        private int _disposed;

        internal Session(StreamSessions owner, string subject, HttpContext http)
        {
            _owner = owner;
            _subject = subject;
            _ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
            var user = http.User;
            if (user.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                _expires = DateTimeOffset.FromUnixTimeSeconds(seconds);
            }

            _jti = user.FindFirst(AgentClaims.TokenId)?.Value;
            if (user.FindFirst(AgentClaims.SecurityStamp)?.Value is { } stamp
                && long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                _stampId = SecurityRules.StampTokenId(subject, value);
            }

            if (http.Request.Headers.TryGetValue(ApiKeyAuthenticationHandler.HeaderName, out var header)
                && ApiKeyRules.TryParse(header.ToString(), out var id, out var secret))
            {
                _apiKey = (id, secret);
            }

            _keyCheckedAt = owner.Time.GetUtcNow();
            var every = owner.Options.RecheckInterval;
            _timer = owner.Time.CreateTimer(_ => Check(), null, every, every);
        }

        public CancellationToken Token => _ended.Token;

        private void Check()
        {
            var now = _owner.Time.GetUtcNow();
            if ((_expires is { } expires && now >= expires)
                || (_jti is not null && _owner.Revocations.IsRevoked(_jti))
                || (_stampId is not null && _owner.Revocations.IsRevoked(_stampId)))
            {
                End();
                return;
            }

            if (_apiKey is { } key && now - _keyCheckedAt >= _owner.Options.ApiKeyRecheckInterval
                && Interlocked.Exchange(ref _checkingKey, 1) == 0)
            {
                _keyCheckedAt = now;
                _ = CheckKeyAsync(key.Id, key.Secret);
            }
        }

        private async Task CheckKeyAsync(string id, string secret)
        {
            try
            {
                if (await _owner.Grains.GetGrain<IApiKeyGrain>(id).VerifyAsync(secret) is null)
                {
                    End();
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The cluster did not answer: keep the stream and ask again at the next interval.
            }
            finally
            {
                Volatile.Write(ref _checkingKey, 0);
            }
        }

        private void End()
        {
            try
            {
                _ended.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The stream closed meanwhile.
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            _timer.Dispose();
            _ended.Dispose();
            _owner.Release(_subject);
        }
    }
}
