using ZkTypedState.Client.Jute;
using ZkTypedState.Client.Tests.Support;

namespace ZkTypedState.Client.Tests.Operations;

/// <summary>An oversize request is refused before it is encoded, and a large frame does not pin a large buffer.</summary>
[Collection(ServerCollection.Name)]
public sealed class RequestSizeTests(ZooKeeperServerFixture fixture)
{
    [Fact]
    public async Task An_oversize_SetData_is_rejected_without_serializing_it_and_the_connection_stays_usable()
    {
        await using var client = await fixture.ConnectAsync();
        string path = ZooKeeperServerFixture.UniquePath("big");
        await client.CreateAsync(path);
        byte[] huge = new byte[64 * 1024 * 1024];

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.SetDataAsync(path, huge).WaitAsync(Timeouts.Event));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Contains("jute.maxbuffer", error.Message);
        // Encoding it would have copied 64 MiB (into a 128 MiB pooled array, kept by the pool). Other tests run meanwhile: allow 32 MiB.
        Assert.True(allocated < 32L * 1024 * 1024, $"Rejecting a 64 MiB request allocated {allocated:N0} bytes.");
        Assert.NotNull(await client.ExistsAsync(path));
        await client.SetDataAsync(path, new byte[1000]);
    }

    [Fact]
    public void The_write_buffer_returns_to_its_pooled_size_after_a_large_frame()
    {
        using var writer = new JuteWriter();
        int initial = writer.Capacity;
        int frame = writer.BeginFrame();
        writer.WriteBuffer(new byte[900 * 1024]);
        writer.EndFrame(frame);
        Assert.True(writer.Capacity > JuteWriter.RetainedCapacity);

        writer.Reset();

        Assert.Equal(initial, writer.Capacity);
    }

    [Fact]
    public void A_write_past_the_limit_throws_before_growing_the_buffer()
    {
        using var writer = new JuteWriter();
        int initial = writer.Capacity;
        writer.Limit = 64 * 1024;
        Assert.Throws<FrameTooLargeException>(() => writer.WriteBuffer(new byte[10 * 1024 * 1024]));
        Assert.Equal(initial, writer.Capacity);
        Assert.Equal(0, writer.Length);
    }
}
