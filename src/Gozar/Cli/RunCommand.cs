using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Gozar.Admin;
using Gozar.Configuration;
using Gozar.Diagnostics;
using Gozar.Hosting;
using Gozar.Listening;
using Gozar.Sessions;
using Microsoft.Extensions.Logging;

namespace Gozar.Cli;

/// <summary>`gozar run`: load (or create) the config, bind every listener, print the links, serve until stopped.</summary>
public static class RunCommand
{
    /// <summary>The TLS domain a fresh config uses until the operator picks a site near their server.</summary>
    public const string DefaultTlsDomain = "www.microsoft.com";
    public const int DefaultPort = 8443;

    public static Task<int> RunAsync(string? configOption, TextWriter output, TextWriter errors, CancellationToken stopping) =>
        RunAsync(configOption, output, errors, ChooseFreshPort, stopping);

    /// <param name="freshPort">Picks the port of a config created because none exists.</param>
    public static async Task<int> RunAsync(
        string? configOption, TextWriter output, TextWriter errors, Func<int> freshPort, CancellationToken stopping)
    {
        var path = DefaultConfigPath.Resolve(configOption);
        // An empty --config or a directory is the operator's typo: report it rather than write a config there.
        if (path.Length > 0 && !File.Exists(path) && !Directory.Exists(path))
        {
            var created = CreateFreshConfig(path, freshPort(), errors);
            if (!created)
            {
                return ExitCodes.BadConfig;
            }

            output.WriteLine($"Wrote a new configuration with a fresh secret to {path}");
        }

        var loaded = ConfigLoader.LoadFile(path);
        if (!loaded.Succeeded)
        {
            errors.WriteLine($"gozar: {loaded.Error}");
            return ExitCodes.BadConfig;
        }

        var options = loaded.Options;
        if (options.Admin is { Token: null } tokenless)
        {
            var token = AdminToken.Generate();
            if (!TryWriteAdminToken(path, token, errors))
            {
                return ExitCodes.BadConfig;
            }

            options = options with { Admin = tokenless with { Token = token } };
            output.WriteLine($"Wrote a new admin token to {path} (admin.token)");
        }

        using var loggers = Logging.CreateFactory(options.Log.Level);
        if (DescriptorCheck.RaiseSoftLimit() is { } raised)
        {
            Log.DescriptorLimitRaised(loggers.CreateLogger("Gozar"), raised.Before, raised.After);
        }

        var environment = new ProxyEnvironment(loggers) { Descriptors = DescriptorCheck.Measure() };
        var server = ProxyServer.TryStart(options, environment, out var bindError);
        if (server is null)
        {
            errors.WriteLine($"gozar: {bindError}");
            return ExitCodes.BadConfig;
        }

        AdminServer? admin = null;
        if (options.Admin is { } adminOptions)
        {
            (admin, var adminError) = await AdminServer.StartAsync(adminOptions, server, loggers, stopping).ConfigureAwait(false);
            if (admin is null)
            {
                errors.WriteLine($"gozar: {adminError}");
                await server.DisposeAsync().ConfigureAwait(false);
                return ExitCodes.BadConfig;
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using var stopNow = new CancellationTokenSource();
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, stop, stopNow));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, stop, stopNow));
        await using (server.ConfigureAwait(false))
        {
            using var reloader = new ConfigReloader(path, server, TimeProvider.System);
            reloader.Watch();
            using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, signal =>
            {
                signal.Cancel = true;
                reloader.RequestReload();
            });
            LinkCommand.WriteAll(output, options, userName: null, withQr: false);
            if (admin is not null)
            {
                output.WriteLine($"Admin API, web page and metrics: http://{admin.EndPoint}/ (token: admin.token in {path})");
            }

            output.WriteLine("Gozar is running. Press Ctrl+C to stop.");
            output.Flush();
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            var drain = server.Context.Options.Timeouts.Drain;
            output.WriteLine($"Stopping: open sessions have {drain.TotalSeconds:0}s to finish (signal again to stop now).");
            output.Flush();
            if (admin is not null)
            {
                await admin.DisposeAsync().ConfigureAwait(false);
            }

            await server.StopAsync(drain, stopNow.Token).ConfigureAwait(false);
        }

        return ExitCodes.Ok;
    }

    /// <summary>The first signal starts a graceful stop; a second one closes every session at once.</summary>
    private static void Stop(PosixSignalContext signal, CancellationTokenSource stop, CancellationTokenSource stopNow)
    {
        signal.Cancel = true;
        if (stop.IsCancellationRequested)
        {
            stopNow.Cancel();
        }
        else
        {
            stop.Cancel();
        }
    }

    /// <summary>8443 unless something already listens there; then the next free port above it.</summary>
    public static int ChooseFreshPort() => ChooseFreePort(System.Net.IPAddress.Any, DefaultPort);

    /// <summary><paramref name="first"/> unless something already listens there; then the next free port above it.</summary>
    private static int ChooseFreePort(System.Net.IPAddress address, int first)
    {
        for (var port = first; port < first + 100; port++)
        {
            try
            {
                using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                probe.Bind(new System.Net.IPEndPoint(address, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        return first;
    }

    /// <summary>An [admin] section without a token gets one, written into the file under its header.</summary>
    private static bool TryWriteAdminToken(string path, string token, TextWriter errors)
    {
        try
        {
            var text = AdminTokenWriter.Insert(File.ReadAllText(path), token);
            if (text is null)
            {
                errors.WriteLine($"gozar: {path}: admin.token is not set and the file has no [admin] line to add it under; set one (16+ characters)");
                return false;
            }

            AdminTokenWriter.WriteAtomically(path, text);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"gozar: cannot write the new admin token into {path}: {e.Message}");
            return false;
        }
    }

    private static bool CreateFreshConfig(string path, int port, TextWriter errors)
    {
        var key = RandomNumberGenerator.GetBytes(16);
        try
        {
            var text = ConfigWriter.CreateDefault(
                key, DefaultTlsDomain, port, Socket.OSSupportsIPv6, AdminToken.Generate(),
                ChooseFreePort(System.Net.IPAddress.Loopback, AdminOptions.DefaultListen.Port));
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }

            PrivateFile.Write(path, path + ".tmp", text, overwrite: false);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"gozar: cannot write a new configuration to {path}: {e.Message}");
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }
}

public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadConfig = 2;
}
