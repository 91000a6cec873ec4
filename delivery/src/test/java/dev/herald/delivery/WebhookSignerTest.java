package dev.herald.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WebhookSignerTest {
  private static final byte[] KEY = new byte[32];
  private static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);

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
        WebhookSigner.standardSignature(KEY, "msg_1", 1_700_000_000L, BODY));
  }
}
