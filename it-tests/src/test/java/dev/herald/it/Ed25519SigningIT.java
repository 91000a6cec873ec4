package dev.herald.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Duration;
import dev.herald.proto.v1.GetSigningSecretRequest;
import dev.herald.proto.v1.RotateSigningSecretRequest;
import dev.herald.proto.v1.SigningSecret;
import dev.herald.proto.v1.UpdateSigningSettingsRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

/**
 * Standard Webhooks {@code v1a}, opt-in per project, verified with Bouncy Castle's Ed25519: an
 * implementation that shares no code with the JDK's, which signs.
 */
class Ed25519SigningIT extends ServerWithReceiver {

  @Test
  void aProjectSignsV1UntilItChoosesV1aAndThenCarriesWhatItChose() {
    String project = "proj-v1a";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/v1a")));
    SigningSecret secret = secret(project);
    assertEquals(List.of("v1"), secret.getSchemesList());
    assertTrue(secret.getPublicKey().startsWith("whpk_"), secret.getPublicKey());
    assertEquals(32, rawPublicKey(secret.getPublicKey()).length);

    Receiver.Request v1Only = deliver(project, "/v1a", 1);
    assertEquals(List.of("v1"), schemesOf(v1Only));

    SigningSecret both = settings(project, "v1", "v1a");
    assertEquals(List.of("v1", "v1a"), both.getSchemesList());
    assertEquals(secret.getPublicKey(), both.getPublicKey(), "the key pair is the same");
    Receiver.Request signedBoth = deliver(project, "/v1a", 2);
    assertEquals(List.of("v1", "v1a"), schemesOf(signedBoth));
    assertEquals(
        Signatures.expectedStandardSignature(
            secret.getStandardSecret(),
            signedBoth.header("webhook-id"),
            signedBoth.header("webhook-timestamp"),
            signedBoth.body()),
        signatures(signedBoth).get(0));
    assertTrue(verifiesV1a(signedBoth, signatures(signedBoth).get(1), secret.getPublicKey()));

    settings(project, "v1a");
    Receiver.Request v1aOnly = deliver(project, "/v1a", 3);
    assertEquals(List.of("v1a"), schemesOf(v1aOnly));
    assertTrue(verifiesV1a(v1aOnly, signatures(v1aOnly).get(0), secret.getPublicKey()));
    assertEquals(
        Signatures.expectedBodySignature(secret.getSecret(), v1aOnly.body()),
        v1aOnly.header("X-Webhook-Signature"),
        "the product's documented header is always sent");
  }

  @Test
  void aTamperedBodyOrAnotherKeyDoesNotVerify() {
    String project = "proj-v1a-tamper";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/v1a-tamper")));
    settings(project, "v1a");
    Receiver.Request request = deliver(project, "/v1a-tamper", 1);
    String signature = signatures(request).get(0);
    String publicKey = secret(project).getPublicKey();
    assertTrue(verifiesV1a(request, signature, publicKey));
    byte[] tampered = request.body().clone();
    tampered[tampered.length - 2] ^= 1;
    assertFalse(verify(publicKey, request, tampered, signature));
    String otherKey = secret("proj-v1a-other").getPublicKey();
    assertNotEquals(publicKey, otherKey);
    assertFalse(verifiesV1a(request, signature, otherKey));
  }

  @Test
  void duringARotationsOverlapEachKeySignsV1a() {
    String project = "proj-v1a-rotation";
    herald.webhooks().createWebhook(Requests.webhook(project, receiver.url("/v1a-rotation")));
    settings(project, "v1a");
    SigningSecret rotated =
        herald
            .webhooks()
            .rotateSigningSecret(
                RotateSigningSecretRequest.newBuilder()
                    .setProjectId(project)
                    .setOverlap(Duration.newBuilder().setSeconds(3600))
                    .build());
    assertEquals(List.of("v1a"), rotated.getSchemesList(), "a rotation keeps the schemes");
    String previousKey = rotated.getPreviousSecrets(0).getPublicKey();
    assertNotEquals(rotated.getPublicKey(), previousKey);

    Receiver.Request request = deliver(project, "/v1a-rotation", 1);
    List<String> signatures = signatures(request);
    assertEquals(2, signatures.size(), request.header("webhook-signature"));
    assertTrue(verifiesV1a(request, signatures.get(0), rotated.getPublicKey()));
    assertTrue(verifiesV1a(request, signatures.get(1), previousKey));

    herald.clock().advance(java.time.Duration.ofSeconds(3601));
    Receiver.Request after = deliver(project, "/v1a-rotation", 2);
    assertEquals(1, signatures(after).size());
    assertTrue(verifiesV1a(after, signatures(after).get(0), rotated.getPublicKey()));
  }

