package dev.weir.neo4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Starts Neo4j embedded (Community) for weir's integration tests.
 *
 * <p>Usage: {@code Launcher --port N --data DIR [--pagecache-mb N]}. The Bolt connector listens
 * on 127.0.0.1:N, HTTP and HTTPS are off, and DIR is the Neo4j home (data, logs). Auth is off
 * unless the environment variable NEO4J_PASSWORD is non-empty; then the user {@code neo4j} gets
 * that password. Once Bolt answers a handshake, exactly one line {@code ready
 * bolt://127.0.0.1:N} is printed on stdout; everything else goes to stderr. SIGTERM (or SIGINT)
 * shuts the database down cleanly through a shutdown hook.
 */
public final class Launcher {
  private static final String HOST = "127.0.0.1";
  private static final long READY_TIMEOUT_MS = 60_000;
  private static final Duration SHUTDOWN_WAIT = Duration.ofMillis(500);

  private Launcher() {}

  public static void main(String[] args) {
    // Keep stdout for the single ready line: anything a library prints goes to stderr.
    PrintStream ready = System.out;
    System.setOut(System.err);
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("neo4j-launcher: " + e.getMessage());
      System.err.println("usage: Launcher --port N --data DIR [--pagecache-mb N]");
      System.exit(2);
      return;
    }
    try {
      run(options, ready);
    } catch (Throwable e) {
      System.err.println("neo4j-launcher: cannot start Neo4j on " + HOST + ":" + options.port);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  private static void run(Options options, PrintStream ready) throws Exception {
    String password = System.getenv().getOrDefault("NEO4J_PASSWORD", "");
    boolean auth = !password.isEmpty();
    Files.createDirectories(options.data);

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(options.data)
            .setConfig(BoltConnector.enabled, true)
            .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, options.port))
            .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, options.port))
            // Test servers: do not linger for idle Bolt threads on SIGTERM (default ~10 s).
            .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, SHUTDOWN_WAIT)
            .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, SHUTDOWN_WAIT)
            .setConfig(HttpConnector.enabled, false)
            .setConfig(HttpsConnector.enabled, false)
            .setConfig(GraphDatabaseSettings.auth_enabled, auth)
            .setConfig(GraphDatabaseSettings.auth_minimum_password_length, 1)
            .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(options.pagecacheMb))
            .setConfig(GraphDatabaseSettings.udc_enabled, false)
            .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
            .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
            .build();

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("neo4j-launcher: shutting down");
                  try {
                    dbms.shutdown();
                  } finally {
                    stopped.countDown();
                  }
                  System.err.println("neo4j-launcher: stopped");
                },
                "neo4j-launcher-shutdown"));

    if (auth) {
      dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              Map.of("password", password));
    }

    awaitBolt(options.port);
    ready.println("ready bolt://" + HOST + ":" + options.port);
    ready.flush();
    stopped.await();
  }

  /** Waits until the port answers a Bolt handshake with a version the server accepts. */
  private static void awaitBolt(int port) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    IOException last = null;
    while (System.currentTimeMillis() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(HOST, port), 1_000);
        socket.setSoTimeout(5_000);
        OutputStream out = socket.getOutputStream();
        // Magic preamble, then four proposals: Bolt 5.8 down to 5.0, Bolt 4.4, none, none.
        out.write(
            new byte[] {
              0x60, 0x60, (byte) 0xB0, 0x17,
              0, 8, 8, 5,
              0, 0, 4, 4,
              0, 0, 0, 0,
              0, 0, 0, 0
            });
        out.flush();
        int agreed = new DataInputStream(socket.getInputStream()).readInt();
        if (agreed != 0) {
          return;
        }
        last = new IOException("Bolt handshake agreed on no version");
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(200);
    }
    throw new IOException("Bolt on " + HOST + ":" + port + " did not answer in time", last);
  }

  /** Command-line options. */
  private record Options(int port, Path data, long pagecacheMb) {
    static Options parse(String[] args) {
      Integer port = null;
      Path data = null;
      long pagecacheMb = 32;
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("missing value for " + flag);
        }
        String value = args[++i];
        switch (flag) {
          case "--port" -> port = parsePort(value);
          case "--data" -> data = Path.of(value).toAbsolutePath();
          case "--pagecache-mb" -> pagecacheMb = Long.parseLong(value);
          default -> throw new IllegalArgumentException("unknown option " + flag);
        }
      }
      if (port == null || data == null) {
        throw new IllegalArgumentException("--port and --data are required");
      }
      return new Options(port, data, pagecacheMb);
    }

    private static int parsePort(String value) {
      int port;
      try {
        port = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("port is not a number: '" + value + "'");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port is out of range 1-65535: " + port);
      }
      return port;
    }
  }
}
