namespace OrleansAgents.Grains.Workflows.ReadModel;

/// <summary>
/// The in-memory stand-in for PostgreSQL full-text search: case-insensitive whole-word matching,
/// every word of the query must appear in the name or the goal, <c>-word</c> excludes, quotes are
/// ignored (a phrase's words must appear, in any order). No stemming and no stop words. The rank
/// mimics <c>ts_rank_cd</c>'s default weights: each occurrence in the name counts 1.0, in the goal
/// 0.4. Real ranking (stemming, phrases, <c>or</c>) needs the PostgreSQL read model.
/// </summary>
internal sealed class InMemoryTextSearch
{
    private const double NameWeight = 1.0;
    private const double GoalWeight = 0.4;

    private readonly List<string> _required = [];
    private readonly List<string> _excluded = [];

    public InMemoryTextSearch(string query)
    {
        foreach (var token in query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var target = token.StartsWith('-') ? _excluded : _required;
            target.AddRange(Words(token));
        }
    }

    /// <summary>The row's rank, or null when it does not match.</summary>
    public double? Rank(string name, string goal)
    {
        if (_required.Count == 0)
        {
            return null;
        }

        var nameWords = Words(name);
        var goalWords = Words(goal);
        if (_excluded.Any(w => nameWords.Contains(w) || goalWords.Contains(w)))
        {
            return null;
        }

        var rank = 0.0;
        foreach (var word in _required)
        {
            var hits = (nameWords.Count(w => w == word) * NameWeight) + (goalWords.Count(w => w == word) * GoalWeight);
            if (hits == 0)
            {
                return null;
            }

            rank += hits;
        }

        return rank;
    }

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isWordChar = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (isWordChar && start < 0)
            {
                start = i;
            }
            else if (!isWordChar && start >= 0)
            {
                words.Add(text[start..i].ToLowerInvariant());
                start = -1;
            }
        }

        return words;
    }
}
