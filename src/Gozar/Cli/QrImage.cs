using QRCoder;

namespace Gozar.Cli;

/// <summary>A link's QR code as an SVG document or PNG bytes (black on white, with the quiet zone).</summary>
public static class QrImage
{
    /// <summary>Pixels per module in a PNG: about 300 px for a fake-TLS link, easy for a phone camera.</summary>
    private const int PngPixelsPerModule = 6;

    /// <summary>Same error correction as the terminal code: scannable from a photo of a screen.</summary>
    private const QRCodeGenerator.ECCLevel Correction = QRCodeGenerator.ECCLevel.M;

    public static string Svg(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, Correction);
        using var svg = new SvgQRCode(data);
        return svg.GetGraphic(PngPixelsPerModule);
    }

    public static byte[] Png(string text)
    {
        using var data = QRCodeGenerator.GenerateQrCode(text, Correction);
        using var png = new PngByteQRCode(data);
        return png.GetGraphic(PngPixelsPerModule);
    }
}
