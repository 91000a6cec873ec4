package dev.herald.api;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.herald.domain.InvalidArgumentException;
import dev.herald.domain.Limits;
import dev.herald.domain.event.StateChangeRules;
import dev.herald.domain.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * google.protobuf.Struct → the domain's JSON values. Converting stops at {@link
 * Limits#BOT_METADATA_VALUES} values: a request at the size limit can hold about 95,000 numbers,
 * and nothing past the limit is worth building only to be refused.
 */
final class StructMapper {
  private final String field;

  StructMapper(String field) {
    this.field = field;
  }

  JsonValue toJson(Struct struct) {
    return new Conversion().toJson(struct);
  }

  /** One conversion, counting the values it has made. */
  private final class Conversion {
    private int values;

    private JsonValue toJson(Struct struct) {
      count();
      Map<String, JsonValue> members = new LinkedHashMap<>();
      struct.getFieldsMap().forEach((name, value) -> members.put(name, toJson(value)));
      return new JsonValue.Object(members);
    }

    private JsonValue toJson(Value value) {
      return switch (value.getKindCase()) {
        case NULL_VALUE, KIND_NOT_SET -> scalar(JsonValue.NULL);
        case BOOL_VALUE -> scalar(new JsonValue.Bool(value.getBoolValue()));
        case NUMBER_VALUE -> scalar(number(value.getNumberValue()));
        case STRING_VALUE -> scalar(new JsonValue.Text(value.getStringValue()));
        case STRUCT_VALUE -> toJson(value.getStructValue());
        case LIST_VALUE -> toJson(value.getListValue());
      };
    }

    private JsonValue toJson(ListValue list) {
      count();
      List<JsonValue> elements = new ArrayList<>(list.getValuesCount());
      for (Value value : list.getValuesList()) {
        elements.add(toJson(value));
      }
      return new JsonValue.Array(elements);
    }

    private JsonValue scalar(JsonValue value) {
      count();
      return value;
    }

    private void count() {
      if (++values > Limits.BOT_METADATA_VALUES) {
        throw InvalidArgumentException.of(field, StateChangeRules.TOO_MANY_VALUES);
      }
    }
  }

  private JsonValue number(double value) {
    if (!Double.isFinite(value)) {
      throw InvalidArgumentException.of(
          field, "numbers must be finite (JSON has no NaN or Infinity)");
    }
    return new JsonValue.Number(value);
  }
}
