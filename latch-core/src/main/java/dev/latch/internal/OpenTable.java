package dev.latch.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.Consumer;

/**
 * A hash table of entries that carry their own key, stored directly in one array (open
 * addressing, linear probing): no node object per entry, about 8 bytes of table per entry,
 * where a {@code ConcurrentHashMap} holds a 32-byte node and about 13 bytes of table.
 *
 * <p>Reads take no lock: they see the array as of some moment and may return an entry that a
 * concurrent writer is removing, so callers check, under the entry's own lock, that it is still
 * live. Writes hold the table's monitor; an owner may hold it too, to make a change of its own
 * atomic with the table's (the table is never shared beyond its owner). A removal moves the
 * entries after it back into the gap (no removal marks, so a table whose entries come and go is
 * never rebuilt for them); a read that found nothing while entries moved looks again, guided by
 * a counter the removal makes odd while it works. The array is rebuilt only to grow (past three
 * quarters full) or shrink (below an eighth); a reader that loaded it before keeps reading the
 * old one, which is no longer changed and still holds every entry of that moment.
 *
 * <p>Iteration ({@link #forEach}, {@link #snapshot}) sees every entry held throughout it only
 * while nothing is removed meanwhile: callers that need that exclude removals themselves.
 *
 * <p>Thread-safe. Example (a subclass names the key): {@code table.get("alice")}.
 *
 * @param <E> the entries
 * @param <K> their keys
 */
abstract class OpenTable<E, K> {
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(Object[].class);
    private static final int MIN_CAPACITY = 16;
    /** A reader that saw entries move this many times in a row waits for the writer instead. */
    private static final int MAX_RETRIES = 64;

    private volatile Object[] cells = new Object[MIN_CAPACITY];
    /** Entries, changed under the monitor (read without it for sizes). */
    private volatile int live;
    /** Odd while a removal moves entries; changed under the monitor. */
    private volatile int moves;

    /** The hash of a key. */
    abstract int hash(K key);

    /** The hash of an entry's key. */
    abstract int hashOf(E entry);

    /**
     * Whether an entry has this key. Called without a lock: an entry's hash must not change while
     * it is in the table. Its key may (a subclass that files entries by part of the key), if
     * callers of {@link #get} check again under the entry's own lock.
     *
     * @param hash the key's hash ({@code hash(key)}, computed once per lookup), to compare with
     *             one an entry keeps before following its key
     */
    abstract boolean hasKey(E entry, K key, int hash);

    /** Spreads a hash over the table (Fibonacci hashing: the top bits of the product). */
    private static int start(int hash, int length) {
        return (hash * 0x9E3779B9) >>> (32 - Integer.numberOfTrailingZeros(length));
    }

    /** The entry with this key, or null; see the class comment for what a concurrent write may show. */
    final E get(K key) {
        return get(key, hash(key));
    }

    /** {@link #get(Object)} with the key's hash already computed ({@code h == hash(key)}). */
    final E get(K key, int h) {
        for (int tries = 0; tries < MAX_RETRIES; tries++) {
            int m = moves;
            E found = probe(cells, h, key);
            if (found != null || ((m & 1) == 0 && moves == m)) {
                return found; // found, or nothing moved while looking: an answer of that moment
            }
            Thread.onSpinWait();
        }
        synchronized (this) {
            return probe(cells, h, key);
        }
    }

    @SuppressWarnings("unchecked")
    private E probe(Object[] t, int h, K key) {
        int mask = t.length - 1;
        for (int i = start(h, t.length);; i = (i + 1) & mask) {
            Object c = CELLS.getAcquire(t, i);
            if (c == null) {
                return null;
            }
            if (hasKey((E) c, key, h)) {
                return (E) c;
            }
        }
    }

    /**
     * Adds an entry unless one with the same key is there.
     *
     * @return the entry now held for the key: {@code entry}, or the one that was there
     */
    @SuppressWarnings("unchecked")
    final E putIfAbsent(E entry, K key) {
        return putIfAbsent(entry, key, hash(key));
    }

