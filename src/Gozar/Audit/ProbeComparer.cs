using System.Buffers.Binary;
using System.Text;

namespace Gozar.Audit;

/// <summary>
/// Tells whether a prober could tell the proxy from the real site by a probe's answer. Compared: the answer's
/// shape (TLS records by type, version and length; HTTP status line, headers but Date, and body; anything else byte
/// for byte), how the connection ended, and when.
/// </summary>
public static class ProbeComparer
{
    // ECDSA signatures and the like make encrypted handshake records vary by a few bytes between connections.
    private const int EncryptedRecordSlack = 16;
    private const double TimingRelativeSlack = 0.15;

    /// <summary>Null when the two look the same, else one line saying how they differ.</summary>
    public static string? Difference(ProbeObservation proxy, ProbeObservation mask, TimeSpan timingSlack)
    {
        var proxyShape = Shape(proxy.Received);
        var maskShape = Shape(mask.Received);
        if (!SameShape(proxyShape, maskShape))
        {
            return $"answer differs: proxy {Describe(proxyShape)}, mask {Describe(maskShape)}";
        }

        if (proxy.Close != mask.Close)
        {
            return $"closing differs: proxy {proxy.Close} after {Seconds(proxy.Elapsed)}, mask {mask.Close} after {Seconds(mask.Elapsed)}";
        }

        if (mask.Close != CloseKind.Open)
        {
            var allowed = timingSlack + TimeSpan.FromTicks((long)(Math.Max(proxy.Elapsed.Ticks, mask.Elapsed.Ticks) * TimingRelativeSlack));
            if ((proxy.Elapsed - mask.Elapsed).Duration() > allowed)
            {
                return $"timing differs: proxy closed ({proxy.Close}) after {Seconds(proxy.Elapsed)}, mask after {Seconds(mask.Elapsed)}";
            }
        }

        return null;
    }

    private static string Seconds(TimeSpan t) => FormattableString.Invariant($"{t.TotalSeconds:0.00}s");

    private abstract record AnswerShape;

    private sealed record TlsShape(IReadOnlyList<(byte Type, ushort Version, int Length)> Records, int TrailingBytes) : AnswerShape;

    private sealed record HttpShape(string Head, byte[] Body) : AnswerShape;

    private sealed record RawShape(byte[] Bytes) : AnswerShape;

    private static AnswerShape Shape(byte[] data)
    {
        if (data.Length >= 5 && data[0] is >= 0x14 and <= 0x17 && data[1] == 0x03)
        {
            var records = new List<(byte, ushort, int)>();
            var position = 0;
            while (data.Length - position >= 5)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 3));
                if (data.Length - position - 5 < length)
                {
                    break;
                }

                records.Add((data[position], BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(position + 1)), length));
                position += 5 + length;
            }

            return new TlsShape(records, data.Length - position);
        }

        var text = Encoding.Latin1.GetString(data);
        if (text.StartsWith("HTTP/", StringComparison.Ordinal))
        {
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var head = end < 0 ? text : text[..end];
            var lines = head.Split("\r\n").Where(l => !l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase));
            return new HttpShape(string.Join("\n", lines), end < 0 ? [] : data[(end + 4)..]);
        }

        return new RawShape(data);
    }

    private static bool SameShape(AnswerShape a, AnswerShape b) => (a, b) switch
    {
        (TlsShape x, TlsShape y) => x.TrailingBytes == y.TrailingBytes && x.Records.Count == y.Records.Count &&
            x.Records.Zip(y.Records).All(p => p.First.Type == p.Second.Type && p.First.Version == p.Second.Version &&
                (p.First.Type == 0x17 ? Math.Abs(p.First.Length - p.Second.Length) <= EncryptedRecordSlack : p.First.Length == p.Second.Length)),
        (HttpShape x, HttpShape y) => x.Head == y.Head && x.Body.AsSpan().SequenceEqual(y.Body),
        (RawShape x, RawShape y) => x.Bytes.AsSpan().SequenceEqual(y.Bytes),
        _ => false,
    };

    private static string Describe(AnswerShape shape) => shape switch
    {
        TlsShape tls => $"TLS records [{string.Join(", ", tls.Records.Select(r => $"{r.Type:x2} {r.Version:x4} len {r.Length}"))}]"
            + (tls.TrailingBytes > 0 ? $" + {tls.TrailingBytes} bytes" : string.Empty),
        HttpShape http => $"HTTP '{http.Head.Split('\n')[0]}' ({http.Body.Length} body bytes)",
        RawShape { Bytes.Length: 0 } => "nothing",
        RawShape raw => $"{raw.Bytes.Length} bytes {Convert.ToHexStringLower(raw.Bytes.AsSpan(0, Math.Min(16, raw.Bytes.Length)))}…",
        _ => "?",
    };
}
