/** Lock-free metrics shared by the media loops and the HTTP control plane (Prometheus text). */
package dev.junction.transport.metrics;
