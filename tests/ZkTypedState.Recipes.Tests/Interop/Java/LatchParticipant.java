// A Curator LeaderLatch participant driven over stdin/stdout by CuratorInteropTests.
//   java -cp ... LatchParticipant <connect> <latchPath> <id> <sessionTimeoutMs>
// Prints "STARTED <sessionId hex>", then "LEADER" / "NOT_LEADER" on changes. Commands (one per line):
//   status -> "STATUS <hasLeadership> <ourPath>"    close -> closes the latch, "CLOSED"    exit -> closes the client and exits.
// Exits when stdin closes, so it never outlives the test process.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.retry.RetryNTimes;

public final class LatchParticipant {
    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String latchPath = args[1];
        String id = args[2];
        int sessionTimeoutMs = Integer.parseInt(args[3]);
        CuratorFramework client = CuratorFrameworkFactory.builder()
            .connectString(connect)
            .sessionTimeoutMs(sessionTimeoutMs)
            .connectionTimeoutMs(15000)
            .retryPolicy(new RetryNTimes(1000, 100))
            .build();
        client.start();
        if (!client.blockUntilConnected(30, TimeUnit.SECONDS)) {
            out("ERROR not connected to " + connect);
            System.exit(2);
        }

        LeaderLatch latch = new LeaderLatch(client, latchPath, id);
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                out("LEADER");
            }

            @Override
            public void notLeader() {
                out("NOT_LEADER");
            }
        });
        latch.start();
        out("STARTED " + Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId()));

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "status":
                    out("STATUS " + latch.hasLeadership() + " " + latch.getOurPath());
                    break;
                case "close":
                    latch.close();
                    out("CLOSED");
                    break;
                case "exit":
                    client.close();
                    out("BYE");
                    System.exit(0);
                    break;
                default:
                    out("ERROR unknown command " + line);
                    break;
            }
        }

        System.exit(0);
    }

    private static synchronized void out(String text) {
        System.out.println(text);
        System.out.flush();
    }
}
