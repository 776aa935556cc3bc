namespace OrleansAgents;

/// <summary>The 26-character lower-case base32 text of the first 130 bits of some bytes (ids like <c>t_…</c>, <c>r_…</c>).</summary>
public static class IdEncoding
{
    public static string Base32(ReadOnlySpan<byte> bytes)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var chars = new char[26];
        int buffer = 0, bits = 0, index = 0, o = 0;
        while (o < chars.Length)
        {
            if (bits < 5)
            {
                buffer = (buffer << 8) | bytes[index++];
                bits += 8;
            }

            chars[o++] = alphabet[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }

        return new string(chars);
    }
}
