package io.jenkins.plugins.teleport.auth.store;

import io.jenkins.plugins.teleport.api.ApiException;
import io.jenkins.plugins.teleport.api.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link WebAccounts} over the JDBC connection of one {@link JdbcStore} transaction (SQLite or PostgreSQL). */
final class JdbcWebAccounts implements WebAccounts {

    private final Connection c;
    private final Clock clock;

    JdbcWebAccounts(Connection c, Clock clock) {
        this.c = c;
        this.clock = clock;
    }

    @Override
    public Optional<Credential> credential(String user) {
        return one("SELECT username, password_hash, totp_secret, last_totp_step FROM web_credentials WHERE username = ?",
                rs -> new Credential(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)), user);
    }

    @Override
    public void putCredential(Credential credential) {
        update("INSERT INTO web_credentials (username, password_hash, totp_secret, last_totp_step, updated_at) "
                        + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (username) DO UPDATE SET password_hash = excluded.password_hash, "
                        + "totp_secret = excluded.totp_secret, last_totp_step = excluded.last_totp_step, updated_at = excluded.updated_at",
                credential.user(), credential.passwordHash(), credential.totpSecret(), credential.lastTotpStep(), clock.millis());
    }

    @Override
    public boolean advanceTotpStep(String user, long step) {
        return update("UPDATE web_credentials SET last_totp_step = ?, updated_at = ? WHERE username = ? AND last_totp_step < ?",
                step, clock.millis(), user, step) == 1;
    }

    @Override
    public void putInvite(Invite invite) {
        deleteInvites(invite.user());
        update("INSERT INTO web_invites (token_hash, username, reset, totp_secret, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                invite.tokenHash(), invite.user(), invite.reset(), invite.totpSecret(), invite.created().toEpochMilli(),
                invite.expires().toEpochMilli());
    }

    @Override
    public Optional<Invite> invite(String tokenHash) {
        return one("SELECT token_hash, username, reset, totp_secret, created_at, expires_at FROM web_invites WHERE token_hash = ?",
                rs -> new Invite(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4),
                        Instant.ofEpochMilli(rs.getLong(5)), Instant.ofEpochMilli(rs.getLong(6))), tokenHash);
    }

    @Override
    public void deleteInvites(String user) {
        update("DELETE FROM web_invites WHERE username = ?", user);
    }

    @Override
    public void createSession(Session session) {
        update("INSERT INTO web_sessions (id_hash, username, created_at, expires_at) VALUES (?, ?, ?, ?)", session.idHash(),
                session.user(), session.created().toEpochMilli(), session.expires().toEpochMilli());
    }

    @Override
    public Optional<Session> session(String idHash) {
        return one("SELECT id_hash, username, created_at, expires_at FROM web_sessions WHERE id_hash = ?",
                rs -> new Session(rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3)),
                        Instant.ofEpochMilli(rs.getLong(4))), idHash);
    }

    @Override
    public void deleteSession(String idHash) {
        update("DELETE FROM web_sessions WHERE id_hash = ?", idHash);
    }

    @Override
    public int deleteSessions(String user) {
        return update("DELETE FROM web_sessions WHERE username = ?", user);
    }

    @Override
    public void recordLoginFailure(String subject, Instant at) {
        update("INSERT INTO web_login_failures (subject, time_ms) VALUES (?, ?)", subject, at.toEpochMilli());
    }

    @Override
    public List<Instant> loginFailures(String subject, Instant since) {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT time_ms FROM web_login_failures WHERE subject = ? AND time_ms >= ? ORDER BY time_ms")) {
            ps.setString(1, subject);
            ps.setLong(2, since.toEpochMilli());
            List<Instant> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(Instant.ofEpochMilli(rs.getLong(1)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    @Override
    public void clearLoginFailures(String subject) {
        update("DELETE FROM web_login_failures WHERE subject = ?", subject);
    }

    @Override
    public void deleteExpired(Instant now, Instant failuresBefore) {
        update("DELETE FROM web_sessions WHERE expires_at <= ?", now.toEpochMilli());
        update("DELETE FROM web_invites WHERE expires_at <= ?", now.toEpochMilli());
        update("DELETE FROM web_login_failures WHERE time_ms < ?", failuresBefore.toEpochMilli());
    }

    @Override
    public void forgetUser(String user) {
        update("DELETE FROM web_credentials WHERE username = ?", user);
        deleteInvites(user);
        deleteSessions(user);
    }

    /** Reads one row. */
    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> Optional<T> one(String sql, Row<T> row, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(row.read(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private int update(String sql, Object... args) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            if (args[i] instanceof Boolean b) {
                ps.setBoolean(i + 1, b);
            } else {
                ps.setObject(i + 1, args[i]);
            }
        }
    }

    private static ApiException unavailable(SQLException e) {
        return new ApiException(ErrorCode.UNAVAILABLE, "the store is unavailable: " + e.getMessage());
    }
}
