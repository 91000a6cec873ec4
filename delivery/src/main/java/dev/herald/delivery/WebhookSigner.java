package dev.herald.delivery;

import dev.herald.domain.secret.Ed25519KeyPair;
import dev.herald.domain.secret.ProjectSecrets;
import dev.herald.domain.secret.SignatureScheme;
import dev.herald.domain.secret.SigningSecret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signatures on every request:
 *
 * <ul>
 *   <li>{@code X-Webhook-Signature}: base64 of HMAC-SHA256 over the body with the current key's raw
 *       secret, as the product documentation tells receivers to verify; always sent;
 *   <li>{@code webhook-signature}: Standard Webhooks' signatures over {@code
 *       <webhook-id>.<webhook-timestamp>.<body>}, space-separated, for every key that signs now and
 *       every scheme the project chose: {@code v1,} + base64 of HMAC-SHA256, {@code v1a,} + base64
 *       of the Ed25519 signature.
 * </ul>
 */
final class WebhookSigner {
  private static final String HMAC_SHA256 = "HmacSHA256";

  /**
   * One HMAC engine per delivery thread, given each request's key by {@code init}: looking the
   * algorithm up among the providers for every signature took half of the signing's CPU in a
   * profile of a drain, more than the hashing.
   */
  private static final ThreadLocal<Mac> HMAC =
      ThreadLocal.withInitial(
          () -> {
            try {
              return Mac.getInstance(HMAC_SHA256);
            } catch (GeneralSecurityException e) {
              throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
            }
          });

  private WebhookSigner() {}

  static String bodySignature(byte[] key, byte[] body) {
    return Base64.getEncoder().encodeToString(hmac(key, body));
  }

  /**
   * A key made before Herald signed with Ed25519 and not given a pair makes no {@code v1a}
   * signature; should that leave none at all, the current key's {@code v1} is sent, so no request
   * goes out without a Standard Webhooks signature.
   */
  static String standardSignatures(
      ProjectSecrets signing, String messageId, long timestampSeconds, byte[] body) {
    byte[] signed = signedContent(messageId, timestampSeconds, body);
    List<String> signatures = new ArrayList<>();
    for (SigningSecret secret : signing.all()) {
      if (signing.schemes().contains(SignatureScheme.V1)) {
        signatures.add(v1(secret.key(), signed));
      }
      if (signing.schemes().contains(SignatureScheme.V1A) && secret.ed25519() != null) {
        signatures.add(v1a(secret.ed25519(), signed));
      }
    }
    if (signatures.isEmpty()) {
      signatures.add(v1(signing.current().key(), signed));
    }
    return String.join(" ", signatures);
  }

  private static byte[] signedContent(String messageId, long timestampSeconds, byte[] body) {
    byte[] prefix = (messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return signed;
  }

  private static String v1(byte[] key, byte[] signed) {
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, signed));
  }

  private static String v1a(Ed25519KeyPair pair, byte[] signed) {
    try {
      PrivateKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, pair.seed()));
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(key);
      signature.update(signed);
      return "v1a," + Base64.getEncoder().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is unavailable", e);
    }
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    Mac mac = HMAC.get();
    try {
      mac.init(new SecretKeySpec(key, HMAC_SHA256));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("an HMAC-SHA256 key was refused", e);
    }
    return mac.doFinal(message);
  }
}
