package dev.herald.domain.delivery;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.secret.ProjectSecrets;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A due delivery leased to one worker until its lease ends. {@code url} is the webhook's current
 * URL, so a corrected URL also fixes pending retries. {@code signing} is the project's keys that
 * sign now and the schemes it signs with. {@code inLine} says the delivery holds its bot's place in
 * an ordered webhook's line, which its end lets the next one take; {@code maxRequestsPerSecond} is
 * its webhook's rate limit, if any. {@code createTime} is when the delivery was made, as its event
 * was acknowledged. {@code probe} says its webhook's endpoint was paused as unreachable when it was
 * claimed ({@link EndpointPausePolicy}): its attempt asks whether the endpoint is back.
 */
public record ClaimedDelivery(
    UUID id,
    UUID leaseToken,
    UUID idempotencyKey,
    UUID webhookId,
    String projectId,
    String botId,
    String url,
    String payload,
    int attemptsMade,
    int roundStart,
    ProjectSecrets signing,
    Instant createTime,
    boolean inLine,
    OptionalInt maxRequestsPerSecond,
    boolean probe) {

  public ClaimedDelivery {
    requireNonNull(id, "id");
    requireNonNull(leaseToken, "leaseToken");
    requireNonNull(idempotencyKey, "idempotencyKey");
    requireNonNull(botId, "botId");
    requireNonNull(url, "url");
    requireNonNull(payload, "payload");
    requireNonNull(createTime, "createTime");
    requireNonNull(signing, "signing");
    requireNonNull(maxRequestsPerSecond, "maxRequestsPerSecond");
  }

  public int nextAttemptNumber() {
    return attemptsMade + 1;
  }

  /** Which attempt of the current round the next one is; a manual retry starts a new round. */
  public int nextAttemptInRound() {
    return attemptsMade - roundStart + 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClaimedDelivery other
        && id.equals(other.id)
        && leaseToken.equals(other.leaseToken);
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + leaseToken.hashCode();
  }

  @Override
  public String toString() {
    return "ClaimedDelivery[id=" + id + ", attempt=" + nextAttemptNumber() + ", url=" + url + "]";
  }
}
