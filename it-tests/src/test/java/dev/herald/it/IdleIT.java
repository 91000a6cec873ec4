package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.ExecuteContext;
import org.jooq.ExecuteListener;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;
import org.jooq.impl.DefaultConfiguration;
import org.junit.jupiter.api.Test;

/** An idle server costs its database a few queries a second, not a polling storm. */
class IdleIT {
  private static final long WINDOW_SECONDS = 10;

  @Test
  void anIdleServerIssuesAtMostAFewQueriesPerSecond() throws Exception {
    AtomicLong queries = new AtomicLong();
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.remove("HERALD_DELIVERY_POLL_INTERVAL_MS"); // the production default
    try (HeraldFixture herald = HeraldFixture.start(settings, new CountingQueries(queries));
        Receiver receiver = Receiver.http()) {
      herald.webhooks().createWebhook(Requests.webhook("proj-idle", receiver.url("/idle")));
      herald.ingestion().ingestStateChange(Requests.stateChange("proj-idle", "bot").build());
      receiver.awaitRequests("/idle", 1, HeraldFixture.WAIT);

      ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
      try {
        long before = queries.get();
        long during = clock.schedule(() -> queries.get() - before, WINDOW_SECONDS, TimeUnit.SECONDS).get();
        System.out.printf("idle server: %d queries in %d s%n", during, WINDOW_SECONDS);
        // A poll a second: the claim (a transaction of two statements: readInDueOrder, then the
        // claim itself) and, finding nothing, a look for the next due time; then some room.
        assertTrue(during <= 4 * WINDOW_SECONDS, during + " queries in " + WINDOW_SECONDS + " s");
      } finally {
        clock.shutdown();
      }
    }
  }

  /** The production DSLContext, counting every statement it executes. */
  private static final class CountingQueries extends AbstractModule {
    private final AtomicLong queries;

    CountingQueries(AtomicLong queries) {
      this.queries = queries;
    }

    @Provides
    @Singleton
    DSLContext dsl(DataSource dataSource) {
      ExecuteListener counter = new ExecuteListener() {
        @Override
        public void executeStart(ExecuteContext context) {
          queries.incrementAndGet();
        }
      };
      return DSL.using(
          new DefaultConfiguration()
              .set(dataSource)
              .set(SQLDialect.POSTGRES)
              .set(new Settings().withExecuteLogging(false).withRenderSchema(false))
              .set(counter));
    }
  }
}
