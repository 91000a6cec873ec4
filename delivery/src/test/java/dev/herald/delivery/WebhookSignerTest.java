package dev.herald.delivery;

import static dev.herald.domain.secret.SignatureScheme.V1;
import static dev.herald.domain.secret.SignatureScheme.V1A;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.secret.Ed25519KeyPair;
import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SignatureScheme;
import dev.herald.domain.secret.SigningSecret;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  private static final byte[] KEY = new byte[32];
  private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

  /** RFC 8032, section 7.1, test 1. */
  private static final Ed25519KeyPair RFC_8032_PAIR =
      new Ed25519KeyPair(
          HexFormat.of()
              .parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
          HexFormat.of()
              .parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"));

  static {
    for (int i = 0; i < KEY.length; i++) {
      KEY[i] = (byte) i;
    }
  }

  /** Expected values computed with Python's hmac and base64 modules for the same key and body. */
  @Test
  void signsTheBodyAsReceiversAreToldToVerify() {
    assertEquals(
        "tM694wmCRD7DbBj6ma0Qpw5wW7p3n1fDfoTey2SuUPs=", WebhookSigner.bodySignature(KEY, BODY));
  }

  @Test
  void signsIdTimestampAndBodyForStandardWebhooks() {
    assertEquals(
        "v1,AMaOha7DUT/0J0JMycRuYOBSvbx3WtwLd2khXXbaVj4=",
        WebhookSigner.standardSignatures(
            signing(Set.of(V1), RFC_8032_PAIR), "msg_1", 1_700_000_000L, BODY));
  }

  @Test
  void aV1aSignatureVerifiesWithThePublicKeyOverIdTimestampAndBody() throws Exception {
    String header =
        WebhookSigner.standardSignatures(
            signing(Set.of(V1, V1A), RFC_8032_PAIR), "msg_1", 1_700_000_000L, BODY);
    String[] signatures = header.split(" ");
    assertEquals(2, signatures.length, header);
    assertEquals("v1,AMaOha7DUT/0J0JMycRuYOBSvbx3WtwLd2khXXbaVj4=", signatures[0]);
    assertTrue(signatures[1].startsWith("v1a,"), header);
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(publicKey(RFC_8032_PAIR.publicKey()));
    verifier.update("msg_1.1700000000.{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    assertTrue(verifier.verify(Base64.getDecoder().decode(signatures[1].substring(4))));
  }

  @Test
  void aProjectOnV1aAloneWhoseKeyHasNoPairStillSendsAV1Signature() {
    assertEquals(
        "v1,AMaOha7DUT/0J0JMycRuYOBSvbx3WtwLd2khXXbaVj4=",
        WebhookSigner.standardSignatures(
            signing(Set.of(V1A), null), "msg_1", 1_700_000_000L, BODY));
  }

  private static ProjectSecrets signing(Set<SignatureScheme> schemes, Ed25519KeyPair pair) {
    return ProjectSecrets.of(
        List.of(new SigningSecret(UUID.randomUUID(), "proj", KEY, Instant.EPOCH, null, pair)),
        schemes);
  }

  /** The raw RFC 8032 encoding: y little-endian, x's parity in the top bit. */
  private static PublicKey publicKey(byte[] raw) throws Exception {
    byte[] bigEndian = new byte[raw.length];
    for (int i = 0; i < raw.length; i++) {
      bigEndian[i] = raw[raw.length - 1 - i];
    }
    boolean xOdd = (bigEndian[0] & 0x80) != 0;
    bigEndian[0] &= 0x7f;
    return KeyFactory.getInstance("Ed25519")
        .generatePublic(
            new EdECPublicKeySpec(
                NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, bigEndian))));
  }
}
