package dev.latch;

import dev.latch.spi.Names;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Something that happened, published to {@link Triggers#publish(LatchEvent)}: a type such as
 * {@code login.failed}, the subject it concerns and a few attributes. Its time is taken from the
 * injected clock when it is published.
 *
 * <pre>{@code
 * triggers.publish(LatchEvent.of("login.failed", "alice").with("app", "console"));
 * }</pre>
 *
 * @param type       the event type: 1 to 64 characters of letters, digits and {@code . _ - :}
 * @param subject    who it concerns (1 to 256 characters, no control characters, no unpaired surrogate)
 * @param attributes at most 16 attributes, names and values without control characters
 *
 * <p>Thread-safe: immutable.
 */
public record LatchEvent(String type, String subject, Map<String, String> attributes) {
    /** Most attributes per event. */
    public static final int MAX_ATTRIBUTES = 16;

    /**
     * Validates and copies.
     *
     * @throws IllegalArgumentException when a field is empty, too long or has illegal characters
     */
    public LatchEvent {
        checkType(type);
        AccessContext.checkText("subject", subject);
        Names.required(attributes, "attributes");
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException("at most " + MAX_ATTRIBUTES + " attributes, got " + attributes.size());
        }
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            AccessContext.checkText("attribute name", e.getKey());
            AccessContext.checkText("attribute value", e.getValue());
        }
        attributes = Map.copyOf(attributes);
    }

    static String checkType(String type) {
        Names.required(type, "type");
        if (type.isEmpty() || type.length() > 64) {
            throw new IllegalArgumentException("an event type has 1 to 64 characters, had " + type.length());
        }
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-' || c == ':')) {
                throw new IllegalArgumentException("an event type has only letters, digits and . _ - :");
            }
        }
        return type;
    }

    /**
     * @param type    the type
     * @param subject the subject
     * @return an event without attributes
     */
    public static LatchEvent of(String type, String subject) {
        return new LatchEvent(type, subject, Map.of());
    }

    /**
     * @param name  an attribute name
     * @param value its value
     * @return a copy with the attribute set
     */
    public LatchEvent with(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(attributes);
        copy.put(name, value);
        return new LatchEvent(type, subject, copy);
    }
}
