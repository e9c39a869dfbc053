using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gozar.Protocol.FakeTls;

/// <summary>
/// The profile file that <c>gozar tls-profile fetch</c> writes and <c>[tls] profile</c> names: JSON, read with
/// System.Text.Json source generation (NativeAOT-safe), unknown keys rejected so a typo is an error.
/// </summary>
/// <remarks>
/// <code>
/// {
///   "version": 1,
///   "source": "example.com:443, SNI example.com, 5 samples, 2026-01-01T00:00:00Z",
///   "cipher_suite": "TLS_AES_128_GCM_SHA256",
///   "key_share_group": "x25519",
///   "server_hello_extensions": ["key_share", "supported_versions"],
///   "encrypted_records": [ { "min": 36, "max": 36 }, { "min": 2063, "max": 2063 }, { "min": 95, "max": 97 }, { "min": 53, "max": 53 } ]
/// }
/// </code>
/// key_share_group is x25519 or X25519MLKEM768; record lengths are TLS payload lengths, 1..16640.
/// </remarks>
public static class TlsProfileJson
{
    public const int Version = 1;

    private const string KeyShare = "key_share";
    private const string SupportedVersions = "supported_versions";

    private static readonly (ushort Code, string Name)[] CipherSuites =
    [
        (0x1301, "TLS_AES_128_GCM_SHA256"),
        (0x1302, "TLS_AES_256_GCM_SHA384"),
        (0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    ];

    private static readonly (ushort Code, string Name)[] Groups =
    [
        (TlsWire.GroupX25519, "x25519"),
        (TlsWire.GroupX25519MlKem768, "X25519MLKEM768"),
    ];

    public static string Write(TlsProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var records = new List<RecordDocument?>(profile.EncryptedRecords.Count);
        foreach (var range in profile.EncryptedRecords)
        {
            records.Add(new RecordDocument { Min = range.Minimum, Max = range.Maximum });
        }

        var document = new ProfileDocument
        {
            Version = Version,
            Source = profile.Source,
            CipherSuite = CipherSuiteName(profile.CipherSuite),
            KeyShareGroup = GroupName(profile.KeyShareGroup),
            ServerHelloExtensions = profile.ExtensionOrder == ServerHelloExtensionOrder.KeyShareFirst
                ? [KeyShare, SupportedVersions]
                : [SupportedVersions, KeyShare],
            EncryptedRecords = records,
        };
        return JsonSerializer.Serialize(document, TlsProfileJsonContext.Default.ProfileDocument) + "\n";
    }

    /// <summary>Parses and checks a profile file; on failure <paramref name="problem"/> says which field is wrong.</summary>
    public static bool TryRead(
        ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out TlsProfile? profile, [NotNullWhen(false)] out string? problem)
    {
        profile = null;
        ProfileDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, TlsProfileJsonContext.Default.ProfileDocument);
        }
        catch (JsonException exception)
        {
            problem = $"not a TLS profile: {exception.Message}";
            return false;
        }

        if (document is null)
        {
            problem = "not a TLS profile: the file holds null";
            return false;
        }

        problem = Check(document, out var suite, out var group, out var order, out var ranges);
        if (problem is not null)
        {
            return false;
        }

        profile = new TlsProfile(suite, order, group, ranges, document.Source ?? string.Empty);
        return true;
    }

    private static string? Check(
        ProfileDocument document,
        out ushort suite,
        out ushort group,
        out ServerHelloExtensionOrder order,
        out RecordLengthRange[] ranges)
    {
        suite = 0;
        group = 0;
        order = ServerHelloExtensionOrder.KeyShareFirst;
        ranges = [];
        if (document.Version != Version)
        {
            return $"version: must be {Version}";
        }

        if (!TryCodeOf(CipherSuites, document.CipherSuite, out suite))
        {
            return "cipher_suite: must be one of TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256";
        }

        if (!TryCodeOf(Groups, document.KeyShareGroup, out group))
        {
            return "key_share_group: must be x25519 or X25519MLKEM768";
        }

        if (document.ServerHelloExtensions is [KeyShare, SupportedVersions])
        {
            order = ServerHelloExtensionOrder.KeyShareFirst;
        }
        else if (document.ServerHelloExtensions is [SupportedVersions, KeyShare])
        {
            order = ServerHelloExtensionOrder.SupportedVersionsFirst;
        }
        else
        {
            return "server_hello_extensions: must be [\"key_share\", \"supported_versions\"] in either order";
        }

        if (document.EncryptedRecords is not { Count: > 0 and <= TlsProfile.MaxEncryptedRecords } records)
        {
            return $"encrypted_records: must list 1..{TlsProfile.MaxEncryptedRecords} records";
        }

        ranges = new RecordLengthRange[records.Count];
        for (var i = 0; i < records.Count; i++)
        {
            if (records[i] is not { Min: int min and >= 1, Max: int max } || max > RecordLengthRange.Limit || min > max)
            {
                return $"encrypted_records[{i}]: needs min and max with 1 <= min <= max <= {RecordLengthRange.Limit}";
            }

            ranges[i] = new RecordLengthRange(min, max);
        }

        return null;
    }

    /// <summary>The IANA name of a TLS 1.3 cipher suite, as the file writes it.</summary>
    public static string CipherSuiteName(ushort suite) => NameOf(CipherSuites, suite);

    /// <summary>The name of a key share group we imitate, as the file writes it.</summary>
    public static string GroupName(ushort group) => NameOf(Groups, group);

    private static string NameOf((ushort Code, string Name)[] table, ushort code)
    {
        foreach (var entry in table)
        {
            if (entry.Code == code)
            {
                return entry.Name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(code), code, "Not a code point a profile holds.");
    }

    private static bool TryCodeOf((ushort Code, string Name)[] table, string? name, out ushort code)
    {
        foreach (var entry in table)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                code = entry.Code;
                return true;
            }
        }

        code = 0;
        return false;
    }
}

internal sealed class ProfileDocument
{
    public int? Version { get; set; }

    public string? Source { get; set; }

    public string? CipherSuite { get; set; }

    public string? KeyShareGroup { get; set; }

    public List<string>? ServerHelloExtensions { get; set; }

    public List<RecordDocument?>? EncryptedRecords { get; set; }
}

internal sealed class RecordDocument
{
    public int? Min { get; set; }

    public int? Max { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ProfileDocument))]
internal sealed partial class TlsProfileJsonContext : JsonSerializerContext;
