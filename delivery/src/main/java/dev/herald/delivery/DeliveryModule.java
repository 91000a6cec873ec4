package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DirectDispatch;
import dev.herald.domain.delivery.EndpointHealth;
import dev.herald.domain.delivery.SendSlots;
import dev.herald.domain.webhook.DestinationPolicy;
import dev.herald.domain.webhook.WebhookRepository;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import okhttp3.OkHttpClient;

/** The dispatcher and its HTTP client. */
public final class DeliveryModule extends AbstractModule {
  private final DeliveryConfig config;

  public DeliveryModule(DeliveryConfig config) {
    this.config = requireNonNull(config, "config");
  }

  @Provides
  @Singleton
  DeliveryConfig config() {
    return config;
  }

  /** The system's resolver; tests bind their own to play DNS tricks. */
  @Provides
  @Singleton
  HostResolver resolver() {
    return HostResolver.system();
  }

  @Provides
  @Singleton
  PrivateNetworkGuard guard(HostResolver resolver) {
    return new PrivateNetworkGuard(config.allowPrivateNetworks(), resolver);
  }

  @Provides
  @Singleton
  DestinationPolicy destinationPolicy(PrivateNetworkGuard guard) {
    return guard;
  }

  @Provides
  @Singleton
  OkHttpClient httpClient(PrivateNetworkGuard guard) {
    return DeliveryHttpClient.create(guard, config.timeout(), config.concurrency());
  }

  @Provides
  @Singleton
  WebhookSender sender(OkHttpClient client, Clock clock) {
    return new WebhookSender(client, clock);
  }

  @Provides
  @Singleton
  DeliveryDispatcher dispatcher(
      DeliveryQueue queue,
      WebhookRepository webhooks,
      WebhookSender sender,
      SendSlots slots,
      Clock clock,
      PrometheusRegistry registry) {
    EndpointHealth health = new EndpointHealth(config.endpointHealth(), webhooks::disable);
    return new DeliveryDispatcher(
        queue, health, sender, slots, config, clock, new DeliveryMetrics(registry));
  }

  @Provides
  @Singleton
  DeliveryNotifier notifier(DeliveryDispatcher dispatcher) {
    return dispatcher;
  }

  @Provides
  @Singleton
  DirectDispatch directDispatch(DeliveryDispatcher dispatcher) {
    return dispatcher;
  }
}
