using FsCheck;
using FsCheck.Fluent;
using Gozar.Configuration;
using static Gozar.Tests.Configuration.TomlSamples;

namespace Gozar.Tests.Configuration;

/// <summary>Any config text, however broken, gives a result value: never an exception, never a secret in the message.</summary>
public sealed class ConfigLoaderPropertyTests
{
    private const int SecretWindow = 10;

    private static readonly string Valid = Config(
        top: "listen = [\"0.0.0.0:8443\", \"[::]:8443\"]\nlog_level = \"debug\"",
        users: $"{UsersBody}\n[users.bob]\nsecret = \"ee{BobSecret}6578616d706c652e636f6d\"",
        tables: """
            [upstream.dc_overrides]
            "2" = "127.0.0.1:14443"
            "*" = ["10.0.0.5:443", "[::1]:443"]
            [timeouts]
            handshake = "10s"
            [limits]
            relay_buffer = "64KiB"
            [proxy_protocol]
            listeners = ["0.0.0.0:8443"]
            trusted = ["10.0.0.0/8", "::1/128"]
            """);

    private static readonly string[] Tokens =
    [
        "[", "]", "[[", "]]", "{", "}", "=", "\"", "'", "\"\"\"", ",", ".", "\n", " ", "#", "\\", "\\u00", "true", "1e9",
        "-", "+", "0x", "nan", "inf", "1979-05-27", "listen", "users", "tls", "modes", "secret", "limits", "proxy_protocol",
        "trusted", "domains", "\u00e9", "\0", AliceSecret, BobSecret, "ee" + AliceSecret, "dd" + BobSecret,
    ];

    private static readonly Gen<string> TokenTextGen = Gen.Elements(Tokens).ArrayOf().Select(string.Concat);

    /// <summary>The valid config with a few spans deleted, duplicated, or replaced by tokens.</summary>
    private static readonly Gen<string> MutatedGen =
        from edits in Gen.Choose(1, 4)
        from positions in Gen.Choose(0, Valid.Length).ArrayOf(edits)
        from lengths in Gen.Choose(0, 40).ArrayOf(edits)
        from inserts in Gen.Elements(Tokens).ArrayOf(edits)
        select Mutate(positions, lengths, inserts);

    [FsCheck.Xunit.Property(MaxTest = 400)]
    public Property Load_AnyText_ResultIsAValueWithAOneLineMessageAndNoSecret() =>
        Prop.ForAll(Gen.OneOf(MutatedGen, MutatedGen, TokenTextGen).ToArbitrary(), text =>
        {
            var result = ConfigLoader.Load(text);
            if (result.Succeeded)
            {
                return result.Error is null or "";
            }

            return !result.Error.Contains('\n', StringComparison.Ordinal) && !EchoesASecret(result.Error);
        });

    private static string Mutate(int[] positions, int[] lengths, string[] inserts)
    {
        var text = Valid;
        for (var i = 0; i < positions.Length; i++)
        {
            var at = Math.Min(positions[i], text.Length);
            var cut = Math.Min(lengths[i], text.Length - at);
            text = (i % 3) switch
            {
                0 => text.Remove(at, cut).Insert(at, inserts[i]),
                1 => text.Insert(at, text.Substring(at, cut)),
                _ => text.Remove(at, cut),
            };
        }

        return text;
    }

    private static bool EchoesASecret(string message)
    {
        foreach (var secret in (string[])[AliceSecret, BobSecret])
        {
            for (var i = 0; i + SecretWindow <= secret.Length; i++)
            {
                if (message.Contains(secret.AsSpan(i, SecretWindow), StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
