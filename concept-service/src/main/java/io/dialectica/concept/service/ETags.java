package io.dialectica.concept.service;

/** A concept's ETag is its version in quotes; If-Match may list several, be weak, or be "*". */
public final class ETags {

    private ETags() {
    }

    public static String of(long version) {
        return "\"" + version + "\"";
    }

    public static boolean matches(String header, long version) {
        for (String candidate : header.split(",")) {
            String tag = candidate.strip();
            if (tag.equals("*")) {
                return true;
            }
            if (tag.startsWith("W/")) {
                tag = tag.substring(2);
            }
            if (tag.equals(of(version))) {
                return true;
            }
        }
        return false;
    }
}
