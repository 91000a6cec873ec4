package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.ClaimedDelivery;
import dev.herald.domain.delivery.DirectDispatch;
import dev.herald.domain.event.PayloadBuilder;
import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.webhook.Webhook;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deliveries of an ingest batch that its own commit leases to this server's dispatcher ({@link
 * DirectDispatch}): which are offered, and the claims made of those the statement leased. A claim
 * found them again in the queue a round trip later: at 4,000 events a second that was 345 claims a
 * second, each a statement and a commit, for deliveries this server had just written.
 */
final class DirectLeases {
  private static final Logger log = LoggerFactory.getLogger(DirectLeases.class);

  /** A server that does not dispatch: nothing is offered. */
  static final DirectLeases NONE = new DirectLeases(DirectDispatch.NONE, null, Clock.systemUTC());

  private final DirectDispatch dispatch;
  private final KeptSigningKeys signingKeys;
  private final Clock clock;

  DirectLeases(DirectDispatch dispatch, JooqSigningSecretRepository secrets, Clock clock) {
    this.dispatch = requireNonNull(dispatch, "dispatch");
    this.signingKeys = secrets == null ? null : new KeptSigningKeys(secrets);
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * A batch's deliveries offered to the dispatcher, in order, as many as it has room for: those of
   * unordered, unlimited webhooks it does not pass over. A rate-limited webhook's go by the claims:
   * taken here, two servers drained a webhook limited to 50/s at 37/s (RateLimitIT on PostgreSQL
   * 15), where the claims, which pass over a webhook waiting for its send slots, hold it to its
   * limit. The statement leases those of them it does not park ({@link IngestStatement#INGEST}),
   * until {@code leaseUntil}, under {@code token}.
   */
  record Offer(List<UUID> ids, Instant leaseUntil, UUID token) {
    static final Offer NOTHING = new Offer(List.of(), null, null);
  }

  Offer offer(Collection<PlannedDelivery> deliveries) {
    DirectDispatch.Opening opening = dispatch.opening();
    if (opening.room() <= 0) {
      return Offer.NOTHING;
    }
    List<UUID> ids = new ArrayList<>();
    for (PlannedDelivery made : deliveries) {
      Webhook webhook = made.delivery().webhook();
      if (!webhook.controls().ordered()
          && webhook.controls().maxRequestsPerSecond().isEmpty()
          && opening.takes(webhook.id())) {
        ids.add(made.delivery().id());
        if (ids.size() == opening.room()) {
          break;
        }
      }
    }
    if (ids.isEmpty()) {
      return Offer.NOTHING;
    }
    return new Offer(ids, clock.instant().plus(dispatch.lease()), UUID.randomUUID());
  }

  /**
   * The claims of the deliveries the statement leased, signed with the keys of {@code
   * signingGeneration}. None if the keys cannot be read: the leases then run out and claims take
   * those deliveries, as when a worker dies.
   */
  List<ClaimedDelivery> claims(
      DSLContext dsl, Offer offer, List<PlannedDelivery> leased, long signingGeneration) {
    if (leased.isEmpty()) {
      return List.of();
    }
    Set<String> projects =
        leased.stream().map(d -> d.event().projectId()).collect(Collectors.toSet());
    Map<String, ProjectSecrets> signing;
    try {
      signing = signingKeys.at(dsl, projects, clock.instant(), signingGeneration);
    } catch (RuntimeException e) {
      log.warn(
          "Could not read signing keys for {} deliveries just made; they go when their leases end"
              + " ({})",
          leased.size(),
          e.getMessage());
      return List.of();
    }
    List<ClaimedDelivery> claims = new ArrayList<>(leased.size());
    for (PlannedDelivery made : leased) {
      ProjectSecrets keys = signing.get(made.event().projectId());
      if (keys != null) {
        claims.add(claim(made, keys, offer.token()));
      }
    }
    return claims;
  }

  /** Hands the claims to the dispatcher, once the statement that leased them is committed. */
  void handOver(List<ClaimedDelivery> claims, Offer offer) {
    if (!claims.isEmpty()) {
      dispatch.take(claims, offer.leaseUntil());
    }
  }

  /** What a claim of the delivery reads, as its first attempt: its id is its idempotency key. */
  private static ClaimedDelivery claim(
      PlannedDelivery made, ProjectSecrets signing, UUID leaseToken) {
    UUID id = made.delivery().id();
    Webhook webhook = made.delivery().webhook();
    return new ClaimedDelivery(
        id,
        leaseToken,
        id,
        webhook.id(),
        made.event().projectId(),
        made.event().botId(),
        webhook.url(),
        PayloadBuilder.withKey(made.bodyTemplate(), id),
        0,
        0,
        signing,
        made.event().createTime(),
        false,
        webhook.controls().maxRequestsPerSecond(),
        false);
  }
}
