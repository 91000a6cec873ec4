package dev.herald.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A receiver's verification, written from the documented recipe alone: it shares no code with
 * Herald's signer.
 */
final class Signatures {
  private Signatures() {}

  /** X-Webhook-Signature: base64(HMAC-SHA256(secret bytes, raw body)). */
  static String expectedBodySignature(String base64Secret, byte[] body) {
    return Base64.getEncoder().encodeToString(hmac(Base64.getDecoder().decode(base64Secret), body));
  }

  /** webhook-signature: "v1," + base64(HMAC-SHA256(secret, id + "." + timestamp + "." + body)). */
  static String expectedStandardSignature(
      String whsecSecret, String id, String timestamp, byte[] body) {
    byte[] key = Base64.getDecoder().decode(whsecSecret.substring("whsec_".length()));
    String content = id + "." + timestamp + "." + new String(body, StandardCharsets.UTF_8);
    return "v1,"
        + Base64.getEncoder().encodeToString(hmac(key, content.getBytes(StandardCharsets.UTF_8)));
  }

  private static byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(message);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
