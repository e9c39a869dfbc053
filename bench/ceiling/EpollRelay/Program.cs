// relay.c's algorithm in C# on raw Linux system calls (bench/ceiling): one thread, level-triggered epoll, a pooled
// 64 KiB buffer per direction, TCP_NODELAY, backpressure, no System.Net.Sockets. Beside the C relay and the .NET relay
// (DotnetRelay) it measures what the runtime costs without .NET's socket layer: the floor a transport of Gozar's own
// below System.Net.Sockets could reach.
//
//   epoll-relay LISTEN_PORT TARGET_PORT      (both on 127.0.0.1)
using System.Runtime.InteropServices;

if (args.Length != 2 || !ushort.TryParse(args[0], out var listenPort) || !ushort.TryParse(args[1], out var targetPort))
{
    Console.Error.WriteLine("usage: epoll-relay LISTEN_PORT TARGET_PORT");
    return 2;
}

return new EpollRelay(targetPort).Run(listenPort);

internal sealed unsafe partial class EpollRelay
{
    private const int BufferSize = 64 * 1024;
    private const int MaxEvents = 256;
    private const ulong ListenerData = ulong.MaxValue;

    private const int AfInet = 2;
    private const int SockStream = 1;
    private const int SockNonBlock = 0x800;
    private const int SockCloexec = 0x80000;
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int SoError = 4;
    private const int IpProtoTcp = 6;
    private const int TcpNoDelay = 1;
    private const int ShutWr = 1;
    private const int EAgain = 11;
    private const int EInProgress = 115;
    private const uint EpollIn = 0x001;
    private const uint EpollOut = 0x004;
    private const uint EpollErr = 0x008;
    private const uint EpollHup = 0x010;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCtlMod = 3;

    private readonly SockAddrIn _target;
    private readonly List<Pair?> _pairs = [];
    private readonly Stack<int> _free = new();

    // As relay.c's malloc and free: buffers come back to this stack, never to the GC (ArrayPool.Shared keeps only a few
    // per size and core, and 50 pairs in flight would allocate fresh 64 KiB arrays).
    private readonly Stack<byte[]> _buffers = new();
    private int _epoll;
    private uint _generation;

    public EpollRelay(ushort targetPort) => _target = SockAddrIn.Loopback(targetPort);

    public int Run(ushort listenPort)
    {
        var listener = socket(AfInet, SockStream | SockNonBlock | SockCloexec, 0);
        var one = 1;
        setsockopt(listener, SolSocket, SoReuseAddr, &one, sizeof(int));
        var local = SockAddrIn.Loopback(listenPort);
        if (bind(listener, &local, sizeof(SockAddrIn)) < 0 || listen(listener, 4096) < 0)
        {
            Console.Error.WriteLine($"epoll-relay: listen failed, errno {Marshal.GetLastPInvokeError()}");
            return 1;
        }

        _epoll = epoll_create1(SockCloexec);
        var listenEvent = new EpollEvent { Events = EpollIn, Data = ListenerData };
        epoll_ctl(_epoll, EpollCtlAdd, listener, &listenEvent);

        var events = stackalloc EpollEvent[MaxEvents];
        while (true)
        {
            var n = epoll_wait(_epoll, events, MaxEvents, -1);
            for (var i = 0; i < n; i++)
            {
                var data = events[i].Data;
                if (data == ListenerData)
                {
                    AcceptAll(listener);
                    continue;
                }

                var pair = _pairs[(int)(data >> 33)];
                if (pair is null || pair.Generation != (uint)data >> 1)
                {
                    continue;
                }

                Handle(pair, (int)(data & 1), events[i].Events);
            }
        }
    }

    private void Handle(Pair pair, int side, uint ready)
    {
        var failed = false;
        if (side == 1 && !pair.Connected)
        {
            int error = 0, length = sizeof(int);
            getsockopt(pair.Fd[1], SolSocket, SoError, &error, &length);
            failed = error != 0;
            pair.Connected = !failed;
        }

        if (!failed && (ready & EpollOut) != 0 && pair.Length[1 - side] > pair.Offset[1 - side])
        {
            failed = !Flush(pair, 1 - side);
        }

        if (!failed && (ready & (EpollIn | EpollHup | EpollErr)) != 0 && pair.Connected && pair.Length[side] == 0 && !pair.Eof[side])
        {
            failed = !Pump(pair, side);
        }

        failed |= (ready & EpollErr) != 0;
        if (failed || (pair.Eof[0] && pair.Eof[1] && pair.Length[0] == 0 && pair.Length[1] == 0))
        {
            Close(pair);
            return;
        }

        Update(pair);
    }

