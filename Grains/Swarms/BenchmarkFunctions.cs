namespace OrleansAgents.Grains.Swarms;

/// <summary>The built-in objectives with their classic search domains (all have minimum 0).</summary>
public static class BenchmarkFunctions
{
    public delegate double Objective(ReadOnlySpan<double> x);

    public sealed record class Definition(string Name, Objective Evaluate, double Min, double Max, int MinDimensions);

    private static readonly Dictionary<string, Definition> All = new(StringComparer.Ordinal)
    {
        ["sphere"] = new("sphere", Sphere, -100, 100, 1),
        ["rastrigin"] = new("rastrigin", Rastrigin, -5.12, 5.12, 1),
        ["rosenbrock"] = new("rosenbrock", Rosenbrock, -30, 30, 2),
        ["ackley"] = new("ackley", Ackley, -32, 32, 1),
        ["griewank"] = new("griewank", Griewank, -600, 600, 1),
    };

    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Definition? definition) =>
        All.TryGetValue(name, out definition);

    public static double Sphere(ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        foreach (var v in x)
        {
            sum += v * v;
        }

        return sum;
    }

    public static double Rastrigin(ReadOnlySpan<double> x)
    {
        var sum = 10.0 * x.Length;
        foreach (var v in x)
        {
            sum += (v * v) - (10.0 * Math.Cos(2.0 * Math.PI * v));
        }

        return sum;
    }

    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        var sum = 0.0;
        for (var i = 0; i < x.Length - 1; i++)
        {
            var a = x[i + 1] - (x[i] * x[i]);
            var b = 1.0 - x[i];
            sum += (100.0 * a * a) + (b * b);
        }

        return sum;
    }

    public static double Ackley(ReadOnlySpan<double> x)
    {
        double squares = 0, cosines = 0;
        foreach (var v in x)
        {
            squares += v * v;
            cosines += Math.Cos(2.0 * Math.PI * v);
        }

        return (-20.0 * Math.Exp(-0.2 * Math.Sqrt(squares / x.Length))) - Math.Exp(cosines / x.Length) + 20.0 + Math.E;
    }

    public static double Griewank(ReadOnlySpan<double> x)
    {
        double sum = 0, product = 1;
        for (var i = 0; i < x.Length; i++)
        {
            sum += x[i] * x[i];
            product *= Math.Cos(x[i] / Math.Sqrt(i + 1));
        }

        return 1.0 + (sum / 4000.0) - product;
    }
}
