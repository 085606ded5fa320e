package dev.junction.codec.rtp;

import io.netty.buffer.ByteBuf;

/**
 * The dependency descriptor RTP header extension of one packet (AV1 RTP specification, appendix A; Chromium sends it
 * with AV1, VP9 and VP8 where it is negotiated), as an SFU needs it to forward a subset of a layered stream: where
 * the frame starts and ends, its frame number, its spatial and temporal id, its decode target indications, frame
 * diffs and chain diffs, and the active decode targets.
 *
 * <pre>
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |S|E| template id |         frame_number          |  mandatory fields (A.8.2)
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |T|A|D|F|C| template_dependency_structure (if T) ... active_decode_targets_bitmask (if A)
 * | custom dtis (if D) | custom fdiffs (if F) | custom chains (if C) | zero padding      (only when longer than 3 bytes)
 * </pre>
 *
 * A packet is read with the structure in force for its stream ({@link DependencyStream}): the frame's template is
 * {@code (template id - template_id_offset) mod 64}, and its fields come from the template unless the packet sends
 * custom ones. An attached structure is read into the stream's spare; {@link DependencyStream#adopt} takes it in.
 *
 * <p>A flyweight (STYLE): one instance reused; {@link #parse} reads the buffer at absolute indexes, never moves its
 * indexes and allocates nothing. Malformed input gives an error code, never an exception.
 */
public final class DependencyDescriptor {
    /** Every field read. */
    public static final int OK = 0;
    /** Only the mandatory fields are known: the stream has no structure yet (or none was given). */
    public static final int NO_STRUCTURE = 1;
    /** Shorter than the 3 bytes of mandatory fields. */
    public static final int TOO_SHORT = 2;
    /** A field runs past the extension's end. */
    public static final int OVERRUN = 3;
    /** The template id names no template of the structure (A.8.3: an error). */
    public static final int UNKNOWN_TEMPLATE = 4;
    /** More templates or frame diffs than {@link DependencyStructure} keeps. */
    public static final int OVER_LIMIT = 5;

    private static final int MANDATORY_BYTES = 3;

    /** Where the descriptor's data starts in the buffer parsed, and its length. */
    private int dataOffset = -1;
    private int dataLength;
    /** The extended fields are present (the descriptor is longer than the mandatory 3 bytes). */
    private boolean extended;
    /** Bit indexes from the data's start: after the attached structure (where the active decode targets go)... */
    private int structureEndBit;
    /** ...after the active decode targets (the same when absent), and after the last field read. */
    private int activeEndBit;
    private int endBit;
    // Mandatory fields.
    private boolean startOfFrame;
    private boolean endOfFrame;
    private int templateId;
    private int frameNumber;
    // Extended fields.
    private boolean structureAttached;
    private boolean activePresent;
    private int activeDecodeTargets;
    /** Bit index of active_decode_targets_bitmask from the start of the data, -1 when absent. */
    private int activeBit;
    // The frame, from its template or the custom fields.
    private DependencyStructure structure;
    private int spatialId;
    private int temporalId;
    private int decodeTargetCount;
    private final byte[] dtis = new byte[DependencyStructure.MAX_DECODE_TARGETS];
    private int fdiffCount;
    private final short[] fdiffs = new short[DependencyStructure.MAX_FDIFFS];
    private int chainCount;
    private final short[] chainFdiffs = new short[DependencyStructure.MAX_DECODE_TARGETS];

    // The bit reader.
    private ByteBuf buf;
    private int base;
    private int bit;
    private int bitEnd;
    private boolean overrun;

