namespace Gozar.Configuration;

/// <summary>
/// Keeps the first problem found while binding. Later problems are usually consequences of the
/// first, so the operator sees one root cause; binding code keeps going on defaults and stays
/// free of error plumbing.
/// </summary>
internal sealed class ConfigProblems
{
    public string? First { get; private set; }

    public bool Any => First is not null;

    /// <summary>A problem with the value at <paramref name="path"/>: "path: problem".</summary>
    public void Add(string path, string problem) => First ??= $"{path}: {problem}";

    /// <summary>A message that already names its key and reads best without a "path:" prefix.</summary>
    public void AddMessage(string message) => First ??= message;
}
