using System.Buffers;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Unicode;
using Tomlyn;
using Tomlyn.Model;
using Tomlyn.Parsing;

namespace Gozar.Configuration;

/// <summary>Reads TOML text into validated <see cref="ProxyOptions"/>; every failure is a value naming the key.</summary>
/// <remarks>
/// Binding is by hand from the untyped TOML model: it stays NativeAOT-friendly, and every unknown
/// key can be reported with its full dotted path. Validation is syntax only: no DNS lookups, no
/// sockets ("port in use" is the listener's business).
/// </remarks>
public static partial class ConfigLoader
{
    private static readonly string[] RootKeys =
        ["listen", "public_host", "log_level", "log_client_ips", "modes", "tls", "users", "upstream", "timeouts", "limits", "state", "proxy_protocol", "admin"];

    private static readonly string[] ModeKeys = ["classic", "secure", "tls"];

    private static readonly (string Name, LogLevelOption Level)[] LogLevels =
    [
        ("trace", LogLevelOption.Trace),
        ("debug", LogLevelOption.Debug),
        ("information", LogLevelOption.Information),
        ("warning", LogLevelOption.Warning),
        ("error", LogLevelOption.Error),
    ];

    public static ConfigLoadResult Load(string tomlText) => Load(tomlText, configPath: null);

    /// <param name="configPath">Where the text came from: relative paths in it (state.file) start from its directory, and
    /// the state file defaults to sit next to it. Null: no state file unless state.file names one.</param>
    public static ConfigLoadResult Load(string tomlText, string? configPath)
    {
        ArgumentNullException.ThrowIfNull(tomlText);
        TomlTable model;
        try
        {
            SyntaxParser.ParseStrict(tomlText, sourceName: null, validate: true);
            model = TomlSerializer.Deserialize(tomlText, TomlModelContext.Default.TomlTable) ?? [];
        }
        catch (TomlException exception)
        {
            return ConfigLoadResult.Failure(ConfigText.Redact(SyntaxError(exception)));
        }
        catch (ArgumentException)
        {
            // Tomlyn throws while spelling its own message about a backslash that the end of the text cuts off.
            return ConfigLoadResult.Failure("TOML syntax error: the text ends inside an escape sequence of a string");
        }

        var problems = new ConfigProblems();
        var options = Bind(ConfigTable.Root(model, problems), configPath);
        return problems.First is { } problem
            ? ConfigLoadResult.Failure(ConfigText.Redact(problem))
            : ConfigLoadResult.Success(options);
    }