    /**
     * Reads the descriptor at {@code buf[offset, offset + length)} with {@code stream}'s structure (null: mandatory
     * fields only, and an attached structure is not read).
     *
     * @return {@link #OK}, {@link #NO_STRUCTURE} (the mandatory fields are valid), or an error (nothing is valid)
     */
    public int parse(ByteBuf buf, int offset, int length, DependencyStream stream) {
        reset();
        dataOffset = offset;
        dataLength = length;
        if (length < MANDATORY_BYTES) return TOO_SHORT;
        int b0 = buf.getUnsignedByte(offset);
        startOfFrame = (b0 & 0x80) != 0;
        endOfFrame = (b0 & 0x40) != 0;
        templateId = b0 & 0x3F;
        frameNumber = buf.getUnsignedShort(offset + 1);
        this.buf = buf;
        base = offset;
        bit = MANDATORY_BYTES * 8;
        bitEnd = length * 8;
        DependencyStructure s = stream == null ? null : stream.structure();
        boolean customDtis = false;
        boolean customFdiffs = false;
        boolean customChains = false;
        extended = length > MANDATORY_BYTES;
        if (extended) {
            structureAttached = bits(1) == 1;
            activePresent = bits(1) == 1;
            customDtis = bits(1) == 1;
            customFdiffs = bits(1) == 1;
            customChains = bits(1) == 1;
            if (structureAttached) {
                if (stream == null) return fail(NO_STRUCTURE);
                s = stream.spare();
                int r = readStructure(s);
                if (r != OK) return fail(r);
            }
            structureEndBit = bit;
            if (activePresent) {
                if (s == null) return fail(NO_STRUCTURE);
                activeBit = bit;
                activeDecodeTargets = bits(s.decodeTargetCount);
            }
            activeEndBit = bit;
        }
        if (s == null) return fail(NO_STRUCTURE);
        int template = (templateId + 64 - s.templateIdOffset) % 64;
        if (template >= s.templateCount) return fail(UNKNOWN_TEMPLATE);
        structure = s;
        spatialId = s.spatialId[template];
        temporalId = s.temporalId[template];
        decodeTargetCount = s.decodeTargetCount;
        for (int dt = 0; dt < decodeTargetCount; dt++) {
            dtis[dt] = customDtis ? (byte) bits(2) : s.dtis[template * DependencyStructure.MAX_DECODE_TARGETS + dt];
        }
        if (customFdiffs) {
            for (int size = bits(2); size != 0 && !overrun; size = bits(2)) {
                if (fdiffCount == DependencyStructure.MAX_FDIFFS) return fail(OVER_LIMIT);
                fdiffs[fdiffCount++] = (short) (bits(4 * size) + 1);
            }
        } else {
            fdiffCount = s.fdiffCount[template];
            for (int i = 0; i < fdiffCount; i++) fdiffs[i] = s.fdiffs[template * DependencyStructure.MAX_FDIFFS + i];
        }
        chainCount = s.chainCount;
        for (int c = 0; c < chainCount; c++) {
            chainFdiffs[c] = customChains ? (short) bits(8) : s.chainFdiffs[template * DependencyStructure.MAX_DECODE_TARGETS + c];
        }
        endBit = bit;
        return overrun ? fail(OVERRUN) : OK;
    }

    /** {@code template_dependency_structure()} (A.8.1) into {@code s}. */
    private int readStructure(DependencyStructure s) {
        s.templateIdOffset = bits(6);
        int dtCount = bits(5) + 1;
        s.decodeTargetCount = dtCount;
        // template_layers()
        int count = 0;
        int spatial = 0;
        int temporal = 0;
        int maxTemporal = 0;
        int next;
        do {
            if (count == DependencyStructure.MAX_TEMPLATES) return OVER_LIMIT;
            s.spatialId[count] = (byte) spatial;
            s.temporalId[count] = (byte) temporal;
            count++;
            next = bits(2);
            if (next == 1) {
                temporal++;
                maxTemporal = Math.max(maxTemporal, temporal);
            } else if (next == 2) {
                temporal = 0;
                spatial++;
            }
        } while (next != 3 && !overrun);
        if (overrun) return OVERRUN;
        s.templateCount = count;
        s.maxSpatialId = spatial;
        s.maxTemporalId = maxTemporal;
        // template_dtis()
        for (int t = 0; t < count; t++) {
            for (int dt = 0; dt < dtCount; dt++) s.dtis[t * DependencyStructure.MAX_DECODE_TARGETS + dt] = (byte) bits(2);
        }
        // template_fdiffs()
        for (int t = 0; t < count; t++) {
            int n = 0;
            while (bits(1) == 1) {
                if (n == DependencyStructure.MAX_FDIFFS) return OVER_LIMIT;
                s.fdiffs[t * DependencyStructure.MAX_FDIFFS + n++] = (byte) (bits(4) + 1);
            }
            s.fdiffCount[t] = (byte) n;
        }
        // template_chains()
        int chains = ns(dtCount + 1);
        s.chainCount = chains;
        if (chains > 0) {
            for (int dt = 0; dt < dtCount; dt++) s.protectedBy[dt] = (byte) ns(chains);
            for (int t = 0; t < count; t++) {
                for (int c = 0; c < chains; c++) s.chainFdiffs[t * DependencyStructure.MAX_DECODE_TARGETS + c] = (byte) bits(4);
            }
        }
        // decode_target_layers()
        for (int dt = 0; dt < dtCount; dt++) {
            int sid = 0;
            int tid = 0;
            for (int t = 0; t < count; t++) {
                if (s.dtis[t * DependencyStructure.MAX_DECODE_TARGETS + dt] != DependencyStructure.NOT_PRESENT) {
                    sid = Math.max(sid, s.spatialId[t]);
                    tid = Math.max(tid, s.temporalId[t]);
                }
            }
            s.decodeTargetSpatialId[dt] = (byte) sid;
            s.decodeTargetTemporalId[dt] = (byte) tid;
        }
        s.resolutions = bits(1) == 1;
        if (s.resolutions) {
            for (int sid = 0; sid <= spatial; sid++) {
                s.resolution[sid * 2] = bits(16) + 1;
                s.resolution[sid * 2 + 1] = bits(16) + 1;
            }
        }
        return overrun ? OVERRUN : OK;
    }

