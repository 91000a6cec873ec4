package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.delivery.SendSlots;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

/**
 * Send slots in {@code webhook_send_slots}: a row per rate-limited webhook holding its next free
 * slot, moved on by every taker under the row's lock, so servers take turns. Times are the
 * database's, and only the wait until the first slot leaves it: servers whose clocks disagree still
 * space their attempts by the database's.
 */
final class PostgresSendSlots implements SendSlots {

  /**
   * Hand-written for one round trip: takes {@code count} slots of a webhook (the first parameter)
   * {@code spacing} apart (the second, in microseconds, times the count: the third), from its next
   * free slot or from now if that has passed; returns the microseconds from now to the end of the
   * run taken.
   */
  static final String TAKE =
      """
      insert into webhook_send_slots as s (webhook_id, next_slot)
      values (?::uuid, statement_timestamp() + make_interval(secs => ?::bigint * ?::int / 1e6))
      on conflict (webhook_id) do update
         set next_slot = greatest(s.next_slot, statement_timestamp())
                         + (excluded.next_slot - statement_timestamp())
      returning (extract(epoch from s.next_slot - statement_timestamp()) * 1e6)::bigint
      """;

  private final Transactor transactor;

  PostgresSendSlots(Transactor transactor) {
    this.transactor = requireNonNull(transactor, "transactor");
  }

  @Override
  public Duration take(UUID webhookId, Duration spacing, int count) {
    long spacingMicros = spacing.toNanos() / 1_000;
    long runEndMicros =
        transactor.outsideTransaction(
            dsl ->
                dsl.connectionResult(
                    connection -> {
                      try (PreparedStatement statement = connection.prepareStatement(TAKE)) {
                        statement.setObject(1, webhookId);
                        statement.setLong(2, spacingMicros);
                        statement.setInt(3, count);
                        try (ResultSet row = statement.executeQuery()) {
                          row.next();
                          return row.getLong(1);
                        }
                      }
                    }));
    return Duration.ofNanos(Math.max(0, runEndMicros - spacingMicros * count) * 1_000);
  }
}
