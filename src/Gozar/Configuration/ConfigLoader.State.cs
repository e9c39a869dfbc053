namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    private const string StateFileSuffix = ".state.json";

    private static readonly string[] StateKeys = ["file", "save_interval"];

    private static StateOptions BindState(ConfigTable state, string? configPath)
    {
        state.RejectUnknownKeys(StateKeys);
        var defaults = new StateOptions();
        var directory = configPath is null ? null : Path.GetDirectoryName(Path.GetFullPath(configPath));
        string? file = null;
        if (state.String("file") is { } named)
        {
            if (named.Length == 0 || named.Contains('\0', StringComparison.Ordinal))
            {
                state.Fail("file", "must be a file path, e.g. \"/var/lib/gozar/state.json\"");
            }
            else
            {
                file = directory is null || Path.IsPathRooted(named) ? named : Path.Combine(directory, named);
            }
        }
        else if (configPath is not null)
        {
            file = Path.Combine(directory!, Path.GetFileNameWithoutExtension(configPath) + StateFileSuffix);
        }

        return new StateOptions
        {
            File = file,
            SaveInterval = state.Duration("save_interval", defaults.SaveInterval, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        };
    }
}