    /** {@code f(n)}, n at most 31; 0 and {@link #overrun} set past the end. */
    private int bits(int n) {
        if (n > bitEnd - bit) {
            overrun = true;
            bit = bitEnd;
            return 0;
        }
        int v = 0;
        for (int i = 0; i < n; i++, bit++) {
            v = (v << 1) | ((buf.getUnsignedByte(base + (bit >>> 3)) >>> (7 - (bit & 7))) & 1);
        }
        return v;
    }

    /** {@code ns(n)} (A.8.4): a non-symmetric unsigned number in [0, n). */
    private int ns(int n) {
        int w = 32 - Integer.numberOfLeadingZeros(n);
        int m = (1 << w) - n;
        int v = bits(w - 1);
        if (v < m) return v;
        return (v << 1) - m + bits(1);
    }

    private void reset() {
        extended = false;
        structureEndBit = MANDATORY_BYTES * 8;
        activeEndBit = structureEndBit;
        endBit = structureEndBit;
        startOfFrame = false;
        endOfFrame = false;
        templateId = 0;
        frameNumber = -1;
        structureAttached = false;
        activePresent = false;
        activeDecodeTargets = 0;
        activeBit = -1;
        structure = null;
        spatialId = -1;
        temporalId = -1;
        decodeTargetCount = 0;
        fdiffCount = 0;
        chainCount = 0;
        overrun = false;
    }

    /** Keeps the mandatory fields for {@link #NO_STRUCTURE}; forgets everything for an error. */
    private int fail(int code) {
        boolean keepMandatory = code == NO_STRUCTURE;
        boolean start = startOfFrame;
        boolean end = endOfFrame;
        int id = templateId;
        int number = frameNumber;
        reset();
        if (keepMandatory) {
            startOfFrame = start;
            endOfFrame = end;
            templateId = id;
            frameNumber = number;
        }
        buf = null;
        return code;
    }

    /** The absolute index of the descriptor's data in the buffer last parsed (where a copy's rewrite goes). */
    public int dataOffset() {
        return dataOffset;
    }

    /** The descriptor's length in bytes, as parsed. */
    public int dataLength() {
        return dataLength;
    }

    /** The first packet of a frame. */
    public boolean startOfFrame() {
        return startOfFrame;
    }

    /** The last packet of a frame. */
    public boolean endOfFrame() {
        return endOfFrame;
    }

    public int templateId() {
        return templateId;
    }

    /** The 16-bit frame number, -1 after an error. */
    public int frameNumber() {
        return frameNumber;
    }

    /** The packet carries a template dependency structure (the first packet of a keyframe). */
    public boolean hasStructure() {
        return structureAttached && structure != null;
    }

    /** The structure the frame was read with (the attached one, or the stream's), null unless {@link #OK}. */
    public DependencyStructure structure() {
        return structure;
    }

    /** The packet sends {@code active_decode_targets_bitmask}. */
    public boolean hasActiveDecodeTargets() {
        return activePresent && activeBit >= 0;
    }

    /** The bitmask it sends (bit {@code dt} for decode target {@code dt}). */
    public int activeDecodeTargets() {
        return activeDecodeTargets;
    }

