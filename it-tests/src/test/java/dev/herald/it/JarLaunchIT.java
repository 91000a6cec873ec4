package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.herald.proto.v1.IngestionServiceGrpc;
import dev.herald.proto.v1.ListWebhooksRequest;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code java -jar server/target/herald-server.jar}, exactly as the README runs it. */
class JarLaunchIT {
  private static final Path JAR = Path.of(System.getProperty("herald.server.jar"));
  private static final Pattern TOKEN = Pattern.compile("hrld_[A-Za-z0-9_-]{43}");

  @Test
  void startsWithEmbeddedPostgresHandsItsFirstKeyOverInAFileAndStopsCleanlyOnSigterm(
      @TempDir Path workDir) throws Exception {
    int port = freePort();
    Path log = workDir.resolve("herald.log");
    Process herald = launch(workDir, log, Map.of("HERALD_GRPC_PORT", Integer.toString(port)));
    try {
      Eventually.await(
          "the listening line",
          Duration.ofSeconds(90),
          () -> read(log),
          l -> l.contains("listening"));
      String output = read(log);
      assertTrue(output.contains("port " + port), output);
      assertTrue(
          output.contains("embedded PostgreSQL in " + workDir.resolve("data/postgres")), output);

      Path tokenFile = workDir.resolve("data/admin.token");
      assertTrue(
          output.contains(tokenFile.toString()),
          "standard output says where the token is: " + output);
      assertEquals(
          PosixFilePermissions.fromString("rw-------"),
          Files.getPosixFilePermissions(tokenFile),
          "only the owner may read the token");
      Matcher saved = TOKEN.matcher(Files.readString(tokenFile));
      assertTrue(saved.find(), "the file holds the admin key's token");
      ManagedChannel channel = HeraldFixture.channel(port, saved.group());
      try {
        assertEquals(
            HealthCheckResponse.ServingStatus.SERVING,
            HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance())
                .getStatus());
        assertEquals(
            0,
            WebhookServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .listWebhooks(ListWebhooksRequest.newBuilder().setProjectId("p").build())
                .getWebhooksCount(),
            "the shown key is a working admin key");
      } finally {
        channel.shutdownNow();
      }
    } finally {
      herald.destroy();
      assertTrue(herald.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM");
    }
    String output = read(log);
    assertTrue(output.contains("Herald stopped"), output);
    assertTrue(!TOKEN.matcher(output).find(), "the token is neither logged nor printed: " + output);
    assertTrue(!output.contains("Exception"), output);
    assertTrue(Files.exists(workDir.resolve("data/postgres/PG_VERSION")));
  }

  @Test
  void logsOneJsonObjectPerLineWithTheIdsAsFields(@TempDir Path workDir) throws Exception {
    int port = freePort();
    Path log = workDir.resolve("herald.log");
    Map<String, String> settings =
        Map.of(
            "HERALD_GRPC_PORT", Integer.toString(port),
            "HERALD_LOG_FORMAT", "json",
            "HERALD_ADMIN_TOKEN", HeraldFixture.ADMIN_TOKEN,
            "HERALD_REQUIRE_HTTPS", "false",
            "HERALD_ALLOW_PRIVATE_NETWORKS", "true",
            "HERALD_RETRY_INITIAL_DELAY_MS", "60000");
    Process herald = launch(workDir, log, settings);
    String deliveryId;
    try (Receiver receiver = Receiver.http()) {
      receiver.on("/busy", i -> Receiver.Reply.status(503, "busy"));
      Eventually.await(
          "the listening line",
          Duration.ofSeconds(90),
          () -> read(log),
          l -> l.contains("listening"));
      ManagedChannel channel = HeraldFixture.channel(port, HeraldFixture.ADMIN_TOKEN);
      try {
        WebhookServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .createWebhook(Requests.webhook("proj-json", receiver.url("/busy")));
        deliveryId =
            IngestionServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .ingestStateChange(Requests.stateChange("proj-json", "bot").build())
                .getDeliveryIds(0);
      } finally {
        channel.shutdownNow();
      }
      Eventually.await(
          "the failed attempt logged",
          Duration.ofSeconds(30),
          () -> read(log),
          l -> l.contains("retrying at"));
    } finally {
      herald.destroy();
      assertTrue(herald.waitFor(60, TimeUnit.SECONDS));
    }
    List<Struct> lines = new ArrayList<>();
    for (String line : read(log).split("\n")) {
      Struct.Builder object = Struct.newBuilder();
      JsonFormat.parser().merge(line, object); // throws if a line is not one JSON object
      lines.add(object.build());
    }
    assertTrue(lines.size() > 3, "lines: " + lines.size());
    for (Struct line : lines) {
      for (String field : List.of("timestamp", "level", "loggerName", "formattedMessage")) {
        assertTrue(line.containsFields(field), field + " in " + line);
      }
    }
    Struct retrying =
        lines.stream()
            .filter(
                l ->
                    l.getFieldsOrThrow("formattedMessage").getStringValue().contains("retrying at"))
            .findFirst()
            .orElseThrow();
    String fields = JsonFormat.printer().print(retrying.getFieldsOrThrow("kvpList"));
    assertTrue(fields.contains("\"delivery_id\"") && fields.contains(deliveryId), fields);
    assertTrue(fields.contains("\"project_id\": \"proj-json\""), fields);
    assertTrue(!read(log).contains(HeraldFixture.ADMIN_TOKEN), "no token in the log");
  }

  /** java -jar must start the embedded database on the laptops and servers people use. */
  @ParameterizedTest
  @CsvSource({"linux-x86_64", "linux-arm_64", "darwin-x86_64", "darwin-arm_64"})
  void theJarCarriesPostgresFor(String platform) throws IOException {
    try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
      assertTrue(
          jar.getEntry("postgres-" + platform + ".txz") != null,
          "postgres-" + platform + ".txz in " + JAR);
    }
  }

  @ParameterizedTest
  @CsvSource({
    "HERALD_DELIVERY_TIMEOUT_MS, soon, HERALD_DELIVERY_TIMEOUT_MS must be a whole number",
    "HERALD_RETRY_MAX_RETRYS, 5, unknown setting HERALD_RETRY_MAX_RETRYS",
    "HERALD_DATABASE_URL, postgres://db/herald, HERALD_DATABASE_URL must be a JDBC URL"
  })
  void aBadSettingStopsStartupNamingTheKey(
      String key, String value, String message, @TempDir Path workDir) throws Exception {
    Path log = workDir.resolve("herald.log");
    Process herald = launch(workDir, log, Map.of(key, value));
    assertTrue(herald.waitFor(60, TimeUnit.SECONDS));
    assertEquals(2, herald.exitValue());
    assertTrue(read(log).contains(message), read(log));
    assertTrue(!read(log).contains("\tat "), "no stack trace for a configuration error");
  }

  static Process launch(Path workDir, Path log, Map<String, String> settings) throws IOException {
    assertTrue(Files.exists(JAR), "build the server first: " + JAR);
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("HERALD_"));
    builder.environment().put("HERALD_HTTP_PORT", "0");
    builder.environment().putAll(settings);
    return builder.start();
  }

  static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
