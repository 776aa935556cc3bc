using System.Diagnostics.CodeAnalysis;

namespace OrleansAgents.Grains.Workflows.Definitions;

public sealed partial class WorkflowCondition
{
    private enum TokenKind
    {
        Operator,
        Literal,
        Path,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position, Node? Operand = null);

    /// <summary>Recursive descent: or → and (|| and)*; and → comparison (&amp;&amp; comparison)*; comparison → unary (op unary)?; unary → ! unary | ( or ) | operand.</summary>
    private sealed partial class Parser(string text)
    {
        private static readonly string[] Comparisons = ["==", "!=", "<=", ">=", "<", ">"];
        private readonly List<Token> _tokens = [];
        private int _next;
        private int _depth;

        public HashSet<string> Steps { get; } = new(StringComparer.Ordinal);

        public bool TryParse([NotNullWhen(true)] out Node? root, [NotNullWhen(false)] out string? error)
        {
            root = null;
            try
            {
                Tokenize();
                root = ParseOr();
                if (Peek.Kind != TokenKind.End)
                {
                    throw Fail($"unexpected '{Peek.Text}' at position {Peek.Position}");
                }

                error = null;
                return true;
            }
            catch (FormatException e)
            {
                error = e.Message;
                return false;
            }
        }

        private Token Peek => _tokens[_next];

        private static FormatException Fail(string message) => new(message);

        private bool Accept(string op)
        {
            if (Peek.Kind == TokenKind.Operator && Peek.Text == op)
            {
                _next++;
                return true;
            }

            return false;
        }

        private Node ParseOr() => ParseChain("||", isAnd: false, ParseAnd);

        private Node ParseAnd() => ParseChain("&&", isAnd: true, ParseComparison);

        private Node ParseChain(string op, bool isAnd, Func<Node> operand)
        {
            List<Node> operands = [operand()];
            while (Accept(op))
            {
                operands.Add(operand());
            }

            return operands.Count == 1 ? operands[0] : new Logical(isAnd, operands);
        }

        private Node ParseComparison()
        {
            var left = ParseUnary();
            var op = Array.Find(Comparisons, Accept);
            if (op is null)
            {
                return left;
            }

            var right = ParseUnary();
            if (Peek.Kind == TokenKind.Operator && Comparisons.Contains(Peek.Text))
            {
                throw Fail($"comparisons cannot be chained ('{Peek.Text}' at position {Peek.Position}); use && or parentheses");
            }

            return new Comparison(op, left, right);
        }

        private Node ParseUnary()
        {
            var token = Peek;
            if (token.Kind is TokenKind.Literal or TokenKind.Path)
            {
                _next++;
                return token.Operand!;
            }

            if (token.Kind == TokenKind.End)
            {
                throw Fail("the condition ends where an operand was expected");
            }

            if (token.Text is not ("!" or "("))
            {
                throw Fail($"expected an operand at position {token.Position}, found '{token.Text}'");
            }

            if (++_depth > MaxDepth)
            {
                throw Fail($"the condition nests deeper than {MaxDepth} levels");
            }

            _next++;
            Node result;
            if (token.Text == "!")
            {
                result = new Not(ParseUnary());
            }
            else
            {
                result = ParseOr();
                if (!Accept(")"))
                {
                    throw Fail($"missing ')' for the '(' at position {token.Position}");
                }
            }

            _depth--;
            return result;
        }
    }
}
