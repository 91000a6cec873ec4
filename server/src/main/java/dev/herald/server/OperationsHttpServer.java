package dev.herald.server;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import org.eclipse.jetty.http.pathmap.PathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP port beside gRPC, for what operators and their tools reach over plain HTTP: metrics,
 * probes, and later the console. Jetty's core API, without servlets: each route is a path and a
 * handler, so adding one is one line in {@link OperationsRoutes}. Paths it does not know are 404.
 */
final class OperationsHttpServer {
  /** A handful of threads: scrapes and probes are few and short. */
  private static final int MAX_THREADS = 16;

  private final Server server;
  private final ServerConnector connector;

  OperationsHttpServer(int port, Map<String, Handler> routes) {
    requireNonNull(routes, "routes");
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, 2);
    threads.setName("herald-http");
    threads.setDaemon(true);
    this.server = new Server(threads);
    this.connector = new ServerConnector(server, 1, 1);
    connector.setPort(port);
    server.addConnector(connector);
    PathMappingsHandler mappings = new PathMappingsHandler();
    routes.forEach((path, handler) -> mappings.addMapping(PathSpec.from(path), handler));
    server.setHandler(mappings);
    server.setStopTimeout(2_000);
  }

  void start() {
    try {
      server.start();
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not serve HTTP on port " + connector.getPort() + ": " + e.getMessage(), e);
    }
  }

  int port() {
    return connector.getLocalPort();
  }

  void stop() {
    try {
      server.stop();
    } catch (Exception e) {
      // Stopping anyway: the process is going down.
    }
  }
}
