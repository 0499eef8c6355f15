using System.Buffers.Binary;
using System.Reflection;
using System.Reflection.Emit;
using System.Text;
using BenchmarkDotNet.Attributes;
using ZkTypedState.Client;

namespace ZkTypedState.Benchmarks;

/// <summary>
/// Jute encoding of a getData request and decoding of a getData response, with the client's own (internal) codec.
/// </summary>
/// <remarks>
/// JuteWriter, JuteReader (a ref struct), ReplyHeader and Stat.Read are internal to ZkTypedState.Client and this
/// project may not add itself to its InternalsVisibleTo. So the benchmark compiles, once in GlobalSetup, two
/// DynamicMethods with visibility checks skipped that contain exactly the client's calls: no reflection per call,
/// only a delegate invocation (~1-2 ns) on top of what the client runs.
/// <list type="bullet">
/// <item>Encode = what ZkConnection.Encode plus GetData's body writer do per request: BeginFrame, xid, opcode,
/// path (ustring), watch flag, EndFrame (length prefix) into the connection's reused, pooled JuteWriter.</item>
/// <item>Decode = what ZkConnection.ProcessFrame plus GetDataObservedAsync's reader do per reply frame:
/// ReplyHeader.Read, then the body's buffer (copied out) and Stat, into an ObservedNode.</item>
/// </list>
/// The reply bytes are built here with BinaryPrimitives exactly as a server sends them (frame payload without the
/// 4-byte length prefix: xid, zxid, err, data as jute buffer, 11-field Stat). Not included: validating the path,
/// the Call/TaskCompletionSource per request and the socket (the pipelined throughput benchmark has those).
/// </remarks>
public class JuteBenchmarks
{
    private const string Path = "/bench/load/n04242";
    private Func<object, string, bool, int, int> _encode = null!;
    private Func<byte[], ObservedNode> _decode = null!;
    private object _writer = null!;
    private byte[] _reply = null!;
    private int _xid;

