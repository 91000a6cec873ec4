package dev.herald.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.Multibinder;
import dev.herald.api.CallPlacement;
import dev.herald.persistence.DatabaseProbe;
import io.grpc.BindableService;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Set;

/**
 * The servers: gRPC, built from whatever services the other modules contribute, and the HTTP port
 * (metrics, probes, and the same services as JSON); the metrics registry every module reports to;
 * database health.
 */
final class ServerModule extends AbstractModule {
  private final ApiConfig config;

  ServerModule(ApiConfig config) {
    this.config = config;
  }

  @Override
  protected void configure() {
    Multibinder.newSetBinder(binder(), BindableService.class);
  }

  /** One registry per server, not the library's global one: tests run several in one JVM. */
  @Provides
  @Singleton
  PrometheusRegistry metricsRegistry() {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    return registry;
  }

  @Provides
  @Singleton
  GrpcServer grpcServer(Set<BindableService> services, CallPlacement placement) {
    return new GrpcServer(config.port(), config.tls(), services, placement);
  }

  @Provides
  @Singleton
  DatabaseHealth databaseHealth(DatabaseProbe probe, PrometheusRegistry registry, GrpcServer grpc) {
    return new DatabaseHealth(probe, registry, grpc::serving);
  }

  @Provides
  @Singleton
  OperationsHttpServer operationsHttpServer(
      PrometheusRegistry registry, DatabaseHealth health, Set<BindableService> services) {
    return new OperationsHttpServer(
        Math.max(0, config.httpPort()),
        OperationsRoutes.of(registry, health, new JsonGateway(services)));
  }
}
