package dev.herald.domain.webhook;

import dev.herald.domain.page.Page;
import dev.herald.domain.page.PageRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** Stored webhooks. Deleted ones are kept for their delivery history but never returned. */
public interface WebhookRepository {

  /**
   * Inserts the webhook unless its project already has {@code limit} webhooks that are not deleted,
   * counted and inserted as one step however many servers insert at once.
   *
   * @return whether it was inserted
   */
  boolean insertIfFewerThan(Webhook webhook, int limit);

  Optional<Webhook> find(UUID id);

  /** A project's webhooks, oldest first. */
  Page<Webhook> list(String projectId, PageRequest page);

  /**
   * Stores new values of an existing webhook. When {@code endPendingReason} is given, the webhook's
   * pending deliveries end FAILED with that reason in the same transaction. Activating a webhook
   * clears its record of failed deliveries.
   */
  void update(Webhook webhook, Optional<String> endPendingReason);

  /**
   * Marks the webhook deleted and ends its pending deliveries FAILED with {@code reason}.
   *
   * @return false when there was no such live webhook
   */
  boolean delete(UUID id, Instant at, String reason);

  /**
   * Makes an active webhook inactive with {@code reason}, and ends its pending deliveries FAILED
   * with {@code endPendingReason}, in one transaction.
   *
   * @return false when there was no such webhook, or it was inactive already
   */
  boolean disable(UUID id, String reason, String endPendingReason, Instant at);
}
