namespace Gozar.Tests.Infrastructure;

/// <summary>
/// Tests that count this process's open descriptors or memory: they run alone, after the parallel classes, because
/// every other test's sockets and nginx pipes count too.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "process-wide";
}
