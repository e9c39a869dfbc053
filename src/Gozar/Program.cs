using Gozar.Cli;

return await GozarCommandLine.Build(Console.Out, Console.Error).Parse(args).InvokeAsync().ConfigureAwait(false);