  @Test
  void aKeyMadeBeforeEd25519GetsAPairWhenItsProjectNextAsks() throws Exception {
    String project = "proj-v1a-older-key";
    SigningSecret before = secret(project);
    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl);
        PreparedStatement forget =
            connection.prepareStatement(
                "update signing_secrets set ed25519_public = null, ed25519_nonce = null,"
                    + " ed25519_ciphertext = null where project_id = ?")) {
      forget.setString(1, project);
      assertEquals(1, forget.executeUpdate());
    }
    SigningSecret after = settings(project, "v1", "v1a");
    assertEquals(before.getSecret(), after.getSecret(), "the HMAC key is kept");
    assertTrue(after.getPublicKey().startsWith("whpk_"));
    assertNotEquals(before.getPublicKey(), after.getPublicKey());
  }

  @Test
  void theDatabaseHoldsNoPrivateKeyInTheClear() throws Exception {
    String project = "proj-v1a-at-rest";
    byte[] publicKey = rawPublicKey(settings(project, "v1a").getPublicKey());
    try (Connection connection = DriverManager.getConnection(herald.jdbcUrl);
        PreparedStatement read =
            connection.prepareStatement(
                "select ed25519_public, ed25519_nonce, ed25519_ciphertext from signing_secrets"
                    + " where project_id = ?")) {
      read.setString(1, project);
      try (ResultSet row = read.executeQuery()) {
        assertTrue(row.next());
        assertTrue(Arrays.equals(publicKey, row.getBytes(1)));
        for (int column = 2; column <= 3; column++) {
          byte[] stored = row.getBytes(column);
          for (int i = 0; i + 32 <= stored.length; i++) {
            byte[] window = Arrays.copyOfRange(stored, i, i + 32);
            assertFalse(
                Arrays.equals(
                    publicKey,
                    new Ed25519PrivateKeyParameters(window).generatePublicKey().getEncoded()),
                "column " + column + " holds the private key at offset " + i);
          }
        }
      }
    }
  }

  @Test
  void unknownOrRepeatedSchemesAreRefusedNamingTheFieldAndChangeNothing() {
    String project = "proj-v1a-invalid";
    settings(project, "v1", "v1a");
    for (List<String> schemes : List.of(List.<String>of(), List.of("v2"), List.of("v1a", "v1a"))) {
      StatusRuntimeException refused =
          assertThrows(
              StatusRuntimeException.class,
              () -> settings(project, schemes.toArray(String[]::new)));
      assertEquals(Status.Code.INVALID_ARGUMENT, refused.getStatus().getCode());
      assertTrue(refused.getStatus().getDescription().contains("schemes"), refused.getMessage());
    }
    assertEquals(List.of("v1", "v1a"), secret(project).getSchemesList());
  }

  private static SigningSecret settings(String project, String... schemes) {
    return herald
        .webhooks()
        .updateSigningSettings(
            UpdateSigningSettingsRequest.newBuilder()
                .setProjectId(project)
                .addAllSchemes(List.of(schemes))
                .build());
  }

  private static SigningSecret secret(String project) {
    return herald
        .webhooks()
        .getSigningSecret(GetSigningSecretRequest.newBuilder().setProjectId(project).build());
  }

  private static Receiver.Request deliver(String project, String path, int expectedCount) {
    herald.ingestion().ingestStateChange(Requests.stateChange(project, "bot").build());
    return receiver.awaitRequests(path, expectedCount, HeraldFixture.WAIT).get(expectedCount - 1);
  }

  private static List<String> signatures(Receiver.Request request) {
    return List.of(request.header("webhook-signature").split(" "));
  }

  private static List<String> schemesOf(Receiver.Request request) {
    List<String> schemes = new ArrayList<>();
    for (String signature : signatures(request)) {
      schemes.add(signature.substring(0, signature.indexOf(',')));
    }
    return schemes;
  }

  private static boolean verifiesV1a(Receiver.Request request, String signature, String publicKey) {
    return verify(publicKey, request, request.body(), signature);
  }

  /** The Standard Webhooks recipe: Ed25519 over {@code id.timestamp.body}. */
  private static boolean verify(
      String publicKey, Receiver.Request request, byte[] body, String signature) {
    assertTrue(signature.startsWith("v1a,"), signature);
    byte[] content =
        (request.header("webhook-id") + "." + request.header("webhook-timestamp") + ".")
            .getBytes(StandardCharsets.UTF_8);
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, new Ed25519PublicKeyParameters(rawPublicKey(publicKey)));
    verifier.update(content, 0, content.length);
    verifier.update(body, 0, body.length);
    return verifier.verifySignature(Base64.getDecoder().decode(signature.substring(4)));
  }

  private static byte[] rawPublicKey(String whpk) {
    assertTrue(whpk.startsWith("whpk_"), whpk);
    return Base64.getDecoder().decode(whpk.substring("whpk_".length()));
  }
}
