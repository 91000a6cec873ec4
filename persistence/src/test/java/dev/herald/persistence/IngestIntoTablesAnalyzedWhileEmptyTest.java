package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.domain.event.Event;
import dev.herald.domain.event.FanOut;
import dev.herald.domain.webhook.DeliveryControls;
import dev.herald.domain.webhook.Ordering;
import dev.herald.domain.webhook.Trigger;
import dev.herald.domain.webhook.Webhook;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tables analyzed while empty, as a vacuum of a new installation leaves them, or nearly so, as
 * autovacuum's first look leaves them: a plan made then scans the table whole, and a connection
 * keeps the plans it made while the table grows. Ingest must reach every row by key however many
 * arrive before the statistics catch up. Foreign key checks, planned by PostgreSQL itself in each
 * connection, did not: every delivery scanned the events and deliveries written so far, and at
 * 20,000 events a batch of 32 took 130 ms until autoanalyze came a minute later. The ingest
 * writer's connections rule out sequential scans for the statement's own reads of the queue.
 */
class IngestIntoTablesAnalyzedWhileEmptyTest {
  private static final int EVENTS = 2_000;

  /** Lines of an ordered webhook, each with deliveries already queued when the next arrives. */
  private static final int BOTS = 50;

  private static final List<String> WRITTEN = List.of("events", "deliveries", "delivery_queue");

  private static EmbeddedPostgres postgres;
  private static HikariDataSource oneConnection;

  @BeforeAll
  static void startDatabase() throws IOException {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    postgres = QueueTables.startedWithoutAutovacuum();
    new SchemaMigrator(postgres.getPostgresDatabase()).migrate();
    HikariConfig config = new HikariConfig();
    config.setDataSource(postgres.getPostgresDatabase());
    config.setMaximumPoolSize(1);
    // As the ingest writer's own connections are (PersistenceModule).
    config.setConnectionInitSql(PostgresEventRepository.INDEX_SCANS);
    oneConnection = new HikariDataSource(config);
  }

  @AfterAll
  static void stopDatabase() throws IOException {
    oneConnection.close();
    postgres.close();
  }

  @Test
  void ingestReadsNoTableItWritesSequentially() {
    assertNoSequentialReads(DeliveryControls.NONE);
  }

  /**
   * An ordered webhook's delivery looks in the queue for an earlier one of its bot's line, and
   * locks it, before it is queued. Planned on the defaults while the queue looked empty, that look
   * read the whole queue for every batch: 1,999,000 rows for these 2,000 events.
   */
  @Test
  void orderedIngestReadsNoTableItWritesSequentially() {
    assertNoSequentialReads(new DeliveryControls(List.of(), Ordering.PER_BOT, OptionalInt.empty()));
  }

  private static void assertNoSequentialReads(DeliveryControls controls) {
    DSLContext dsl = DSL.using(oneConnection, SQLDialect.POSTGRES);
    dsl.execute("truncate webhooks, " + String.join(", ", WRITTEN) + " cascade");
    Transactor transactor = new Transactor(dsl);
    Instant now = Instant.now();
    new JooqWebhookRepository(transactor)
        .insertIfFewerThan(
            new Webhook(
                UUID.randomUUID(),
                "proj",
                null,
                "https://example.com/h",
                List.of(Trigger.BOT_STATE_CHANGE),
                true,
                null,
                now,
                now,
                controls),
            100);
    WRITTEN.forEach(table -> dsl.execute("vacuum (analyze) " + table));
    dsl.execute("select pg_stat_reset()");

    PostgresEventRepository events =
        new PostgresEventRepository(transactor, new DeliveryAnnouncements(new Listeners()));
    for (int i = 0; i < EVENTS; i++) {
      Event event = QueueFixtures.joined("evt-" + i, "bot-" + i % BOTS, now);
      events.recordOnce(event, candidates -> FanOut.deliveries(event, candidates)).join();
    }

    Map<String, Long> tuplesReadInScans = scansOnceCounted(dsl);
    WRITTEN.forEach(
        table -> assertEquals(0L, tuplesReadInScans.get(table), table + " read sequentially"));
  }

  /**
   * Rows read by sequential scans of each table. The ingest ran on the one pooled connection, which
   * reports its counts when idle, at most once a second, unless asked to at once.
   */
  private static Map<String, Long> scansOnceCounted(DSLContext dsl) {
    dsl.execute("select pg_stat_force_next_flush()");
    assertEquals(
        EVENTS,
        counted(dsl, "n_tup_ins").get("delivery_queue"),
        "the statistics count every queued delivery");
    return counted(dsl, "seq_tup_read");
  }

  /** Each written table's count, over its partitions if it has them. */
  private static Map<String, Long> counted(DSLContext dsl, String counter) {
    return dsl.resultQuery(
            "select coalesce(i.inhparent::regclass::text, s.relname) as name, sum(s."
                + counter
                + ")::bigint from pg_stat_user_tables s"
                + " left join pg_inherits i on i.inhrelid = s.relid"
                + " group by 1 having coalesce(i.inhparent::regclass::text, s.relname)"
                + " = any(?::text[])",
            (Object) WRITTEN.toArray(String[]::new))
        .fetchMap(r -> r.get(0, String.class), r -> r.get(1, Long.class));
  }
}