    public static ConfigLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            return ConfigLoadResult.Failure("config file path is empty");
        }

        if (Directory.Exists(path))
        {
            // Reading a directory fails with "access denied", which sends even root looking at permissions.
            return ConfigLoadResult.Failure($"'{path}' is a directory, not a config file");
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            return ConfigLoadResult.Failure($"config file '{path}' not found");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return ConfigLoadResult.Failure($"cannot read config file '{path}': {exception.Message}");
        }

        if (NotUtf8Line(bytes) is { } line)
        {
            // Tomlyn would call a stray Latin-1 byte an "invalid UTF-16 surrogate sequence", which names no cause.
            return ConfigLoadResult.Failure(string.Create(
                CultureInfo.InvariantCulture, $"{path}: line {line} is not UTF-8 text (save the file as UTF-8)"));
        }

        var result = Load(Encoding.UTF8.GetString(bytes.AsSpan(Utf8Bom(bytes))), path);
        return result.Succeeded ? result : ConfigLoadResult.Failure($"{path}: {result.Error}");
    }

    private static int Utf8Bom(byte[] bytes) => bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;

    /// <summary>The 1-based line of the first byte that is not UTF-8, or null when the whole text is.</summary>
    private static int? NotUtf8Line(byte[] bytes)
    {
        var text = bytes.AsSpan(Utf8Bom(bytes));
        if (Utf8.IsValid(text))
        {
            return null;
        }

        var valid = 0;
        while (Rune.DecodeFromUtf8(text[valid..], out _, out var consumed) == OperationStatus.Done)
        {
            valid += consumed;
        }

        return text[..valid].Count((byte)'\n') + 1;
    }

    private static string SyntaxError(TomlException exception)
    {
        if (exception.Diagnostics is { Count: > 0 } diagnostics)
        {
            var first = diagnostics[0];
            return string.Create(
                CultureInfo.InvariantCulture,
                $"TOML syntax error at line {first.Span.Start.Line + 1}, column {first.Span.Start.Column + 1}: {WithoutKeyMaterial(ConfigText.OneLine(first.Message))}");
        }

        var firstLine = exception.Message.Split('\n', 2)[0].Trim();
        return $"TOML syntax error: {WithoutKeyMaterial(ConfigText.OneLine(firstLine))}";
    }

    /// <summary>
    /// Tomlyn quotes the token it stumbled on, which in a broken users table can be part of a secret: long runs of hex
    /// digits and long base64url-like words become "…".
    /// </summary>
    private static string WithoutKeyMaterial(string message) => KeyMaterial().Replace(message, "…");

    [System.Text.RegularExpressions.GeneratedRegex("[0-9A-Fa-f]{8,}|(?=[A-Za-z_-]*[0-9])[A-Za-z0-9_-]{16,}")]
    private static partial System.Text.RegularExpressions.Regex KeyMaterial();

    private static ProxyOptions Bind(ConfigTable root, string? configPath)
    {
        root.RejectUnknownKeys(RootKeys);
        var listen = BindListen(root);
        var publicHost = BindPublicHost(root);
        var log = BindLog(root);
        var modes = BindModes(root.Table("modes"));
        var tls = BindTls(root.Table("tls"), modes.Tls);
        var users = BindUsers(root);
        var upstream = BindUpstream(root.Table("upstream"));
        var timeouts = BindTimeouts(root.Table("timeouts"));
        var limits = BindLimits(root.Table("limits"));
        var state = BindState(root.Table("state"), configPath);
        var proxyProtocol = BindProxyProtocol(root.Table("proxy_protocol"), listen);
        var admin = BindAdmin(root);
        return new ProxyOptions
        {
            Listen = listen,
            PublicHost = publicHost,
            Modes = modes,
            Tls = tls,
            Users = users,
            Upstream = upstream,
            Timeouts = timeouts,
            Limits = limits,
            Log = log,
            State = state,
            ProxyProtocol = proxyProtocol,
            Admin = admin,
        };
    }

    private static List<IPEndPoint> BindListen(ConfigTable root)
    {
        var endPoints = new List<IPEndPoint>();
        var addresses = root.StringArray("listen");
        if (addresses is null)
        {
            if (!root.Contains("listen"))
            {
                root.Fail("listen", "required, e.g. listen = [\"0.0.0.0:443\", \"[::]:443\"]");
            }

            return endPoints;
        }

        if (addresses.Count == 0)
        {
            root.Fail("listen", "needs at least one address, e.g. [\"0.0.0.0:443\"]");
        }

        for (var i = 0; i < addresses.Count; i++)
        {
            var path = ConfigText.Index(root.PathOf("listen"), i);
            if (HostSyntax.TryParseIPEndPoint(addresses[i], out var endPoint) is { } problem)
            {
                root.FailAt(path, $"{ConfigText.Show(addresses[i])} {problem}");
            }
            else if (endPoints.Contains(endPoint))
            {
                root.FailAt(path, $"{ConfigText.Show(addresses[i])} is listed twice");
            }
            else
            {
                endPoints.Add(endPoint);
            }
        }

        return endPoints;
    }

    private static string? BindPublicHost(ConfigTable root)
    {
        var text = root.String("public_host");
        if (text is null)
        {
            return null;
        }

        // Links carry IPv6 literals bare, so brackets the operator may add around one are dropped.
        string? host = null;
        if (text.Length > 2 && text[0] == '[' && text[^1] == ']')
        {
            if (HostSyntax.TryParseIPv6(text[1..^1], out var address))
            {
                host = address.ToString();
            }
        }
        else if (HostSyntax.TryNormalizeHost(text, out var normalized))
        {
            host = normalized;
        }

        if (host is null)
        {
            root.Fail("public_host", $"{ConfigText.Show(text)} {HostSyntax.BadHost} (write it without port or scheme)");
        }

        return host;
    }

    private static LogOptions BindLog(ConfigTable root)
    {
        var level = LogLevelOption.Information;
        if (root.String("log_level") is { } name)
        {
            var index = Array.FindIndex(LogLevels, known => known.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                root.Fail("log_level", $"{ConfigText.Show(name)} is not one of trace, debug, information, warning, error");
            }
            else
            {
                level = LogLevels[index].Level;
            }
        }

        return new LogOptions { Level = level, ClientIps = root.Boolean("log_client_ips", false) };
    }

    private static ModeOptions BindModes(ConfigTable modes)
    {
        modes.RejectUnknownKeys(ModeKeys);
        var result = new ModeOptions(
            Classic: modes.Boolean("classic", false),
            Secure: modes.Boolean("secure", false),
            Tls: modes.Boolean("tls", true));
        if (!result.Classic && !result.Secure && !result.Tls)
        {
            modes.FailAt(modes.Path, "at least one of classic, secure, tls must be true");
        }

        return result;
    }
}
