package io.dialectica.search.index;

/** OpenSearch unreachable, or an answer the caller cannot work with; {@code status} -1 for transport failures. */
public class OpenSearchException extends RuntimeException {

    private final int status;

    public OpenSearchException(String message, int status) {
        super(message);
        this.status = status;
    }

    public OpenSearchException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
