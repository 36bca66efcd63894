package io.dialectica.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What happened to the row; the JSON codes are Debezium's. */
public enum Operation {
    /** Insert: {@code before} is null. */
    CREATE("c"),
    /** Update: both images (full before-image: the tables have REPLICA IDENTITY FULL). */
    UPDATE("u"),
    /** Delete: {@code after} is null; {@code before} is the whole deleted row. */
    DELETE("d"),
    /** Row read by a snapshot (the initial one or an incremental one): treat as an upsert; {@code before} is null. */
    READ("r");

    private final String code;

    Operation(String code) {
        this.code = code;
    }

    @JsonValue
    public String code() {
        return code;
    }

    @JsonCreator
    public static Operation ofCode(String code) {
        for (Operation op : values()) {
            if (op.code.equals(code)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown operation code: " + code);
    }
}