    [GlobalSetup]
    public void Setup()
    {
        Assembly client = typeof(ZooKeeperClient).Assembly;
        Type writerType = client.GetType("ZkTypedState.Client.Jute.JuteWriter", throwOnError: true)!;
        Type readerType = client.GetType("ZkTypedState.Client.Jute.JuteReader", throwOnError: true)!;
        Type replyHeaderType = client.GetType("ZkTypedState.Client.Protocol.ReplyHeader", throwOnError: true)!;
        Type opCodeType = client.GetType("ZkTypedState.Client.Protocol.OpCode", throwOnError: true)!;
        int getData = (int)Enum.Parse(opCodeType, "GetData");
        _writer = Activator.CreateInstance(writerType, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [4096], null)!;
        _encode = BuildEncoder(writerType, getData);
        _decode = BuildDecoder(readerType, replyHeaderType);

        byte[] data = Encoding.UTF8.GetBytes("{\"id\":\"n04242\",\"rev\":0,\"run\":\"0123456789ab\",\"owner\":\"team-7\",\"weight\":42,\"enabled\":true,\"tags\":[\"bench\",\"load\",\"zone-2\"],\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
        var stat = new Stat(0x100000123, 0x100000456, 1_700_000_000_000, 1_700_000_001_000, 3, 0, 0, 0, data.Length, 0, 0x100000123);
        _reply = BuildReply(xid: 7, zxid: 0x100000789, data, stat);

        ObservedNode decoded = _decode(_reply);
        if (decoded.Zxid != 0x100000789 || decoded.Stat != stat || !decoded.Data!.AsSpan().SequenceEqual(data))
        {
            throw new InvalidOperationException("decode check failed");
        }

        int payload = _encode(_writer, Path, true, 1);
        if (payload != 4 + 4 + 4 + Encoding.UTF8.GetByteCount(Path) + 1)
        {
            throw new InvalidOperationException($"encode check failed: {payload} bytes");
        }
    }

    [Benchmark(Description = "jute encode getData request")]
    public int EncodeGetDataRequest() => _encode(_writer, Path, true, ++_xid);

    [Benchmark(Description = "jute decode getData reply (~200 B data)")]
    public ObservedNode DecodeGetDataReply() => _decode(_reply);

    private static byte[] BuildReply(int xid, long zxid, byte[] data, Stat stat)
    {
        var frame = new byte[16 + 4 + data.Length + 68];
        Span<byte> s = frame;
        BinaryPrimitives.WriteInt32BigEndian(s, xid);
        BinaryPrimitives.WriteInt64BigEndian(s[4..], zxid);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], 0);
        BinaryPrimitives.WriteInt32BigEndian(s[16..], data.Length);
        data.CopyTo(s[20..]);
        Span<byte> st = s[(20 + data.Length)..];
        BinaryPrimitives.WriteInt64BigEndian(st, stat.Czxid);
        BinaryPrimitives.WriteInt64BigEndian(st[8..], stat.Mzxid);
        BinaryPrimitives.WriteInt64BigEndian(st[16..], stat.Ctime);
        BinaryPrimitives.WriteInt64BigEndian(st[24..], stat.Mtime);
        BinaryPrimitives.WriteInt32BigEndian(st[32..], stat.Version);
        BinaryPrimitives.WriteInt32BigEndian(st[36..], stat.Cversion);
        BinaryPrimitives.WriteInt32BigEndian(st[40..], stat.Aversion);
        BinaryPrimitives.WriteInt64BigEndian(st[44..], stat.EphemeralOwner);
        BinaryPrimitives.WriteInt32BigEndian(st[52..], stat.DataLength);
        BinaryPrimitives.WriteInt32BigEndian(st[56..], stat.NumChildren);
        BinaryPrimitives.WriteInt64BigEndian(st[60..], stat.Pzxid);
        return frame;
    }

    private static MethodInfo Method(Type type, string name, params Type[] parameters) =>
        type.GetMethod(name, BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic, null, parameters, null)
        ?? throw new MissingMethodException(type.FullName, name);

    private static Func<object, string, bool, int, int> BuildEncoder(Type writerType, int opCode)
    {
        var method = new DynamicMethod("EncodeGetData", typeof(int), [typeof(object), typeof(string), typeof(bool), typeof(int)], writerType.Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder writer = il.DeclareLocal(writerType);
        LocalBuilder frame = il.DeclareLocal(typeof(int));
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Castclass, writerType);
        il.Emit(OpCodes.Stloc, writer);
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Callvirt, Method(writerType, "Reset"));
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Callvirt, Method(writerType, "BeginFrame"));
        il.Emit(OpCodes.Stloc, frame);
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Ldarg_3);
        il.Emit(OpCodes.Callvirt, Method(writerType, "WriteInt32", typeof(int)));
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Ldc_I4, opCode);
        il.Emit(OpCodes.Callvirt, Method(writerType, "WriteInt32", typeof(int)));
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, Method(writerType, "WriteString", typeof(string)));
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Ldarg_2);
        il.Emit(OpCodes.Callvirt, Method(writerType, "WriteBool", typeof(bool)));
        il.Emit(OpCodes.Ldloc, writer);
        il.Emit(OpCodes.Ldloc, frame);
        il.Emit(OpCodes.Callvirt, Method(writerType, "EndFrame", typeof(int)));
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<object, string, bool, int, int>>();
    }

    private static Func<byte[], ObservedNode> BuildDecoder(Type readerType, Type replyHeaderType)
    {
        int headerSize = (int)replyHeaderType.GetField("Size", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!.GetRawConstantValue()!;
        Type byRefReader = readerType.MakeByRefType();
        var method = new DynamicMethod("DecodeGetDataReply", typeof(ObservedNode), [typeof(byte[])], readerType.Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        LocalBuilder frameReader = il.DeclareLocal(readerType);
        LocalBuilder header = il.DeclareLocal(replyHeaderType);
        LocalBuilder bodyReader = il.DeclareLocal(readerType);
        ConstructorInfo readerCtor = readerType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(ReadOnlySpan<byte>)])!;
        ConstructorInfo spanOfArray = typeof(ReadOnlySpan<byte>).GetConstructor([typeof(byte[])])!;
        ConstructorInfo spanSlice = typeof(ReadOnlySpan<byte>).GetConstructor([typeof(byte[]), typeof(int), typeof(int)])!;
        Label hasData = il.DefineLabel();

        // var reader = new JuteReader(frame); ReplyHeader header = ReplyHeader.Read(ref reader);
        il.Emit(OpCodes.Ldloca, frameReader);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Newobj, spanOfArray);
        il.Emit(OpCodes.Call, readerCtor);
        il.Emit(OpCodes.Ldloca, frameReader);
        il.Emit(OpCodes.Call, Method(replyHeaderType, "Read", byRefReader));
        il.Emit(OpCodes.Stloc, header);

        // var r = new JuteReader(frame.Slice(ReplyHeader.Size));
        il.Emit(OpCodes.Ldloca, bodyReader);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldc_I4, headerSize);
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldlen);
        il.Emit(OpCodes.Conv_I4);
        il.Emit(OpCodes.Ldc_I4, headerSize);
        il.Emit(OpCodes.Sub);
        il.Emit(OpCodes.Newobj, spanSlice);
        il.Emit(OpCodes.Call, readerCtor);

        // new ObservedNode(r.ReadBuffer() ?? [], Stat.Read(ref r), header.Zxid)
        il.Emit(OpCodes.Ldloca, bodyReader);
        il.Emit(OpCodes.Call, Method(readerType, "ReadBuffer"));
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Brtrue_S, hasData);
        il.Emit(OpCodes.Pop);
        il.Emit(OpCodes.Call, typeof(Array).GetMethod(nameof(Array.Empty))!.MakeGenericMethod(typeof(byte)));
        il.MarkLabel(hasData);
        il.Emit(OpCodes.Ldloca, bodyReader);
        il.Emit(OpCodes.Call, Method(typeof(Stat), "Read", byRefReader));
        il.Emit(OpCodes.Newobj, typeof(Stat?).GetConstructor([typeof(Stat)])!);
        il.Emit(OpCodes.Ldloca, header);
        il.Emit(OpCodes.Call, replyHeaderType.GetProperty("Zxid")!.GetMethod!);
        il.Emit(OpCodes.Newobj, typeof(ObservedNode).GetConstructor([typeof(byte[]), typeof(Stat?), typeof(long)])!);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<Func<byte[], ObservedNode>>();
    }
}
