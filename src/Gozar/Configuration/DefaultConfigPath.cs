namespace Gozar.Configuration;

/// <summary>
/// Where the config file is looked for: the --config value if given, else $GOZAR_CONFIG, else
/// ./gozar.toml if it exists, else $XDG_CONFIG_HOME/gozar/gozar.toml (XDG base-directory rules:
/// only an absolute value counts), else ~/.config/gozar/gozar.toml.
/// </summary>
public static class DefaultConfigPath
{
    public const string FileName = "gozar.toml";
    public const string EnvironmentVariable = "GOZAR_CONFIG";

    private const string AppDirectory = "gozar";

    /// <summary>The path for this process: real environment, working directory and file system.</summary>
    public static string Resolve(string? configOption) =>
        Resolve(
            configOption,
            Environment.GetEnvironmentVariable,
            Environment.CurrentDirectory,
            Environment.GetFolderPath(Environment.SpecialFolder.UserProfile),
            File.Exists);

    /// <summary>Pure form of <see cref="Resolve(string?)"/>: every outside input is a parameter.</summary>
    public static string Resolve(
        string? configOption,
        Func<string, string?> getEnvironmentVariable,
        string currentDirectory,
        string homeDirectory,
        Func<string, bool> fileExists)
    {
        ArgumentNullException.ThrowIfNull(getEnvironmentVariable);
        ArgumentNullException.ThrowIfNull(currentDirectory);
        ArgumentNullException.ThrowIfNull(homeDirectory);
        ArgumentNullException.ThrowIfNull(fileExists);

        if (configOption is not null)
        {
            return configOption;
        }

        if (getEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var local = Path.Combine(currentDirectory, FileName);
        if (fileExists(local))
        {
            return local;
        }

        var configHome = getEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(homeDirectory, ".config");
        return Path.Combine(configHome, AppDirectory, FileName);
    }
}
