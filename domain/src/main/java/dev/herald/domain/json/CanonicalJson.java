package dev.herald.domain.json;

import java.util.Iterator;
import java.util.Map;

/**
 * The canonical form of a payload: what Python's {@code json.dumps(obj, sort_keys=True,
 * ensure_ascii=False, separators=(",", ":"))} writes. Herald sends exactly these bytes (UTF-8), so
 * a receiver can verify the signature over the raw body or over its own re-serialisation.
 */
public final class CanonicalJson {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private CanonicalJson() {}

  public static String write(JsonValue value) {
    StringBuilder out = new StringBuilder(256);
    write(value, out);
    return out.toString();
  }

  private static void write(JsonValue value, StringBuilder out) {
    if (value instanceof JsonValue.Null) {
      out.append("null");
    } else if (value instanceof JsonValue.Bool b) {
      out.append(b.value() ? "true" : "false");
    } else if (value instanceof JsonValue.Number n) {
      out.append(PythonFloats.format(n.value()));
    } else if (value instanceof JsonValue.Text t) {
      writeString(t.value(), out);
    } else if (value instanceof JsonValue.Array a) {
      writeArray(a, out);
    } else if (value instanceof JsonValue.Object o) {
      writeObject(o, out);
    } else {
      throw new IllegalStateException("unknown JSON value " + value);
    }
  }

  private static void writeArray(JsonValue.Array array, StringBuilder out) {
    out.append('[');
    Iterator<JsonValue> elements = array.elements().iterator();
    while (elements.hasNext()) {
      write(elements.next(), out);
      if (elements.hasNext()) {
        out.append(',');
      }
    }
    out.append(']');
  }

  private static void writeObject(JsonValue.Object object, StringBuilder out) {
    out.append('{');
    Iterator<Map.Entry<String, JsonValue>> members = object.members().entrySet().iterator();
    while (members.hasNext()) {
      Map.Entry<String, JsonValue> member = members.next();
      writeString(member.getKey(), out);
      out.append(':');
      write(member.getValue(), out);
      if (members.hasNext()) {
        out.append(',');
      }
    }
    out.append('}');
  }

  /**
   * Escapes as Python does with ensure_ascii=False: only quote, backslash and C0 controls. The runs
   * between them, usually the whole string, are copied at once.
   */
  private static void writeString(String s, StringBuilder out) {
    out.append('"');
    int run = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(s, run, i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
      run = i + 1;
    }
    out.append(s, run, s.length());
    out.append('"');
  }
}
