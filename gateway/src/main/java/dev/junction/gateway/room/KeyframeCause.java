package dev.junction.gateway.room;

import java.util.Locale;

/**
 * Why a keyframe was asked of a publisher (issue 11, "keyframe requests by cause";
 * {@code junction_room_keyframe_requests_total{cause}}). Counted where the request starts, before the per-layer
 * rate limit folds requests together ({@code keyframe_requests_coalesced}) and before one goes upstream
 * ({@code keyframe_requests_sent}).
 */
public enum KeyframeCause {
    /** A subscriber's PLI or FIR for its slot. */
    VIEWER,
    /** A Consumer joined a Producer (a new subscriber, a filled slot) or its transport just connected. */
    JOIN,
    /** A Consumer waits to switch to another layer, which it may only do at that layer's keyframe. */
    SWITCH,
    /** A layer's encoder restarted (a new SSRC): its Consumers wait for its first keyframe. */
    RESTART,
    /**
     * A layer sends dependency descriptors, but the structure they are read with (attached to a keyframe's first
     * packet) has not arrived, or they name templates the one in force lacks (a newer one was lost): until the next
     * keyframe its frames' temporal layers are unknown.
     */
    DEPENDENCY_STRUCTURE,
    /** A subscriber's resends were withheld over its bandwidth estimate: a keyframe repairs instead. */
    INSTEAD_OF_RESEND,
    /** Another media loop or node, whose own Consumers asked (counted there by their cause too). */
    PIPE;

    /** The metric label: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
