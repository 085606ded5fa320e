/** The gateway's side of each media loop: the rooms on it, the pipes between loops, and the one typed proxy into it. */
package dev.junction.gateway.loop;
