package dev.herald.persistence;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.domain.access.ApiKeyRepository;
import dev.herald.domain.delivery.DeliveryNotifier;
import dev.herald.domain.delivery.DeliveryQueue;
import dev.herald.domain.delivery.DeliveryRepository;
import dev.herald.domain.delivery.DirectDispatch;
import dev.herald.domain.delivery.OutcomeFeed;
import dev.herald.domain.delivery.SendSlots;
import dev.herald.domain.event.EventRepository;
import dev.herald.domain.secret.SigningSecretRepository;
import dev.herald.domain.webhook.WebhookRepository;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * The database: its connection pools (the API's, the ingest writer's and the queue's), jOOQ, and
 * the repositories behind the domain's ports. Past 250 lines as one class because it is a list of
 * providers, one per port and pool, that Guice reads as one module.
 */
public final class PersistenceModule extends AbstractModule {
  /** Longest a statement waits for a connection before the database counts as unavailable. */
  public static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private final DatabaseSettings settings;
  private final MasterKey masterKey;
  private final Duration retention;

  public PersistenceModule(DatabaseSettings settings, MasterKey masterKey) {
    this(settings, masterKey, Retention.DEFAULT);
  }

  public PersistenceModule(DatabaseSettings settings, MasterKey masterKey, Duration retention) {
    this.settings = requireNonNull(settings, "settings");
    this.masterKey = requireNonNull(masterKey, "masterKey");
    this.retention = requireNonNull(retention, "retention");
  }

  @Provides
  @Singleton
  HikariDataSource dataSource() {
    return new HikariDataSource(poolConfig("herald", settings.maxPoolSize()));
  }

  /**
   * The delivery queue's own few connections, apart from the API's and the ingest writer's: their
   * sessions are set to plan on indexes, which the rest of Herald has no need of, and a burst of
   * API calls cannot keep the dispatcher from recording what it delivered. They are opened when
   * first needed, so a server with delivery turned off holds none.
   */
  @Provides
  @Singleton
  @QueueConnections
  HikariDataSource queueDataSource() {
    HikariConfig config = poolConfig("herald-queue", PostgresDeliveryQueue.CONNECTIONS);
    config.setMinimumIdle(0);
    config.setConnectionInitSql(PostgresDeliveryQueue.INDEX_PLANS);
    return new HikariDataSource(config);
  }

  /**
   * The ingest writer's own connections, as many as it writes batches at once. Its statement reads
   * the queue (an ordered webhook's lines, for the delivery ahead of each new one) and keeps its
   * plan, so its sessions rule out sequential scans: a plan made while the queue looked empty read
   * the whole queue for every batch until autoanalyze came. API calls cannot hold it up either.
   */
  @Provides
  @Singleton
  @IngestConnections
  HikariDataSource ingestDataSource() {
    HikariConfig config = poolConfig("herald-ingest", PostgresEventRepository.CONNECTIONS);
    config.setConnectionInitSql(PostgresEventRepository.INDEX_SCANS);
    return new HikariDataSource(config);
  }

  /**
   * Every connection's startup options: neither JIT compilation nor parallel workers. Herald's
   * statements are short and reached by key; both pay only on long analytic queries, and PostgreSQL
   * chooses them by a plan's estimated cost, which for a statement over partitions grows with the
   * days kept. With a month of history the claim's estimate passed {@code jit_above_cost}, and each
   * claim compiled some 450 functions, 260 ms of a 3 ms statement; a bot's page of deliveries
   * started two workers, 12 ms of a 1 ms read.
   */
  static final String SESSION_OPTIONS = "-c jit=off -c max_parallel_workers_per_gather=0";

  private HikariConfig poolConfig(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setPoolName(name);
    config.setJdbcUrl(settings.jdbcUrl());
    if (settings.user() != null) {
      config.setUsername(settings.user());
    }
    if (settings.password() != null) {
      config.setPassword(settings.password());
    }
    config.setMaximumPoolSize(size);
    config.addDataSourceProperty("options", SESSION_OPTIONS);
    config.addDataSourceProperty("binaryTransferEnable", UuidArray.BINARY_TRANSFER);
    // A database out of reach fails a call within seconds, as UNAVAILABLE, rather than holding
    // it for Hikari's default 30 s, past most callers' deadlines.
    config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
    return config;
  }

  @Provides
  @Singleton
  DataSource plainDataSource(HikariDataSource dataSource) {
    return dataSource;
  }

  @Provides
  @Singleton
  DSLContext dsl(DataSource dataSource) {
    return jooq(dataSource);
  }

  private static DSLContext jooq(DataSource dataSource) {
    Settings jooqSettings = new Settings().withExecuteLogging(false).withRenderSchema(false);
    return DSL.using(dataSource, SQLDialect.POSTGRES, jooqSettings);
  }

  @Provides
  @Singleton
  DatabaseProbe databaseProbe(DataSource dataSource) {
    return new DatabaseProbe(dataSource);
  }

  /** One for both pools: when either finds the database gone, work on both fails at once. */
  @Provides
  @Singleton
  DatabaseOutage databaseOutage() {
    return new DatabaseOutage();
  }

  @Provides
  @Singleton
  Transactor transactor(DSLContext dsl, DatabaseOutage outage) {
    return new Transactor(dsl, outage);
  }

  @Provides
  @Singleton
  SchemaMigrator schemaMigrator(DataSource dataSource) {
    return new SchemaMigrator(dataSource);
  }

  @Provides
  @Singleton
  Retention retention(DataSource dataSource, Clock clock) {
    return new Retention(dataSource, retention, clock);
  }

  @Provides
  @Singleton
  ApiKeyRepository apiKeys(Transactor transactor) {
    return new JooqApiKeyRepository(transactor);
  }

  @Provides
  @Singleton
  WebhookRepository webhooks(Transactor transactor) {
    return new JooqWebhookRepository(transactor);
  }

  @Provides
  @Singleton
  EventRepository events(
      @IngestConnections HikariDataSource ingestConnections,
      DatabaseOutage outage,
      DeliveryAnnouncements announcements,
      DirectDispatch dispatch,
      JooqSigningSecretRepository secrets,
      Clock clock) {
    return new PostgresEventRepository(
        new Transactor(jooq(ingestConnections), outage),
        announcements,
        new DirectLeases(dispatch, secrets, clock));
  }

  @Provides
  @Singleton
  DeliveryRepository deliveries(Transactor transactor, DeliveryAnnouncements announcements) {
    return new JooqDeliveryRepository(transactor, announcements);
  }

  @Provides
  @Singleton
  @QueueConnections
  Transactor queueTransactor(
      @QueueConnections HikariDataSource queueConnections, DatabaseOutage outage) {
    return new Transactor(jooq(queueConnections), outage);
  }

  @Provides
  @Singleton
  DeliveryQueue deliveryQueue(
      @QueueConnections Transactor queue,
      JooqSigningSecretRepository secrets,
      OutcomeNotifications outcomes) {
    return new PostgresDeliveryQueue(queue, secrets, outcomes);
  }

  /** On the queue's connections: slots are taken by the claim loop, on its connection. */
  @Provides
  @Singleton
  SendSlots sendSlots(@QueueConnections Transactor queue) {
    return new PostgresSendSlots(queue);
  }

  @Provides
  @Singleton
  OutcomeNotifications outcomeNotifications(Listeners listeners) {
    return new OutcomeNotifications(listeners);
  }

  @Provides
  @Singleton
  Listeners listeners() {
    return new Listeners();
  }

  @Provides
  @Singleton
  OutcomeFeed outcomeFeed(OutcomeNotifications notifications) {
    return notifications;
  }

  @Provides
  @Singleton
  PersistenceMetrics persistenceMetrics(
      PrometheusRegistry registry,
      @QueueConnections Transactor queue,
      HikariDataSource api,
      @QueueConnections HikariDataSource queueConnections,
      @IngestConnections HikariDataSource ingestConnections,
      OutcomeNotifications outcomes,
      Clock clock) {
    return new PersistenceMetrics(
        registry,
        new QueueStatistics(queue),
        Map.of("api", api, "queue", queueConnections, "ingest", ingestConnections),
        outcomes,
        clock);
  }

  @Provides
  @Singleton
  DeliveryAnnouncements deliveryAnnouncements(Listeners listeners) {
    return new DeliveryAnnouncements(listeners);
  }

  @Provides
  @Singleton
  DeliveryWakeups deliveryWakeups(
      DeliveryAnnouncements announcements,
      DeliveryNotifier notifier,
      OutcomeNotifications outcomes,
      Listeners listeners) {
    return new DeliveryWakeups(settings, announcements, notifier, outcomes, listeners);
  }

  @Provides
  @Singleton
  SecretCipher secretCipher() {
    return new SecretCipher(masterKey, new SecureRandom());
  }

  @Provides
  @Singleton
  MasterKeyCheck masterKeyCheck(Transactor transactor, SecretCipher cipher) {
    return new MasterKeyCheck(transactor, cipher);
  }

  @Provides
  @Singleton
  JooqSigningSecretRepository jooqSigningSecrets(Transactor transactor, SecretCipher cipher) {
    return new JooqSigningSecretRepository(transactor, cipher);
  }

  @Provides
  @Singleton
  SigningSecretRepository signingSecrets(JooqSigningSecretRepository secrets) {
    return secrets;
  }
}
