package dev.herald.persistence;

import static dev.herald.persistence.jooq.Tables.DELIVERY_ATTEMPTS;

import dev.herald.domain.delivery.AttemptOutcome;
import dev.herald.domain.delivery.NextStep;
import dev.herald.domain.delivery.RecordedOutcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jooq.DSLContext;
import org.postgresql.util.PSQLException;

/**
 * One batch of attempt outcomes written: its attempts listed and its successes ended, its retries
 * and ends applied, the next delivery of an ordered line let go, in one transaction when there is
 * more than the one statement.
 */
final class RecordBatch {
  /** SQLSTATE unique_violation. */
  private static final String UNIQUE_VIOLATION = "23505";

  private RecordBatch() {}

  /**
   * Writes the batch; should one of its attempts be stored already (a lease lost), writes it again
   * keeping the first of each ({@link AttemptRecords#RECORD_ATTEMPTS}). The outcome of each
   * delivery the batch's claims still held.
   */
  static Map<UUID, RecordedOutcome> write(
      Transactor transactor, List<AttemptOutcome> outcomes, Map<String, Integer> urlNumbers) {
    try {
      return write(transactor, outcomes, urlNumbers, AttemptRecords.RECORD_ATTEMPTS);
    } catch (RuntimeException e) {
      if (!isRepeatedAttempt(e)) {
        throw e;
      }
      return write(
          transactor, outcomes, urlNumbers, AttemptRecords.RECORD_ATTEMPTS_KEEPING_THE_FIRST);
    }
  }

  /**
   * Whether {@code failure} is {@link AttemptRecords#RECORD_ATTEMPTS} refusing an attempt that was
   * listed already: a unique violation in a partition of {@code delivery_attempts}.
   */
  private static boolean isRepeatedAttempt(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause()) {
      if (e instanceof PSQLException refused
          && UNIQUE_VIOLATION.equals(refused.getSQLState())
          && refused.getServerErrorMessage() != null
          && String.valueOf(refused.getServerErrorMessage().getTable())
              .startsWith(DELIVERY_ATTEMPTS.getName())) {
        return true;
      }
    }
    return false;
  }

  /** Writes the batch with {@code record} listing its attempts. */
  private static Map<UUID, RecordedOutcome> write(
      Transactor transactor,
      List<AttemptOutcome> outcomes,
      Map<String, Integer> urlNumbers,
      String record) {
    Function<DSLContext, Map<UUID, RecordedOutcome>> write =
        dsl -> {
          Map<UUID, RecordedOutcome> recorded = new HashMap<>();
          AttemptRecords.listAttemptsEndingSuccesses(dsl, record, outcomes, urlNumbers)
              .forEach(id -> recorded.put(id, RecordedOutcome.HELD));
          List<AttemptOutcome> failed = outcomes.stream().filter(o -> !succeeded(o)).toList();
          recorded.putAll(
              AttemptRecords.recordRetries(
                  dsl, failed.stream().filter(o -> o.next() instanceof NextStep.RetryAt).toList()));
          for (AttemptOutcome outcome : failed) {
            if (!(outcome.next() instanceof NextStep.RetryAt)) {
              recorded.put(outcome.claim().id(), AttemptRecords.recordEnd(dsl, outcome));
            }
          }
          List<AttemptOutcome> endedInLine =
              outcomes.stream()
                  .filter(o -> o.claim().inLine() && !(o.next() instanceof NextStep.RetryAt))
                  .filter(o -> recorded.getOrDefault(o.claim().id(), RecordedOutcome.LOST).held())
                  .toList();
          if (!endedInLine.isEmpty()) {
            dsl.connection(connection -> Lines.letNextGo(connection, endedInLine));
          }
          return recorded;
        };
    // Successes alone are one statement; a failure's steps, or a line's next delivery let go
    // after an end, share the end's transaction.
    return outcomes.stream().allMatch(o -> succeeded(o) && !o.claim().inLine())
        ? transactor.outsideTransaction(write)
        : transactor.inTransaction(write);
  }

  private static boolean succeeded(AttemptOutcome outcome) {
    return outcome.next() instanceof NextStep.Succeed;
  }
}