    private void AcceptAll(int listener)
    {
        while (true)
        {
            var client = accept4(listener, null, null, SockNonBlock | SockCloexec);
            if (client < 0)
            {
                return;
            }

            var up = socket(AfInet, SockStream | SockNonBlock | SockCloexec, 0);
            var target = _target;
            if (up < 0 || (connect(up, &target, sizeof(SockAddrIn)) < 0 && Marshal.GetLastPInvokeError() != EInProgress))
            {
                close(client);
                if (up >= 0)
                {
                    close(up);
                }

                continue;
            }

            var one = 1;
            setsockopt(client, IpProtoTcp, TcpNoDelay, &one, sizeof(int));
            setsockopt(up, IpProtoTcp, TcpNoDelay, &one, sizeof(int));
            var index = _free.Count > 0 ? _free.Pop() : Add();
            var pair = new Pair(index, unchecked(_generation++) & 0x7FFF_FFFF, client, up, RentBuffer(), RentBuffer());
            _pairs[index] = pair;
            for (var s = 0; s < 2; s++)
            {
                var ev = new EpollEvent { Events = 0, Data = pair.DataOf(s) };
                epoll_ctl(_epoll, EpollCtlAdd, pair.Fd[s], &ev);
            }

            Update(pair);
        }
    }

    private byte[] RentBuffer() => _buffers.Count > 0 ? _buffers.Pop() : GC.AllocateUninitializedArray<byte>(BufferSize);

    private int Add()
    {
        _pairs.Add(null);
        return _pairs.Count - 1;
    }

    private void Update(Pair pair)
    {
        for (var s = 0; s < 2; s++)
        {
            uint mask = 0;
            if (pair.Connected && !pair.Eof[s] && pair.Length[s] == 0)
            {
                mask |= EpollIn;
            }

            if (pair.Length[1 - s] > pair.Offset[1 - s] || (s == 1 && !pair.Connected))
            {
                mask |= EpollOut;
            }

            if (pair.Mask[s] != mask)
            {
                var ev = new EpollEvent { Events = mask, Data = pair.DataOf(s) };
                epoll_ctl(_epoll, EpollCtlMod, pair.Fd[s], &ev);
                pair.Mask[s] = mask;
            }
        }
    }

    private static bool Flush(Pair pair, int d)
    {
        fixed (byte* buffer = pair.Buffer[d])
        {
            while (pair.Offset[d] < pair.Length[d])
            {
                var n = write(pair.Fd[1 - d], buffer + pair.Offset[d], pair.Length[d] - pair.Offset[d]);
                if (n < 0)
                {
                    return Marshal.GetLastPInvokeError() == EAgain;
                }

                pair.Offset[d] += (int)n;
            }
        }

        pair.Length[d] = pair.Offset[d] = 0;
        if (pair.Eof[d])
        {
            shutdown(pair.Fd[1 - d], ShutWr);
        }

        return true;
    }

    private static bool Pump(Pair pair, int d)
    {
        nint n;
        fixed (byte* buffer = pair.Buffer[d])
        {
            n = read(pair.Fd[d], buffer, BufferSize);
        }

        if (n < 0)
        {
            return Marshal.GetLastPInvokeError() == EAgain;
        }

        if (n == 0)
        {
            pair.Eof[d] = true;
            shutdown(pair.Fd[1 - d], ShutWr);
            return true;
        }

        pair.Length[d] = (int)n;
        pair.Offset[d] = 0;
        return Flush(pair, d);
    }

    private void Close(Pair pair)
    {
        for (var s = 0; s < 2; s++)
        {
            epoll_ctl(_epoll, EpollCtlDel, pair.Fd[s], null);
            close(pair.Fd[s]);
            _buffers.Push(pair.Buffer[s]);
        }

        _pairs[pair.Index] = null;
        _free.Push(pair.Index);
    }

    private sealed class Pair(int index, uint generation, int client, int up, byte[] clientBuffer, byte[] upBuffer)
    {
        public readonly int Index = index;
        public readonly uint Generation = generation;
        public readonly int[] Fd = [client, up];
        public readonly byte[][] Buffer = [clientBuffer, upBuffer];
        public readonly int[] Length = new int[2];
        public readonly int[] Offset = new int[2];
        public readonly bool[] Eof = new bool[2];
        public readonly uint[] Mask = new uint[2];
        public bool Connected;

        /// <summary>epoll's data word: the pair's slot, its generation (stale events of a closed pair are dropped), the side.</summary>
        public ulong DataOf(int side) => ((ulong)Index << 33) | ((ulong)Generation << 1) | (uint)side;
    }

    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct SockAddrIn
    {
        public ushort Family;
        public ushort Port;
        public uint Address;
        public ulong Zero;

        public static SockAddrIn Loopback(ushort port) => new()
        {
            Family = AfInet,
            Port = (ushort)((port >> 8) | (port << 8)),
            Address = 0x0100007F,
        };
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setsockopt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int fd, int level, int name, void* value, int* length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, SockAddrIn* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int listen(int fd, int backlog);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int accept4(int fd, void* address, void* length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(int fd, SockAddrIn* address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int shutdown(int fd, int how);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, EpollEvent* events, int max, int timeout);
}
