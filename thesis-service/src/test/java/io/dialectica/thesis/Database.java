package io.dialectica.thesis;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Direct reads of theses_test, to check what the API cannot show (rows that must not exist). */
public final class Database {

    public static final String URL = System.getProperty("dialectica.test.jdbc",
            "jdbc:postgresql://127.0.0.1:15432/theses_test");

    private Database() {
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL, "dialectica", "dialectica");
    }

    public static long count(String sql, Object... params) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                if (params[i] instanceof UUID[] ids) {
                    s.setArray(i + 1, c.createArrayOf("uuid", ids));
                } else {
                    s.setObject(i + 1, params[i]);
                }
            }
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void execute(String sql) {
        try (Connection c = connect(); var s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long theses(UUID jobId) {
        return count("select count(*) from theses where job_id = ?", jobId);
    }
}