    public int spatialId() {
        return spatialId;
    }

    /** The frame's temporal id, -1 unless {@link #OK}. */
    public int temporalId() {
        return temporalId;
    }

    public int decodeTargetCount() {
        return decodeTargetCount;
    }

    /** The frame's indication for decode target {@code dt} ({@link DependencyStructure#NOT_PRESENT} ... REQUIRED). */
    public int dti(int dt) {
        return dtis[dt];
    }

    public int fdiffCount() {
        return fdiffCount;
    }

    /** How many frames back the frame's {@code i}th reference is (1 to 4096). */
    public int fdiff(int i) {
        return fdiffs[i];
    }

    public int chainCount() {
        return chainCount;
    }

    public int chainFdiff(int chain) {
        return chainFdiffs[chain];
    }

    /** Writes frame number {@code value} (modulo 2^16) into the descriptor whose data starts at {@code dataOffset}. */
    public static void writeFrameNumber(ByteBuf buf, int dataOffset, int value) {
        buf.setShort(dataOffset + 1, value);
    }

    /**
     * Writes {@code mask} over the active decode targets this packet sends, in the copy of its descriptor whose
     * data starts at {@code dataOffset}; nothing when the packet sends none.
     */
    public void writeActiveDecodeTargets(ByteBuf out, int dataOffset, int mask) {
        if (!hasActiveDecodeTargets()) return;
        for (int i = 0; i < decodeTargetCount; i++) {
            int at = activeBit + i;
            int index = dataOffset + (at >>> 3);
            int bitMask = 1 << (7 - (at & 7));
            int v = out.getUnsignedByte(index);
            boolean set = ((mask >>> (decodeTargetCount - 1 - i)) & 1) != 0;
            out.setByte(index, set ? v | bitMask : v & ~bitMask);
        }
    }

    /**
     * The length of this descriptor with {@code active_decode_targets_bitmask} present
     * ({@link #writeWithActiveDecodeTargets}); only after {@link #OK}.
     */
    public int lengthWithActiveDecodeTargets() {
        int bits = extended ? endBit - (activeEndBit - structureEndBit) : MANDATORY_BYTES * 8 + 5;
        return (bits + decodeTargetCount + 7) / 8;
    }

    /**
     * Writes this descriptor (only after {@link #OK}, from the buffer it was parsed from, which must still hold it)
     * at {@code out[at]} with the active decode targets set to {@code mask}: the A flag set and the bitmask after the
     * structure, in place of one it sent; every other field as it was, and zero padding to the byte
     * ({@link #lengthWithActiveDecodeTargets} bytes). A forwarder uses it to tell a receiver which decode targets it
     * still gets when it stops forwarding some (A.8.2).
     */
    public void writeWithActiveDecodeTargets(ByteBuf out, int at, int mask) {
        BitWriter w = writer.start(out, at);
        copyBits(w, 0, MANDATORY_BYTES * 8);
        if (extended) {
            copyBits(w, MANDATORY_BYTES * 8, MANDATORY_BYTES * 8 + 1);
            w.write(1, 1);
            copyBits(w, MANDATORY_BYTES * 8 + 2, structureEndBit);
        } else {
            w.write(0b01000, 5); // T=0, A=1, no custom fields
        }
        w.write(mask, decodeTargetCount);
        if (extended) copyBits(w, activeEndBit, endBit);
        w.finish();
    }

    private void copyBits(BitWriter w, int from, int to) {
        for (int b = from; b < to; b++) w.write((buf.getUnsignedByte(base + (b >>> 3)) >>> (7 - (b & 7))) & 1, 1);
    }

    private final BitWriter writer = new BitWriter();

    /** Writes bits MSB first at absolute indexes; reused. */
    private static final class BitWriter {
        private ByteBuf out;
        private int index;
        private int current;
        private int used;

        BitWriter start(ByteBuf target, int at) {
            out = target;
            index = at;
            current = 0;
            used = 0;
            return this;
        }

        void write(int value, int n) {
            for (int i = n - 1; i >= 0; i--) {
                current = (current << 1) | ((value >>> i) & 1);
                if (++used == 8) {
                    out.setByte(index++, current);
                    current = 0;
                    used = 0;
                }
            }
        }

        void finish() {
            if (used > 0) out.setByte(index++, current << (8 - used));
            out = null;
        }
    }
}
