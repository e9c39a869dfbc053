using Gozar.FakeDc.Tl;

namespace Gozar.FakeDc.Rpc;

/// <summary>
/// A minimal valid help.getConfig answer in the client's layer. Every DC option is the fake DC itself on 127.0.0.1,
/// so a client that switches DC or reconnects from the config never leaves loopback. Two layouts are known: config
/// as of layer 144 (Telethon 1.25) and as of layer 198 (GramJS 2.26); layers in between changed config more than
/// once and are not modelled, so layers up to 144 get the first and later ones the second.
/// </summary>
internal static class ConfigBuilder
{
    public const int LastOldLayoutLayer = 144;
    private const int HighestDc = 5;
    private const int WebFileDc = 4;
    private const int ValiditySeconds = 3600;

    public static byte[] Build(int layer, int thisDc, int port, DateTimeOffset now)
    {
        var old = layer is > 0 and <= LastOldLayoutLayer;
        var date = (int)now.ToUnixTimeSeconds();
        var w = new TlWriter()
            .UInt32(old ? TlIds.ConfigLayer144 : TlIds.ConfigLayer198)
            .Int32(0)
            .Int32(date)
            .Int32(date + ValiditySeconds)
            .Bool(false)
            .Int32(thisDc)
            .VectorHeader(HighestDc);
        for (var dc = 1; dc <= HighestDc; dc++)
        {
            w.UInt32(TlIds.DcOption).Int32(0).Int32(dc).String("127.0.0.1").Int32(port);
        }

        w.String(string.Empty)
            .Int32(200) // chat_size_max
            .Int32(200_000) // megagroup_size_max
            .Int32(100) // forwarded_count_max
            .Int32(210_000) // online_update_period_ms
            .Int32(5_000) // offline_blur_timeout_ms
            .Int32(30_000) // offline_idle_timeout_ms
            .Int32(300_000) // online_cloud_timeout_ms
            .Int32(30_000) // notify_cloud_delay_ms
            .Int32(1_500) // notify_default_delay_ms
            .Int32(60_000) // push_chat_period_ms
            .Int32(2); // push_chat_limit
        if (old)
        {
            w.Int32(200); // saved_gifs_limit
        }

        w.Int32(172_800) // edit_time_limit
            .Int32(int.MaxValue) // revoke_time_limit
            .Int32(int.MaxValue) // revoke_pm_time_limit
            .Int32(2_419_200) // rating_e_decay
            .Int32(200); // stickers_recent_limit
        if (old)
        {
            w.Int32(5); // stickers_faved_limit
        }

        w.Int32(604_800); // channels_read_media_period
        if (old)
        {
            w.Int32(5).Int32(100); // pinned_dialogs_count_max, pinned_infolder_count_max
        }

        return w.Int32(20_000) // call_receive_timeout_ms
            .Int32(90_000) // call_ring_timeout_ms
            .Int32(30_000) // call_connect_timeout_ms
            .Int32(10_000) // call_packet_timeout_ms
            .String("https://t.me/") // me_url_prefix
            .Int32(1024) // caption_length_max
            .Int32(4096) // message_length_max
            .Int32(WebFileDc)
            .ToArray();
    }
}
