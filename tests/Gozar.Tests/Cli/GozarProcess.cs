using System.Diagnostics;

namespace Gozar.Tests.Cli;

/// <summary>
/// A gozar child process (`dotnet gozar.dll …`, or under a wrapper such as setpriv) whose standard output and error
/// are collected line by line; killed with its children on dispose if still running.
/// </summary>
internal sealed class GozarProcess : IDisposable
{
    private readonly System.Text.StringBuilder _output = new();

    private GozarProcess(Process process) => Process = process;

    public Process Process { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Writes a config for one loopback listener with alice's secret, a closed mask port and every DC at
    /// <paramref name="dcPort"/>, plus <paramref name="extra"/> TOML at the end; returns its path.
    /// </summary>
    public static async Task<string> WriteConfigAsync(string directory, int port, int dcPort, string extra = "")
    {
        var config = Path.Combine(directory, "gozar.toml");
        await File.WriteAllTextAsync(config, $"""
            listen = ["127.0.0.1:{port}"]
            [tls]
            domains = ["{Infrastructure.TestProxy.Domain}"]
            mask_host = "127.0.0.1:9"
            [users]
            alice = "{Convert.ToHexStringLower(Infrastructure.TestProxy.AliceKey)}"
            [upstream.dc_overrides]
            "*" = "127.0.0.1:{dcPort}"

            """ + extra);
        return config;
    }

    /// <summary>`dotnet <paramref name="assembly"/> <paramref name="arguments"/>`.</summary>
    public static GozarProcess Start(string assembly, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet");
        info.ArgumentList.Add(assembly);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Start(info);
    }

    /// <summary>The program, arguments and environment of <paramref name="info"/>, with its output collected.</summary>
    public static GozarProcess Start(ProcessStartInfo info)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var gozar = new GozarProcess(new Process { StartInfo = info });
        gozar.Process.OutputDataReceived += (_, e) => gozar.Append(e.Data);
        gozar.Process.ErrorDataReceived += (_, e) => gozar.Append(e.Data);
        gozar.Process.Start();
        gozar.Process.BeginOutputReadLine();
        gozar.Process.BeginErrorReadLine();
        return gozar;
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Waits (30 s at most) until the output holds <paramref name="text"/>; fails with the output if the process exits first.</summary>
    public async Task WaitForOutputAsync(string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            Assert.False(Process.HasExited, Output);
            await Task.Delay(20, timeout.Token);
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
        }

        Process.Dispose();
    }
}
