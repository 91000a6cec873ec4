package dev.herald.domain.json;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A JSON value as webhook payloads carry it. Numbers are doubles, as in protobuf's Struct. */
public sealed interface JsonValue {

  JsonValue NULL = new Null();

  /** JSON {@code null}. */
  record Null() implements JsonValue {}

  record Bool(boolean value) implements JsonValue {}

  @SuppressWarnings("JavaLangClash") // always written JsonValue.Number, as JSON names it
  record Number(double value) implements JsonValue {
    public Number {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("JSON has no NaN or infinity");
      }
    }
  }

  record Text(String value) implements JsonValue {
    public Text {
      requireNonNull(value, "value");
    }
  }

  record Array(List<JsonValue> elements) implements JsonValue {
    public Array {
      elements = List.copyOf(elements);
    }
  }

  /** An object; its members are kept in the canonical order (by Unicode code point). */
  @SuppressWarnings("JavaLangClash") // always written JsonValue.Object, as JSON names it
  record Object(Map<String, JsonValue> members) implements JsonValue {
    public Object {
      TreeMap<String, JsonValue> sorted = new TreeMap<>(CodePointOrder.INSTANCE);
      sorted.putAll(members);
      members = java.util.Collections.unmodifiableSortedMap(sorted);
    }
  }

  static JsonValue text(String value) {
    return value == null ? NULL : new Text(value);
  }
}
