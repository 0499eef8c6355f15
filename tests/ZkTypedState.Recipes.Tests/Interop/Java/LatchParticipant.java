// A Curator LeaderLatch participant driven over stdin/stdout by CuratorInteropTests.
//   java -cp ... LatchParticipant <connect> <latchPath> <id> <sessionTimeoutMs>
// Prints "STARTED <sessionId hex>", then "LEADER" / "NOT_LEADER" on changes. Commands (one per line):
//   status -> "STATUS <hasLeadership> <ourPath>"    close -> closes the latch, "CLOSED"    exit -> closes the client and exits.
// The client, the STARTED line and the command loop are ParticipantHost's.
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;

public final class LatchParticipant {
    public static void main(String[] args) throws Exception {
        CuratorFramework client = ParticipantHost.connect(args[0], Integer.parseInt(args[3]));
        LeaderLatch latch = new LeaderLatch(client, args[1], args[2]);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                ParticipantHost.out("LEADER");
            }

            @Override
            public void notLeader() {
                ParticipantHost.out("NOT_LEADER");
            }
        });
        latch.start();

        ParticipantHost.serve(client, Map.of(
            "status", () -> ParticipantHost.out("STATUS " + latch.hasLeadership() + " " + latch.getOurPath()),
            "close", () -> {
                latch.close();
                ParticipantHost.out("CLOSED");
            }));
    }
}
