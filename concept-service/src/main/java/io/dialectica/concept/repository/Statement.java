package io.dialectica.concept.repository;

import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * A SQL statement with the Java types of its parameters, checked before the statement is sent.
 *
 * <p>Why: a statement of a {@link PipelinedTransaction} that the client fails to send (a parameter Vert.x cannot
 * encode) does not abort the transaction on the server, and the COMMIT pipelined behind it would commit the
 * others. Parameters that do not match are therefore refused here, synchronously, before anything of the
 * statement leaves, so the transaction ends in a ROLLBACK. (The classic way to get there:
 * {@code Tuple.of(id, uuidArray)} picks the varargs overload and spreads the array into parameters.)
 */
public record Statement(String sql, List<Class<?>> parameterTypes) {

    public static Statement of(String sql, Class<?>... parameterTypes) {
        return new Statement(sql, List.of(parameterTypes));
    }

    /** The parameters, if they match the declared types (null is allowed anywhere); else IllegalArgumentException. */
    public Tuple check(Tuple parameters) {
        if (parameters.size() != parameterTypes.size()) {
            throw new IllegalArgumentException(parameters.size() + " parameters for " + parameterTypes.size()
                    + " in: " + firstLine());
        }
        for (int i = 0; i < parameterTypes.size(); i++) {
            Object value = parameters.getValue(i);
            if (value != null && !parameterTypes.get(i).isInstance(value)) {
                throw new IllegalArgumentException("parameter $" + (i + 1) + " is a " + value.getClass().getName()
                        + ", not a " + parameterTypes.get(i).getName() + ", in: " + firstLine());
            }
        }
        return parameters;
    }

    private String firstLine() {
        String text = sql.strip();
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
