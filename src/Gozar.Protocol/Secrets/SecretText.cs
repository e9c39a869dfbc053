namespace Gozar.Protocol.Secrets;

/// <summary>
/// The two text spellings of a secret (spec §1.2), decoded with tdlib's rules: hex in either case, and
/// base64url with optional but then correct '=' padding and zero trailing bits.
/// </summary>
internal static class SecretText
{
    private const int NotBase64 = -1;

    public static bool TryDecodeHex(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        if (text.Length % 2 != 0 || destination.Length < text.Length / 2)
        {
            return false;
        }

        for (var i = 0; i < text.Length; i += 2)
        {
            var high = HexValue(text[i]);
            var low = HexValue(text[i + 1]);
            if (high < 0 || low < 0)
            {
                return false;
            }

            destination[i / 2] = (byte)((high << 4) | low);
        }

        written = text.Length / 2;
        return true;
    }

    /// <summary>Needs room for <c>text.Length * 3 / 4</c> bytes.</summary>
    public static bool TryDecodeBase64Url(ReadOnlySpan<char> text, Span<byte> destination, out int written)
    {
        written = 0;
        var padding = 0;
        while (text.Length > 0 && text[^1] == '=')
        {
            text = text[..^1];
            padding++;
        }

        if (padding > 2 || (padding > 0 && (text.Length + padding) % 4 != 0) || text.Length % 4 == 1)
        {
            return false;
        }

        if (destination.Length < text.Length * 3 / 4)
        {
            return false;
        }

        var accumulator = 0;
        var bits = 0;
        foreach (var c in text)
        {
            var value = Base64UrlValue(c);
            if (value == NotBase64)
            {
                return false;
            }

            accumulator = ((accumulator << 6) | value) & 0xfff;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                destination[written++] = (byte)(accumulator >> bits);
            }
        }

        // Leftover bits (2 or 4) must be zero: otherwise two strings would decode to the same secret.
        return (accumulator & ((1 << bits) - 1)) == 0;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static int Base64UrlValue(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        '_' => 63,
        _ => NotBase64,
    };
}
