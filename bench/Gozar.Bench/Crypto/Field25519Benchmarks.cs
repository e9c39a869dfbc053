using BenchmarkDotNet.Attributes;
using Gozar.Protocol.Crypto;

namespace Gozar.Bench.Crypto;

/// <summary>
/// Field products with the hardware's 64 x 64 -> 128-bit multiply (BMI2 here, under the JIT) against the portable path
/// the Native AOT binary runs at x86-64-v2. Each is a chain of dependent products, as in the key share's doublings.
/// </summary>
[MemoryDiagnoser]
public class Field25519Benchmarks
{
    private const int Chain = 64;

    private FieldElement _a;
    private FieldElement _b;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(25519);
        var bytes = new byte[32];
        random.NextBytes(bytes);
        _a = Field25519.FromBytes(bytes);
        random.NextBytes(bytes);
        _b = Field25519.FromBytes(bytes);
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public ulong Multiply()
    {
        var x = _a;
        for (var i = 0; i < Chain; i++)
        {
            x = Field25519.Multiply(x, _b);
        }

        return x.L0;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public ulong MultiplyPortable()
    {
        var x = _a;
        for (var i = 0; i < Chain; i++)
        {
            x = Field25519.MultiplyPortable(x, _b);
        }

        return x.L0;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public ulong Square()
    {
        var x = _a;
        for (var i = 0; i < Chain; i++)
        {
            x = Field25519.Square(x);
        }

        return x.L0;
    }

    [Benchmark(OperationsPerInvoke = Chain)]
    public ulong SquarePortable()
    {
        var x = _a;
        for (var i = 0; i < Chain; i++)
        {
            x = Field25519.SquarePortable(x);
        }

        return x.L0;
    }
}
