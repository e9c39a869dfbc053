using Gozar.FakeDc.Messages;
using Gozar.FakeDc.Tl;

namespace Gozar.FakeDc.Rpc;

/// <summary>
/// Answers the API calls of an anonymous session: the invoke wrappers are unwrapped, help.getConfig gets a loopback
/// config, uploads are stored and read back; every other method gets 401 AUTH_KEY_UNREGISTERED, as a real DC answers
/// a key that never signed in.
/// </summary>
internal sealed class ApiHandler
{
    private const int MaxPartSize = 512 * 1024;
    private const int MaxGetFileLimit = 1024 * 1024;
    private const int GetFileAlignment = 4096;
    private const int PreciseAlignment = 1024;
    private const int GetFileBlock = 1024 * 1024;

    private readonly FileStore _files;
    private readonly DcEvents _events;
    private readonly int _thisDc;
    private readonly int _port;
    private readonly TimeProvider _time;

    public ApiHandler(FileStore files, DcEvents events, int thisDc, int port, TimeProvider time)
    {
        _files = files;
        _events = events;
        _thisDc = thisDc;
        _port = port;
        _time = time;
    }

    /// <summary>The result object of one call, to go into rpc_result.</summary>
    public byte[] Invoke(ReadOnlySpan<byte> call, AuthKey key)
    {
        try
        {
            var reader = new TlReader(call);
            return Invoke(ref reader, key);
        }
        catch (TlException e)
        {
            _events.Problem("unreadable API call: " + e.Message);
            return Error(400, "INPUT_REQUEST_INVALID");
        }
    }

    public static byte[] Error(int code, string message) =>
        new TlWriter().UInt32(TlIds.RpcError).Int32(code).String(message).ToArray();

    private byte[] Invoke(ref TlReader reader, AuthKey key)
    {
        var constructor = reader.ReadConstructor();
        switch (constructor)
        {
            case TlIds.InvokeWithLayer:
                key.Layer = reader.ReadInt32();
                _events.Handled($"invokeWithLayer {key.Layer}");
                return Invoke(ref reader, key);
            case TlIds.InitConnection:
                SkipInitConnection(ref reader);
                _events.Handled("initConnection");
                return Invoke(ref reader, key);
            case TlIds.InvokeWithoutUpdates:
                return Invoke(ref reader, key);
            case TlIds.InvokeAfterMsg:
                reader.ReadInt64();
                return Invoke(ref reader, key);
            case TlIds.HelpGetConfig:
                _events.Handled($"help.getConfig (layer {key.Layer})");
                return ConfigBuilder.Build(key.Layer, _thisDc, _port, _time.GetUtcNow());
            case TlIds.UploadSaveFilePart:
                return SavePart(ref reader, big: false);
            case TlIds.UploadSaveBigFilePart:
                return SavePart(ref reader, big: true);
            case TlIds.UploadGetFile:
                return GetFile(ref reader);
            default:
                _events.Handled($"method {constructor:x8}: AUTH_KEY_UNREGISTERED");
                return Error(401, "AUTH_KEY_UNREGISTERED");
        }
    }

    private static void SkipInitConnection(ref TlReader reader)
    {
        var flags = reader.ReadInt32();
        reader.ReadInt32(); // api_id
        for (var i = 0; i < 6; i++)
        {
            reader.ReadBytes(); // device_model, system_version, app_version, system_lang_code, lang_pack, lang_code
        }

        if ((flags & 1) != 0)
        {
            if (reader.ReadConstructor() != TlIds.InputClientProxy)
            {
                throw new TlException("initConnection.proxy is not inputClientProxy.");
            }

            reader.ReadBytes();
            reader.ReadInt32();
        }

        if ((flags & 2) != 0)
        {
            SkipJson(ref reader);
        }
    }

    private static void SkipJson(ref TlReader reader)
    {
        switch (reader.ReadConstructor())
        {
            case TlIds.JsonNull:
                break;
            case TlIds.JsonBool:
                reader.ReadBool();
                break;
            case TlIds.JsonNumber:
                reader.ReadInt64();
                break;
            case TlIds.JsonString:
                reader.ReadBytes();
                break;
            case TlIds.JsonArray:
                for (var count = reader.ReadVectorHeader(); count > 0; count--)
                {
                    SkipJson(ref reader);
                }

                break;
            case TlIds.JsonObject:
                for (var count = reader.ReadVectorHeader(); count > 0; count--)
                {
                    if (reader.ReadConstructor() != TlIds.JsonObjectValue)
                    {
                        throw new TlException("jsonObject holds something other than jsonObjectValue.");
                    }

                    reader.ReadBytes();
                    SkipJson(ref reader);
                }

                break;
            case var other:
                throw new TlException($"JSONValue constructor {other:x8}.");
        }
    }

    private byte[] SavePart(ref TlReader reader, bool big)
    {
        var fileId = reader.ReadInt64();
        var part = reader.ReadInt32();
        if (big)
        {
            reader.ReadInt32();
        }

        var bytes = reader.ReadBytes();
        if (part < 0 || bytes.Length > MaxPartSize)
        {
            _events.Problem($"upload part {part} of {bytes.Length} bytes");
            return Error(400, bytes.Length > MaxPartSize ? "FILE_PART_TOO_BIG" : "FILE_PART_INVALID");
        }

        _files.SavePart(fileId, part, bytes.ToArray());
        _events.Handled($"upload.save{(big ? "Big" : string.Empty)}FilePart {fileId:x16} #{part} ({bytes.Length} bytes)");
        return new TlWriter().Bool(true).ToArray();
    }

    private byte[] GetFile(ref TlReader reader)
    {
        var precise = (reader.ReadInt32() & 1) != 0;
        if (reader.ReadConstructor() != TlIds.InputDocumentFileLocation)
        {
            return Error(400, "LOCATION_INVALID");
        }

        var fileId = reader.ReadInt64();
        reader.ReadInt64(); // access_hash
        reader.ReadBytes(); // file_reference
        reader.ReadBytes(); // thumb_size
        var offset = reader.ReadInt64();
        var limit = reader.ReadInt32();

        // The official rules: aligned offset and limit, limit up to 1 MiB, and unless precise no crossing of a 1 MiB block.
        var alignment = precise ? PreciseAlignment : GetFileAlignment;
        if (limit <= 0 || limit > MaxGetFileLimit || limit % alignment != 0
            || (!precise && offset / GetFileBlock != (offset + limit - 1) / GetFileBlock))
        {
            _events.Problem($"upload.getFile limit {limit} at offset {offset}");
            return Error(400, "LIMIT_INVALID");
        }

        if (offset < 0 || offset % alignment != 0)
        {
            _events.Problem($"upload.getFile offset {offset}");
            return Error(400, "OFFSET_INVALID");
        }

        if (!_files.TryAssemble(fileId, out var content))
        {
            _events.Problem($"upload.getFile of unknown file {fileId:x16}");
            return Error(400, "FILE_ID_INVALID");
        }

        var start = (int)Math.Min(offset, content.Length);
        var length = Math.Min(limit, content.Length - start);
        _events.Handled($"upload.getFile {fileId:x16} [{offset}, +{limit}) → {length} bytes");
        return new TlWriter()
            .UInt32(TlIds.UploadFile)
            .UInt32(TlIds.StorageFilePartial)
            .Int32((int)_time.GetUtcNow().ToUnixTimeSeconds())
            .Bytes(content.AsSpan(start, length))
            .ToArray();
    }
}
