package io.dialectica.cdc;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Kafka Connect structs (Debezium's row images) to plain JSON-friendly maps. */
final class Structs {

    /** Debezium's default {@code unavailable.value.placeholder} for unchanged TOAST-ed columns. */
    static final String UNAVAILABLE = "__debezium_unavailable_value";

    private Structs() {
    }

    static Map<String, Object> toMap(Struct struct) {
        if (struct == null) {
            return null;
        }
        Map<String, Object> map = new LinkedHashMap<>();
        for (Field field : struct.schema().fields()) {
            map.put(field.name(), plain(struct.get(field)));
        }
        return map;
    }

    private static Object plain(Object value) {
        if (value instanceof Struct s) {
            return toMap(s);
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(plain(item));
            }
            return out;
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        return value;
    }

    /**
     * An update that leaves a TOAST-ed column (a long description) unchanged does not carry its value in
     * the after-image; with REPLICA IDENTITY FULL the before-image has it, so the after-image is completed.
     */
    static void fillUnchangedToast(Map<String, Object> before, Map<String, Object> after) {
        if (before == null || after == null) {
            return;
        }
        for (Map.Entry<String, Object> column : after.entrySet()) {
            if (UNAVAILABLE.equals(column.getValue()) && before.containsKey(column.getKey())
                    && !UNAVAILABLE.equals(before.get(column.getKey()))) {
                column.setValue(before.get(column.getKey()));
            }
        }
    }
}
