package io.dialectica.contracts;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What an envelope is: a row change, or a per-partition position marker. */
public enum Kind {
    /** One row change of one source transaction. */
    CHANGE("change"),
    /**
     * Sent to every partition of a change topic: every change whose {@code commitLsn} is at or below
     * this envelope's {@code commitLsn} and whose key maps to this partition precedes it in the partition.
     */
    WATERMARK("watermark");

    private final String code;

    Kind(String code) {
        this.code = code;
    }

    @JsonValue
    public String code() {
        return code;
    }

    @JsonCreator
    public static Kind ofCode(String code) {
        for (Kind kind : values()) {
            if (kind.code.equals(code)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown envelope kind: " + code);
    }
}
