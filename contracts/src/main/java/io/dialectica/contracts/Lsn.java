package io.dialectica.contracts;

/**
 * PostgreSQL WAL positions (log sequence numbers). Envelopes carry them as JSON numbers (unsigned 64-bit
 * values that fit a signed long for any real WAL size); PostgreSQL and the {@code X-Consistency-Token}
 * header show them as {@code X/Y} (two hexadecimal halves).
 */
public final class Lsn {

    private Lsn() {
    }

    /** {@code "16/B374D848"} → {@code 0x16B374D848}. */
    public static long parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("LSN is null");
        }
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        if (slash <= 0 || slash == trimmed.length() - 1 || slash > 8 || trimmed.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not an LSN (X/Y in hexadecimal): " + text);
        }
        try {
            long high = Long.parseLong(trimmed.substring(0, slash), 16);
            long low = Long.parseLong(trimmed.substring(slash + 1), 16);
            return (high << 32) | low;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an LSN (X/Y in hexadecimal): " + text, e);
        }
    }

    /** {@code 0x16B374D848} → {@code "16/B374D848"} (PostgreSQL's own spelling, upper case). */
    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
    }
}
