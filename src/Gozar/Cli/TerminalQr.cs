using System.Text;
using QRCoder;

namespace Gozar.Cli;

/// <summary>Draws a QR code with Unicode half blocks: two module rows per text line, with the quiet zone.</summary>
public static class TerminalQr
{
    public static string Render(string text)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(text, QRCodeGenerator.ECCLevel.M);
        var matrix = data.ModuleMatrix;
        var size = matrix.Count;
        var output = new StringBuilder();
        for (var row = 0; row < size; row += 2)
        {
            for (var column = 0; column < size; column++)
            {
                var top = matrix[row][column];
                var bottom = row + 1 < size && matrix[row + 1][column];

                // Dark modules are drawn as background so the code reads on dark and light terminals alike.
                output.Append((top, bottom) switch
                {
                    (true, true) => ' ',
                    (true, false) => '▄',
                    (false, true) => '▀',
                    _ => '█',
                });
            }

            output.Append('\n');
        }

        return output.ToString();
    }
}
