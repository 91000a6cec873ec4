package dev.herald.persistence;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * An event's body as stored since V18: deflated against a dictionary of what every body holds, its
 * members' names and the states and event types that recur. A body of about 300 bytes keeps about
 * 50: the names and punctuation are most of it, and with the dictionary they cost a few bits each.
 * PostgreSQL compresses only values of 2 kB and more, and without a dictionary.
 *
 * <p>The first byte names the dictionary. Bodies stored before, as text, start with {@code '{'} and
 * are read as they are. A dictionary, once used, never changes: a better one takes the next number.
 */
final class PackedBodies {
  private static final byte DICTIONARY_1 = 1;

  /**
   * Dictionary 1. Deflate finds matches up to 32 kB back and codes nearer ones in fewer bits, so
   * what every body holds comes last.
   */
  private static final byte[] DICTIONARY =
      ("waiting_room joining joined_not_recording joined_recording recording_permission_denied"
              + " recording_permission_granted paused post_processing_completed fatal_error"
              + " staged scheduled leaving bot_joined_meeting bot_left_meeting bot_put_in_waiting_room"
              + " bot_recording_permission_granted meeting_ended data_deletion"
              + " {\"bot_id\":\"bot_\",\"bot_metadata\":{\"customer\":\"\"},\"data\":{\"created_at\":"
              + "\"2026-01-01T00:00:00.000000Z\",\"event_sub_type\":null,\"event_type\":"
              + "\"post_processing_completed\",\"new_state\":\"ended\",\"old_state\":"
              + "\"post_processing\"},\"idempotency_key\":\"00000000-0000-0000-0000-000000000000\","
              + "\"trigger\":\"bot.state_change\"}")
          .getBytes(StandardCharsets.UTF_8);

  /**
   * A thread's streams, kept and reset for each body. Made for each body and ended after, their
   * native set-up and release (a deflater's tables are some 270 kB, cleared again by a reset) took
   * a third of packing a body on the ingest path (async-profiler, the sweep, 2026-12-04); kept, a
   * body of 300 bytes packs in 3.3 µs instead of 3.6 and reads in 0.31 µs instead of 0.48 (one
   * thread, 200,000 of each). Bodies are packed where ingest calls run, on the gRPC event loops,
   * and now and then on a call thread (a key's first call), and read by the claim loop and the
   * calls that read deliveries: at most the 64 call threads keep a deflater each beyond the event
   * loops', some 17 MB of tables at worst, and an inflater keeps some 40 kB.
   */
  private static final ThreadLocal<Deflater> DEFLATER =
      ThreadLocal.withInitial(() -> new Deflater(Deflater.BEST_SPEED, true));

  private static final ThreadLocal<Inflater> INFLATER =
      ThreadLocal.withInitial(() -> new Inflater(true));

  private PackedBodies() {}

  static byte[] pack(String body) {
    byte[] text = body.getBytes(StandardCharsets.UTF_8);
    Deflater deflater = DEFLATER.get();
    deflater.reset();
    deflater.setDictionary(DICTIONARY);
    deflater.setInput(text);
    deflater.finish();
    ByteArrayOutputStream packed = new ByteArrayOutputStream(text.length / 4 + 16);
    packed.write(DICTIONARY_1);
    byte[] chunk = new byte[Math.max(64, text.length / 2)];
    while (!deflater.finished()) {
      packed.write(chunk, 0, deflater.deflate(chunk));
    }
    return packed.toByteArray();
  }

  static String unpack(byte[] stored) {
    if (stored[0] != DICTIONARY_1) {
      return new String(stored, StandardCharsets.UTF_8);
    }
    Inflater inflater = INFLATER.get();
    inflater.reset();
    try {
      inflater.setDictionary(DICTIONARY);
      inflater.setInput(stored, 1, stored.length - 1);
      byte[] text = new byte[stored.length * 8];
      int length = 0;
      while (!inflater.finished()) {
        if (length == text.length) {
          text = Arrays.copyOf(text, text.length * 2);
        }
        int inflated = inflater.inflate(text, length, text.length - length);
        if (inflated == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new IllegalStateException("a stored body ends early");
        }
        length += inflated;
      }
      return new String(text, 0, length, StandardCharsets.UTF_8);
    } catch (DataFormatException e) {
      throw new IllegalStateException("a stored body is not deflate data", e);
    }
  }
}
