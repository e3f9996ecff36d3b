package dev.latch.jdbc;

import dev.latch.spi.LatchStore;
import dev.latch.testing.LatchStoreConformanceTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

/** The store conformance suite on a real PostgreSQL. */
class JdbcLatchStoreConformanceTest extends LatchStoreConformanceTest {
    static LocalPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = LocalPostgres.start();
        JdbcLatchStore.migrate(pg.dataSource(), "conf_");
    }

    @AfterAll
    static void stopPostgres() throws Exception {
        pg.close();
    }

    @Override
    protected LatchStore newStore() {
        try (Connection c = pg.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE conf_slots, conf_subjects, conf_keys, conf_markers, conf_events, conf_records, conf_work");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return JdbcLatchStore.builder(pg.dataSource()).tablePrefix("conf_").queryTimeout(Duration.ofSeconds(60)).build();
    }
}
