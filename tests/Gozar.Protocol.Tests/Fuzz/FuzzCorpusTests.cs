using Gozar.Fuzz;

namespace Gozar.Protocol.Tests.Fuzz;

/// <summary>Every file of fuzz/corpus (the seeds, and any crash kept after its fix) through its fuzz target.</summary>
public class FuzzCorpusTests
{
    private static readonly string CorpusRoot = Path.Combine(RepositoryRoot(), "fuzz", "corpus");

    public static TheoryData<string, string> CorpusFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var directory in Directory.GetDirectories(CorpusRoot).Order(StringComparer.Ordinal))
        {
            foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(directory), Path.GetFileName(file));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void Target_CorpusFile_ReturnsWithoutThrowing(string target, string file)
    {
        var run = FuzzTargets.Find(target);
        Assert.NotNull(run);

        var exception = Record.Exception(() => run(File.ReadAllBytes(Path.Combine(CorpusRoot, target, file))));

        Assert.Null(exception);
    }

    [Fact]
    public void Corpus_EveryTarget_HasSeedsAndNoDirectoryIsUnknown()
    {
        var directories = Directory.GetDirectories(CorpusRoot).Select(Path.GetFileName).Order(StringComparer.Ordinal);

        Assert.Equal(FuzzTargets.Names.Order(StringComparer.Ordinal), directories);
        Assert.All(FuzzTargets.Names, name => Assert.NotEmpty(Directory.GetFiles(Path.Combine(CorpusRoot, name))));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Gozar.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Gozar.sln not found above the test binaries.");
    }
}
