package dev.junction.transport.turn;

import dev.junction.codec.stun.StunMessageType;

/** The request methods the TURN core answers, for its per-method counters (and /metrics). */
public enum TurnMethod {
    BINDING,
    ALLOCATE,
    REFRESH,
    CREATE_PERMISSION,
    CHANNEL_BIND,
    /** Any other request method (answered 400). */
    OTHER;

    /** The method of a STUN request or response type. */
    static TurnMethod of(int messageType) {
        return switch (StunMessageType.method(messageType)) {
            case StunMessageType.METHOD_BINDING -> BINDING;
            case StunMessageType.METHOD_ALLOCATE -> ALLOCATE;
            case StunMessageType.METHOD_REFRESH -> REFRESH;
            case StunMessageType.METHOD_CREATE_PERMISSION -> CREATE_PERMISSION;
            case StunMessageType.METHOD_CHANNEL_BIND -> CHANNEL_BIND;
            default -> OTHER;
        };
    }
}
