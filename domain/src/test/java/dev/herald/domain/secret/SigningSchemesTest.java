package dev.herald.domain.secret;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.herald.domain.InvalidArgumentException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SigningSchemesTest {

  @Test
  void aGeneratedPairsPublicKeyVerifiesWhatItsSeedSigns() throws Exception {
    Ed25519KeyPair pair = Ed25519KeyPair.generate(new SecureRandom());
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(
        KeyFactory.getInstance("Ed25519")
            .generatePrivate(
                new java.security.spec.EdECPrivateKeySpec(
                    java.security.spec.NamedParameterSpec.ED25519, pair.seed())));
    signer.update(new byte[] {1, 2, 3});
    byte[] signature = signer.sign();

    // The X.509 form of an Ed25519 key: a fixed header, then the raw 32 bytes.
    byte[] x509 = concat(HexFormat.of().parseHex("302a300506032b6570032100"), pair.publicKey());
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(
        KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(x509)));
    verifier.update(new byte[] {1, 2, 3});
    assertTrue(verifier.verify(signature));
    assertEquals("whpk_" + Base64.getEncoder().encodeToString(pair.publicKey()), pair.publicForm());
    assertFalse(
        pair.toString().contains(Base64.getEncoder().encodeToString(pair.seed())),
        "the seed is never shown");
  }

  @Test
  void schemesAreNamedOnceEachAndAtLeastOne() {
    assertEquals(
        Set.of(SignatureScheme.V1, SignatureScheme.V1A),
        SignatureScheme.parse("schemes", List.of("v1a", "v1")));
    for (List<String> refused : List.of(List.<String>of(), List.of("v2"), List.of("v1", "v1"))) {
      InvalidArgumentException e =
          assertThrows(
              InvalidArgumentException.class, () -> SignatureScheme.parse("schemes", refused));
      assertTrue(e.getMessage().contains("schemes"), e.getMessage());
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] joined = new byte[a.length + b.length];
    System.arraycopy(a, 0, joined, 0, a.length);
    System.arraycopy(b, 0, joined, a.length, b.length);
    return joined;
  }
}