    /** {@link #putIfAbsent(Object, Object)} with the key's hash already computed ({@code h == hash(key)}). */
    final E putIfAbsent(E entry, K key, int h) {
        synchronized (this) {
            Object[] t = cells;
            int mask = t.length - 1;
            int i = start(h, t.length);
            for (;; i = (i + 1) & mask) {
                Object c = t[i];
                if (c == null) {
                    break;
                }
                if (hasKey((E) c, key, h)) {
                    return (E) c;
                }
            }
            CELLS.setRelease(t, i, entry);
            live++;
            if (live > t.length / 4 * 3) {
                rebuild(t);
            }
            return entry;
        }
    }

    /** Adds an entry, in the place of the one with the same key if there is one. */
    final void put(E entry, K key) {
        put(entry, key, hash(key));
    }

    /** {@link #put(Object, Object)} with the key's hash already computed ({@code h == hash(key)}). */
    final void put(E entry, K key, int h) {
        synchronized (this) {
            E held = putIfAbsent(entry, key, h);
            if (held != entry) {
                replace(held, h, entry);
            }
        }
    }

    /**
     * Removes this very entry (by identity), if it is held.
     *
     * @param hash the hash its key had when it was added
     * @return whether it was held
     */
    final boolean remove(E entry, int hash) {
        return replace(entry, hash, null);
    }

    /**
     * Puts {@code next} (null: nothing) in the place of this very entry, if it is held. The
     * replacement must have the same key.
     *
     * @return whether it was held
     */
    final boolean replace(E entry, int hash, E next) {
        synchronized (this) {
            Object[] t = cells;
            int mask = t.length - 1;
            for (int i = start(hash, t.length);; i = (i + 1) & mask) {
                Object c = t[i];
                if (c == null) {
                    return false;
                }
                if (c == entry) {
                    if (next != null) {
                        CELLS.setRelease(t, i, next);
                    } else {
                        delete(t, i);
                    }
                    return true;
                }
            }
        }
    }

    /**
     * Empties cell {@code i} and moves later entries of its run back, so that every entry stays
     * reachable from its start without marks (Knuth's algorithm R for linear probing).
     */
    @SuppressWarnings("unchecked")
    private void delete(Object[] t, int i) {
        int mask = t.length - 1;
        moves = moves + 1; // odd: readers that find nothing look again
        int hole = i;
        for (int j = (i + 1) & mask;; j = (j + 1) & mask) {
            Object c = t[j];
            if (c == null) {
                break;
            }
            int home = start(hashOf((E) c), t.length);
            boolean staysBehind = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!staysBehind) { // its start is at or before the hole: move it back (it is held twice until overwritten)
                CELLS.setRelease(t, hole, c);
                hole = j;
            }
        }
        CELLS.setRelease(t, hole, null);
        moves = moves + 1;
        live--;
        if (t.length > MIN_CAPACITY && live < t.length / 8) {
            rebuild(t);
        }
    }

    /** Entries held now (a moment's count). */
    final int size() {
        return live;
    }

    /** The array as of now, for walking all entries without a lock; empty cells are null. */
    final Object[] snapshot() {
        return cells;
    }

    /** The entry in cell {@code i} of a snapshot, or null. */
    @SuppressWarnings("unchecked")
    static <E> E entryAt(Object[] snapshot, int i) {
        return (E) CELLS.getAcquire(snapshot, i);
    }

    /** Calls {@code action} for every entry of a snapshot taken now. */
    final void forEach(Consumer<? super E> action) {
        Object[] t = cells;
        for (int i = 0; i < t.length; i++) {
            E e = entryAt(t, i);
            if (e != null) {
                action.accept(e);
            }
        }
    }

    /** Copies the entries into a new array, at most half full; readers of the old one go on there. */
    @SuppressWarnings("unchecked")
    private void rebuild(Object[] old) {
        int capacity = MIN_CAPACITY;
        while (capacity < 2L * (live + 1)) {
            capacity <<= 1;
        }
        Object[] t = new Object[capacity];
        int mask = capacity - 1;
        for (Object c : old) {
            if (c != null) {
                int i = start(hashOf((E) c), capacity);
                while (t[i] != null) {
                    i = (i + 1) & mask;
                }
                t[i] = c;
            }
        }
        cells = t; // volatile write: publishes the filled array
    }
}
