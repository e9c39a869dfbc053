using System.Buffers.Text;

namespace Gozar.Configuration;

/// <summary>
/// Reads a user's 16-byte key. The config form is 32 hex digits, but operators often paste a
/// whole client secret, so the spec §1.2 forms are taken too and only the key is kept:
/// "dd" + 32 hex, "ee" + 32 hex + domain hex, and the same three layouts in base64url (as mtg
/// prints them). Text made only of hex digits is always read as hex, so a mistyped hex key is
/// refused rather than reinterpreted as base64.
/// </summary>
internal static class UserSecretSyntax
{
    public const int KeyLength = 16;

    private const byte SecureTag = 0xdd;
    private const byte FakeTlsTag = 0xee;
    private const int MaxBase64Length = 1024;

    public const string Expected = "must be 32 hex digits (a 16-byte key; a pasted dd/ee secret also works)";

    public static bool TryParseKey(string text, out byte[] key)
    {
        key = [];
        byte[] decoded;
        if (IsHex(text))
        {
            if (text.Length % 2 != 0)
            {
                return false;
            }

            decoded = Convert.FromHexString(text);
        }
        else if (!TryDecodeBase64Url(text, out decoded))
        {
            return false;
        }

        var keyOffset = decoded.Length switch
        {
            KeyLength => 0,
            KeyLength + 1 when decoded[0] is SecureTag or FakeTlsTag => 1,
            > KeyLength + 1 when decoded[0] == FakeTlsTag => 1,
            _ => -1,
        };
        if (keyOffset < 0)
        {
            Array.Clear(decoded);
            return false;
        }

        key = decoded.AsSpan(keyOffset, KeyLength).ToArray();
        Array.Clear(decoded);
        return true;
    }

    /// <summary>Lower-case hex of a key, as the config spells it.</summary>
    public static string ToHex(ReadOnlySpan<byte> key) => Convert.ToHexStringLower(key);

    private static bool IsHex(string text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return text.Length > 0;
    }

    private static bool TryDecodeBase64Url(string text, out byte[] decoded)
    {
        decoded = [];
        if (text.Length is 0 or > MaxBase64Length || !Base64Url.IsValid(text, out var length))
        {
            return false;
        }

        decoded = new byte[length];
        return Base64Url.TryDecodeFromChars(text, decoded, out var written) && written == length;
    }
}
