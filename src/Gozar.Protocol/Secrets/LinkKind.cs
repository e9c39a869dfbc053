namespace Gozar.Protocol.Secrets;

/// <summary>The two equivalent link forms of spec §1.3.</summary>
public enum LinkKind
{
    /// <summary><c>tg://proxy?…</c>, opened by an installed app.</summary>
    Tg,

    /// <summary><c>https://t.me/proxy?…</c>, which also works from a browser.</summary>
    TMe,
}
