package dev.herald.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.herald.domain.ProjectQuotas;
import dev.herald.domain.access.ApiKeyRepository;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueryService;
import dev.herald.domain.delivery.DeliveryRecoveryService;
import dev.herald.domain.delivery.DeliveryRepository;
import dev.herald.domain.delivery.OutcomeFeed;
import dev.herald.domain.event.EventRepository;
import dev.herald.domain.event.IngestionService;
import dev.herald.domain.event.TestEventService;
import dev.herald.domain.secret.SigningSecretRepository;
import dev.herald.domain.secret.SigningSecretService;
import dev.herald.domain.webhook.DestinationPolicy;
import dev.herald.domain.webhook.WebhookRepository;
import dev.herald.domain.webhook.WebhookService;
import dev.herald.domain.webhook.WebhookUrlRules;
import java.security.SecureRandom;
import java.time.Clock;

/**
 * The domain's services, wired here because the domain itself knows nothing of Guice. Its ports are
 * bound by the persistence and delivery modules.
 */
final class DomainModule extends AbstractModule {
  private final boolean requireHttps;
  private final ProjectQuotas quotas;

  DomainModule(boolean requireHttps, ProjectQuotas quotas) {
    this.requireHttps = requireHttps;
    this.quotas = quotas;
  }

  @Provides
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  @Provides
  @Singleton
  SecureRandom secureRandom() {
    return new SecureRandom();
  }

  @Provides
  @Singleton
  ApiKeyService apiKeys(ApiKeyRepository repository, SecureRandom random, Clock clock) {
    return new ApiKeyService(repository, random, clock);
  }

  @Provides
  @Singleton
  SigningSecretService signingSecrets(
      SigningSecretRepository repository, SecureRandom random, Clock clock) {
    return new SigningSecretService(repository, quotas, random, clock);
  }

  @Provides
  @Singleton
  WebhookService webhooks(
      WebhookRepository repository,
      SigningSecretService secrets,
      DestinationPolicy destinations,
      Clock clock) {
    return new WebhookService(
        repository, secrets, new WebhookUrlRules(requireHttps, destinations), quotas, clock);
  }

  @Provides
  @Singleton
  IngestionService ingestion(EventRepository events, DeliveryNotifier notifier, Clock clock) {
    return new IngestionService(events, notifier, clock);
  }

  @Provides
  @Singleton
  TestEventService testEvents(
      WebhookRepository webhooks, EventRepository events, DeliveryNotifier notifier, Clock clock) {
    return new TestEventService(webhooks, events, notifier, clock);
  }

  @Provides
  @Singleton
  DeliveryQueryService deliveries(DeliveryRepository repository, OutcomeFeed outcomes) {
    return new DeliveryQueryService(repository, outcomes);
  }

  @Provides
  @Singleton
  DeliveryRecoveryService recovery(
      DeliveryRepository deliveries,
      WebhookRepository webhooks,
      DeliveryNotifier notifier,
      Clock clock) {
    return new DeliveryRecoveryService(deliveries, webhooks, notifier, clock);
  }
}
