namespace Gozar.Configuration;

/// <summary>An edit of the config file: written, or one line saying why not (and nothing was written).</summary>
public sealed record ConfigEditResult
{
    private ConfigEditResult(string? error, bool notFound, bool exists = false)
    {
        Error = error;
        NotFound = notFound;
        Exists = exists;
    }

    public bool Succeeded => Error is null;

    /// <summary>One line naming the key and the problem; never contains a secret.</summary>
    public string? Error { get; }

    /// <summary>The edit named a user that is not in the file.</summary>
    public bool NotFound { get; }

    /// <summary>The edit would add a user that the file already has.</summary>
    public bool Exists { get; }

    public static ConfigEditResult Success { get; } = new(null, false);

    public static ConfigEditResult Failure(string error) => new(error, false);

    public static ConfigEditResult Missing(string error) => new(error, true);

    public static ConfigEditResult Taken(string error) => new(error, false, exists: true);
}
