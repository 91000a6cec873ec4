package dev.herald.persistence;

import dev.herald.domain.UnavailableException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers that the database was found out of reach, so that other work fails at once instead of
 * each waiting out the pool's connection timeout: under load, callers waiting five seconds apiece
 * pile up past their own deadlines. Every {@link #TRIAL_EVERY} one piece of work is let through to
 * try the database; the first that reaches it ends the outage for all.
 */
final class DatabaseOutage {
  static final Duration TRIAL_EVERY = Duration.ofMillis(500);
  private static final Logger log = LoggerFactory.getLogger(DatabaseOutage.class);

  private volatile boolean ongoing;
  private volatile long nextTrialNanos;
  private final AtomicBoolean trialUnderWay = new AtomicBoolean();

  /**
   * Lets the work through, or refuses it at once while the database is known to be out of reach.
   *
   * @throws UnavailableException during an outage, unless this is its next trial
   */
  void admit() {
    if (ongoing
        && !(System.nanoTime() - nextTrialNanos >= 0 && trialUnderWay.compareAndSet(false, true))) {
      throw new UnavailableException("the database is unavailable", null);
    }
  }

  /** The work reached the database (whether or not it succeeded there). */
  void reached() {
    if (ongoing) {
      ongoing = false;
      trialUnderWay.set(false);
      log.info("The database is reachable again");
    }
  }

  /** The work ended without a word on the database; another may try it. */
  void undecided() {
    trialUnderWay.set(false);
  }

  /** The work found the database out of reach. */
  void unreachable() {
    nextTrialNanos = System.nanoTime() + TRIAL_EVERY.toNanos();
    if (!ongoing) {
      ongoing = true;
      log.warn(
          "The database is out of reach; work fails at once until it answers again (tried every"
              + " {} ms)",
          TRIAL_EVERY.toMillis());
    }
    trialUnderWay.set(false);
  }
}
