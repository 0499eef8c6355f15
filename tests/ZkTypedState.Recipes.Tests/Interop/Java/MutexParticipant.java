// A Curator InterProcessMutex holder driven over stdin/stdout by CuratorMutexInteropTests.
//   java -cp ... MutexParticipant <connect> <lockPath> <id> <sessionTimeoutMs>
// Prints "STARTED <sessionId hex>". Commands (one per line):
//   acquire -> blocks (on the worker thread) until held, then "ACQUIRED <czxid hex>"
//   release -> "RELEASED"          nodes -> "NODES <comma-separated participant nodes>"
//   exit    -> closes the client, "BYE", exits.
// acquire and release run on one worker thread: Curator's mutex is owned by the thread that acquired it.
// Exits when stdin closes, so it never outlives the test process.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.data.Stat;

public final class MutexParticipant {
    public static void main(String[] args) throws Exception {
        String connect = args[0];
        String lockPath = args[1];
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

        InterProcessMutex mutex = new InterProcessMutex(client, lockPath);
        ExecutorService worker = Executors.newSingleThreadExecutor();
        out("STARTED " + Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId()));

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "acquire":
                    worker.submit(() -> {
                        try {
                            mutex.acquire();
                            // The holder's node is the lowest participant node; its czxid is the fencing token.
                            String first = mutex.getParticipantNodes().iterator().next();
                            Stat stat = client.checkExists().forPath(first);
                            out("ACQUIRED " + Long.toHexString(stat.getCzxid()));
                        } catch (Exception e) {
                            out("ERROR " + e);
                        }
                    });
                    break;
                case "release":
                    worker.submit(() -> {
                        try {
                            mutex.release();
                            out("RELEASED");
                        } catch (Exception e) {
                            out("ERROR " + e);
                        }
                    });
                    break;
                case "nodes":
                    out("NODES " + String.join(",", mutex.getParticipantNodes()));
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
