using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

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
    private sealed class Parser(string text)
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

        private void Tokenize()
        {
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c == '"')
                {
                    i = ReadString(i);
                }
                else if (c == '-' || char.IsAsciiDigit(c))
                {
                    i = ReadNumber(i);
                }
                else if (char.IsAsciiLetter(c) || c == '_')
                {
                    i = ReadWord(i);
                }
                else
                {
                    i = ReadOperator(i);
                }
            }

            _tokens.Add(new Token(TokenKind.End, "", text.Length));
        }

        private int ReadOperator(int i)
        {
            var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
            var op = two is "==" or "!=" or "<=" or ">=" or "&&" or "||" ? two
                : text[i] is '<' or '>' or '!' or '(' or ')' ? text[i].ToString()
                : throw Fail(text[i] == '=' ? $"'=' at position {i}: use '==' to compare" : $"unexpected '{text[i]}' at position {i}");
            _tokens.Add(new Token(TokenKind.Operator, op, i));
            return i + op.Length;
        }

        private int ReadString(int start)
        {
            var i = start + 1;
            while (i < text.Length && text[i] != '"')
            {
                i += text[i] == '\\' ? 2 : 1;
            }

            if (i >= text.Length)
            {
                throw Fail($"unclosed string starting at position {start}");
            }

            return AddLiteral(start, i + 1, "string");
        }

        private int ReadNumber(int start)
        {
            var i = start + 1;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or 'e' or 'E' or '+' or '-'))
            {
                i++;
            }

            return AddLiteral(start, i, "number");
        }

        private int AddLiteral(int start, int end, string what)
        {
            var literal = text[start..end];
            JsonNode? value;
            try
            {
                value = JsonNode.Parse(literal);
            }
            catch (JsonException)
            {
                throw Fail($"invalid {what} {literal} at position {start}");
            }

            _tokens.Add(new Token(TokenKind.Literal, literal, start, new Literal(value)));
            return end;
        }

        /// <summary>A keyword literal or a path: names, dots and bracketed selectors (quoted names may hold anything).</summary>
        private int ReadWord(int start)
        {
            var i = start;
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '-' or '.' or '['))
            {
                if (text[i] == '[')
                {
                    i = SkipBracket(i);
                }
                else
                {
                    i++;
                }
            }

            var word = text[start..i];
            if (word is "true" or "false" or "null")
            {
                return AddLiteral(start, i, "literal");
            }

            if (!WorkflowPaths.TryParse(word, out var path, out var stepId, out _, out var error))
            {
                throw Fail($"{error} (at position {start})");
            }

            if (stepId is not null)
            {
                Steps.Add(stepId);
            }

            _tokens.Add(new Token(TokenKind.Path, word, start, new PathNode(path)));
            return i;
        }

        private int SkipBracket(int i)
        {
            char? quote = null;
            for (i++; i < text.Length; i++)
            {
                var c = text[i];
                if (quote is not null)
                {
                    if (c == '\\')
                    {
                        i++;
                    }
                    else if (c == quote)
                    {
                        quote = null;
                    }
                }
                else if (c is '\'' or '"')
                {
                    quote = c;
                }
                else if (c == ']')
                {
                    return i + 1;
                }
            }

            return text.Length;
        }
    }
}
