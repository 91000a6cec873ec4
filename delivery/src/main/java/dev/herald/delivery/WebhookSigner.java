package dev.herald.delivery;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signatures on every request, both keyed with the project's raw secret bytes:
 *
 * <ul>
 *   <li>{@code X-Webhook-Signature}: base64 of HMAC-SHA256 over the body, as the product
 *       documentation tells receivers to verify;
 *   <li>{@code webhook-signature}: Standard Webhooks' {@code v1,} + base64 of HMAC-SHA256 over
 *       {@code <webhook-id>.<webhook-timestamp>.<body>}.
 * </ul>
 */
final class WebhookSigner {
  private static final String HMAC_SHA256 = "HmacSHA256";

  private WebhookSigner() {}

  static String bodySignature(byte[] key, byte[] body) {
    return Base64.getEncoder().encodeToString(hmac(key, body));
  }

  static String standardSignature(
      byte[] key, String messageId, long timestampSeconds, byte[] body) {
    byte[] prefix = (messageId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    return "v1," + Base64.getEncoder().encodeToString(hmac(key, signed));
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(HMAC_SHA256);
      mac.init(new SecretKeySpec(key, HMAC_SHA256));
      return mac.doFinal(message);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is unavailable", e);
    }
  }
}
