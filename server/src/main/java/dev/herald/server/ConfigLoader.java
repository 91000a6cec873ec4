package dev.herald.server;

import dev.herald.delivery.DeliveryConfig;
import dev.herald.domain.ProjectQuotas;
import dev.herald.domain.access.ApiTokens;
import dev.herald.domain.delivery.EndpointHealthPolicy;
import dev.herald.domain.delivery.EndpointPausePolicy;
import dev.herald.domain.delivery.RetryPolicy;
import dev.herald.persistence.MasterKey;
import dev.herald.persistence.Retention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code HERALD_*} settings from the environment and, when {@code HERALD_CONFIG_FILE} names
 * one, a properties file with the same keys (the environment wins). An unknown key or a bad value
 * stops startup with a message naming the key, so a typo is never silently ignored.
 *
 * <p>Past 250 lines as one class so that each key's name, default, range and checks across keys
 * stand in one place; reading each kind of value is {@link SettingValues}'s. The records it builds
 * (one per concern) are what the rest of Herald sees.
 */
public final class ConfigLoader {
  static final String PREFIX = "HERALD_";
  static final String CONFIG_FILE = "HERALD_CONFIG_FILE";
  static final String GRPC_PORT = "HERALD_GRPC_PORT";
  static final String HTTP_PORT = "HERALD_HTTP_PORT";

  /** Read by {@link Main} before logging starts; checked here like every other key. */
  static final String LOG_FORMAT = "HERALD_LOG_FORMAT";

  static final String DATABASE_URL = "HERALD_DATABASE_URL";
  static final String DATABASE_USER = "HERALD_DATABASE_USER";
  static final String DATABASE_PASSWORD = "HERALD_DATABASE_PASSWORD";
  static final String DATABASE_POOL_SIZE = "HERALD_DATABASE_POOL_SIZE";
  static final String RETENTION = "HERALD_RETENTION";
  static final String DATA_DIR = "HERALD_DATA_DIR";
  static final String REQUIRE_HTTPS = "HERALD_REQUIRE_HTTPS";
  static final String ALLOW_PRIVATE_NETWORKS = "HERALD_ALLOW_PRIVATE_NETWORKS";
  static final String DELIVERY_ENABLED = "HERALD_DELIVERY_ENABLED";
  static final String DELIVERY_TIMEOUT_MS = "HERALD_DELIVERY_TIMEOUT_MS";
  static final String DELIVERY_CONCURRENCY = "HERALD_DELIVERY_CONCURRENCY";
  static final String DELIVERY_POLL_INTERVAL_MS = "HERALD_DELIVERY_POLL_INTERVAL_MS";
  static final String DELIVERY_PER_ENDPOINT_CONCURRENCY =
      "HERALD_DELIVERY_PER_ENDPOINT_CONCURRENCY";
  static final String DELIVERY_LEASE_MS = "HERALD_DELIVERY_LEASE_MS";
  static final String DELIVERY_PER_PROJECT_CONCURRENCY = "HERALD_DELIVERY_PER_PROJECT_CONCURRENCY";
  static final String DELIVERY_PER_HOST_CONCURRENCY = "HERALD_DELIVERY_PER_HOST_CONCURRENCY";
  static final String MAX_WEBHOOKS_PER_PROJECT = "HERALD_MAX_WEBHOOKS_PER_PROJECT";
  static final String MAX_SIGNING_KEYS_PER_PROJECT = "HERALD_MAX_SIGNING_KEYS_PER_PROJECT";
  static final String RETRY_MULTIPLIER = "HERALD_RETRY_MULTIPLIER";
  static final String RETRY_MAX_DELAY_MS = "HERALD_RETRY_MAX_DELAY_MS";
  static final String RETRY_JITTER = "HERALD_RETRY_JITTER";
  static final String DISABLE_AFTER_FAILED_DELIVERIES = "HERALD_DISABLE_AFTER_FAILED_DELIVERIES";
  static final String PAUSE_AFTER_FAILED_ATTEMPTS = "HERALD_PAUSE_AFTER_FAILED_ATTEMPTS";
  static final String PROBE_MAX_INTERVAL_MS = "HERALD_PROBE_MAX_INTERVAL_MS";
  static final String DISABLE_AFTER_UNREACHABLE = "HERALD_DISABLE_AFTER_UNREACHABLE";
  static final String RETRY_MAX_RETRIES = "HERALD_RETRY_MAX_RETRIES";
  static final String RETRY_INITIAL_DELAY_MS = "HERALD_RETRY_INITIAL_DELAY_MS";
  static final String ADMIN_TOKEN = "HERALD_ADMIN_TOKEN";
  static final String MASTER_KEY = "HERALD_MASTER_KEY";
  static final String TLS_CERT_FILE = "HERALD_TLS_CERT_FILE";
  static final String TLS_KEY_FILE = "HERALD_TLS_KEY_FILE";
  static final String TLS_CLIENT_CA_FILE = "HERALD_TLS_CLIENT_CA_FILE";

