package dev.herald.delivery;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.webhook.DestinationPolicy;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

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

  @Provides
  @Singleton
  DestinationPolicy destinationPolicy() {
    return new PrivateNetworkGuard(config.allowPrivateNetworks());
  }

  /** Redirects are never followed: a 3xx is a failed attempt, as receivers are told. */
  @Provides
  @Singleton
  HttpClient httpClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(config.timeout())
        .build();
  }

  @Provides
  @Singleton
  WebhookSender sender(HttpClient client, DestinationPolicy destinations, Clock clock) {
    ScheduledExecutorService deadlines =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "herald-attempt-deadlines");
              thread.setDaemon(true);
              return thread;
            });
    return new WebhookSender(client, destinations, config.timeout(), clock, deadlines);
  }

  @Provides
  @Singleton
  DeliveryDispatcher dispatcher(DeliveryQueue queue, WebhookSender sender, Clock clock) {
    return new DeliveryDispatcher(queue, sender, config, clock);
  }

  @Provides
  @Singleton
  DeliveryNotifier notifier(DeliveryDispatcher dispatcher) {
    return dispatcher;
  }
}
