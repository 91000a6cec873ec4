package dev.herald.api;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.delivery.DeliveryQueryService;
import dev.herald.domain.delivery.DeliveryRecoveryService;
import dev.herald.domain.event.IngestionService;
import dev.herald.domain.event.TestEventService;
import dev.herald.domain.secret.SigningSecretService;
import dev.herald.domain.webhook.WebhookService;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Herald's three gRPC services, each behind the same interceptors, contributed to the server's set
 * of services. Health and reflection are added by the server and stay open.
 */
public final class ApiModule extends AbstractModule {
  @Provides
  @Singleton
  ApiKeyAuthenticator authenticator(ApiKeyService keys) {
    return new ApiKeyAuthenticator(keys);
  }

  @Provides
  @Singleton
  CallPlacement callPlacement(ApiKeyAuthenticator authenticator) {
    return new IngestOnArrival(authenticator);
  }

  @Provides
  @Singleton
  ApiInterceptors interceptors(ApiKeyAuthenticator authenticator, PrometheusRegistry registry) {
    // ServerInterceptors.intercept runs the last one first: calls are counted around everything,
    // and errors are mapped around everything else, authentication included.
    return new ApiInterceptors(
        List.of(
            new AuthInterceptor(authenticator),
            new DomainErrorInterceptor(),
            new CallMetricsInterceptor(registry)));
  }

  @ProvidesIntoSet
  @Singleton
  BindableService apiKeyService(
      ApiKeyService keys, ApiKeyAuthenticator authenticator, ApiInterceptors interceptors) {
    return interceptors.wrap(new ApiKeyGrpcService(keys, authenticator));
  }

  @ProvidesIntoSet
  @Singleton
  BindableService webhookService(
      WebhookService webhooks,
      SigningSecretService secrets,
      TestEventService tests,
      ApiInterceptors interceptors) {
    return interceptors.wrap(new WebhookGrpcService(webhooks, secrets, tests));
  }

  @ProvidesIntoSet
  @Singleton
  BindableService ingestionService(
      IngestionService ingestion, ApiInterceptors interceptors, PrometheusRegistry registry) {
    return interceptors.wrap(new IngestionGrpcService(ingestion, new IngestMetrics(registry)));
  }

  @ProvidesIntoSet
  @Singleton
  BindableService deliveryService(
      DeliveryQueryService deliveries,
      DeliveryRecoveryService recovery,
      ApiInterceptors interceptors) {
    return interceptors.wrap(new DeliveryGrpcService(deliveries, recovery, watchWriters()));
  }

  /** Writes live-tail streams, apart from the feed's thread, which must never wait on a client. */
  private static ExecutorService watchWriters() {
    AtomicInteger number = new AtomicInteger();
    return Executors.newFixedThreadPool(
        2,
        task -> {
          Thread thread = new Thread(task, "herald-watch-" + number.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
  }

  record ApiInterceptors(List<ServerInterceptor> interceptors) {
    BindableService wrap(BindableService service) {
      // Requests are parsed inside the interceptors, so a message protobuf refuses (a Struct
      // nested past its recursion limit) gets INVALID_ARGUMENT rather than grpc's UNKNOWN.
      return () ->
          ServerInterceptors.intercept(
              ServerInterceptors.useMarshalledMessages(
                  service.bindService(), StreamMessages.AS_THEY_ARE, StreamMessages.AS_THEY_ARE),
              interceptors);
    }
  }
}
