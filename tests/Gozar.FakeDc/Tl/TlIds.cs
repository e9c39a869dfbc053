namespace Gozar.FakeDc.Tl;

/// <summary>Constructor ids of the MTProto and API types the fake DC reads or writes (schema names in comments).</summary>
public static class TlIds
{
    public const uint Vector = 0x1cb5c415;
    public const uint BoolTrue = 0x997275b5;
    public const uint BoolFalse = 0xbc799737;

    // Unencrypted key exchange.
    public const uint ReqPqMulti = 0xbe7e8ef1;
    public const uint ReqPq = 0x60469778;
    public const uint ResPq = 0x05162463;
    public const uint PqInnerData = 0x83c95aec;
    public const uint PqInnerDataDc = 0xa9f55f95;
    public const uint PqInnerDataTemp = 0x3c6a84d4;
    public const uint PqInnerDataTempDc = 0x56fddf88;
    public const uint ReqDhParams = 0xd712e4be;
    public const uint ServerDhParamsOk = 0xd0e8075c;
    public const uint ServerDhInnerData = 0xb5890dba;
    public const uint SetClientDhParams = 0xf5045f1f;
    public const uint ClientDhInnerData = 0x6643b654;
    public const uint DhGenOk = 0x3bcbf734;

    // Service messages.
    public const uint MsgContainer = 0x73f1f8dc;
    public const uint GzipPacked = 0x3072cfa1;
    public const uint MsgsAck = 0x62d6b459;
    public const uint RpcResult = 0xf35c6d01;
    public const uint RpcError = 0x2144ca19;
    public const uint Ping = 0x7abe77ec;
    public const uint PingDelayDisconnect = 0xf3427b8c;
    public const uint Pong = 0x347773c5;
    public const uint GetFutureSalts = 0xb921bd04;
    public const uint FutureSalts = 0xae500895;
    public const uint NewSessionCreated = 0x9ec20908;
    public const uint BadServerSalt = 0xedab447b;
    public const uint BadMsgNotification = 0xa7eff811;

    // Wrappers around API calls.
    public const uint InvokeWithLayer = 0xda9b0d0d;
    public const uint InitConnection = 0xc1cd5ea9;
    public const uint InvokeWithoutUpdates = 0xbf9459b7;
    public const uint InvokeAfterMsg = 0xcb9f372d;
    public const uint InputClientProxy = 0x75588b3f;
    public const uint JsonNull = 0x3f6d7b68;
    public const uint JsonBool = 0xc7345e6a;
    public const uint JsonNumber = 0x2be0dfa4;
    public const uint JsonString = 0xb71e767a;
    public const uint JsonArray = 0xf7444763;
    public const uint JsonObject = 0x99c1d49d;
    public const uint JsonObjectValue = 0xc0de1bd9;

    // API calls and their results.
    public const uint HelpGetConfig = 0xc4f9186b;

    /// <summary>config as of layer 144 (Telethon 1.25).</summary>
    public const uint ConfigLayer144 = 0x330b4067;

    /// <summary>config as of layer 198 (GramJS 2.26).</summary>
    public const uint ConfigLayer198 = 0xcc1a241e;

    public const uint DcOption = 0x18b7a10d;
    public const uint UploadSaveFilePart = 0xb304a621;
    public const uint UploadSaveBigFilePart = 0xde7b673d;
    public const uint UploadGetFile = 0xbe5335be;
    public const uint UploadFile = 0x096a18d5;
    public const uint StorageFilePartial = 0x40bc6f52;
    public const uint InputDocumentFileLocation = 0xbad07584;
}
