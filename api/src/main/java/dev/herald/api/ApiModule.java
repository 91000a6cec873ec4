package dev.herald.api;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.ProvidesIntoSet;
import dev.herald.domain.delivery.DeliveryQueryService;
import dev.herald.domain.delivery.DeliveryRecoveryService;
import dev.herald.domain.event.IngestionService;
import dev.herald.domain.secret.SigningSecretService;
import dev.herald.domain.webhook.WebhookService;
import io.grpc.BindableService;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import java.util.ArrayList;
import java.util.List;

/**
 * Herald's three gRPC services, each behind the same interceptors, contributed to the server's
 * set of services. Health and reflection are added by the server and stay open.
 */
public final class ApiModule extends AbstractModule {
  private final ApiConfig config;

  public ApiModule(ApiConfig config) {
    this.config = requireNonNull(config, "config");
  }

  @Provides
  @Singleton
  ApiInterceptors interceptors() {
    // ServerInterceptors.intercept runs the last one first: authenticate, then map errors.
    List<ServerInterceptor> interceptors = new ArrayList<>();
    interceptors.add(new DomainErrorInterceptor());
    config.adminToken().ifPresent(token -> interceptors.add(new AdminTokenInterceptor(token)));
    return new ApiInterceptors(interceptors);
  }

  @ProvidesIntoSet
  @Singleton
  BindableService webhookService(
      WebhookService webhooks, SigningSecretService secrets, ApiInterceptors interceptors) {
    return interceptors.wrap(new WebhookGrpcService(webhooks, secrets));
  }

  @ProvidesIntoSet
  @Singleton
  BindableService ingestionService(IngestionService ingestion, ApiInterceptors interceptors) {
    return interceptors.wrap(new IngestionGrpcService(ingestion));
  }

  @ProvidesIntoSet
  @Singleton
  BindableService deliveryService(
      DeliveryQueryService deliveries, DeliveryRecoveryService recovery, ApiInterceptors interceptors) {
    return interceptors.wrap(new DeliveryGrpcService(deliveries, recovery));
  }

  record ApiInterceptors(List<ServerInterceptor> interceptors) {
    BindableService wrap(BindableService service) {
      return () -> ServerInterceptors.intercept(service, interceptors);
    }
  }
}
