using Gozar.Cli;
using Gozar.Hosting;

// Before any socket exists: the runtime reads this setting once.
SocketCompletions.PreferInline();
return await GozarCommandLine.InvokeAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
