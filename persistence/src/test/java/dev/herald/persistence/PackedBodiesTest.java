package dev.herald.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedBodiesTest {
  private static final String README_BODY =
      "{\"bot_id\":\"bot_123\",\"bot_metadata\":{\"customer\":\"acme\"},\"data\":{\"created_at\":"
          + "\"2023-07-15T14:30:45.123456Z\",\"event_sub_type\":null,\"event_type\":"
          + "\"post_processing_completed\",\"new_state\":\"ended\",\"old_state\":"
          + "\"post_processing\"},\"idempotency_key\":\"00000000-0000-0000-0000-000000000000\","
          + "\"trigger\":\"bot.state_change\"}";

  @Test
  void theReadmeBodyKeepsAFifthOfItsBytesAndComesBackWhole() {
    byte[] packed = PackedBodies.pack(README_BODY);

    assertTrue(packed.length * 5 < README_BODY.length(), packed.length + " bytes");
    assertEquals(README_BODY, PackedBodies.unpack(packed));
  }

  @Test
  void aBodyStoredAsTextIsReadAsItIs() {
    assertEquals(README_BODY, PackedBodies.unpack(README_BODY.getBytes(StandardCharsets.UTF_8)));
  }

  /** Metadata is the caller's: up to 64 KiB of anything, none of it in the dictionary. */
  @Test
  void largeAndUnlikeBodiesComeBackWhole() {
    Random random = new Random(7);
    StringBuilder metadata = new StringBuilder();
    while (metadata.length() < 64 * 1024) {
      metadata.append((char) (0x20 + random.nextInt(0x3000))).append("é\"ü ");
    }
    String body = README_BODY.replace("acme", metadata.toString().replace("\"", "'"));

    assertEquals(body, PackedBodies.unpack(PackedBodies.pack(body)));
    assertEquals("{}", PackedBodies.unpack(PackedBodies.pack("{}")));
  }

  /** A thread keeps its streams between bodies, so a body that fails must not spoil the next. */
  @Test
  void aBrokenBodyFailsAloneAndTheNextIsReadWhole() {
    byte[] packed = PackedBodies.pack(README_BODY);
    byte[] cut = Arrays.copyOf(packed, packed.length / 2);
    byte[] garbled = packed.clone();
    garbled[1] = (byte) 0xff;

    assertThrows(IllegalStateException.class, () -> PackedBodies.unpack(cut));
    assertEquals(README_BODY, PackedBodies.unpack(packed));
    assertThrows(IllegalStateException.class, () -> PackedBodies.unpack(garbled));
    assertEquals(README_BODY, PackedBodies.unpack(packed));
    assertEquals("{}", PackedBodies.unpack(PackedBodies.pack("{}")));
  }
}
