using System.Text.Json.Serialization;

namespace Gozar.Admin;

/// <summary>Every type the admin API reads or writes, serialized by generated code (Native AOT: no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ErrorView))]
[JsonSerializable(typeof(HealthView))]
[JsonSerializable(typeof(StatsView))]
[JsonSerializable(typeof(UserView))]
[JsonSerializable(typeof(UserView[]))]
[JsonSerializable(typeof(UserRequest))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;

/// <summary>Every failed call's body: one line, never containing a secret.</summary>
public sealed record ErrorView(string Error);

public sealed record HealthView(string Status);

/// <summary>The proxy at a glance: what the web page's header shows.</summary>
public sealed record StatsView
{
    public required double UptimeSeconds { get; init; }
    public required int ConnectionsOpen { get; init; }
    public required int HandshakesInProgress { get; init; }
    public required int SessionsActive { get; init; }
    public required int Users { get; init; }

    /// <summary>Since start, by verdict name (authenticated and every probe kind).</summary>
    public required IReadOnlyDictionary<string, long> Handshakes { get; init; }

    /// <summary>Finished sessions since start, by outcome name.</summary>
    public required IReadOnlyDictionary<string, long> Sessions { get; init; }

    public required long ResidentMemoryBytes { get; init; }
}
