namespace Gozar.Hosting;

/// <summary>What a reload did: the changes it applied, or the one problem that kept the old configuration running.</summary>
public sealed record ReloadResult
{
    private ReloadResult(string? error, IReadOnlyList<string> changes)
    {
        Error = error;
        Changes = changes;
    }

    public bool Succeeded => Error is null;

    /// <summary>One line naming the key or listener and the problem; never contains a secret.</summary>
    public string? Error { get; }

    /// <summary>One line per change ("user bob added", "listener 127.0.0.1:9000 removed"); empty when nothing changed.</summary>
    public IReadOnlyList<string> Changes { get; }

    /// <summary>
    /// Nothing was applied because the proxy began stopping: an edit written just before a stop meets this, and
    /// nothing is wrong with the config, so it is not logged as an error.
    /// </summary>
    public static ReloadResult Stopping { get; } = new("the proxy is stopping", []);

    public static ReloadResult Success(IReadOnlyList<string> changes) => new(null, changes);

    public static ReloadResult Failure(string error)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return new ReloadResult(error, []);
    }
}
