package dev.herald.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.delivery.EndpointPausePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

  @Test
  void defaultsMatchTheDocumentation() {
    HeraldConfig config = ConfigLoader.load(Map.of("PATH", "/usr/bin"));
    assertEquals(50051, config.api().port());
    assertTrue(config.requireHttps());
    assertFalse(config.delivery().allowPrivateNetworks());
    assertTrue(config.delivery().enabled());
    assertEquals(Duration.ofSeconds(10), config.delivery().timeout());
    assertEquals(3, config.delivery().retryPolicy().maxRetries());
    assertEquals(Optional.empty(), config.database().url());
    assertEquals(Path.of("data"), config.database().dataDir());
    assertEquals(Optional.empty(), config.api().adminToken());
    assertEquals(Duration.ofDays(30), config.database().retention());
    assertEquals(
        EndpointPausePolicy.of(10, Duration.ofMinutes(1), Duration.ofDays(3)),
        config.delivery().endpointPause());
  }

  @Test
  void readsEveryKey() {
    HeraldConfig config =
        ConfigLoader.load(
            Map.ofEntries(
                Map.entry("HERALD_GRPC_PORT", "6000"),
                Map.entry("HERALD_DATABASE_URL", "jdbc:postgresql://db:5432/herald"),
                Map.entry("HERALD_DATABASE_USER", "herald"),
                Map.entry("HERALD_DATABASE_PASSWORD", "pw"),
                Map.entry("HERALD_DATA_DIR", "/var/lib/herald"),
                Map.entry("HERALD_REQUIRE_HTTPS", "FALSE"),
                Map.entry("HERALD_ALLOW_PRIVATE_NETWORKS", "true"),
                Map.entry("HERALD_DELIVERY_TIMEOUT_MS", "2500"),
                Map.entry("HERALD_RETRY_MAX_RETRIES", "5"),
                Map.entry("HERALD_RETRY_INITIAL_DELAY_MS", "1000"),
                Map.entry("HERALD_ADMIN_TOKEN", "t-is-a-token-of-thirty-two-chars-or-more"),
                Map.entry("HERALD_MASTER_KEY", KEY),
                Map.entry("HERALD_RETENTION", "7d"),
                Map.entry("HERALD_PAUSE_AFTER_FAILED_ATTEMPTS", "0"),
                Map.entry("HERALD_PROBE_MAX_INTERVAL_MS", "5000"),
                Map.entry("HERALD_DISABLE_AFTER_UNREACHABLE", "12h")));
    assertEquals(6000, config.api().port());
    assertEquals(Duration.ofDays(7), config.database().retention());
    assertEquals(Optional.of("jdbc:postgresql://db:5432/herald"), config.database().url());
    assertEquals(Optional.of("herald"), config.database().user());
    assertFalse(config.requireHttps());
    assertTrue(config.delivery().allowPrivateNetworks());
    assertEquals(Duration.ofMillis(2500), config.delivery().timeout());
    assertEquals(5, config.delivery().retryPolicy().maxRetries());
    assertEquals(Duration.ofSeconds(1), config.delivery().retryPolicy().initialDelay());
    assertEquals(
        Optional.of("t-is-a-token-of-thirty-two-chars-or-more"), config.api().adminToken());
    assertTrue(config.database().masterKey().isPresent());
    assertEquals(
        EndpointPausePolicy.of(0, Duration.ofSeconds(5), Duration.ofHours(12)),
        config.delivery().endpointPause());
  }

  @Test
  void anExternalDatabaseNeedsAMasterKeyOfThirtyTwoBytes() {
    assertMessage(
        "HERALD_MASTER_KEY is required with HERALD_DATABASE_URL",
        Map.of("HERALD_DATABASE_URL", "jdbc:postgresql://db/h"));
    assertMessage(
        "HERALD_MASTER_KEY must be the base64 of 32 bytes",
        Map.of("HERALD_MASTER_KEY", "c2hvcnQ="));
    assertMessage(
        "HERALD_MASTER_KEY must be standard base64", Map.of("HERALD_MASTER_KEY", "not base64!"));
  }

  @Test
  void aBadValueNamesItsKey() {
    assertMessage("HERALD_GRPC_PORT must be a whole number", Map.of("HERALD_GRPC_PORT", "fifty"));
    assertMessage(
        "HERALD_GRPC_PORT must be between 0 and 65535", Map.of("HERALD_GRPC_PORT", "70000"));
    assertMessage(
        "HERALD_REQUIRE_HTTPS must be true or false", Map.of("HERALD_REQUIRE_HTTPS", "yes"));
    assertMessage(
        "HERALD_DATABASE_URL must be a JDBC URL",
        Map.of("HERALD_DATABASE_URL", "postgres://x", "HERALD_MASTER_KEY", KEY));
    assertMessage(
        "HERALD_DELIVERY_TIMEOUT_MS must be between", Map.of("HERALD_DELIVERY_TIMEOUT_MS", "0"));
  }

  @Test
  void retentionIsDaysOrHoursOfAtLeastADay() {
    assertEquals(
        Duration.ofHours(36),
        ConfigLoader.load(Map.of("HERALD_RETENTION", "36h")).database().retention());
    assertMessage(
        "HERALD_RETENTION must be between 1d and 3650d, is 12h", Map.of("HERALD_RETENTION", "12h"));
    assertMessage(
        "HERALD_RETENTION must be a number of days or hours such as 30d or 36h, is '30 days'",
        Map.of("HERALD_RETENTION", "30 days"));
    assertMessage(
        "HERALD_DISABLE_AFTER_UNREACHABLE must be between 1h and 3650d, is 0h",
        Map.of("HERALD_DISABLE_AFTER_UNREACHABLE", "0h"));
  }

  @Test
  void aWeakAdminTokenStopsStartup() {
    assertMessage(
        "HERALD_ADMIN_TOKEN must be at least 32", Map.of("HERALD_ADMIN_TOKEN", "password123"));
  }

  @Test
  void tlsFilesMustBeReadableAndComeInPairs(@TempDir Path dir) throws IOException {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    assertMessage(
        "HERALD_TLS_CERT_FILE and HERALD_TLS_KEY_FILE go together",
        Map.of("HERALD_TLS_CERT_FILE", cert.toString()));
    assertMessage(
        "HERALD_TLS_KEY_FILE names a file that cannot be read",
        Map.of(
            "HERALD_TLS_CERT_FILE",
            cert.toString(),
            "HERALD_TLS_KEY_FILE",
            dir.resolve("missing.pem").toString()));
    assertMessage(
        "HERALD_TLS_CLIENT_CA_FILE needs HERALD_TLS_CERT_FILE",
        Map.of("HERALD_TLS_CLIENT_CA_FILE", cert.toString()));
  }

  @Test
  void anUnknownKeyStopsStartup() {
    assertMessage("unknown setting HERALD_GRPC_PROT", Map.of("HERALD_GRPC_PROT", "1"));
  }

  @Test
  void readsAPropertiesFileThatTheEnvironmentOverrides(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("herald.properties");
    Files.writeString(file, "HERALD_GRPC_PORT=7000\nHERALD_RETRY_MAX_RETRIES=1\n");
    HeraldConfig config =
        ConfigLoader.load(
            Map.of("HERALD_CONFIG_FILE", file.toString(), "HERALD_RETRY_MAX_RETRIES", "2"));
    assertEquals(7000, config.api().port());
    assertEquals(2, config.delivery().retryPolicy().maxRetries());
  }

  @Test
  void secretsStayOutOfToString() {
    HeraldConfig config =
        ConfigLoader.load(
            Map.of(
                "HERALD_DATABASE_URL", "jdbc:postgresql://db/h?user=u&password=hunter2",
                "HERALD_DATABASE_PASSWORD", "hunter3",
                "HERALD_ADMIN_TOKEN", "tok-123-and-long-enough-to-be-a-key",
                "HERALD_MASTER_KEY", KEY));
    String shown = config.toString();
    assertFalse(
        shown.contains("hunter2")
            || shown.contains("hunter3")
            || shown.contains("tok-123-and-long-enough-to-be-a-key"),
        shown);
    assertFalse(shown.contains(KEY), shown);
  }

  private static void assertMessage(String expected, Map<String, String> settings) {
    ConfigException error = assertThrows(ConfigException.class, () -> ConfigLoader.load(settings));
    assertTrue(error.getMessage().startsWith(expected), error.getMessage());
  }
}
