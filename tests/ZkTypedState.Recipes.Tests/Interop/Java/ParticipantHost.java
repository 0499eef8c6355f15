// What every Curator participant driven by the interop tests shares: the Curator client (connected, or "ERROR" and
// exit 2), the "STARTED <sessionId hex>" line, and the stdin command loop — one command a line; "exit" closes the
// client, prints "BYE" and exits; an unknown command or one that throws prints "ERROR …"; the process exits when stdin
// closes, so it never outlives the test process. Compiled with the participants (every *.java of this folder).
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;

final class ParticipantHost {
    /** A participant command; what it prints is its answer. */
    interface Command {
        void run() throws Exception;
    }

    private ParticipantHost() {
    }

    /** A started Curator client for {@code connect}, connected; otherwise prints "ERROR not connected to …" and exits 2. */
    static CuratorFramework connect(String connect, int sessionTimeoutMs) throws InterruptedException {
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

        return client;
    }

    /** Prints "STARTED <sessionId hex>", then runs {@code commands} (and "exit") from stdin until it closes; then exits. */
    static void serve(CuratorFramework client, Map<String, Command> commands) throws Exception {
        out("STARTED " + Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId()));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String name = line.trim();
            if (name.equals("exit")) {
                client.close();
                out("BYE");
                System.exit(0);
            }

            Command command = commands.get(name);
            if (command == null) {
                out("ERROR unknown command " + line);
                continue;
            }

            try {
                command.run();
            } catch (Exception e) {
                out("ERROR " + e);
            }
        }

        System.exit(0);
    }

    /** One line on stdout, flushed at once (the test reads line by line); serialized across threads. */
    static synchronized void out(String text) {
        System.out.println(text);
        System.out.flush();
    }
}
