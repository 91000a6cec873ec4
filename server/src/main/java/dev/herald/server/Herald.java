package dev.herald.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import com.google.inject.util.Modules;
import com.zaxxer.hikari.HikariDataSource;
import dev.herald.api.ApiModule;
import dev.herald.delivery.DeliveryDispatcher;
import dev.herald.delivery.DeliveryModule;
import dev.herald.domain.access.ApiKeyService;
import dev.herald.persistence.DatabaseSettings;
import dev.herald.persistence.DeliveryWakeups;
import dev.herald.persistence.IngestConnections;
import dev.herald.persistence.JdbcUrls;
import dev.herald.persistence.MasterKey;
import dev.herald.persistence.MasterKeyCheck;
import dev.herald.persistence.PersistenceMetrics;
import dev.herald.persistence.PersistenceModule;
import dev.herald.persistence.QueueConnections;
import dev.herald.persistence.Retention;
import dev.herald.persistence.SchemaMigrator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Herald: database, schema, dispatcher and gRPC server, started in that order and stopped
 * in reverse. Composes every module's Guice module in one place.
 *
 * <p>Past 250 lines as one class because starting and stopping are one sequence each, in an order
 * that matters (database, schema, servers, dispatcher; the reverse to stop), and reads best in one
 * place.
 */