  static final Set<String> KNOWN_KEYS =
      Set.of(
          CONFIG_FILE,
          GRPC_PORT,
          HTTP_PORT,
          LOG_FORMAT,
          DATABASE_URL,
          DATABASE_USER,
          DATABASE_PASSWORD,
          DATABASE_POOL_SIZE,
          RETENTION,
          DATA_DIR,
          REQUIRE_HTTPS,
          ALLOW_PRIVATE_NETWORKS,
          DELIVERY_ENABLED,
          DELIVERY_TIMEOUT_MS,
          DELIVERY_CONCURRENCY,
          DELIVERY_POLL_INTERVAL_MS,
          DELIVERY_PER_ENDPOINT_CONCURRENCY,
          DELIVERY_LEASE_MS,
          DELIVERY_PER_PROJECT_CONCURRENCY,
          DELIVERY_PER_HOST_CONCURRENCY,
          MAX_WEBHOOKS_PER_PROJECT,
          MAX_SIGNING_KEYS_PER_PROJECT,
          RETRY_MAX_RETRIES,
          RETRY_INITIAL_DELAY_MS,
          RETRY_MULTIPLIER,
          RETRY_MAX_DELAY_MS,
          RETRY_JITTER,
          DISABLE_AFTER_FAILED_DELIVERIES,
          PAUSE_AFTER_FAILED_ATTEMPTS,
          PROBE_MAX_INTERVAL_MS,
          DISABLE_AFTER_UNREACHABLE,
          ADMIN_TOKEN,
          MASTER_KEY,
          TLS_CERT_FILE,
          TLS_KEY_FILE,
          TLS_CLIENT_CA_FILE);

  private final SettingValues settings;

  private ConfigLoader(Map<String, String> values) {
    this.settings = new SettingValues(values);
  }

  /** Reads the environment (and the file it names). */
  public static HeraldConfig fromEnvironment() {
    return load(System.getenv());
  }

  /** Reads {@code HERALD_*} entries of {@code environment}; other entries are ignored. */
  public static HeraldConfig load(Map<String, String> environment) {
    Map<String, String> settings = new HashMap<>();
    String file = environment.get(CONFIG_FILE);
    if (file != null && !file.isBlank()) {
      settings.putAll(SettingValues.readFile(Path.of(file)));
    }
    environment.forEach(
        (key, value) -> {
          if (key.startsWith(PREFIX)) {
            settings.put(key, value);
          }
        });
    rejectUnknown(settings);
    return new ConfigLoader(settings).build();
  }

