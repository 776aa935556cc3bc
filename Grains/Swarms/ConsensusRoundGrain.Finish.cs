using Microsoft.Extensions.Logging;
using OrleansAgents.Grains.Collective;
using OrleansAgents.Swarms;
using OrleansAgents.Trust;

namespace OrleansAgents.Grains.Swarms;

public sealed partial class ConsensusRoundGrain
{
    private void ArmDeadline()
    {
        if (_deadline is not null || Finished)
        {
            return;
        }

        var due = S.DeadlineAt - time.GetUtcNow();
        _deadline = this.RegisterGrainTimer(_ => Finished ? Task.CompletedTask : FinishAsync(), new GrainTimerCreationOptions
        {
            DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    /// <summary>Times out whoever has not answered, aggregates, stores the result, then rates.</summary>
    private async Task FinishAsync()
    {
        var request = S.Request!;
        var late = S.Participants.Where(p => p.State == ConsensusParticipantState.Pending).Select(p => p.TaskId)
            .Concat(S.ScoringTasks.Where(s => !S.Scores.ContainsKey(s.Key)).Select(s => s.Value))
            .ToList();
        for (var i = 0; i < S.Participants.Count; i++)
        {
            if (S.Participants[i].State == ConsensusParticipantState.Pending)
            {
                S.Participants[i] = S.Participants[i] with { State = ConsensusParticipantState.TimedOut, Error = "consensus.deadline" };
            }
        }

        var answered = S.Participants.Where(p => p.State == ConsensusParticipantState.Answered).ToList();
        var scores = S.Scores.Where(s => !double.IsNaN(s.Value)).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        var decision = answered.Count >= request.Quorum
            ? ConsensusAggregator.Decide(request.Aggregation, [.. answered.Select(p => new ConsensusVote(p.AgentId, p.AnswerJson!, p.Trust))], scores)
            : null;
        for (var i = 0; i < S.Participants.Count; i++)
        {
            var p = S.Participants[i];
            if (p.State == ConsensusParticipantState.Answered)
            {
                S.Participants[i] = p with
                {
                    Agrees = decision is null ? null : decision.Agreeing.Contains(p.AgentId),
                    Weight = request.Aggregation == ConsensusAggregation.BestScore ? (scores.TryGetValue(p.AnswerJson!, out var s) ? s : null) : p.Weight,
                };
            }
        }

        S.Status = decision is null ? ConsensusStatus.NoQuorum : ConsensusStatus.Decided;
        S.AnswerJson = decision?.Answer;
        S.AgreementRatio = decision?.AgreementRatio;
        S.FinishedAt = time.GetUtcNow();
        await Writer.SaveAsync();
        _deadline?.Dispose();
        metrics.Finished(request.Aggregation, S.Status, S.FinishedAt.Value - S.CreatedAt, S.AgreementRatio);
        LogFinished(Id, S.Status, answered.Count, S.Participants.Count);
        _finished.Notify();

        // Nobody waits for an answer that can no longer count.
        await Task.WhenAll(late.Select(async taskId =>
        {
            try
            {
                await GrainFactory.GetGrain<ITaskGrain>(taskId).CancelAsync();
            }
            catch (Exception ex)
            {
                LogCancelFailed(ex, Id, taskId);
            }
        }));
        await FollowUpAsync();
    }

    /// <summary>Swarm ratings and network edges; retried by the reminder until both are stored.</summary>
    private async Task FollowUpAsync()
    {
        try
        {
            var answers = S.Participants.Where(p => p.State == ConsensusParticipantState.Answered)
                .ToDictionary(p => p.AgentId, p => p.AnswerJson!, StringComparer.Ordinal);
            if (S.Status == ConsensusStatus.Decided && answers.Count > 1)
            {
                var agreeing = S.Participants.Where(p => p.Agrees == true).Select(p => p.AgentId).ToHashSet(StringComparer.Ordinal);
                var ratings = ConsensusRatings.For(Id, answers.Keys, agreeing);
                if (ratings.Count > 0)
                {
                    await GrainFactory.GetGrain<ITrustRecorderGrain>(TrustRules.DefaultDomain).RecordAsync(ratings);
                }
            }

            if (answers.Count > 1)
            {
                await NetworkRecorder.AddAsync(GrainFactory, ConsensusRules.OriginPrefix + Id, ConsensusRatings.Edges(answers));
            }

            S.FollowUpsDone = true;
            await Writer.SaveAsync();
            await UnregisterAsync();
        }
        catch (Exception ex)
        {
            LogFollowUpsDeferred(ex, Id);
        }
    }

    private Task UnregisterAsync() => Watchdog.UnregisterAsync();

    private ConsensusRoundView View() => new(Id, S.Request!, S.Status, S.AnswerJson, S.AgreementRatio, [.. S.Participants], S.CreatedAt, S.DeadlineAt, S.FinishedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consensus round {RoundId} finished {Outcome} with {Answers} answers of {Agents} agents")]
    private partial void LogFinished(string roundId, ConsensusStatus outcome, int answers, int agents);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consensus round {RoundId} could not submit task {TaskId}; the reminder retries")]
    private partial void LogSubmitDeferred(Exception ex, string roundId, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consensus round {RoundId} could not cancel late task {TaskId}")]
    private partial void LogCancelFailed(Exception ex, string roundId, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consensus round {RoundId} could not record its ratings or network edges; the reminder retries")]
    private partial void LogFollowUpsDeferred(Exception ex, string roundId);
}
