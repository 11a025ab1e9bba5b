package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.auth.testing.TestCluster;

/** The access-request API contract on the embedded SQLite store. */
class SqliteAccessRequestApiTest extends AccessRequestApiContract {
    @Override
    TestCluster.Backend backend() {
        return TestCluster.Backend.SQLITE;
    }
}
