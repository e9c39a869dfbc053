using Gozar.Cli;
using Gozar.Hosting;

// Before any socket exists: the runtime reads this setting once.
SocketCompletions.PreferInline();
return await GozarCommandLine.Build(Console.Out, Console.Error).Parse(args).InvokeAsync().ConfigureAwait(false);
