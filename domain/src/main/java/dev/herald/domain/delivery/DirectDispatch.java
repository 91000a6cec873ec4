package dev.herald.domain.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * This server's dispatcher, offered the deliveries an ingest makes: those it has room for are
 * leased to it by the commit that makes them and handed over at once, with no claim to find them in
 * the queue again. What it has no room for, and what must wait (an ordered webhook's line, a paused
 * endpoint), stays in the queue for the claims, as do all deliveries on a server that does not
 * dispatch. A lease taken this way is a claim's lease: renewed while its attempt runs, and run out
 * if this server stops, so that another server claims the delivery.
 */
public interface DirectDispatch {
  /** How many deliveries it takes now, and the webhooks it takes none of now. */
  Opening opening();

  /** How long a delivery handed over this way is leased. */
  Duration lease();

  /** Deliveries leased to this server until {@code leaseUntil} by an ingest now committed. */
  void take(List<ClaimedDelivery> claims, Instant leaseUntil);

  /**
   * What the dispatcher takes: up to {@code room} deliveries, of webhooks other than {@code
   * passedOver} (those with enough waiting already, or waiting for their rate limit).
   */
  record Opening(int room, Set<UUID> passedOver) {
    public static final Opening CLOSED = new Opening(0, Set.of());

    public Opening {
      passedOver = Set.copyOf(passedOver);
    }

    public boolean takes(UUID webhookId) {
      return room > 0 && !passedOver.contains(webhookId);
    }
  }

  /** No dispatcher here: every delivery waits for a claim. */
  DirectDispatch NONE =
      new DirectDispatch() {
        @Override
        public Opening opening() {
          return Opening.CLOSED;
        }

        @Override
        public Duration lease() {
          return Duration.ZERO;
        }

        @Override
        public void take(List<ClaimedDelivery> claims, Instant leaseUntil) {
          throw new IllegalStateException("no dispatcher takes deliveries here");
        }
      };
}
