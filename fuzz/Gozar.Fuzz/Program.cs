using Gozar.Fuzz;
using SharpFuzz;

// Run under afl-fuzz (fuzz/afl.sh): reads one input per iteration from AFL's shared memory, an exception is a crash.
if (args.Length != 1 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"usage: Gozar.Fuzz <{string.Join('|', FuzzTargets.Names)}>");
    return 2;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var memory = new MemoryStream();
    stream.CopyTo(memory);
    target(memory.ToArray());
});
return 0;
