using Gozar.Configuration;

namespace Gozar.Users;

/// <summary>The configured users in one fixed order: the protocol layer reports a matching key by its index here.</summary>
public sealed class UserDirectory
{
    private readonly byte[][] _keys;
    private readonly string[] _names;
    private readonly byte[]?[] _adTags;

    public UserDirectory(IReadOnlyList<UserOptions> users)
    {
        _keys = new byte[users.Count][];
        _names = new string[users.Count];
        _adTags = new byte[]?[users.Count];
        for (var i = 0; i < users.Count; i++)
        {
            _keys[i] = users[i].Secret;
            _names[i] = users[i].Name;
            _adTags[i] = users[i].AdTag;
        }
    }

    public ReadOnlySpan<byte[]> Keys => _keys;

    public string NameOf(int index) => _names[index];

    /// <summary>The user's own ad tag, or null (then the global one applies).</summary>
    public byte[]? AdTagOf(int index) => _adTags[index];
}