  private HeraldConfig build() {
    RetryPolicy retry =
        new RetryPolicy(
            settings.integer(RETRY_MAX_RETRIES, RetryPolicy.DEFAULT_MAX_RETRIES, 0, 100),
            settings.millis(
                RETRY_INITIAL_DELAY_MS,
                RetryPolicy.DEFAULT_INITIAL_DELAY.toMillis(),
                1,
                86_400_000),
            settings.decimal(RETRY_MULTIPLIER, RetryPolicy.DEFAULT_MULTIPLIER, 1, 10),
            settings.millis(
                RETRY_MAX_DELAY_MS, RetryPolicy.DEFAULT_MAX_DELAY.toMillis(), 1, 7 * 86_400_000),
            settings.decimal(RETRY_JITTER, RetryPolicy.DEFAULT_JITTER, 0, 1));
    int concurrency = settings.integer(DELIVERY_CONCURRENCY, 32, 1, 1024);
    int perEndpoint =
        settings.integer(DELIVERY_PER_ENDPOINT_CONCURRENCY, Math.min(8, concurrency), 1, 1024);
    DeliveryConfig delivery =
        new DeliveryConfig(
            settings.bool(DELIVERY_ENABLED, true),
            settings.millis(DELIVERY_TIMEOUT_MS, 10_000, 100, 300_000),
            concurrency,
            perEndpoint,
            // Half the slots at most to one project or one destination: the other half stays
            // free for everyone else however one tenant's endpoints behave. A destination gets at
            // least two webhooks' worth, so one hanging path cannot hold a whole host.
            settings.integer(
                DELIVERY_PER_PROJECT_CONCURRENCY, Math.max(1, concurrency / 2), 1, 1024),
            settings.integer(
                DELIVERY_PER_HOST_CONCURRENCY,
                Math.min(concurrency, Math.max(concurrency / 2, 2 * perEndpoint)),
                1,
                1024),
            settings.millis(DELIVERY_POLL_INTERVAL_MS, 1_000, 10, 60_000),
            settings.millis(DELIVERY_LEASE_MS, 30_000, 1_000, 3_600_000),
            settings.bool(ALLOW_PRIVATE_NETWORKS, false),
            retry,
            new EndpointHealthPolicy(
                settings.integer(DISABLE_AFTER_FAILED_DELIVERIES, 0, 0, 1_000_000)),
            EndpointPausePolicy.of(
                settings.integer(
                    PAUSE_AFTER_FAILED_ATTEMPTS,
                    EndpointPausePolicy.DEFAULT_AFTER_FAILED_ATTEMPTS,
                    0,
                    1_000_000),
                settings.millis(
                    PROBE_MAX_INTERVAL_MS,
                    EndpointPausePolicy.DEFAULT_MAX_PROBE_INTERVAL.toMillis(),
                    1_000,
                    86_400_000),
                settings.days(
                    DISABLE_AFTER_UNREACHABLE,
                    EndpointPausePolicy.DEFAULT_DISABLE_AFTER,
                    Duration.ofHours(1))));
    Optional<MasterKey> masterKey = settings.text(MASTER_KEY).map(ConfigLoader::masterKey);
    Optional<String> databaseUrl = settings.text(DATABASE_URL).map(ConfigLoader::requireJdbcUrl);
    if (databaseUrl.isPresent() && masterKey.isEmpty()) {
      throw new ConfigException(
          MASTER_KEY
              + " is required with "
              + DATABASE_URL
              + ": every server sharing the database "
              + "must encrypt signing secrets under the same key (make one with: "
              + "head -c 32 /dev/urandom | base64)");
    }
    DatabaseConfig database =
        new DatabaseConfig(
            databaseUrl,
            settings.text(DATABASE_USER),
            settings.text(DATABASE_PASSWORD),
            Path.of(settings.text(DATA_DIR).orElse("data")),
            settings.integer(DATABASE_POOL_SIZE, 20, 2, 500),
            masterKey,
            settings.days(RETENTION, Retention.DEFAULT, Retention.MINIMUM));
    logFormat(settings.raw(LOG_FORMAT));
    ApiConfig api =
        new ApiConfig(
            settings.integer(GRPC_PORT, 50051, 0, 65535),
            settings.text(ADMIN_TOKEN).map(ConfigLoader::adminToken),
            tls(),
            settings.integer(HTTP_PORT, 8080, ApiConfig.HTTP_OFF, 65535));
    ProjectQuotas quotas =
        new ProjectQuotas(
            settings.integer(MAX_WEBHOOKS_PER_PROJECT, ProjectQuotas.DEFAULT_WEBHOOKS, 1, 100_000),
            settings.integer(
                MAX_SIGNING_KEYS_PER_PROJECT, ProjectQuotas.DEFAULT_SIGNING_KEYS, 2, 100));
    return new HeraldConfig(settings.bool(REQUIRE_HTTPS, true), database, delivery, api, quotas);
  }

