package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.SigningSecret;
import dev.herald.proto.v1.WebhookServiceGrpc;
import dev.herald.testing.Eventually;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Rotation without downtime, checked by independent verifiers; secrets encrypted at rest.
 *
 * <p>Past 250 lines as one class because its cases check signatures with the same helpers, written
 * once at the end, over one server and receiver.
 */
class SigningIT extends ServerWithReceiver {

  @Test
  void duringTheOverlapRequestsCarryBothSignaturesAndAfterItOnlyTheNewOne() {
    String project = "proj-rotation";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/rotation")));
    SigningSecret before = secret(project);
    assertEquals(0, before.getPreviousSecretsCount());
    assertFalse(before.hasExpireTime());

    Receiver.Request first = deliverOne(project, 1);
    assertSignedBy(first, before);
    assertEquals(1, standardSignatures(first).size());

    SigningSecret rotated =
        herald
            .webhooks()
            .rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder()
                    .setProjectId(project)
                    .setOverlap(Duration.newBuilder().setSeconds(3600))
                    .build());
    assertFalse(rotated.getId().equals(before.getId()));
    assertFalse(rotated.getSecret().equals(before.getSecret()));
    assertEquals(1, rotated.getPreviousSecretsCount());
    SigningSecret previous = rotated.getPreviousSecrets(0);
    assertEquals(before.getId(), previous.getId());
    assertEquals(before.getSecret(), previous.getSecret());
    Instant previousExpires = Requests.instant(previous.getExpireTime());
    assertEquals(rotated, secret(project));

    Receiver.Request during = deliverOne(project, 2);
    assertEquals(
        Signatures.expectedBodySignature(rotated.getSecret(), during.body()),
        during.header("X-Webhook-Signature"),
        "X-Webhook-Signature uses the newest secret");
    List<String> both = standardSignatures(during);
    assertEquals(
        List.of(
            Signatures.expectedStandardSignature(
                rotated.getStandardSecret(),
                during.header("webhook-id"),
                during.header("webhook-timestamp"),
                during.body()),
            Signatures.expectedStandardSignature(
                previous.getStandardSecret(),
                during.header("webhook-id"),
                during.header("webhook-timestamp"),
                during.body())),
        both);

