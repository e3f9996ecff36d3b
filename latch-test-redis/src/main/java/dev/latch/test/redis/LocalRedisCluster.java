package dev.latch.test.redis;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster of three primaries on free loopback ports, made of {@link LocalRedis}
 * nodes that are joined with {@code CLUSTER MEET} and given a third of the 16384 slots each
 * ({@code CLUSTER ADDSLOTS}). {@link #start()} returns once every node reports
 * {@code cluster_state:ok} and knows all three.
 *
 * <pre>{@code
 * try (LocalRedisCluster cluster = LocalRedisCluster.start()) {
 *     RedisLatchStore store = RedisLatchStore.cluster(cluster.uris()).build();
 * }
 * }</pre>
 *
 * <p>Like {@link LocalRedis} it keeps nothing on disk, and it never stands in for a cluster: a
 * node that cannot start or join fails {@link #start()} with the reason. Thread-safe for
 * reading; {@link #close()} stops every node.
 */
public final class LocalRedisCluster implements AutoCloseable {
    /** The number of slots in a Redis Cluster. */
    public static final int SLOTS = 16384;

    private final List<LocalRedis> nodes;

    private LocalRedisCluster(List<LocalRedis> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * Starts three primaries, joins them and waits for the cluster to be ready.
     *
     * @return the running cluster
     * @throws IOException when a node cannot start or the cluster does not become ready within a minute
     */
    public static LocalRedisCluster start() throws IOException {
        List<LocalRedis> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                nodes.add(LocalRedis.startClusterNode());
            }
            for (int i = 1; i < nodes.size(); i++) {
                nodes.get(i).command("CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(0).port()));
            }
            for (int i = 0; i < nodes.size(); i++) {
                int from = i * SLOTS / nodes.size();
                int to = (i + 1) * SLOTS / nodes.size();
                List<String> args = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
                for (int slot = from; slot < to; slot++) {
                    args.add(Integer.toString(slot));
                }
                nodes.get(i).command(args.toArray(new String[0]));
            }
            LocalRedisCluster cluster = new LocalRedisCluster(nodes);
            cluster.awaitReady();
            return cluster;
        } catch (IOException | RuntimeException e) {
            for (LocalRedis n : nodes) {
                n.close();
            }
            throw e;
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean ready = true;
            for (LocalRedis n : nodes) {
                String info = (String) n.command("CLUSTER", "INFO");
                last = n.port() + ": " + info.lines().filter(l -> l.startsWith("cluster_state")
                        || l.startsWith("cluster_known_nodes") || l.startsWith("cluster_slots_assigned")).toList();
                if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + nodes.size())) {
                    ready = false;
                    break;
                }
            }
            if (ready) {
                return;
            }
            LocalRedis.pause(50);
        }
        throw new IOException("the Redis Cluster did not become ready within a minute; last seen " + last);
    }

    /** @return the three primaries, in the order of the slot ranges they were given */
    public List<LocalRedis> nodes() {
        return nodes;
    }

    /** @return each node's {@code redis://127.0.0.1:<port>}, to seed a cluster client */
    public List<URI> uris() {
        return nodes.stream().map(LocalRedis::uri).toList();
    }

    /**
     * @param slot a hash slot, 0 to 16383
     * @return the node that currently serves it (asked of the cluster, so it follows moved slots)
     * @throws IOException when no node answers
     */
    public LocalRedis nodeFor(int slot) throws IOException {
        @SuppressWarnings("unchecked")
        List<Object> ranges = (List<Object>) nodes.get(0).command("CLUSTER", "SLOTS");
        for (Object r : ranges) {
            List<?> range = (List<?>) r;
            if (Long.parseLong(range.get(0).toString()) <= slot && slot <= Long.parseLong(range.get(1).toString())) {
                int port = Integer.parseInt(((List<?>) range.get(2)).get(1).toString());
                for (LocalRedis n : nodes) {
                    if (n.port() == port) {
                        return n;
                    }
                }
            }
        }
        throw new IOException("no node serves slot " + slot);
    }

    /**
     * @param node one of the nodes
     * @return its cluster node id
     * @throws IOException when it does not answer
     */
    public String nodeId(LocalRedis node) throws IOException {
        return (String) node.command("CLUSTER", "MYID");
    }

    /** Deletes every key on every node. @throws IOException when a node does not answer */
    public void flushAll() throws IOException {
        for (LocalRedis n : nodes) {
            n.command("FLUSHALL");
        }
    }

    /** Stops every node and deletes their directories. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (LocalRedis n : nodes) {
            try {
                n.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return "LocalRedisCluster" + uris();
    }
}
