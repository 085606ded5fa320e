/** TLS wire formats read without terminating TLS: the ClientHello's server name and ALPN, for routing a connection. */
package dev.junction.codec.tls;