  private Optional<TlsConfig> tls() {
    Optional<Path> certificate = settings.readableFile(TLS_CERT_FILE);
    Optional<Path> key = settings.readableFile(TLS_KEY_FILE);
    Optional<Path> clientCa = settings.readableFile(TLS_CLIENT_CA_FILE);
    if (certificate.isPresent() != key.isPresent()) {
      throw new ConfigException(
          TLS_CERT_FILE + " and " + TLS_KEY_FILE + " go together: set both or neither");
    }
    if (clientCa.isPresent() && certificate.isEmpty()) {
      throw new ConfigException(
          TLS_CLIENT_CA_FILE + " needs " + TLS_CERT_FILE + " and " + TLS_KEY_FILE);
    }
    return certificate.map(c -> new TlsConfig(c, key.get(), clientCa));
  }

  /**
   * One setting as {@link #load} would read it (the environment, then the file it names), for what
   * must be known before the rest: the log format, before the first logger exists.
   */
  static String earlySetting(Map<String, String> environment, String key) {
    String value = environment.get(key);
    String file = environment.get(CONFIG_FILE);
    if (value == null && file != null && !file.isBlank()) {
      try {
        value = SettingValues.readFile(Path.of(file)).get(key);
      } catch (ConfigException unreadable) {
        return null; // reported when the whole configuration is loaded
      }
    }
    return value;
  }

  /** {@code text} (the default) or {@code json}; anything else stops startup. */
  static String logFormat(String value) {
    String format =
        value == null || value.isBlank() ? "text" : value.trim().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new ConfigException(LOG_FORMAT + " must be text or json, is '" + value + "'");
    }
    return format;
  }

  private static String requireJdbcUrl(String url) {
    if (!url.startsWith("jdbc:postgresql:")) {
      throw new ConfigException(
          DATABASE_URL + " must be a JDBC URL starting with jdbc:postgresql:");
    }
    return url;
  }

  private static String adminToken(String token) {
    if (token.length() < ApiTokens.MIN_CONFIGURED_LENGTH
        || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new ConfigException(
          ADMIN_TOKEN
              + " must be at least "
              + ApiTokens.MIN_CONFIGURED_LENGTH
              + " visible ASCII characters without spaces (make one with: "
              + "head -c 32 /dev/urandom | base64)");
    }
    return token;
  }

  private static MasterKey masterKey(String base64) {
    try {
      byte[] bytes = Base64.getDecoder().decode(base64);
      if (bytes.length != MasterKey.BYTES) {
        throw new ConfigException(
            MASTER_KEY
                + " must be the base64 of "
                + MasterKey.BYTES
                + " bytes, is "
                + bytes.length
                + " bytes");
      }
      return new MasterKey(bytes);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(MASTER_KEY + " must be standard base64");
    }
  }

  private static void rejectUnknown(Map<String, String> settings) {
    Set<String> unknown = new TreeSet<>(settings.keySet());
    unknown.removeAll(KNOWN_KEYS);
    if (!unknown.isEmpty()) {
      throw new ConfigException(
          "unknown setting"
              + (unknown.size() > 1 ? "s " : " ")
              + String.join(", ", unknown)
              + "; known settings: "
              + String.join(", ", new TreeSet<>(KNOWN_KEYS)));
    }
  }
}
