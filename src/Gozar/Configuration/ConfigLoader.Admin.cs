namespace Gozar.Configuration;

public static partial class ConfigLoader
{
    /// <summary>Shorter tokens are guessable; `gozar run` generates 43 characters (32 random bytes).</summary>
    public const int MinAdminTokenLength = 16;

    private const int MaxAdminTokenLength = 256;

    private static readonly string[] AdminKeys = ["listen", "token"];

    private static AdminOptions? BindAdmin(ConfigTable root)
    {
        if (!root.Contains("admin"))
        {
            return null;
        }

        var admin = root.Table("admin");
        admin.RejectUnknownKeys(AdminKeys);
        var listen = AdminOptions.DefaultListen;
        if (admin.String("listen") is { } text)
        {
            if (HostSyntax.TryParseIPEndPoint(text, out var endPoint) is { } problem)
            {
                admin.Fail("listen", $"{ConfigText.Show(text)} {problem}");
            }
            else
            {
                listen = endPoint;
            }
        }

        // The token is never echoed: it is a credential.
        var token = admin.String("token");
        if (token is not null && !IsAdminToken(token))
        {
            admin.Fail("token", $"must be {MinAdminTokenLength}..{MaxAdminTokenLength} printable ASCII characters without spaces");
            token = null;
        }
        else if (token is null && !System.Net.IPAddress.IsLoopback(listen.Address))
        {
            admin.Fail("token", $"required when the admin listener is not on loopback ({listen}): anyone who reaches it could manage users");
        }

        return new AdminOptions { Listen = listen, Token = token };
    }

    private static bool IsAdminToken(string token)
    {
        if (token.Length is < MinAdminTokenLength or > MaxAdminTokenLength)
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