    herald.clock().advance(java.time.Duration.ofSeconds(3600));
    assertTrue(herald.clock().instant().isAfter(previousExpires), "the overlap has ended");
    Receiver.Request after = deliverOne(project, 3);
    assertSignedBy(after, rotated);
    assertEquals(1, standardSignatures(after).size());
    assertEquals(0, secret(project).getPreviousSecretsCount());
  }

  @Test
  void aRotationWithoutOverlapRetiresTheOldSecretAtOnce() {
    String project = "proj-no-overlap";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/no-overlap")));
    SigningSecret before = secret(project);
    SigningSecret rotated =
        herald
            .webhooks()
            .rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder()
                    .setProjectId(project)
                    .setOverlap(Duration.getDefaultInstance())
                    .build());
    assertEquals(0, rotated.getPreviousSecretsCount());
    Receiver.Request request = deliverOne(project, 1, "/no-overlap");
    assertSignedBy(request, rotated);
    assertFalse(before.getSecret().equals(rotated.getSecret()));
  }

  @Test
  void theDefaultOverlapIsADay() {
    String project = "proj-default-overlap";
    secret(project);
    SigningSecret rotated =
        herald
            .webhooks()
            .rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder().setProjectId(project).build());
    Instant expires = Requests.instant(rotated.getPreviousSecrets(0).getExpireTime());
    long hours =
        java.time.Duration.between(Requests.instant(rotated.getCreateTime()), expires).toHours();
    assertEquals(24, hours);
  }

  @Test
  void rotatingAProjectWithoutASecretMakesItsFirst() {
    SigningSecret first =
        herald
            .webhooks()
            .rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder().setProjectId("proj-fresh").build());
    assertEquals(0, first.getPreviousSecretsCount());
    assertEquals(first, secret("proj-fresh"));
  }

  @Test
  void theDatabaseAloneDoesNotRevealAnySecret() throws Exception {
    String project = "proj-at-rest";
    secret(project);
    SigningSecret current =
        herald
            .webhooks()
            .rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder()
                    .setProjectId(project)
                    .setOverlap(Duration.newBuilder().setSeconds(3600))
                    .build());
    List<byte[]> keys =
        List.of(
            Base64.getDecoder().decode(current.getSecret()),
            Base64.getDecoder().decode(current.getPreviousSecrets(0).getSecret()));

    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl);
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "select s::text, key_ciphertext, key_nonce from signing_secrets s")) {
      int count = 0;
      while (rows.next()) {
        count++;
        String row = rows.getString(1);
        for (byte[] key : keys) {
          assertFalse(row.contains(HexFormat.of().formatHex(key)), "no key in hex");
          assertFalse(row.contains(Base64.getEncoder().encodeToString(key)), "no key in base64");
          assertFalse(contains(rows.getBytes(2), key), "no key in the ciphertext column");
          assertFalse(contains(rows.getBytes(3), key), "no key in the nonce column");
        }
      }
      assertTrue(count >= 2);
    }
  }

  @Test
  void noSecretReachesTheLogWhateverHappens() {
    String project = "proj-logs";
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_ADMIN_TOKEN", "admin-token-value-123-and-long-enough-to-use");
    settings.put("HERALD_DATABASE_PASSWORD", "db-password-value-456");
    receiver.on("/logs", i -> Receiver.Reply.status(500, "nope"));
    try (LogCapture logs = LogCapture.attach()) {
      List<String> secrets = new java.util.ArrayList<>();
      settings.put("HERALD_DATABASE_URL", TestDatabases.freshDatabaseUrl());
      try (HeraldFixture server = HeraldFixture.start(settings)) {
        var authorized =
            io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(
                bearer("admin-token-value-123-and-long-enough-to-use"));
        var webhooks = server.webhooks().withInterceptors(authorized);
        webhooks.createWebhook(Requests.webhook(project, receiver.url("/logs")));
        SigningSecret rotated =
            webhooks.rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder().setProjectId(project).build());
        secrets.add(rotated.getSecret());
        secrets.add(rotated.getPreviousSecrets(0).getSecret());
        String deliveryId =
            server
                .ingestion()
                .withInterceptors(authorized)
                .ingestStateChange(Requests.stateChange(project, "bot").build())
                .getDeliveryIds(0);
        Eventually.await(
            "attempts to fail",
            HeraldFixture.WAIT,
            () ->
                server
                    .deliveries()
                    .withInterceptors(authorized)
                    .getDelivery(
                        dev.herald.proto.v1.GetDeliveryRequest.newBuilder()
                            .setId(deliveryId)
                            .build()),
            d -> d.getAttemptsCount() >= 2);
        String wrongToken = "hrld_a-wrong-token-that-must-not-be-logged-either";
        secrets.add(wrongToken);
        io.grpc.ManagedChannel wrong = HeraldFixture.channel(server.port(), wrongToken);
        try {
          assertThrows(
              io.grpc.StatusRuntimeException.class,
              () ->
                  WebhookServiceGrpc.newBlockingStub(wrong)
                      .getSigningSecret(
                          GetSigningSecretRequest.newBuilder().setProjectId(project).build()));
        } finally {
          wrong.shutdownNow();
        }
      }
      List<String> forbidden = new java.util.ArrayList<>(secrets);
      forbidden.add(HeraldFixture.MASTER_KEY);
      forbidden.add("admin-token-value-123-and-long-enough-to-use");
      for (String line : logs.lines()) {
        for (String secret : forbidden) {
          assertFalse(line.contains(secret), "a secret in the log: " + line);
        }
      }
      assertTrue(
          logs.lines().stream().anyMatch(line -> line.contains("retrying")),
          "the log was captured");
    }
  }

  private static io.grpc.Metadata bearer(String token) {
    io.grpc.Metadata headers = new io.grpc.Metadata();
    headers.put(
        io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
        "Bearer " + token);
    return headers;
  }

  @Test
  void aServerWithTheWrongMasterKeyRefusesToStartAndSaysWhy() {
    herald
        .webhooks()
        .getSigningSecret(
            GetSigningSecretRequest.newBuilder().setProjectId("proj-key-check").build());
    Map<String, String> settings = HeraldFixture.testSettings();
    settings.put("HERALD_DATABASE_URL", herald.jdbcUrl);
    settings.put("HERALD_MASTER_KEY", Base64.getEncoder().encodeToString(new byte[32]));

    IllegalStateException error =
        assertThrows(IllegalStateException.class, () -> HeraldFixture.start(settings));
    assertTrue(error.getMessage().contains("HERALD_MASTER_KEY"), error.getMessage());
  }

  private static Receiver.Request deliverOne(String project, int expectedCount) {
    return deliverOne(project, expectedCount, "/rotation");
  }

  private static Receiver.Request deliverOne(String project, int expectedCount, String path) {
    herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());
    return receiver.awaitRequests(path, expectedCount, HeraldFixture.WAIT).get(expectedCount - 1);
  }

  private static SigningSecret secret(String project) {
    return herald
        .webhooks()
        .getSigningSecret(GetSigningSecretRequest.newBuilder().setProjectId(project).build());
  }

  private static void assertSignedBy(Receiver.Request request, SigningSecret secret) {
    assertEquals(
        Signatures.expectedBodySignature(secret.getSecret(), request.body()),
        request.header("X-Webhook-Signature"));
    assertEquals(
        Signatures.expectedStandardSignature(
            secret.getStandardSecret(),
            request.header("webhook-id"),
            request.header("webhook-timestamp"),
            request.body()),
        standardSignatures(request).get(0));
  }

  private static List<String> standardSignatures(Receiver.Request request) {
    return List.of(request.header("webhook-signature").split(" "));
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
