using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZkTypedState.Client;
using ZkTypedState.Tests.Support;

namespace ZkTypedState.Tests.Nodes;

/// <summary>
/// A node's re-read is started and applied on the client's receive loop — except where user code would run there: a
/// node with options validators applies its reads elsewhere, so a validator that blocks stalls only its own node.
/// </summary>
[Collection(RuntimeCollection.Name)]
public sealed class ReceiveLoopTests(RuntimeServerFixture fixture)
{
    [Fact]
    public async Task A_blocking_options_validator_stalls_only_its_own_node_not_the_connection()
    {
        string payments = RuntimeServerFixture.UniquePath();
        string counter = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(payments, RuntimeServerFixture.Json("""{"Limit":1,"Currency":"USD"}"""));
        await writer.CreateAsync(counter, RuntimeServerFixture.Json("""{"Count":1}"""));
        var validator = new BlockingValidator();
        using IHost host = await RuntimeServerFixture.StartHostAsync(
            fixture.Server.ConnectionString,
            b => b.AddZNode(Descriptors.Payments(payments)).AddZNode(Descriptors.Counter(counter)),
            services: s => s.AddSingleton<IValidateOptions<PaymentsConfig>>(validator));
        var paymentsNode = host.Services.GetRequiredService<IZNode<PaymentsConfig>>();
        var counterNode = host.Services.GetRequiredService<IZNode<Counter>>();
        var counterEvents = new NodeEvents<Counter>(counterNode);
        var paymentsEvents = new NodeEvents<PaymentsConfig>(paymentsNode);

        try
        {
            // The payments re-read reaches its validator, which blocks.
            await writer.SetDataAsync(payments, RuntimeServerFixture.Json("""{"Limit":99,"Currency":"USD"}"""));
            await validator.Entered.WaitAsync(Timeouts.Event);

            // Meanwhile the same connection delivers the counter's change: the receive loop is not the one blocked.
            await writer.SetDataAsync(counter, RuntimeServerFixture.Json("""{"Count":2}"""));
            ZNodeChange<Counter> counted = await counterEvents.NextChangeAsync();
            Assert.Equal(2, counted.Current.Value.Count);
            Assert.Equal(1, paymentsNode.Value.Limit);
        }
        finally
        {
            validator.Release.Set();
        }

        ZNodeChange<PaymentsConfig> paid = await paymentsEvents.NextChangeAsync();
        Assert.Equal(99, paid.Current.Value.Limit);
        await host.StopAsync();
    }

    [Fact]
    public async Task Every_re_read_of_a_changed_node_takes_the_callback_path_with_the_default_uncapped_reads()
    {
        // No ActivityListener is attached in this collection's tests (a traced read would take the awaiting path).
        string path = RuntimeServerFixture.UniquePath();
        await using var writer = await fixture.ConnectAsync();
        await writer.CreateAsync(path, RuntimeServerFixture.Json("""{"Count":0}"""));
        using IHost host = await RuntimeServerFixture.StartHostAsync(fixture.Server.ConnectionString, b => b.AddZNode(Descriptors.Counter(path)));
        var node = host.Services.GetRequiredService<IZNode<Counter>>();
        var runtime = host.Services.GetRequiredService<ZNodeRuntime>();
        var events = new NodeEvents<Counter>(node);
        long before = runtime.CallbackReads;

        for (int i = 1; i <= 3; i++)
        {
            await writer.SetDataAsync(path, RuntimeServerFixture.Json($$"""{"Count":{{i}}}"""));
            Assert.Equal(i, (await events.NextChangeAsync()).Current.Value.Count);
        }

        // One read per change, each on the callback path (a read slot taken and never given back would have sent all
        // but the first through the awaiting read loop).
        Assert.Equal(3, runtime.CallbackReads - before);
        await host.StopAsync();
    }

    /// <summary>Blocks the validation of a Limit of 99 until released.</summary>
    private sealed class BlockingValidator : IValidateOptions<PaymentsConfig>
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ManualResetEventSlim Release { get; } = new();

        public Task Entered => _entered.Task;

        public ValidateOptionsResult Validate(string? name, PaymentsConfig options)
        {
            if (options.Limit == 99)
            {
                _entered.TrySetResult();
                Release.Wait(Timeouts.Event);
            }

            return ValidateOptionsResult.Success;
        }
    }
}
