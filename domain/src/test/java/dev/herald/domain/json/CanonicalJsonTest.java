package dev.herald.domain.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {

  @Test
  void sortsKeysByCodePointAsPythonDoes() {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    members.put("\uff01", number(1));
    members.put("\uD83D\uDE00", number(2));
    members.put("a", number(3));
    members.put("é", number(4));
    // json.dumps(..., sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assertEquals(
        "{\"a\":3,\"é\":4,\"！\":1,\"😀\":2}", CanonicalJson.write(new JsonValue.Object(members)));
  }

  @Test
  void escapesOnlyWhatPythonEscapes() {
    String raw = "\u0000\u001f\u007f\u2028\"\\\b\f\n\r\t/é世😀";
    String expected = "\"\\u0000\\u001f\u007f\u2028\\\"\\\\\\b\\f\\n\\r\\t/é世😀\"";
    assertEquals(expected, CanonicalJson.write(new JsonValue.Text(raw)));
  }

  @Test
  void writesNestedValuesWithoutWhitespace() {
    JsonValue value =
        new JsonValue.Object(
            Map.of(
                "list",
                    new JsonValue.Array(
                        List.of(JsonValue.NULL, new JsonValue.Bool(false), number(0.5))),
                "empty", new JsonValue.Object(Map.of()),
                "none", new JsonValue.Array(List.of())));
    assertEquals(
        "{\"empty\":{},\"list\":[null,false,0.5],\"none\":[]}", CanonicalJson.write(value));
  }

  private static JsonValue number(double value) {
    return new JsonValue.Number(value);
  }
}
