/**
 * latch core: the API ({@code dev.latch}) and the SPI ({@code dev.latch.spi}). Implementation
 * packages are not exported.
 */
module dev.latch.core {
    requires com.github.benmanes.caffeine;
    requires org.slf4j;

    exports dev.latch;
    exports dev.latch.spi;
}
