using System.Globalization;
using Gozar.FakeDc;

// Runs the fake DC by hand: `dotnet run --project tests/Gozar.FakeDc -- [port]`, then point a proxy's
// dc_overrides "*" at it and give a client the key printed below.
var port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 0;
await using var dc = new FakeTelegramDc(new FakeDcOptions { Trace = Console.Out }, port);
Console.WriteLine($"fake DC listening on 127.0.0.1:{dc.Port}");
Console.WriteLine($"RSA fingerprint {dc.RsaKey.Fingerprint}, modulus {dc.RsaKey.ModulusDecimal}");
Console.WriteLine(dc.RsaKey.PublicKeyPem);
Console.WriteLine("Ctrl+C stops.");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
