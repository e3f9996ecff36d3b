package dev.latch.jwt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds duplicate member names in any object of a JSON text (RFC 7515 §4 and RFC 7519 §4 say a
 * parser must reject them or use the last; latch rejects). Also rejects text that is not
 * well-formed enough to scan. Strings are compared as written, after unescaping {@code \\uXXXX}.
 */
final class DuplicateMembers {
    private DuplicateMembers() {
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
                    if (d == '\\') {
                        if (i >= n) {
                            return false;
                        }
                        char e = json.charAt(i++);
                        if (e == 'u') {
                            if (i + 4 > n) {
                                return false;
                            }
                            try {
                                s.append((char) Integer.parseInt(json.substring(i, i + 4), 16));
                            } catch (NumberFormatException x) {
                                return false;
                            }
                            i += 4;
                        } else {
                            s.append('\\').append(e);
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
