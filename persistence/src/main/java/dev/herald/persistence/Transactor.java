package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;
import org.jooq.DSLContext;

/**
 * Runs work in a database transaction, handing it the transaction's {@link DSLContext} explicitly,
 * so what runs inside a transaction is visible in the code rather than in a thread-local. Every
 * repository reaches the database through here, so this is where a database out of reach becomes
 * the domain's {@link dev.herald.domain.UnavailableException}.
 */
public final class Transactor {
  private final DSLContext dsl;

  public Transactor(DSLContext dsl) {
    this.dsl = requireNonNull(dsl, "dsl");
  }

  /** Commits when {@code work} returns, rolls back when it throws. */
  public <T> T inTransaction(Function<DSLContext, T> work) {
    try {
      return dsl.transactionResult(configuration -> work.apply(configuration.dsl()));
    } catch (RuntimeException e) {
      throw DatabaseFailures.translate(e);
    }
  }

  /** For single statements, which need no transaction of their own. */
  public <T> T outsideTransaction(Function<DSLContext, T> work) {
    try {
      return work.apply(dsl);
    } catch (RuntimeException e) {
      throw DatabaseFailures.translate(e);
    }
  }
}
