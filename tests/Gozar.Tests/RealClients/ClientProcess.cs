using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Gozar.Tests.RealClients;

/// <summary>One run of a client driver script: its exit code, its JSON step lines and what it wrote to stderr.</summary>
internal sealed record ClientRun(int ExitCode, IReadOnlyList<JsonElement> Steps, string Stdout, string Stderr, TimeSpan Elapsed)
{
    public JsonElement? Step(string name)
    {
        foreach (var step in Steps)
        {
            if (step.TryGetProperty("step", out var value) && value.GetString() == name)
            {
                return step;
            }
        }

        return null;
    }

    public static async Task<ClientRun> StartAsync(string fileName, IReadOnlyList<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        int exitCode;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            exitCode = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            exitCode = -1;
        }

        var output = await stdout;
        var errors = await stderr;
        if (exitCode == -1)
        {
            errors += $"{Environment.NewLine}(killed after {timeout.TotalSeconds} s)";
        }

        return new ClientRun(exitCode, ParseSteps(output), output, errors, clock.Elapsed);
    }

    private static List<JsonElement> ParseSteps(string output)
    {
        var steps = new List<JsonElement>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith('{'))
            {
                try
                {
                    steps.Add(JsonDocument.Parse(line).RootElement.Clone());
                }
                catch (JsonException)
                {
                }
            }
        }

        return steps;
    }

    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"exit code {ExitCode} after {Elapsed.TotalSeconds:0.0} s");
        text.AppendLine("stdout:").AppendLine(Stdout);
        text.AppendLine("stderr (last 4000 chars):").AppendLine(Stderr.Length > 4000 ? Stderr[^4000..] : Stderr);
        return text.ToString();
    }
}
