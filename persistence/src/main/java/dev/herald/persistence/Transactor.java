package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import dev.herald.domain.UnavailableException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jooq.DSLContext;

/**
 * Runs work in a database transaction, handing it the transaction's {@link DSLContext} explicitly,
 * so what runs inside a transaction is visible in the code rather than in a thread-local. Every
 * repository reaches the database through here, so this is where a database out of reach becomes
 * the domain's {@link dev.herald.domain.UnavailableException}.
 */
public final class Transactor {
  private final DSLContext dsl;
  private final DatabaseOutage outage;

  public Transactor(DSLContext dsl) {
    this(dsl, new DatabaseOutage());
  }

  /**
   * @param outage shared by every transactor of one database, so that what one finds, all know
   */
  Transactor(DSLContext dsl, DatabaseOutage outage) {
    this.dsl = requireNonNull(dsl, "dsl");
    this.outage = requireNonNull(outage, "outage");
  }

  /** Commits when {@code work} returns, rolls back when it throws. */
  public <T> T inTransaction(Function<DSLContext, T> work) {
    return run(() -> dsl.transactionResult(configuration -> work.apply(configuration.dsl())));
  }

  /**
   * For reads that must agree with each other (a delivery and its attempts): one snapshot for all
   * of them. In a plain transaction each statement sees what is committed when it starts, so an
   * attempt recorded between two reads showed beside the delivery's previous due time.
   */
  public <T> T inSnapshot(Function<DSLContext, T> work) {
    return inTransaction(
        dsl -> {
          dsl.execute("set transaction isolation level repeatable read, read only");
          return work.apply(dsl);
        });
  }

  /** For single statements, which need no transaction of their own. */
  public <T> T outsideTransaction(Function<DSLContext, T> work) {
    return run(() -> work.apply(dsl));
  }

  private <T> T run(Supplier<T> work) {
    outage.admit();
    try {
      T result = work.get();
      outage.reached();
      return result;
    } catch (RuntimeException e) {
      RuntimeException translated = DatabaseFailures.translate(e);
      if (translated instanceof UnavailableException) {
        outage.unreachable();
      } else {
        outage.reached();
      }
      throw translated;
    } catch (Error e) {
      // Nothing learnt of the database; a trial must not hold its turn for ever.
      outage.undecided();
      throw e;
    }
  }
}
