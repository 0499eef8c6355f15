using System.Diagnostics;
using ZkTypedState.Client.Tests.Support;
using ZkTypedState.Testing;

namespace ZkTypedState.Client.Tests.Session;

/// <summary>Silence is noticed at the read deadline, not at the next tick of a polling timer.</summary>
/// <remarks>Solo: a thread pool starved by tests running alongside delays any timer by hundreds of milliseconds.</remarks>
[Collection(ZkTypedState.Client.Tests.Resilience.SoloCollection.Name)]
public sealed class SilenceDetectionTests
{
    [Fact]
    public async Task A_server_that_falls_silent_is_dropped_within_a_few_milliseconds_of_the_read_deadline()
    {
        await using var server = ScriptedZooKeeperServer.Start();
        // Session 6 s: read timeout 4 s, ping after 1.33 s of quiet. A polling watchdog ticked every 500 ms (its cap) here.
        var (client, connection) = await Scripted.ConnectAsync(server, timeoutMs: 6000);
        await using (client)
        {
            ScriptedRequest ping = (await connection.ReadRequestAsync(Timeouts.Token()))!;
            Assert.Equal(-2, ping.Xid);

            // Answer the ping half a tick after it came, then nothing more. A polling watchdog sent the ping on a tick, so
            // the deadline fell half-way between two ticks and silence was noticed ~250 ms late.
            await Task.Delay(250);
            await connection.SendReplyAsync(-2, 0, 0);
            TimeSpan readTimeout = TimeSpan.FromMilliseconds(4000);
            var silence = Stopwatch.StartNew();

            // A control timer armed for the same deadline: on a loaded machine both it and the client's watchdog fire
            // late by the same scheduling delay, so the client is judged against it, not against the wall clock alone.
            long controlFiredMs = -1;
            Task control = Task.Delay(readTimeout).ContinueWith(_ => Volatile.Write(ref controlFiredMs, silence.ElapsedMilliseconds), TaskScheduler.Default);
            Assert.True(await connection.WaitForClientCloseAsync(Timeouts.Token()));
            long closedMs = silence.ElapsedMilliseconds;
            await control;
            await client.WaitForStateAsync(s => s != ZooKeeperState.Connected, Timeouts.Token());
            string? reason = client.LastConnectionError?.Message;

            // Never early; at most 150 ms after the deadline as the control timer saw it. A polling watchdog (500 ms ticks,
            // deadline half-way between two) was ~250 ms late.
            long deadlineMs = Math.Max((long)readTimeout.TotalMilliseconds, Volatile.Read(ref controlFiredMs));
            Assert.True(
                closedMs > readTimeout.TotalMilliseconds - 20 && closedMs < deadlineMs + 150,
                $"The client closed after {closedMs} ms of silence; read timeout {readTimeout.TotalMilliseconds:0} ms, control timer fired at {Volatile.Read(ref controlFiredMs)} ms; the client said: {reason}");
        }
    }
}
