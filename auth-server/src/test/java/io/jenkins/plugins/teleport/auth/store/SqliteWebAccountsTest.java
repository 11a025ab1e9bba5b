package io.jenkins.plugins.teleport.auth.store;

import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The web sign-in tables on an SQLite file. */
class SqliteWebAccountsTest extends WebAccountsContract {

    @TempDir
    Path dir;

    @Override
    Store open() {
        return JdbcStore.sqlite(dir.resolve("auth.db"), Clock.systemUTC());
    }

    @Override
    Store openAgain() {
        return open();
    }
}
