package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.FailedPreconditionException;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.Limits;
import dev.herald.domain.NotFoundException;
import dev.herald.domain.Violations;
import dev.herald.domain.access.ProjectScope;
import dev.herald.domain.webhook.Webhook;
import dev.herald.domain.webhook.WebhookRepository;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Sending again by hand: one delivery, or every failed delivery of a webhook in a time window. A
 * re-sent delivery gets a fresh round of attempts; its attempt numbers keep counting and its
 * history stays.
 */
public final class DeliveryRecoveryService {
  private final DeliveryRepository deliveries;
  private final WebhookRepository webhooks;
  private final DeliveryNotifier notifier;
  private final Clock clock;

  public DeliveryRecoveryService(
      DeliveryRepository deliveries,
      WebhookRepository webhooks,
      DeliveryNotifier notifier,
      Clock clock) {
    this.deliveries = requireNonNull(deliveries, "deliveries");
    this.webhooks = requireNonNull(webhooks, "webhooks");
    this.notifier = requireNonNull(notifier, "notifier");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Re-queues a FAILED or SUCCEEDED delivery for a fresh round of attempts. */
  public Delivery retry(ProjectScope scope, UUID id) {
    Delivery delivery =
        deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", id));
    scope.requireVisible(delivery.projectId(), "delivery", id);
    if (delivery.status() == DeliveryStatus.PENDING) {
      throw new FailedPreconditionException("delivery " + id + " is still pending");
    }
    requireSendable(delivery.webhookId());
    if (!deliveries.requeue(id, clock.instant())) {
      throw new FailedPreconditionException("delivery " + id + " is already pending again");
    }
    notifier.deliveriesCreated();
    return deliveries.find(id).orElseThrow(() -> new NotFoundException("delivery", id));
  }

  /** Re-queues every FAILED delivery of the webhook created in [since, until); returns how many. */
  public int recover(
      ProjectScope scope, String projectId, UUID webhookId, Instant since, Instant until) {
    Violations violations = new Violations();
    violations.requireToken("project_id", projectId, Limits.ID_LENGTH);
    violations.throwIfAny();
    scope.requireProject(projectId);
    if (since != null && until != null && !since.isBefore(until)) {
      throw InvalidArgumentException.of("until", "must be after since");
    }
    Webhook webhook =
        webhooks
            .find(webhookId)
            .filter(w -> w.projectId().equals(projectId))
            .orElseThrow(() -> new NotFoundException("webhook", webhookId));
    requireActive(webhook);
    Instant now = clock.instant();
    int requeued =
        deliveries.requeueFailed(
            projectId,
            webhookId,
            since == null ? Instant.EPOCH : since,
            until == null ? now : until,
            now);
    if (requeued > 0) {
      notifier.deliveriesCreated();
    }
    return requeued;
  }

  private void requireSendable(UUID webhookId) {
    requireActive(
        webhooks
            .find(webhookId)
            .orElseThrow(
                () -> new FailedPreconditionException("webhook " + webhookId + " was deleted")));
  }

  private static void requireActive(Webhook webhook) {
    if (!webhook.active()) {
      throw new FailedPreconditionException(
          "webhook "
              + webhook.id()
              + " is disabled"
              + (webhook.disabledReason() == null ? "" : " (" + webhook.disabledReason() + ")")
              + "; activate it with UpdateWebhook first");
    }
  }
}
