package dev.latch.spring;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Raw HTTP/1.1 over a loopback socket: tests send what polite clients refuse to (doubled headers, raw bytes). */
final class Http {
    record Response(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }
    }

    private Http() {
    }

    static Response get(int port, String path, String... headers) throws IOException {
        return get(port, path, java.util.Arrays.stream(headers).map(h -> h.getBytes(StandardCharsets.UTF_8)).toList());
    }

    static Response get(int port, String path, List<byte[]> headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n").getBytes(StandardCharsets.US_ASCII));
            for (byte[] h : headers) {
                out.write(h);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            String text = all.toString(StandardCharsets.ISO_8859_1);
            int end = text.indexOf("\r\n\r\n");
            String head = text.substring(0, end);
            String body = text.substring(end + 4);
            if (head.toLowerCase().contains("transfer-encoding: chunked")) {
                StringBuilder b = new StringBuilder();
                int i = 0;
                while (true) {
                    int eol = body.indexOf("\r\n", i);
                    int n = Integer.parseInt(body.substring(i, eol).trim(), 16);
                    if (n == 0) {
                        break;
                    }
                    b.append(body, eol + 2, eol + 2 + n);
                    i = eol + 2 + n + 2;
                }
                body = b.toString();
            }
            return new Response(Integer.parseInt(head.split(" ")[1]), head, body);
        }
    }
}
