namespace Gozar.FakeDc.Tl;

/// <summary>A peer sent bytes that are not the TL the fake DC expects; the connection is dropped and the reason recorded.</summary>
public sealed class TlException : Exception
{
    public TlException()
    {
    }

    public TlException(string message)
        : base(message)
    {
    }

    public TlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
