package io.jenkins.plugins.teleport.auth.store;

import java.time.Clock;

/** The web sign-in tables on a real PostgreSQL server. */
class PostgresWebAccountsTest extends WebAccountsContract {

    private String url;

    @Override
    Store open() {
        PostgresFixture pg = PostgresFixture.requireOrSkip();
        url = pg.createDatabase();
        return JdbcStore.postgres(url, pg.user(), pg.password(), Clock.systemUTC());
    }

    @Override
    Store openAgain() {
        PostgresFixture pg = PostgresFixture.requireOrSkip();
        return JdbcStore.postgres(url, pg.user(), pg.password(), Clock.systemUTC());
    }
}
