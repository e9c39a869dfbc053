namespace Gozar.Protocol.FakeTls;

/// <summary>State of the client's tunnel record stream (spec §5.7). Every failure ends the connection.</summary>
public enum TlsRecordStatus
{
    Ok,

    /// <summary>The client sent an alert record (0x15).</summary>
    Alert,

    /// <summary>A record type other than ChangeCipherSpec (0x14) or ApplicationData (0x17).</summary>
    UnexpectedRecordType,

    /// <summary>A record version other than <c>03 03</c>.</summary>
    BadVersion,

    /// <summary>A payload length above 16384 + 256.</summary>
    RecordTooLong,

    /// <summary>A ChangeCipherSpec record whose payload is not exactly the byte 0x01.</summary>
    BadChangeCipherSpec,
}
