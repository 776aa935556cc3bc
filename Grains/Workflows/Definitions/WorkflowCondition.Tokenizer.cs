using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansAgents.Grains.Workflows.Definitions;

public sealed partial class WorkflowCondition
{
    private sealed partial class Parser
    {
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
