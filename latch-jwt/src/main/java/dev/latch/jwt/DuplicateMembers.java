package dev.latch.jwt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds duplicate member names in any object of a JSON text (RFC 7515 §4 and RFC 7519 §4 say a
 * parser must reject them or use the last; latch rejects). Also rejects text that is not
 * well-formed enough to scan. Names are compared after JSON unescaping (RFC 8259 §7): {@code "a/b"},
 * <code>"a&#92;/b"</code> and <code>"&#92;u0061/b"</code> are one name, so no escaped spelling hides a second
 * copy of a claim. An escape JSON does not have, or a raw control character in a string, is
 * refused as not well-formed.
 */
final class DuplicateMembers {
    private DuplicateMembers() {
    }

    /** The four hex digits at {@code at} as a UTF-16 unit, or -1 when they are not four hex digits. */
    private static int hex4(String json, int at) {
        if (at + 4 > json.length()) {
            return -1;
        }
        int v = 0;
        for (int k = at; k < at + 4; k++) {
            int h = Character.digit(json.charAt(k), 16);
            if (h < 0 || json.charAt(k) > 'f') {
                return -1;
            }
            v = v << 4 | h;
        }
        return v;
    }

    /** @return true when the text has no duplicate member names and its brackets balance */
    static boolean none(String json) {
        Deque<Set<String>> objects = new ArrayDeque<>();
        Deque<Character> stack = new ArrayDeque<>();
        boolean expectKey = false;
        int i = 0;
        int n = json.length();
        while (i < n) {
            char c = json.charAt(i);
            if (c == '"') {
                StringBuilder s = new StringBuilder();
                i++;
                while (true) {
                    if (i >= n) {
                        return false;
                    }
                    char d = json.charAt(i++);
                    if (d == '"') {
                        break;
                    }
                    if (d < 0x20) {
                        return false; // a control character must be escaped inside a JSON string
                    }
                    if (d == '\\') {
                        if (i >= n) {
                            return false;
                        }
                        char e = json.charAt(i++);
                        switch (e) {
                            case '"':
                            case '\\':
                            case '/':
                                s.append(e);
                                break;
                            case 'b':
                                s.append('\b');
                                break;
                            case 'f':
                                s.append('\f');
                                break;
                            case 'n':
                                s.append('\n');
                                break;
                            case 'r':
                                s.append('\r');
                                break;
                            case 't':
                                s.append('\t');
                                break;
                            case 'u':
                                int cp = hex4(json, i);
                                if (cp < 0) {
                                    return false;
                                }
                                s.append((char) cp);
                                i += 4;
                                break;
                            default:
                                return false; // not an escape JSON has (RFC 8259 §7)
                        }
                    } else {
                        s.append(d);
                    }
                }
                if (expectKey) {
                    if (objects.isEmpty() || !objects.peek().add(s.toString())) {
                        return false;
                    }
                    expectKey = false;
                }
                continue;
            }
            switch (c) {
                case '{':
                    stack.push('{');
                    objects.push(new HashSet<>());
                    expectKey = true;
                    break;
                case '[':
                    stack.push('[');
                    expectKey = false;
                    break;
                case '}':
                    if (stack.isEmpty() || stack.pop() != '{') {
                        return false;
                    }
                    objects.pop();
                    expectKey = false;
                    break;
                case ']':
                    if (stack.isEmpty() || stack.pop() != '[') {
                        return false;
                    }
                    expectKey = false;
                    break;
                case ',':
                    expectKey = !stack.isEmpty() && stack.peek() == '{';
                    break;
                default:
                    break;
            }
            i++;
        }
        return stack.isEmpty();
    }
}