public final class Herald implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Herald.class);

  static {
    // jOOQ prints a banner and tips at first use; they say nothing about Herald.
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
  }

  private final EmbeddedDatabase embeddedDatabase;

  /** The connection pools, the API's and the delivery queue's. */
  private final List<HikariDataSource> pools;

  private final DeliveryDispatcher dispatcher;
  private final DeliveryWakeups wakeups;
  private final GrpcServer grpcServer;
  private final DatabaseHealth databaseHealth;
  private final PersistenceMetrics persistenceMetrics;
  private final Retention retention;

  /** Null when the HTTP port is off. */
  private final OperationsHttpServer httpServer;

  private boolean closed;

  private Herald(
      EmbeddedDatabase embeddedDatabase,
      List<HikariDataSource> pools,
      DeliveryDispatcher dispatcher,
      DeliveryWakeups wakeups,
      GrpcServer grpcServer,
      DatabaseHealth databaseHealth,
      PersistenceMetrics persistenceMetrics,
      Retention retention,
      OperationsHttpServer httpServer) {
    this.embeddedDatabase = embeddedDatabase;
    this.persistenceMetrics = persistenceMetrics;
    this.retention = retention;
    this.databaseHealth = databaseHealth;
    this.httpServer = httpServer;
    this.pools = pools;
    this.dispatcher = dispatcher;
    this.wakeups = wakeups;
    this.grpcServer = grpcServer;
  }

  /**
   * Starts Herald. {@code overrides} replace production bindings (tests use this for a clock, say);
   * production passes none.
   */
  public static Herald start(HeraldConfig config, Module... overrides) {
    if (config.delivery().allowPrivateNetworks()) {
      log.warn(
          "HERALD_ALLOW_PRIVATE_NETWORKS is on: webhooks may target loopback and private "
              + "addresses. Use this for development only.");
    }
    EmbeddedDatabase embedded =
        config.database().url().isPresent()
            ? null
            : EmbeddedDatabase.start(config.database().dataDir());
    List<HikariDataSource> pools = List.of();
    try {
      DatabaseConfig database = config.database();
      DatabaseSettings settings =
          embedded != null
              ? new DatabaseSettings(
                  embedded.jdbcUrl(), embedded.user(), embedded.password(), database.poolSize())
              : new DatabaseSettings(
                  database.url().get(),
                  database.user().orElse(null),
                  database.password().orElse(null),
                  database.poolSize());
      String jdbcUrl = settings.jdbcUrl();
      Injector injector = injector(config, settings, overrides);
      pools =
          List.of(
              injector.getInstance(HikariDataSource.class),
              injector.getInstance(Key.get(HikariDataSource.class, QueueConnections.class)),
              injector.getInstance(Key.get(HikariDataSource.class, IngestConnections.class)));
      int applied = injector.getInstance(SchemaMigrator.class).migrate();
      injector.getInstance(MasterKeyCheck.class).verify();
      injector
          .getInstance(ApiKeyService.class)
          .bootstrap(config.api().adminToken())
          .ifPresent(
              first -> {
                Path file = FirstApiKey.save(config.database().dataDir(), first.token());
                log.info(
                    "Created the first API key, {}, a global admin key; its token is in {}",
                    first.key().id(),
                    file);
              });
      Herald herald =
          new Herald(
              embedded,
              pools,
              injector.getInstance(DeliveryDispatcher.class),
              injector.getInstance(DeliveryWakeups.class),
              injector.getInstance(GrpcServer.class),
              injector.getInstance(DatabaseHealth.class),
              injector.getInstance(PersistenceMetrics.class),
              injector.getInstance(Retention.class),
              config.api().httpPort() == ApiConfig.HTTP_OFF
                  ? null
                  : injector.getInstance(OperationsHttpServer.class));
      herald.persistenceMetrics.start();
      herald.retention.start();
      // Always listening: watchers on a server that does not deliver see other servers' outcomes.
      herald.wakeups.start();
      if (config.delivery().enabled()) {
        herald.dispatcher.start();
      }
      try {
        herald.grpcServer.start();
        herald.databaseHealth.start();
        if (herald.httpServer != null) {
          herald.httpServer.start();
        }
      } catch (RuntimeException e) {
        herald.retention.close();
        herald.persistenceMetrics.close();
        herald.databaseHealth.close();
        herald.grpcServer.stop();
        herald.wakeups.close();
        herald.dispatcher.stop();
        throw e;
      }
      if (config.api().tls().isEmpty()) {
        log.warn(
            "gRPC is served without TLS on every network interface: API keys and payloads cross "
                + "the network in clear text. Set HERALD_TLS_CERT_FILE and HERALD_TLS_KEY_FILE, or "
                + "keep port {} reachable from a trusted network only.",
            herald.port());
      }
      log.info(
          "Herald listening for gRPC{} on port {}{}; database: {}{}",
          config.api().tls().map(Herald::describe).orElse(""),
          herald.port(),
          herald.httpServer == null
              ? ""
              : ", HTTP (metrics, probes) on port " + herald.httpServer.port(),
          embedded != null ? embedded.describe() : JdbcUrls.redact(jdbcUrl),
          applied > 0 ? " (applied " + applied + " migrations)" : "");
      return herald;
    } catch (RuntimeException e) {
      pools.forEach(HikariDataSource::close);
      if (embedded != null) {
        embedded.close();
      }
      // A setting found bad while building a component (a TLS key that does not parse, say)
      // is still a configuration error, reported as one.
      if (e instanceof ProvisionException provision
          && provision.getCause() instanceof ConfigException badSetting) {
        throw badSetting;
      }
      throw e;
    }
  }

  private static String describe(TlsConfig tls) {
    return tls.clientCa().isPresent() ? " over TLS, client certificates required," : " over TLS";
  }

  private static Injector injector(
      HeraldConfig config, DatabaseSettings settings, Module... overrides) {
    List<Module> modules = new ArrayList<>();
    DatabaseConfig database = config.database();
    MasterKey masterKey =
        database.masterKey().orElseGet(() -> MasterKeyFile.loadOrCreate(database.dataDir()));
    modules.add(new PersistenceModule(settings, masterKey, database.retention()));
    modules.add(new DeliveryModule(config.delivery()));
    modules.add(new DomainModule(config.requireHttps(), config.quotas()));
    modules.add(new ApiModule());
    modules.add(new ServerModule(config.api()));
    Module production = Modules.combine(modules);
    Module root = overrides.length == 0 ? production : Modules.override(production).with(overrides);
    return Guice.createInjector(
        Stage.PRODUCTION,
        binder -> {
          binder.requireExplicitBindings();
          binder.disableCircularProxies();
        },
        root);
  }

  public int port() {
    return grpcServer.port();
  }

  /** The operations HTTP port, or -1 when it is off. */
  public int httpPort() {
    return httpServer == null ? ApiConfig.HTTP_OFF : httpServer.port();
  }

  /**
   * Stops taking calls, lets attempts in flight finish (or gives them back), then closes the
   * database. Safe to call twice.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("Herald stopping");
    if (httpServer != null) {
      httpServer.stop();
    }
    databaseHealth.close();
    retention.close();
    persistenceMetrics.close();
    grpcServer.stop();
    wakeups.close();
    dispatcher.stop();
    pools.forEach(HikariDataSource::close);
    if (embeddedDatabase != null) {
      embeddedDatabase.close();
    }
    log.info("Herald stopped");
  }
}
