/** Sans-IO send-side bandwidth estimation (GCC, draft-ietf-rmcat-gcc-02) driven by transport-wide congestion control feedback, and its pacer. */
package dev.junction.transport.bwe;
