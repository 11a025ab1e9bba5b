package io.jenkins.plugins.teleport.auth.http;

import io.jenkins.plugins.teleport.auth.testing.TestCluster;

/** The access-request API contract on a real PostgreSQL server. */
class PostgresAccessRequestApiTest extends AccessRequestApiContract {
    @Override
    TestCluster.Backend backend() {
        return TestCluster.Backend.POSTGRES;
    }
}
