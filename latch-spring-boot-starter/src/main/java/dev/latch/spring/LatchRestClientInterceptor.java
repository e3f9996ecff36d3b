package dev.latch.spring;

import dev.latch.jwt.TokenSupplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

import java.io.IOException;

/**
 * Adds {@code Authorization: Bearer <service token>} from a {@link TokenSupplier} to each request
 * of a Spring {@code RestClient} (or {@code RestTemplate}); after a 401 it drops the cached token
 * so the next call fetches a new one. Add it only to clients of the service the tokens are for:
 * the starter never adds it to every client.
 *
 * <pre>{@code
 * RestClient orders = RestClient.builder().baseUrl("http://orders.internal")
 *         .requestInterceptor(latchRestClientInterceptor)
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class LatchRestClientInterceptor implements ClientHttpRequestInterceptor {
    private final TokenSupplier tokens;

    /** @param tokens where tokens come from */
    public LatchRestClientInterceptor(TokenSupplier tokens) {
        if (tokens == null) {
            throw new IllegalArgumentException("tokens is required, got null");
        }
        this.tokens = tokens;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        request.getHeaders().set(HttpHeaders.AUTHORIZATION, "Bearer " + tokens.get());
        ClientHttpResponse response = execution.execute(request, body);
        if (response.getStatusCode().value() == 401) {
            tokens.invalidate();
        }
        return response;
    }

    @Override
    public String toString() {
        return "LatchRestClientInterceptor[" + tokens + "]";
    }
}
