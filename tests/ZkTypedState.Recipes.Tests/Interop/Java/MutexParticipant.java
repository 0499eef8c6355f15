// A Curator InterProcessMutex holder driven over stdin/stdout by CuratorMutexInteropTests.
//   java -cp ... MutexParticipant <connect> <lockPath> <id> <sessionTimeoutMs>
// Prints "STARTED <sessionId hex>". Commands (one per line):
//   acquire -> blocks (on the worker thread) until held, then "ACQUIRED <czxid hex>"
//   release -> "RELEASED"          nodes -> "NODES <comma-separated participant nodes>"
//   exit    -> closes the client, "BYE", exits.
// acquire and release run on one worker thread: Curator's mutex is owned by the thread that acquired it.
// The client, the STARTED line and the command loop are ParticipantHost's.
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.data.Stat;

public final class MutexParticipant {
    public static void main(String[] args) throws Exception {
        CuratorFramework client = ParticipantHost.connect(args[0], Integer.parseInt(args[3]));
        InterProcessMutex mutex = new InterProcessMutex(client, args[1]);
        ExecutorService worker = Executors.newSingleThreadExecutor();

        ParticipantHost.serve(client, Map.of(
            "acquire", () -> onWorker(worker, () -> {
                mutex.acquire();
                // The holder's node is the lowest participant node; its czxid is the fencing token.
                String first = mutex.getParticipantNodes().iterator().next();
                Stat stat = client.checkExists().forPath(first);
                ParticipantHost.out("ACQUIRED " + Long.toHexString(stat.getCzxid()));
            }),
            "release", () -> onWorker(worker, () -> {
                mutex.release();
                ParticipantHost.out("RELEASED");
            }),
            "nodes", () -> ParticipantHost.out("NODES " + String.join(",", mutex.getParticipantNodes()))));
    }

    /** Runs {@code command} on the worker thread; a failure there is answered with "ERROR …" like any other. */
    private static void onWorker(ExecutorService worker, ParticipantHost.Command command) {
        worker.submit(() -> {
            try {
                command.run();
            } catch (Exception e) {
                ParticipantHost.out("ERROR " + e);
            }
        });
    }
}
