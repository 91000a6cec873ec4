package dev.herald.server;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.server.Handler;

/** Every route of the operations HTTP port, one line each. */
final class OperationsRoutes {
  private OperationsRoutes() {}

  static Map<String, Handler> of(
      PrometheusRegistry registry, DatabaseHealth database, JsonGateway api) {
    Map<String, Handler> routes = new LinkedHashMap<>();
    api.routes().forEach(service -> routes.put(service, api));
    // The console: "/" is the fallback mapping, and answers 404 for what it does not serve.
    routes.put("/", new ConsoleHandler());
    routes.put("/metrics", new MetricsHandler(registry));
    // The process answers: nothing a restart would fix is wrong.
    routes.put("/livez", new PlainTextHandler(() -> new PlainTextHandler.Answer(200, "ok")));
    // The port opens after migrations, so ready means the database answers as well.
    routes.put(
        "/readyz",
        new PlainTextHandler(
            () ->
                database.reachable()
                    ? new PlainTextHandler.Answer(200, "ready")
                    : new PlainTextHandler.Answer(503, "database unreachable")));
    return routes;
  }
}
