package dev.herald.api;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;

/** google.protobuf.Struct → the domain's JSON values. */
final class StructMapper {
  private final String field;

  StructMapper(String field) {
    this.field = field;
  }

  JsonValue toJson(Struct struct) {
    Map<String, JsonValue> members = new LinkedHashMap<>();
    struct.getFieldsMap().forEach((name, value) -> members.put(name, toJson(value)));
    return new JsonValue.Object(members);
  }

  private JsonValue toJson(Value value) {
    return switch (value.getKindCase()) {
      case NULL_VALUE, KIND_NOT_SET -> JsonValue.NULL;
      case BOOL_VALUE -> new JsonValue.Bool(value.getBoolValue());
      case NUMBER_VALUE -> number(value.getNumberValue());
      case STRING_VALUE -> new JsonValue.Text(value.getStringValue());
      case STRUCT_VALUE -> toJson(value.getStructValue());
      case LIST_VALUE -> toJson(value.getListValue());
    };
  }

  private JsonValue toJson(ListValue list) {
    return new JsonValue.Array(list.getValuesList().stream().map(this::toJson).toList());
  }

  private JsonValue number(double value) {
    if (!Double.isFinite(value)) {
      throw InvalidArgumentException.of(field, "numbers must be finite (JSON has no NaN or Infinity)");
    }
    return new JsonValue.Number(value);
  }
}
